package config

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Store backends.
const (
	StoreSQLite = "sqlite"
	StoreMongo  = "mongo"
)

// Config is the process configuration shared by every subcommand.
type Config struct {
	Listen          string
	PublicURL       string
	Data            string
	Store           string
	MongoURI        string
	ConfigFile      string
	BodyLimit       int64 // bytes a request body may hold, after decompression
	TrustedProxies  []string
	LogFormat       string // json or text
	LogLevel        slog.Level
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration
	// LTIProbeStorage makes LTI logins without lti_storage_target ask the
	// platform for lti.capabilities (platform storage for cookie-less browsers).
	LTIProbeStorage bool
	// BootstrapKey and BootstrapSecret come only from the environment.
	BootstrapKey    string
	BootstrapSecret string
	// OAuth1Key is the OAuth 1.0a master key (32 bytes), from
	// PASSPORT_OAUTH1_KEY (base64) only; nil when unset.
	OAuth1Key []byte
}

// OAuth1KeyEnv names the variable holding the OAuth 1.0a master key.
const OAuth1KeyEnv = "PASSPORT_OAUTH1_KEY"

// oauth1KeySize is the master key's length in bytes.
const oauth1KeySize = 32

// parseOAuth1Key decodes the base64 (standard or URL alphabet, padded or
// not) of exactly 32 bytes.
func parseOAuth1Key(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(v); err == nil {
			if len(k) != oauth1KeySize {
				break
			}
			return k, nil
		}
	}
	return nil, &UsageError{Msg: OAuth1KeyEnv + ": want the base64 of 32 random bytes (e.g. openssl rand -base64 32)"}
}

// UsageError is a bad flag, variable or value; commands print it on one line
// and exit with status 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// setting is one configurable value: its flag, its variable and its default.
type setting struct {
	flag, env, def, usage string
	set                   func(c *Config, v string) error
}

var settings = []setting{
	{"listen", "PASSPORT_LISTEN", "127.0.0.1:8080", "address to listen on", func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return errors.New("want host:port")
		}
		c.Listen = v
		return nil
	}},
	{"public-url", "PASSPORT_PUBLIC_URL", "", "public base URL (default http:// + listen address)", func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("want an absolute http(s) URL")
		}
		c.PublicURL = strings.TrimRight(v, "/")
		return nil
	}},
	{"data", "PASSPORT_DATA", "./passport-data", "data directory of the sqlite store", func(c *Config, v string) error {
		if v == "" {
			return errors.New("must not be empty")
		}
		c.Data = v
		return nil
	}},
	{"store", "PASSPORT_STORE", StoreSQLite, "storage backend: sqlite or mongo", func(c *Config, v string) error {
		if v != StoreSQLite && v != StoreMongo {
			return errors.New("want sqlite or mongo")
		}
		c.Store = v
		return nil
	}},
	{"mongo-uri", "PASSPORT_MONGO_URI", "", "MongoDB connection URI (with --store mongo)", func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "mongodb://") && !strings.HasPrefix(v, "mongodb+srv://") {
			return errors.New("want a mongodb:// or mongodb+srv:// URI")
		}
		c.MongoURI = v
		return nil
	}},
	{"config", "PASSPORT_CONFIG", "", "YAML file with connectors, forwarding and tenants", func(c *Config, v string) error {
		c.ConfigFile = v
		return nil
	}},
	{"body-limit", "PASSPORT_BODY_LIMIT", "16MiB", "largest request body, after decompression (e.g. 16MiB)", func(c *Config, v string) error {
		n, err := parseSize(v)
		if err != nil {
			return err
		}
		c.BodyLimit = n
		return nil
	}},
	{"trusted-proxies", "PASSPORT_TRUSTED_PROXIES", "", "comma-separated proxy IPs or CIDRs whose X-Forwarded-* headers are trusted", func(c *Config, v string) error {
		c.TrustedProxies = nil
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if _, err := netip.ParsePrefix(p); err != nil {
				if _, err := netip.ParseAddr(p); err != nil {
					return fmt.Errorf("%q is not an IP or CIDR", p)
				}
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
		return nil
	}},
	{"log-format", "PASSPORT_LOG_FORMAT", "text", "log format: json or text", func(c *Config, v string) error {
		if v != "json" && v != "text" {
			return errors.New("want json or text")
		}
		c.LogFormat = v
		return nil
	}},
	{"log-level", "PASSPORT_LOG_LEVEL", "info", "log level: debug, info, warn or error", func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{"read-timeout", "PASSPORT_READ_TIMEOUT", "30s", "time to read a whole request", durationSetter(func(c *Config) *time.Duration { return &c.ReadTimeout })},
	{"write-timeout", "PASSPORT_WRITE_TIMEOUT", "60s", "time to write a whole response", durationSetter(func(c *Config) *time.Duration { return &c.WriteTimeout })},
	{"idle-timeout", "PASSPORT_IDLE_TIMEOUT", "120s", "keep-alive idle time", durationSetter(func(c *Config) *time.Duration { return &c.IdleTimeout })},
	{"shutdown-timeout", "PASSPORT_SHUTDOWN_TIMEOUT", "20s", "time in-flight requests get to finish on shutdown", durationSetter(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"lti-probe-storage", "PASSPORT_LTI_PROBE_STORAGE", "false", "ask LTI platforms for lti.capabilities when a login names no storage frame", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		c.LTIProbeStorage = b
		return nil
	}},
}

func durationSetter(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("want a positive duration such as 30s")
		}
		*field(c) = d
		return nil
	}
}

