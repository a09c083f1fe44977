// Package csv reads and validates OneRoster CSV packages (zip or folder) with bounded memory.
package csv
