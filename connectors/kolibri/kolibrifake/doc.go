// Package kolibrifake is an in-memory Kolibri facility API for tests, faithful to connectors.md §2: session login with the kolibri and kolibri_csrftoken cookies, X-CSRFToken on unsafe methods, DRF error lists and all-or-nothing bulk membership and role writes.
package kolibrifake
