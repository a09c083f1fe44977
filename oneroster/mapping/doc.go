// Package mapping turns plain CSV exports (ministry EMIS spreadsheets, School Data Sync files) into a OneRoster package through a declarative mapping file, so they go through the same validation and import as OneRoster CSV.
package mapping
