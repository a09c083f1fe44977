// Package openemisfake is an in-memory OpenEMIS Core API v5 for tests: login with username, password and api_key for a bearer JWT, 401 on a missing or expired token, kebab-case resources with _conditions filters and paging.
package openemisfake
