// Package connectortest is the contract suite every connector passes: Run for connectors that push rosters, RunPuller for those that pull them.
package connectortest