// Load reads the configuration of subcommand name from its arguments, then
// PASSPORT_* variables through getenv, then defaults: a flag wins over a
// variable, a variable over a default. extra, when not nil, adds the
// subcommand's own flags to the set before parsing. Load returns the
// arguments left after the flags. Every failure is a *UsageError naming the
// setting.
func Load(name string, args []string, getenv func(string) string, extra func(*flag.FlagSet)) (Config, []string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	vals := make([]string, len(settings))
	for i, s := range settings {
		fs.StringVar(&vals[i], s.flag, "", s.usage)
	}
	if extra != nil {
		extra(fs)
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, nil, &UsageError{Msg: usage(fs)}
		}
		return Config{}, nil, &UsageError{Msg: err.Error()}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	var c Config
	for i, s := range settings {
		v, from := s.def, "default"
		if ev := getenv(s.env); ev != "" {
			v, from = ev, s.env
		}
		if given[s.flag] {
			v, from = vals[i], "--"+s.flag
		}
		if err := s.set(&c, v); err != nil {
			return Config{}, nil, &UsageError{Msg: fmt.Sprintf("%s %q: %v", from, v, err)}
		}
	}
	c.BootstrapKey = getenv("PASSPORT_BOOTSTRAP_KEY")
	c.BootstrapSecret = getenv("PASSPORT_BOOTSTRAP_SECRET")
	if v := getenv(OAuth1KeyEnv); v != "" {
		if c.OAuth1Key, err = parseOAuth1Key(v); err != nil {
			return Config{}, nil, err
		}
	}
	if err := c.Validate(); err != nil {
		return Config{}, nil, err
	}
	return c, positional, nil
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments (`import PATH --data D` as well as `import --data D PATH`);
// everything after a lone "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// Validate checks the settings that depend on each other.
func (c *Config) Validate() error {
	if c.Store == StoreMongo && c.MongoURI == "" {
		return &UsageError{Msg: "--store mongo needs --mongo-uri (or PASSPORT_MONGO_URI)"}
	}
	if (c.BootstrapKey == "") != (c.BootstrapSecret == "") {
		return &UsageError{Msg: "PASSPORT_BOOTSTRAP_KEY and PASSPORT_BOOTSTRAP_SECRET must be set together"}
	}
	if c.BootstrapSecret != "" && len(c.BootstrapSecret) < 16 {
		return &UsageError{Msg: "PASSPORT_BOOTSTRAP_SECRET must be at least 16 characters"}
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Listen
	}
	return nil
}

// usage lists a flag set's flags with their variables, for --help.
func usage(fs *flag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: passport %s [flags]\n", fs.Name())
	env := map[string]setting{}
	for _, s := range settings {
		env[s.flag] = s
	}
	fs.VisitAll(func(f *flag.Flag) {
		if s, ok := env[f.Name]; ok {
			fmt.Fprintf(&b, "  --%-18s %s (%s, default %q)\n", f.Name, f.Usage, s.env, s.def)
			return
		}
		fmt.Fprintf(&b, "  --%-18s %s\n", f.Name, f.Usage)
	})
	return strings.TrimRight(b.String(), "\n")
}

// parseSize reads a byte size such as 4096, 512KiB, 16MiB or 1GiB.
func parseSize(v string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	mult := int64(1)
	num := strings.TrimSpace(v)
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			mult, num = u.mult, strings.TrimSpace(strings.TrimSuffix(num, u.suffix))
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, errors.New("want a positive size such as 16MiB")
	}
	return n * mult, nil
}
