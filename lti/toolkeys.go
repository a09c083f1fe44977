package lti

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// Keyring is the tool's set of signing keys: at most one current key that
// signs, next keys published ahead of use, and retired keys kept published
// for a grace period after they stop signing (Security Framework §6.4).
type Keyring struct {
	Store KeyStore
	Scope string // default InstallationKeys
	Clock func() time.Time
	// Grace is how long a retired key stays published; default 72 h, never
	// less than 24 h (platforms cache key sets for a day).
	Grace time.Duration
	// Lead is how long a next key must have been published before rotation
	// promotes it; default 24 h. Rotate with force ignores it.
	Lead time.Duration
	// Bits is the RSA modulus size; default 2048, never less.
	Bits int
	// Random is the entropy source; default crypto/rand.
	Random io.Reader
	// CacheFor is how long parsed keys are reused before re-reading the
	// store (so a rotation by another process is seen); default 30 s.
	CacheFor time.Duration

	mu     sync.Mutex
	loaded time.Time
	signer jwk.Key
	public jwk.Set
	raw    *rsa.PrivateKey // the signer as a precomputed RSA key (sign.go)
	rawKID string
	// sessionKeys holds, by kid, the session MAC key derived from each
	// loaded key (session.go); sessionKID is the current key's.
	sessionKeys map[string][]byte
	sessionKID  string
}

func (k *Keyring) scope() string {
	if k.Scope == "" {
		return InstallationKeys
	}
	return k.Scope
}

func (k *Keyring) now() time.Time {
	if k.Clock != nil {
		return k.Clock().UTC()
	}
	return time.Now().UTC()
}

func (k *Keyring) grace() time.Duration {
	if k.Grace < 24*time.Hour {
		if k.Grace == 0 {
			return 72 * time.Hour
		}
		return 24 * time.Hour
	}
	return k.Grace
}

func (k *Keyring) generate(status KeyStatus, now time.Time) (ToolKey, error) {
	bits := k.Bits
	if bits < 2048 {
		bits = 2048
	}
	r := k.Random
	if r == nil {
		r = rand.Reader
	}
	priv, err := rsa.GenerateKey(r, bits)
	if err != nil {
		return ToolKey{}, fmt.Errorf("generate tool key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return ToolKey{}, fmt.Errorf("encode tool key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return ToolKey{}, fmt.Errorf("encode tool public key: %w", err)
	}
	sum := sha256.Sum256(pubDER)
	tk := ToolKey{
		Scope:      k.scope(),
		KID:        now.Format("2006-01-02") + "-" + base64.RawURLEncoding.EncodeToString(sum[:9]),
		PrivateDER: der,
		Status:     status,
		Created:    now,
	}
	if status == KeyCurrent {
		tk.Activated = now
	}
	return tk, nil
}

// Ensure makes sure a current signing key exists, generating one at first
// start. It is safe to call on every start.
func (k *Keyring) Ensure(ctx context.Context) error {
	keys, err := k.Store.ToolKeys(ctx, k.scope())
	if err != nil {
		return fmt.Errorf("list tool keys: %w", err)
	}
	for _, tk := range keys {
		if tk.Status == KeyCurrent {
			return nil
		}
	}
	tk, err := k.generate(KeyCurrent, k.now())
	if err != nil {
		return err
	}
	if err := k.Store.PutToolKey(ctx, tk); err != nil {
		return fmt.Errorf("save tool key: %w", err)
	}
	k.invalidate()
	return nil
}

// RotateResult says what a rotation step did.
type RotateResult struct {
	// Published is the kid of a newly generated next key, if any.
	Published string
	// Activated is the kid that now signs, if the step promoted one.
	Activated string
	// Retired is the kid that stopped signing, if any.
	Retired string
	// Removed lists retired kids whose grace period ended.
	Removed []string
}

// Rotate runs one rotation step. With no next key it generates one and
// publishes it without signing. With a next key published for at least Lead
// (or with force), it makes it current and retires the old current key,
// which stays published for Grace. Retired keys past Grace are removed.
func (k *Keyring) Rotate(ctx context.Context, force bool) (RotateResult, error) {
	var res RotateResult
	now := k.now()
	keys, err := k.Store.ToolKeys(ctx, k.scope())
	if err != nil {
		return res, fmt.Errorf("list tool keys: %w", err)
	}
	lead := k.Lead
	if lead <= 0 {
		lead = 24 * time.Hour
	}
	var next *ToolKey
	var current []ToolKey
	for i := range keys {
		switch keys[i].Status {
		case KeyNext:
			if next == nil || keys[i].Created.Before(next.Created) {
				next = &keys[i]
			}
		case KeyCurrent:
			current = append(current, keys[i])
		case KeyRetired:
			if now.Sub(keys[i].Retired) >= k.grace() {
				if err := k.Store.DeleteToolKey(ctx, keys[i].Scope, keys[i].KID); err != nil {
					return res, fmt.Errorf("remove retired tool key: %w", err)
				}
				res.Removed = append(res.Removed, keys[i].KID)
			}
		}
	}
	defer k.invalidate()
	if next == nil {
		tk, err := k.generate(KeyNext, now)
		if err != nil {
			return res, err
		}
		if err := k.Store.PutToolKey(ctx, tk); err != nil {
			return res, fmt.Errorf("save tool key: %w", err)
		}
		res.Published = tk.KID
		if !force {
			return res, nil
		}
		next = &tk
	}
	if !force && now.Sub(next.Created) < lead {
		return res, nil
	}
	promoted := *next
	promoted.Status, promoted.Activated = KeyCurrent, now
	if err := k.Store.PutToolKey(ctx, promoted); err != nil {
		return res, fmt.Errorf("activate tool key: %w", err)
	}
	res.Activated = promoted.KID
	for _, c := range current {
		c.Status, c.Retired = KeyRetired, now
		if err := k.Store.PutToolKey(ctx, c); err != nil {
			return res, fmt.Errorf("retire tool key: %w", err)
		}
		res.Retired = c.KID
	}
	return res, nil
}

func (k *Keyring) invalidate() {
	k.mu.Lock()
	k.loaded = time.Time{}
	k.mu.Unlock()
}

func (k *Keyring) load(ctx context.Context) (jwk.Key, jwk.Set, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	cacheFor := k.CacheFor
	if cacheFor <= 0 {
		cacheFor = 30 * time.Second
	}
	if !k.loaded.IsZero() && now.Sub(k.loaded) < cacheFor && now.After(k.loaded.Add(-time.Second)) {
		return k.signer, k.public, nil
	}
	keys, err := k.Store.ToolKeys(ctx, k.scope())
	if err != nil {
		return nil, nil, fmt.Errorf("list tool keys: %w", err)
	}
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].Created.After(keys[j].Created) })
	var signer jwk.Key
	var signerActivated time.Time
	public := jwk.NewSet()
	sessionKeys := map[string][]byte{}
	for _, tk := range keys {
		if tk.Status == KeyRetired && now.Sub(tk.Retired) >= k.grace() {
			continue
		}
		priv, err := toolJWK(tk)
		if err != nil {
			return nil, nil, err
		}
		pub, err := priv.PublicKey()
		if err != nil {
			return nil, nil, fmt.Errorf("tool public key: %w", err)
		}
		if err := pub.Set(jwk.KeyUsageKey, jwk.ForSignature); err != nil {
			return nil, nil, fmt.Errorf("tool public key: %w", err)
		}
		if err := public.AddKey(pub); err != nil {
			return nil, nil, fmt.Errorf("tool key set: %w", err)
		}
		sessionKeys[tk.KID] = deriveSessionKey(tk.PrivateDER)
		if tk.Status == KeyCurrent && (signer == nil || tk.Activated.After(signerActivated)) {
			signer, signerActivated = priv, tk.Activated
		}
	}
	if signer == nil {
		return nil, nil, errNoCurrentKey
	}
	k.signer, k.public, k.loaded = signer, public, now
	k.sessionKeys, k.sessionKID = sessionKeys, signer.KeyID()
	return signer, public, nil
}

