package lti

import (
	"context"
	"sync"
	"time"
)

// regCache keeps registrations read by login and launch for a few seconds,
// so a burst of launches does not read the same rows again and again. A
// change made elsewhere (disable from the CLI, a deployment recorded by
// another replica) is seen within the TTL.
type regCache struct {
	mu      sync.Mutex
	entries map[string]regCacheEntry
}

type regCacheEntry struct {
	reg     Registration
	expires time.Time
}

func (c *regCache) get(key string, now time.Time) (Registration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.expires) {
		return Registration{}, false
	}
	return e.reg, true
}

func (c *regCache) put(key string, r Registration, exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) > 10000 {
		c.entries = map[string]regCacheEntry{}
	}
	c.entries[key] = regCacheEntry{reg: r, expires: exp}
}

func (c *regCache) forget(r Registration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, "c\x00"+r.Issuer+"\x00"+r.ClientID)
	delete(c.entries, "i\x00"+r.Tenant+"\x00"+r.ID)
}

// registrationByClient is Store.RegistrationByClient through the cache.
func (t *Tool) registrationByClient(ctx context.Context, iss, clientID string) (Registration, error) {
	if t.RegistrationCacheTTL <= 0 {
		return t.Store.RegistrationByClient(ctx, iss, clientID)
	}
	key, now := "c\x00"+iss+"\x00"+clientID, t.now()
	if r, ok := t.regs.get(key, now); ok {
		return r, nil
	}
	r, err := t.Store.RegistrationByClient(ctx, iss, clientID)
	if err == nil {
		t.regs.put(key, r, now.Add(t.RegistrationCacheTTL))
	}
	return r, err
}

// registration is Store.Registration through the cache.
func (t *Tool) registration(ctx context.Context, tenant, id string) (Registration, error) {
	if t.RegistrationCacheTTL <= 0 {
		return t.Store.Registration(ctx, tenant, id)
	}
	key, now := "i\x00"+tenant+"\x00"+id, t.now()
	if r, ok := t.regs.get(key, now); ok {
		return r, nil
	}
	r, err := t.Store.Registration(ctx, tenant, id)
	if err == nil {
		t.regs.put(key, r, now.Add(t.RegistrationCacheTTL))
	}
	return r, err
}
