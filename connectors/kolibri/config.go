package kolibri

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

// Config is the kolibri connector's config block.
type Config struct {
	// URL is the Kolibri server, e.g. http://kolibri.camp.local:8080. It may
	// be empty for an offline facility that only uses --export and logs_dir.
	URL string `yaml:"url"`
	// Username is a facility admin or device superuser.
	Username string `yaml:"username"`
	// PasswordEnv names the variable holding Username's password.
	PasswordEnv string `yaml:"password_env"`
	// PasswordFile is a file holding Username's password.
	PasswordFile string `yaml:"password_file"`
	// Facility is the id of Username's facility (default: the device's default facility).
	Facility string `yaml:"facility"`
	// LearnerPasswordEnv names a variable holding the password given to new
	// users of facilities that require one (those where
	// learner_can_login_with_no_password is off).
	LearnerPasswordEnv string `yaml:"learner_password_env"`
	// LearnerGroups makes a classroom per OneRoster course (per school) with
	// a learner group per class in it, instead of a classroom per class.
	LearnerGroups bool `yaml:"learner_groups"`
	// Preset is the preset of facilities the connector creates (default informal).
	Preset string `yaml:"preset"`
	// Deletes says what a removed user becomes: delete (default) or ignore.
	Deletes string `yaml:"deletes"`
	// MaxDeletes is the deletion guard (default 100; -1 turns it off).
	MaxDeletes int `yaml:"max_deletes"`
	// BatchSize is the most memberships or roles per bulk call (default 100).
	BatchSize int `yaml:"batch_size"`
	// Timeout bounds each HTTP call (default 60s).
	Timeout time.Duration `yaml:"timeout"`
	// LogsDir holds summary log CSV exports (exportlogs --log-type summary)
	// and bulkexportusers CSVs to join them to users, for progress.
	LogsDir string `yaml:"logs_dir"`
	// ActorHomePage is the xAPI account homePage of learners (default the
	// Kolibri URL, or https://kolibri.invalid offline); the name is the
	// sourcedId.
	ActorHomePage string `yaml:"actor_homepage"`

	// Password and LearnerPassword are set directly by tests and embedders.
	Password        string `yaml:"-"`
	LearnerPassword string `yaml:"-"`
}

var _ connectors.Config = (*Config)(nil)

// Open validates the config and returns the connector.
func (c *Config) Open(id string, logger *slog.Logger, hc *retryablehttp.Client) (connectors.Connector, error) {
	cfg := *c
	if cfg.Preset == "" {
		cfg.Preset = "informal"
	}
	if cfg.Deletes == "" {
		cfg.Deletes = "delete"
	}
	if cfg.MaxDeletes == 0 {
		cfg.MaxDeletes = 100
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 100
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 60 * time.Second
	}
	switch {
	case cfg.Deletes != "delete" && cfg.Deletes != "ignore":
		return nil, fmt.Errorf("deletes: %q is not delete or ignore", cfg.Deletes)
	case cfg.MaxDeletes < -1:
		return nil, errors.New("max_deletes: must be -1 (no guard) or more")
	case cfg.BatchSize < 1:
		return nil, errors.New("batch_size: must be at least 1")
	case cfg.Preset != "informal" && cfg.Preset != "formal" && cfg.Preset != "nonformal":
		return nil, fmt.Errorf("preset: %q is not informal, formal or nonformal", cfg.Preset)
	}
	root := strings.TrimRight(cfg.URL, "/")
	if root != "" {
		u, err := url.Parse(root)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("url: %q is not an http(s) URL", cfg.URL)
		}
		if cfg.Username == "" {
			return nil, errors.New("username: required with url")
		}
	}
	pw, err := connectors.Secret(cfg.Password, cfg.PasswordEnv, cfg.PasswordFile, "password", false)
	if err != nil {
		return nil, err
	}
	if root != "" && pw == "" {
		return nil, errors.New("password_env or password_file: one is required with url")
	}
	lpw, err := connectors.Secret(cfg.LearnerPassword, cfg.LearnerPasswordEnv, "", "learner_password", false)
	if err != nil {
		return nil, err
	}
	if root == "" && cfg.LogsDir == "" {
		// An offline connector still exports; nothing else to check.
		logger.Debug("kolibri connector without url: export only")
	}
	if hc != nil && hc.HTTPClient != nil {
		hc.HTTPClient.Timeout = cfg.Timeout
	}
	home := cfg.ActorHomePage
	if home == "" {
		home = root
	}
	if home == "" {
		home = "https://kolibri.invalid"
	}
	return &Connector{
		id: id, cfg: cfg, root: root, logger: logger, home: home, learnerPassword: lpw,
		cl: &client{root: root, username: cfg.Username, password: pw, facility: cfg.Facility, hc: hc},
	}, nil
}
