package config

// ForwardRule sends a tenant's statements to a downstream LRS.
type ForwardRule struct {
	ID     string `yaml:"id"`
	Tenant string `yaml:"tenant"`
	URL    string `yaml:"url"`
}
