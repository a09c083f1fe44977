// Package forwardhttp serves the LRS admin API for erasing a learner's record.
package forwardhttp
