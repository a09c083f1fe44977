// Package adminhttp serves the core admin API under /admin/: a tenant's own credentials.
package adminhttp
