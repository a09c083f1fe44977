// Package config loads the process configuration from flags, PASSPORT_* variables and defaults, and the YAML config file.
package config
