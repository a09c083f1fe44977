// Package moodle pushes rosters into Moodle through its web services REST API and pulls completion and grades back as xAPI statements.
package moodle
