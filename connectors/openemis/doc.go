// Package openemis pulls institutions, students, staff, classes and enrolments from OpenEMIS Core (API v5) as a OneRoster snapshot.
package openemis
