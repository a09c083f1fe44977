// Package synchttp serves connector run reports on the admin API.
package synchttp
