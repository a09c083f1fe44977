// Package moodlefake is an in-memory Moodle web services REST server for tests, faithful to connectors.md §1: form-encoded bracket arrays, wstoken, HTTP 200 exception bodies, all-or-nothing batches and max_input_vars truncation.
package moodlefake
