package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
)

// oauth1KeyFile is the OAuth 1.0a master key file in the sqlite data
// directory, used when PASSPORT_OAUTH1_KEY is not set.
const oauth1KeyFile = "oauth1.key"

// enableOAuth1 turns OAuth 1.0a on for d.Auth when a master key is at
// hand: PASSPORT_OAUTH1_KEY, or else (sqlite only) <data>/oauth1.key,
// which create makes (32 random bytes, mode 0600) when it does not exist.
// With mongo and no variable it stays off. It reports whether OAuth 1.0a is
// on.
func enableOAuth1(d *deps, create bool) (bool, error) {
	if d.Auth.OAuth1Enabled() {
		return true, nil
	}
	key := d.Config.OAuth1Key
	if key == nil {
		if d.Config.Store != config.StoreSQLite {
			if create {
				d.Logger.Info("oauth 1.0a off", "reason", config.OAuth1KeyEnv+" is not set")
			}
			return false, nil
		}
		var err error
		if key, err = loadOAuth1Key(filepath.Join(filepath.Clean(d.Config.Data), oauth1KeyFile), create); err != nil || key == nil {
			return false, err
		}
	}
	if err := d.Auth.EnableOAuth1(auth.OAuth1Config{MasterKey: key, PublicURL: d.Config.PublicURL}); err != nil {
		return false, err
	}
	return true, nil
}

// loadOAuth1Key reads the key file; when it does not exist, it returns nil,
// or with create makes it. Creation is atomic (a complete temporary file
// hard-linked into place), so concurrent commands agree on one key.
func loadOAuth1Key(path string, create bool) ([]byte, error) {
	key, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(key) != auth.OAuth1KeySize {
			return nil, fmt.Errorf("%s: want %d bytes, have %d", path, auth.OAuth1KeySize, len(key))
		}
		return key, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("oauth 1.0a key: %w", err)
	case !create:
		return nil, nil
	}
	key = make([]byte, auth.OAuth1KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("oauth 1.0a key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".oauth1.key-*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("oauth 1.0a key: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	_, err = tmp.Write(key)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("oauth 1.0a key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadOAuth1Key(path, false) // another command made it first
		}
		return nil, fmt.Errorf("oauth 1.0a key: %w", err)
	}
	return key, nil
}

// oauth1Flag is --oauth1 [hmac-sha256|hmac-sha1]: alone it means
// hmac-sha256; a method may follow it (--oauth1 hmac-sha1) or be joined
// to it (--oauth1=hmac-sha1).
type oauth1Flag struct {
	on     bool
	method string
}

var _ flag.Value = (*oauth1Flag)(nil)

// String returns the method, or "" when the flag is off.
func (f *oauth1Flag) String() string {
	if f == nil || !f.on {
		return ""
	}
	return f.method
}

// Set takes "true" (the flag alone), "false" or a method name.
func (f *oauth1Flag) Set(v string) error {
	switch strings.ToLower(v) {
	case "true":
		f.on, f.method = true, "hmac-sha256"
	case "false":
		f.on, f.method = false, ""
	default:
		f.on, f.method = true, strings.ToLower(v)
	}
	return nil
}

// IsBoolFlag lets --oauth1 stand alone.
func (f *oauth1Flag) IsBoolFlag() bool { return true }

// takeMethod lets a method follow --oauth1 as its own argument: the flag
// parser leaves it among the positional arguments, and takeMethod removes
// it from there.
func (f *oauth1Flag) takeMethod(args []string) []string {
	if f.on && len(args) > 0 && strings.HasPrefix(strings.ToLower(args[0]), "hmac-") {
		f.method = strings.ToLower(args[0])
		return args[1:]
	}
	return args
}

// methods returns the allowed signature methods; a usage error names the
// flag.
func (f *oauth1Flag) methods() ([]string, error) {
	m, err := auth.ParseOAuth1Option(f.method)
	if err != nil {
		return nil, fmt.Errorf("--oauth1 %w", err)
	}
	return m, nil
}
