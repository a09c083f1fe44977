// Package connectortest is the contract suite every connector passes.
package connectortest
