// Package forwardhttp serves the LRS admin API for learner erasure and its audit records.
package forwardhttp
