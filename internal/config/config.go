package config

// Config is the process configuration.
type Config struct{}
