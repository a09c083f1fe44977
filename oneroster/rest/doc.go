// Package rest serves the OneRoster 1.1 and 1.2 rostering REST API from the roster store.
package rest
