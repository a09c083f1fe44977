package config

import (
	"fmt"
	"net/url"
	"strings"
)

// ForwardRule sends a tenant's statements to a downstream LRS: all of them,
// or those matching the filters (a statement matches when it matches every
// filter that is set; within one filter any listed value matches).
type ForwardRule struct {
	ID     string `yaml:"id"`
	Tenant string `yaml:"tenant"`
	// URL is the downstream xAPI endpoint base, e.g. https://central.example.org/xapi
	// (statements are sent to URL + "/statements").
	URL string `yaml:"url"`
	// Key is the downstream credential's key; its secret comes from the
	// environment variable named by SecretEnv or the file SecretFile.
	Key        string `yaml:"key"`
	SecretEnv  string `yaml:"secret_env"`
	SecretFile string `yaml:"secret_file"`
	// Version is the X-Experience-API-Version sent downstream (default 1.0.3).
	Version string `yaml:"version"`
	// Verbs, Activities and Actors filter the statements forwarded. Actors
	// are xAPI Agents as JSON, e.g. {"mbox":"mailto:a@example.org"}.
	Verbs      []string `yaml:"verbs"`
	Activities []string `yaml:"activities"`
	Actors     []string `yaml:"actors"`
}

// Validate reports what is wrong with the rule, if anything.
func (r ForwardRule) Validate() error {
	if r.ID == "" {
		return fmt.Errorf("forwarding rule: id is required")
	}
	if r.Tenant == "" {
		return fmt.Errorf("forwarding rule %s: tenant is required", r.ID)
	}
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("forwarding rule %s: url must be an http(s) URL", r.ID)
	}
	if r.Key == "" || (r.SecretEnv == "" && r.SecretFile == "") {
		return fmt.Errorf("forwarding rule %s: key and secret_env or secret_file are required", r.ID)
	}
	if r.Version != "" && !strings.HasPrefix(r.Version, "1.0") && !strings.HasPrefix(r.Version, "2.0") {
		return fmt.Errorf("forwarding rule %s: version must be 1.0.x or 2.0.x", r.ID)
	}
	return nil
}
