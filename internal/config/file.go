package config

// File is the YAML configuration file named by --config: connectors,
// forwarding rules and tenants. Each part is defined beside the code that
// owns it (connectors.go, forwarding.go) and decoded strictly.
type File struct {
	Connectors []ConnectorSpec `yaml:"connectors"`
	Forwarding []ForwardRule   `yaml:"forwarding"`
}
