package moodle

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/passportbridge/passport/connectors"
)

// Config is the moodle connector's config block.
type Config struct {
	// URL is the site's wwwroot, e.g. https://moodle.example.org.
	URL string `yaml:"url"`
	// TokenEnv names the environment variable holding the web service token.
	TokenEnv string `yaml:"token_env"`
	// TokenFile is a file holding the web service token.
	TokenFile string `yaml:"token_file"`
	// RoleMap maps OneRoster enrollment roles to Moodle role ids (sites
	// differ; default student: 5, teacher: 3).
	RoleMap map[string]int `yaml:"role_map"`
	// BatchSize is the most records per write call (default 50); it is
	// lowered further so a call stays under MaxInputVars.
	BatchSize int `yaml:"batch_size"`
	// MaxInputVars is the site's PHP max_input_vars (default 1000).
	MaxInputVars int `yaml:"max_input_vars"`
	// Auth is the auth plugin of created users (default manual; manual
	// users get createpassword=1 so Moodle emails them a password).
	Auth string `yaml:"auth"`
	// EmailDomain builds a placeholder email (username@EmailDomain) for
	// users without one, since Moodle requires an email (default
	// "example.invalid").
	EmailDomain string `yaml:"email_domain"`
	// CategoryParent is the category id under which school categories are
	// created (default 0, the top level).
	CategoryParent int `yaml:"category_parent"`
	// Cohorts keeps a site cohort per school holding its users (default true).
	Cohorts *bool `yaml:"cohorts"`
	// Groups makes the classes of one OneRoster course share one Moodle
	// course (idnumber = the course's sourcedId) with a group per class
	// (group idnumber = the class's sourcedId), instead of a Moodle course
	// per class.
	Groups bool `yaml:"groups"`
	// Deletes says what a removed user becomes: suspend (default), delete
	// or ignore.
	Deletes string `yaml:"deletes"`
	// MaxDeletes is the deletion guard: a push that would remove more users
	// and classes than this removes none of them and fails them with the
	// reason (default 100; -1 turns the guard off).
	MaxDeletes int `yaml:"max_deletes"`
	// RateLimit is the most calls per second the connector makes (Moodle
	// has no rate limit of its own; default 0, no limit).
	RateLimit float64 `yaml:"rate_limit"`
	// Timeout bounds each HTTP call (default 60s).
	Timeout time.Duration `yaml:"timeout"`
	// Progress lists what progress is pulled back: grades (one call per
	// course), completion (one call per enrolled user and course: costly on
	// big sites). Default both; an empty list turns progress off.
	Progress *[]string `yaml:"progress"`
	// ActorHomePage is the xAPI account homePage of learners in progress
	// statements (default the site URL); the account name is the sourcedId.
	ActorHomePage string `yaml:"actor_homepage"`

	// Token is the web service token, set directly by tests and embedders.
	Token string `yaml:"-"`
}

var _ connectors.Config = (*Config)(nil)

func (c *Config) defaults() {
	if c.RoleMap == nil {
		c.RoleMap = map[string]int{"student": 5, "teacher": 3}
	}
	if c.BatchSize == 0 {
		c.BatchSize = 50
	}
	if c.MaxInputVars == 0 {
		c.MaxInputVars = 1000
	}
	if c.Auth == "" {
		c.Auth = "manual"
	}
	if c.EmailDomain == "" {
		c.EmailDomain = "example.invalid"
	}
	if c.Cohorts == nil {
		t := true
		c.Cohorts = &t
	}
	if c.Deletes == "" {
		c.Deletes = "suspend"
	}
	if c.MaxDeletes == 0 {
		c.MaxDeletes = 100
	}
	if c.Timeout == 0 {
		c.Timeout = 60 * time.Second
	}
	if c.Progress == nil {
		both := []string{"grades", "completion"}
		c.Progress = &both
	}
}

func (c *Config) validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url: %q is not an http(s) URL", c.URL)
	}
	if c.BatchSize < 1 {
		return errors.New("batch_size: must be at least 1")
	}
	if c.MaxInputVars < 50 {
		return errors.New("max_input_vars: must be at least 50")
	}
	switch c.Deletes {
	case "suspend", "delete", "ignore":
	default:
		return fmt.Errorf("deletes: %q is not suspend, delete or ignore", c.Deletes)
	}
	if c.MaxDeletes < -1 {
		return errors.New("max_deletes: must be -1 (no guard) or more")
	}
	for role, id := range c.RoleMap {
		if id < 1 {
			return fmt.Errorf("role_map: %s: role id must be positive", role)
		}
	}
	if c.Timeout < 0 {
		return errors.New("timeout: must be positive")
	}
	if c.RateLimit < 0 {
		return errors.New("rate_limit: must be positive (calls per second)")
	}
	for _, p := range *c.Progress {
		if p != "grades" && p != "completion" {
			return fmt.Errorf("progress: %q is not grades or completion", p)
		}
	}
	return nil
}

// gap is the least time between two calls at rate calls per second.
func gap(rate float64) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / rate)
}

func (c *Config) token() (string, error) {
	return connectors.Secret(c.Token, c.TokenEnv, c.TokenFile, "token", true)
}

// Open validates the config and returns the connector.
func (c *Config) Open(id string, logger *slog.Logger, hc *retryablehttp.Client) (connectors.Connector, error) {
	cfg := *c
	cfg.defaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	tok, err := cfg.token()
	if err != nil {
		return nil, err
	}
	if hc == nil {
		return nil, errors.New("no HTTP client")
	}
	if hc.HTTPClient != nil {
		hc.HTTPClient.Timeout = cfg.Timeout
	}
	root := strings.TrimRight(cfg.URL, "/")
	if cfg.ActorHomePage == "" {
		cfg.ActorHomePage = root
	}
	return &Connector{
		id:     id,
		cfg:    cfg,
		root:   root,
		logger: logger,
		cl:     &client{endpoint: root + "/webservice/rest/server.php", token: tok, hc: hc, maxBody: 256 << 20, gap: gap(cfg.RateLimit)},
	}, nil
}
