// Package connectors defines the Connector interface, its optional capabilities and run reports; it imports no implementation.
package connectors
