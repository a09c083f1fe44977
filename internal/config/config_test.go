package config

import (
	"flag"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, c Config)
		rest    []string
		wantErr string
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			assert.Equal(t, "127.0.0.1:8080", c.Listen)
			assert.Equal(t, "http://127.0.0.1:8080", c.PublicURL)
			assert.Equal(t, "./passport-data", c.Data)
			assert.Equal(t, StoreSQLite, c.Store)
			assert.Equal(t, int64(16<<20), c.BodyLimit)
			assert.Equal(t, "text", c.LogFormat)
			assert.Equal(t, slog.LevelInfo, c.LogLevel)
			assert.Equal(t, 30*time.Second, c.ReadTimeout)
			assert.Empty(t, c.TrustedProxies)
		}},
		{
			name: "env over default", env: map[string]string{"PASSPORT_LISTEN": "0.0.0.0:9000", "PASSPORT_BODY_LIMIT": "2MiB", "PASSPORT_LOG_FORMAT": "json"},
			check: func(t *testing.T, c Config) {
				assert.Equal(t, "0.0.0.0:9000", c.Listen)
				assert.Equal(t, "http://0.0.0.0:9000", c.PublicURL)
				assert.Equal(t, int64(2<<20), c.BodyLimit)
				assert.Equal(t, "json", c.LogFormat)
			},
		},
		{
			name: "flag over env", args: []string{"--listen", "127.0.0.1:7000", "--data=/tmp/x"},
			env: map[string]string{"PASSPORT_LISTEN": "0.0.0.0:9000", "PASSPORT_DATA": "/srv"},
			check: func(t *testing.T, c Config) {
				assert.Equal(t, "127.0.0.1:7000", c.Listen)
				assert.Equal(t, "/tmp/x", c.Data)
			},
		},
		{
			name: "public url trimmed", args: []string{"--public-url", "https://passport.example.org/"},
			check: func(t *testing.T, c Config) { assert.Equal(t, "https://passport.example.org", c.PublicURL) },
		},
		{
			name: "trusted proxies", env: map[string]string{"PASSPORT_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16"},
			check: func(t *testing.T, c Config) {
				assert.Equal(t, []string{"10.0.0.1", "192.168.0.0/16"}, c.TrustedProxies)
			},
		},
		{
			name: "mongo", args: []string{"--store", "mongo", "--mongo-uri", "mongodb://db:27017/passport"},
			check: func(t *testing.T, c Config) { assert.Equal(t, StoreMongo, c.Store) },
		},
		{
			name: "bootstrap pair", env: map[string]string{"PASSPORT_BOOTSTRAP_KEY": "k", "PASSPORT_BOOTSTRAP_SECRET": "0123456789abcdef"},
			check: func(t *testing.T, c Config) { assert.Equal(t, "k", c.BootstrapKey) },
		},
		{
			name: "oauth1 key", env: map[string]string{"PASSPORT_OAUTH1_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
			check: func(t *testing.T, c Config) {
				assert.Equal(t, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}, c.OAuth1Key)
			},
		},
		{
			name: "oauth1 key unpadded url alphabet", env: map[string]string{"PASSPORT_OAUTH1_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"},
			check: func(t *testing.T, c Config) { assert.Len(t, c.OAuth1Key, 32) },
		},
		{name: "oauth1 key too short", env: map[string]string{"PASSPORT_OAUTH1_KEY": "AAECAwQF"}, wantErr: "PASSPORT_OAUTH1_KEY: want the base64 of 32 random bytes"},
		{name: "oauth1 key not base64", env: map[string]string{"PASSPORT_OAUTH1_KEY": "not base64!"}, wantErr: "PASSPORT_OAUTH1_KEY"},
		{
			name: "positional args kept", args: []string{"--data", "d", "pkg.zip"}, rest: []string{"pkg.zip"},
			check: func(t *testing.T, c Config) { assert.Equal(t, "d", c.Data) },
		},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: "flag provided but not defined: -nope"},
		{name: "bad store", args: []string{"--store", "postgres"}, wantErr: `--store "postgres": want sqlite or mongo`},
		{name: "bad env names variable", env: map[string]string{"PASSPORT_READ_TIMEOUT": "soon"}, wantErr: `PASSPORT_READ_TIMEOUT "soon"`},
		{name: "bad listen", args: []string{"--listen", "8080"}, wantErr: "--listen"},
		{name: "bad body limit", args: []string{"--body-limit", "-1"}, wantErr: "--body-limit"},
		{name: "bad proxy", args: []string{"--trusted-proxies", "proxy.local"}, wantErr: `"proxy.local" is not an IP or CIDR`},
		{name: "bad public url", args: []string{"--public-url", "passport.org"}, wantErr: "--public-url"},
		{
			name: "lti probe", env: map[string]string{"PASSPORT_LTI_PROBE_STORAGE": "true"},
			check: func(t *testing.T, c Config) { assert.True(t, c.LTIProbeStorage) },
		},
		{name: "bad lti probe", args: []string{"--lti-probe-storage", "maybe"}, wantErr: "--lti-probe-storage"},
		{name: "bad log level", env: map[string]string{"PASSPORT_LOG_LEVEL": "loud"}, wantErr: "PASSPORT_LOG_LEVEL"},
		{name: "mongo without uri", args: []string{"--store", "mongo"}, wantErr: "--store mongo needs --mongo-uri"},
		{name: "bad mongo uri", args: []string{"--mongo-uri", "http://x"}, wantErr: "--mongo-uri"},
		{name: "bootstrap half", env: map[string]string{"PASSPORT_BOOTSTRAP_KEY": "k"}, wantErr: "must be set together"},
		{name: "bootstrap short secret", env: map[string]string{"PASSPORT_BOOTSTRAP_KEY": "k", "PASSPORT_BOOTSTRAP_SECRET": "short"}, wantErr: "at least 16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, rest, err := Load("serve", tc.args, envOf(tc.env), nil)
			if tc.wantErr != "" {
				require.Error(t, err)
				var ue *UsageError
				require.ErrorAs(t, err, &ue)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.NotContains(t, err.Error(), "\n")
				return
			}
			require.NoError(t, err)
			if tc.rest != nil {
				assert.Equal(t, tc.rest, rest)
			}
			tc.check(t, c)
		})
	}
}

func TestLoadExtraFlags(t *testing.T) {
	t.Parallel()
	var tenant string
	_, _, err := Load("credentials create", []string{"--tenant", "camp-a"}, envOf(nil), func(fs *flag.FlagSet) {
		fs.StringVar(&tenant, "tenant", "default", "tenant")
	})
	require.NoError(t, err)
	assert.Equal(t, "camp-a", tenant)
}

func TestParseFile(t *testing.T) {
	t.Parallel()
	f, err := ParseFile([]byte("connectors:\n  - id: moodle-1\n    type: moodle\n    tenant: default\n    config: {url: 'https://m'}\n"))
	require.NoError(t, err)
	require.Len(t, f.Connectors, 1)
	assert.Equal(t, "moodle", f.Connectors[0].Type)

	_, err = ParseFile([]byte("connectors:\n  - id: x\n    typo: moodle\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "typo")

	f, err = ParseFile(nil)
	require.NoError(t, err)
	assert.Empty(t, f.Connectors)
}

func FuzzParseFile(f *testing.F) {
	f.Add([]byte("connectors:\n  - id: a\n    type: moodle\n"))
	f.Add([]byte("forwarding: [{id: x, url: 'https://lrs'}]"))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, _ = ParseFile(raw) // must not panic
	})
}
