package lti

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// Doer sends HTTP requests; *http.Client satisfies it.
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

var _ Doer = (*http.Client)(nil)

// errUnknownKID means the platform's key set has no key with the token's kid,
// even after a refresh.
var errUnknownKID = errors.New("no platform key with that kid")

// PlatformKeys fetches and caches platforms' JSON Web Key Sets. A set is
// reused until TTL; a token whose kid is not in the cached set forces one
// refetch, but never more than one per URL per MinRefresh, so a stream of
// bogus kids cannot make the tool hammer a platform.
type PlatformKeys struct {
	Client     Doer
	Clock      func() time.Time
	TTL        time.Duration // default 1 h
	MinRefresh time.Duration // default 30 s
	MaxBytes   int64         // default 1 MiB

	mu      sync.Mutex
	entries map[string]*keyEntry
	pems    map[string]jwk.Key
}

type keyEntry struct {
	mu      sync.Mutex
	set     jwk.Set
	fetched time.Time // last successful fetch
	tried   time.Time // last fetch attempt
	forced  time.Time // last refresh forced by an unknown kid
}

func (p *PlatformKeys) now() time.Time {
	if p.Clock != nil {
		return p.Clock()
	}
	return time.Now()
}

func (p *PlatformKeys) entry(url string) *keyEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.entries == nil {
		p.entries = map[string]*keyEntry{}
	}
	e := p.entries[url]
	if e == nil {
		e = &keyEntry{}
		p.entries[url] = e
	}
	return e
}

// Key returns the key with kid from the JWKS at url. It fetches the set when
// it is not cached or older than TTL, and refetches once when kid is
// unknown (rate-limited by MinRefresh).
func (p *PlatformKeys) Key(ctx context.Context, url, kid string) (jwk.Key, error) {
	ttl, minRefresh := p.TTL, p.MinRefresh
	if ttl <= 0 {
		ttl = time.Hour
	}
	if minRefresh <= 0 {
		minRefresh = 30 * time.Second
	}
	e := p.entry(url)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := p.now()
	fetchedNow := false
	if e.set == nil || now.Sub(e.fetched) >= ttl {
		if e.set == nil && now.Sub(e.tried) < minRefresh && !e.tried.IsZero() {
			return nil, fmt.Errorf("platform keys %s: last fetch failed moments ago", url)
		}
		if err := p.fetch(ctx, url, e, now); err != nil && e.set == nil {
			return nil, err
		}
		fetchedNow = true
	}
	if k, ok := e.set.LookupKeyID(kid); ok {
		return k, nil
	}
	if fetchedNow || (!e.forced.IsZero() && now.Sub(e.forced) < minRefresh) {
		return nil, errUnknownKID
	}
	e.forced = now
	if err := p.fetch(ctx, url, e, now); err != nil {
		return nil, err
	}
	if k, ok := e.set.LookupKeyID(kid); ok {
		return k, nil
	}
	return nil, errUnknownKID
}

func (p *PlatformKeys) fetch(ctx context.Context, url string, e *keyEntry, now time.Time) error {
	e.tried = now
	max := p.MaxBytes
	if max <= 0 {
		max = 1 << 20
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("platform keys request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	client := p.Client
	if client == nil {
		return errors.New("platform keys: no http client")
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("fetch platform keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch platform keys: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return fmt.Errorf("read platform keys: %w", err)
	}
	if int64(len(body)) > max {
		return errors.New("platform keys: response too large")
	}
	set, err := jwk.Parse(body)
	if err != nil {
		return fmt.Errorf("parse platform keys: %w", err)
	}
	e.set, e.fetched = set, now
	return nil
}

// PEMKey parses (and caches) a platform public key given as PEM.
func (p *PlatformKeys) PEMKey(pem string) (jwk.Key, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k, ok := p.pems[pem]; ok {
		return k, nil
	}
	k, err := jwk.ParseKey([]byte(pem), jwk.WithPEM(true))
	if err != nil {
		return nil, fmt.Errorf("parse platform pem: %w", err)
	}
	if p.pems == nil {
		p.pems = map[string]jwk.Key{}
	}
	p.pems[pem] = k
	return k, nil
}