// errNoCurrentKey means the key ring has no signing key yet.
var errNoCurrentKey = errors.New("no current tool signing key")

// loadEnsured is load, generating the first key when the ring is empty.
func (k *Keyring) loadEnsured(ctx context.Context) (jwk.Key, jwk.Set, error) {
	s, p, err := k.load(ctx)
	if errors.Is(err, errNoCurrentKey) {
		if err := k.Ensure(ctx); err != nil {
			return nil, nil, err
		}
		return k.load(ctx)
	}
	return s, p, err
}

func toolJWK(tk ToolKey) (jwk.Key, error) {
	raw, err := x509.ParsePKCS8PrivateKey(tk.PrivateDER)
	if err != nil {
		return nil, fmt.Errorf("parse tool key %s: %w", tk.KID, err)
	}
	priv, ok := raw.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("tool key %s is not RSA", tk.KID)
	}
	key, err := jwk.FromRaw(priv)
	if err != nil {
		return nil, fmt.Errorf("tool key %s: %w", tk.KID, err)
	}
	if err := key.Set(jwk.KeyIDKey, tk.KID); err != nil {
		return nil, fmt.Errorf("tool key %s: %w", tk.KID, err)
	}
	if err := key.Set(jwk.AlgorithmKey, jwa.RS256); err != nil {
		return nil, fmt.Errorf("tool key %s: %w", tk.KID, err)
	}
	return key, nil
}

// Signer returns the current private signing key (with kid and alg=RS256).
func (k *Keyring) Signer(ctx context.Context) (jwk.Key, error) {
	s, _, err := k.loadEnsured(ctx)
	return s, err
}

// PublicSet returns the published public keys: next, current, and retired
// keys still within their grace period.
func (k *Keyring) PublicSet(ctx context.Context) (jwk.Set, error) {
	_, p, err := k.loadEnsured(ctx)
	return p, err
}
