package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lrs/forward"
)

// ForwardRule sends a tenant's statements to a downstream LRS. Exactly one
// of Secret, SecretFile and SecretEnv gives the downstream secret.
type ForwardRule struct {
	// ID names the rule (letters, digits, '-', '_'); its cursor and dead
	// letters are kept under it, so renaming a rule starts it over.
	ID string `yaml:"id"`
	// Tenant is the tenant whose statements are forwarded (default "default").
	Tenant string `yaml:"tenant"`
	// URL is the downstream xAPI endpoint base (http or https), such as
	// https://lrs.example.org/xapi/; statements go to URL + "statements".
	URL string `yaml:"url"`
	// Key is the downstream credential's key (HTTP Basic user).
	Key string `yaml:"key"`
	// Secret is the downstream secret inline (prefer SecretFile or SecretEnv).
	Secret string `yaml:"secret"`
	// SecretFile is a file holding the secret (trailing newline ignored).
	SecretFile string `yaml:"secret_file"`
	// SecretEnv names an environment variable holding the secret.
	SecretEnv string `yaml:"secret_env"`
	// Version is auto (default), 1.0.3 or 2.0.0: the X-Experience-API-Version sent.
	Version string `yaml:"version"`
	// Batch is the number of statements per POST, 1 to 500 (default 50).
	Batch int `yaml:"batch"`
	// Poll is how often an idle rule looks for new statements (default 10s, at least 1s).
	Poll time.Duration `yaml:"poll"`
	// Filter picks the statements to forward (all when empty).
	Filter ForwardFilter `yaml:"filter"`
}

// ForwardFilter picks statements: every non-empty list must match one of
// its entries.
type ForwardFilter struct {
	// Verbs are verb ids.
	Verbs []string `yaml:"verbs"`
	// Activities are activity ids of the statement's object.
	Activities []string `yaml:"activities"`
	// Actors are xAPI Agent objects (one IFI each) matched against the actor.
	Actors []map[string]any `yaml:"actors"`
}

var reRuleID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// knownKeys fails on a mapping key that is not in keys, naming it and its line.
func knownKeys(n *yaml.Node, what string, keys ...string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s must be a mapping", n.Line, what)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		ok := false
		for _, want := range keys {
			if k.Value == want {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("line %d: field %s not found in %s", k.Line, k.Value, what)
		}
	}
	return nil
}

// UnmarshalYAML decodes a rule strictly and validates it; errors name
// the key and line.
func (r *ForwardRule) UnmarshalYAML(n *yaml.Node) error {
	if err := knownKeys(n, "forwarding rule", "id", "tenant", "url", "key", "secret", "secret_file",
		"secret_env", "version", "batch", "poll", "filter"); err != nil {
		return err
	}
	type plain ForwardRule
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*r = ForwardRule(p)
	if err := r.validate(); err != nil {
		return fmt.Errorf("line %d: forwarding rule %q: %w", n.Line, r.ID, err)
	}
	return nil
}

// UnmarshalYAML decodes a filter strictly.
func (f *ForwardFilter) UnmarshalYAML(n *yaml.Node) error {
	if err := knownKeys(n, "forwarding filter", "verbs", "activities", "actors"); err != nil {
		return err
	}
	type plain ForwardFilter
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*f = ForwardFilter(p)
	return nil
}

func (r *ForwardRule) validate() error {
	if r.Tenant == "" {
		r.Tenant = auth.DefaultTenant
	}
	switch r.Version {
	case "":
		r.Version = forward.VersionAuto
	case forward.VersionAuto, forward.Version103, forward.Version200:
	default:
		return fmt.Errorf("version %q: want auto, 1.0.3 or 2.0.0", r.Version)
	}
	if !reRuleID.MatchString(r.ID) {
		return errors.New("id: want 1-64 letters, digits, '-' or '_'")
	}
	if !auth.ValidTenantID(r.Tenant) {
		return fmt.Errorf("tenant %q: want 1-64 letters, digits, '-' or '_'", r.Tenant)
	}
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return fmt.Errorf("url %q: want an absolute http(s) URL without credentials", r.URL)
	}
	if r.Key == "" {
		return errors.New("key is required")
	}
	n := 0
	for _, s := range []string{r.Secret, r.SecretFile, r.SecretEnv} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return errors.New("want exactly one of secret, secret_file, secret_env")
	}
	switch {
	case r.Batch == 0:
		r.Batch = forward.DefaultBatch
	case r.Batch < 1 || r.Batch > 500:
		return fmt.Errorf("batch %d: want 1 to 500", r.Batch)
	}
	switch {
	case r.Poll == 0:
		r.Poll = forward.DefaultPoll
	case r.Poll < time.Second:
		return fmt.Errorf("poll %s: want at least 1s", r.Poll)
	}
	for i, v := range r.Filter.Verbs {
		if !strings.Contains(v, ":") {
			return fmt.Errorf("filter.verbs[%d] %q: want an IRI", i, v)
		}
	}
	for i, a := range r.Filter.Activities {
		if !strings.Contains(a, ":") {
			return fmt.Errorf("filter.activities[%d] %q: want an IRI", i, a)
		}
	}
	for i := range r.Filter.Actors {
		if _, err := r.actorKey(i); err != nil {
			return fmt.Errorf("filter.actors[%d]: %w", i, err)
		}
	}
	return nil
}

func (r *ForwardRule) actorKey(i int) (string, error) {
	b, err := json.Marshal(r.Filter.Actors[i])
	if err != nil {
		return "", fmt.Errorf("want an xAPI Agent object: %w", err)
	}
	return forward.AgentKeyOf(b)
}

// ValidateForwarding checks what no single rule can: that rule ids are unique.
func ValidateForwarding(rules []ForwardRule) error {
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.ID] {
			return fmt.Errorf("forwarding rule %q: id used twice", r.ID)
		}
		seen[r.ID] = true
	}
	return nil
}

// Rule resolves the secret (through getenv and readFile) and returns the
// rule as the forwarder takes it.
func (r ForwardRule) Rule(getenv func(string) string, readFile func(string) ([]byte, error)) (forward.Rule, error) {
	secret := r.Secret
	switch {
	case r.SecretFile != "":
		b, err := readFile(r.SecretFile)
		if err != nil {
			return forward.Rule{}, fmt.Errorf("forwarding rule %q: secret_file: %w", r.ID, err)
		}
		secret = strings.TrimRight(string(b), "\r\n")
	case r.SecretEnv != "":
		secret = getenv(r.SecretEnv)
	}
	if secret == "" {
		return forward.Rule{}, fmt.Errorf("forwarding rule %q: the secret is empty", r.ID)
	}
	out := forward.Rule{
		ID: r.ID, Tenant: r.Tenant, URL: r.URL, Key: r.Key, Secret: secret, Version: r.Version,
		Batch: r.Batch, Poll: r.Poll, Filter: forward.Filter{Verbs: r.Filter.Verbs, Activities: r.Filter.Activities},
	}
	for i := range r.Filter.Actors {
		k, err := r.actorKey(i)
		if err != nil {
			return forward.Rule{}, fmt.Errorf("forwarding rule %q: filter.actors[%d]: %w", r.ID, i, err)
		}
		out.Filter.Actors = append(out.Filter.Actors, k)
	}
	return out, nil
}
