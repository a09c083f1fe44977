// Package server builds the fiber app: settings, middleware, the one error handler, health and metrics, and the mounted protocol handlers.
package server
