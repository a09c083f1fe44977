// Package rest serves the OneRoster REST API and consumes a SIS's one.
package rest
