package config

// ConnectorSpec declares one connector instance in the config file.
type ConnectorSpec struct {
	ID       string `yaml:"id"`
	Type     string `yaml:"type"`
	Tenant   string `yaml:"tenant"`
	Schedule string `yaml:"schedule"`
	// Config is the type-specific block, decoded strictly by the connector's Config.
	Config map[string]any `yaml:"config"`
}
