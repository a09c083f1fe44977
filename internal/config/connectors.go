package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ConnectorSpec declares one connector instance in the config file.
type ConnectorSpec struct {
	ID       string `yaml:"id"`
	Type     string `yaml:"type"`
	Tenant   string `yaml:"tenant"`
	Schedule string `yaml:"schedule"`
	// Config is the type-specific block, decoded strictly by the connector's Config.
	Config map[string]any `yaml:"config"`
}

var connectorIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// MinSchedule is the shortest schedule period accepted.
const MinSchedule = time.Minute

// Every parses the schedule: "" (runs only on demand), a Go duration
// ("15m", "1h30m") or "@every <duration>", at least MinSchedule.
func (s ConnectorSpec) Every() (time.Duration, error) {
	v := strings.TrimSpace(s.Schedule)
	if v == "" {
		return 0, nil
	}
	v = strings.TrimSpace(strings.TrimPrefix(v, "@every"))
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("schedule: %q is not a duration like 15m or @every 1h", s.Schedule)
	}
	if d < MinSchedule {
		return 0, fmt.Errorf("schedule: %q is shorter than %s", s.Schedule, MinSchedule)
	}
	return d, nil
}

// ValidateConnectors checks the connector list: ids present, well formed and
// unique, a type in types, a valid schedule. Tenant defaults to "default"
// (the caller fills it in). The error names the entry and the key.
func ValidateConnectors(specs []ConnectorSpec, types func(string) bool) error {
	seen := map[string]bool{}
	for i, s := range specs {
		where := fmt.Sprintf("connectors[%d]", i)
		if s.ID != "" {
			where += " (" + s.ID + ")"
		}
		switch {
		case s.ID == "":
			return &UsageError{Msg: where + ": id: required"}
		case !connectorIDRE.MatchString(s.ID):
			return &UsageError{Msg: where + ": id: use lowercase letters, digits, - and _ (at most 63)"}
		case seen[s.ID]:
			return &UsageError{Msg: where + ": id: duplicate"}
		case s.Type == "":
			return &UsageError{Msg: where + ": type: required"}
		case types != nil && !types(s.Type):
			return &UsageError{Msg: fmt.Sprintf("%s: type: unknown connector type %q", where, s.Type)}
		}
		seen[s.ID] = true
		if _, err := s.Every(); err != nil {
			return &UsageError{Msg: where + ": " + err.Error()}
		}
	}
	return nil
}
