package platform

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/passportbridge/passport/lti"
)

// Config describes the tool the platform talks to.
type Config struct {
	Profile Profile
	// ToolLoginURL, ToolRedirectURI and ToolJWKSURL are the tool's
	// endpoints as registered in the platform.
	ToolLoginURL    string
	ToolRedirectURI string
	ToolJWKSURL     string
	// ClientID and DeploymentID identify the tool in the platform.
	ClientID     string
	DeploymentID string
	// Clock is the platform's clock; default time.Now.
	Clock func() time.Time
	// HTTPClient reaches the tool (its JWKS); default http.DefaultClient.
	HTTPClient *http.Client
	// RequireAudArray makes the token endpoint refuse a client assertion
	// whose aud is a string rather than an array (packback#157).
	RequireAudArray bool
}

// Platform is a running simulated LMS.
type Platform struct {
	Config
	Server *httptest.Server
	Issuer string

	mu         sync.Mutex
	keys       []jwk.Key // private keys; keys[0] signs
	pending    map[string]*pendingLaunch
	tokens     map[string][]string // access token → scopes
	jtis       map[string]bool
	lineItems  map[string]*lti.LineItem
	order      []string
	scores     map[string][]lti.Score
	members    []lti.Member
	dlReturns  []DeepLinkReturn
	regTokens  map[string]bool
	registered []lti.ClientRegistration
	pages      map[string]url.Values
	noCaps     map[string]bool // course pages that leave lti.capabilities unanswered
	nextID     int
	// Concluded makes score posts answer 422 (Canvas concluded course).
	Concluded bool
	// Down makes every service answer 503 (a platform outage).
	Down bool
	// NoAlg publishes keys without alg (Brightspace does by default).
	NoAlg bool
	// ScoreCalls counts score POSTs received (including refused ones).
	ScoreCalls int
	// TokenCalls counts token requests.
	TokenCalls int
	// JWKSFetches counts GETs of the platform JWKS.
	JWKSFetches int
}

// DeepLinkReturn is a deep-linking response the platform received.
type DeepLinkReturn struct {
	Claims map[string]any
	Header map[string]any
	Items  []lti.ContentItem
}

type pendingLaunch struct {
	claims      map[string]any
	messageHint string
	faults      Faults
	used        bool
}

// New starts a platform; Close it when done.
func New(cfg Config) (*Platform, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	p := &Platform{
		Config:    cfg,
		pending:   map[string]*pendingLaunch{},
		tokens:    map[string][]string{},
		jtis:      map[string]bool{},
		lineItems: map[string]*lti.LineItem{},
		scores:    map[string][]lti.Score{},
		regTokens: map[string]bool{},
		NoAlg:     cfg.Profile == Brightspace,
	}
	if err := p.RotateKey(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks", p.handleJWKS)
	mux.HandleFunc("/auth", p.handleAuth)
	mux.HandleFunc("POST /token", p.handleToken)
	mux.HandleFunc("/lineitems", p.handleLineItems)
	mux.HandleFunc("/lineitems/", p.handleLineItem)
	mux.HandleFunc("GET /memberships", p.handleMemberships)
	mux.HandleFunc("POST /dl-return", p.handleDLReturn)
	mux.HandleFunc("GET /.well-known/openid-configuration", p.handleOpenIDConfig)
	mux.HandleFunc("POST /register", p.handleRegister)
	mux.HandleFunc("GET /course", p.handleCourse)
	mux.HandleFunc("GET /storage-frame", p.handleStorageFrame)
	p.Server = httptest.NewServer(mux)
	p.Issuer = cfg.Profile.issuer()
	if p.Issuer == "" {
		p.Issuer = p.Server.URL
	}
	return p, nil
}

// Close stops the platform's server.
func (p *Platform) Close() { p.Server.Close() }

// URL returns the absolute URL of a platform path.
func (p *Platform) URL(path string) string { return p.Server.URL + path }

// AuthURL is the platform's OIDC authorization endpoint.
func (p *Platform) AuthURL() string { return p.URL("/auth") }

// TokenURL is the platform's OAuth 2 token endpoint.
func (p *Platform) TokenURL() string { return p.URL("/token") }

// JWKSURL is the platform's key set.
func (p *Platform) JWKSURL() string { return p.URL("/jwks") }

// Registration returns the registration a tool admin would enter for this
// platform.
func (p *Platform) Registration(tenant, id string) lti.Registration {
	r := lti.Registration{
		Tenant:        tenant,
		ID:            id,
		Issuer:        p.Issuer,
		ClientID:      p.ClientID,
		Deployments:   []string{p.DeploymentID},
		AuthURL:       p.AuthURL(),
		TokenURL:      p.TokenURL(),
		JWKSURL:       p.JWKSURL(),
		ProductFamily: p.Profile.familyCode(),
		Name:          string(p.Profile),
		Source:        "cli",
		Created:       p.Clock().UTC(),
	}
	if p.Profile == Brightspace {
		r.TokenAudience = BrightspaceAudience
	}
	return r
}

// RotateKey makes a new signing key; the old ones stay published.
func (p *Platform) RotateKey() error {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("platform key: %w", err)
	}
	k, err := jwk.FromRaw(priv)
	if err != nil {
		return fmt.Errorf("platform key: %w", err)
	}
	kid := randomID(9)
	if p.Profile == Canvas {
		kid = p.now().Format(time.RFC3339) + "-" + kid
	}
	if err := k.Set(jwk.KeyIDKey, kid); err != nil {
		return err
	}
	p.mu.Lock()
	p.keys = append([]jwk.Key{k}, p.keys...)
	p.mu.Unlock()
	return nil
}

func (p *Platform) now() time.Time {
	if p.Clock == nil {
		return time.Now()
	}
	return p.Clock()
}

func (p *Platform) handleJWKS(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	p.JWKSFetches++
	keys := slices.Clone(p.keys)
	noAlg := p.NoAlg
	p.mu.Unlock()
	set := jwk.NewSet()
	for _, k := range keys {
		pub, err := k.PublicKey()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		_ = pub.Set(jwk.KeyUsageKey, jwk.ForSignature)
		if !noAlg {
			_ = pub.Set(jwk.AlgorithmKey, jwa.RS256)
		}
		_ = set.AddKey(pub)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}

// sign signs claims with the current key (or per the faults).
func (p *Platform) sign(claims map[string]any, f Faults) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	key := p.keys[0]
	p.mu.Unlock()
	if f.UnpublishedKey {
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return "", err
		}
		if key, err = jwk.FromRaw(priv); err != nil {
			return "", err
		}
		_ = key.Set(jwk.KeyIDKey, p.keys[0].KeyID())
	}
	switch {
	case f.AlgNone:
		hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT","kid":"` + key.KeyID() + `"}`))
		return hdr + "." + base64.RawURLEncoding.EncodeToString(payload) + ".", nil
	case f.HS256:
		hdr := jws.NewHeaders()
		_ = hdr.Set(jws.KeyIDKey, key.KeyID())
		out, err := jws.Sign(payload, jws.WithKey(jwa.HS256, []byte(p.ClientID+"-shared-secret-padding-32b"), jws.WithProtectedHeaders(hdr)))
		return string(out), err
	}
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.TypeKey, "JWT")
	signKey := key
	if f.MissingKid || f.WrongKid {
		c, err := key.Clone()
		if err != nil {
			return "", err
		}
		if f.MissingKid {
			_ = c.Remove(jwk.KeyIDKey)
		} else {
			_ = c.Set(jwk.KeyIDKey, "no-such-kid")
		}
		signKey = c
	}
	out, err := jws.Sign(payload, jws.WithKey(jwa.RS256, signKey, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", err
	}
	s := string(out)
	if f.BadSignature {
		parts := strings.Split(s, ".")
		sig := []byte(parts[2])
		if sig[5] == 'A' {
			sig[5] = 'B'
		} else {
			sig[5] = 'A'
		}
		s = parts[0] + "." + parts[1] + "." + string(sig)
	}
	if f.NotJWT {
		s = strings.Join(strings.Split(s, ".")[:2], ".")
	}
	return s, nil
}

// handleAuth is the OIDC authorization endpoint: it checks the
// authentication request, then auto-POSTs the id_token to the tool.
func (p *Platform) handleAuth(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", 400)
		return
	}
	q := r.Form
	fail := func(msg string) { http.Error(w, "platform: "+msg, http.StatusBadRequest) }
	for k, want := range map[string]string{"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none"} {
		if q.Get(k) != want {
			fail(k + " must be " + want)
			return
		}
	}
	if q.Get("client_id") != p.ClientID {
		fail("unknown client_id")
		return
	}
	if q.Get("redirect_uri") != p.ToolRedirectURI {
		fail("redirect_uri is not registered (exact match)")
		return
	}
	if q.Get("state") == "" || q.Get("nonce") == "" {
		fail("state and nonce required")
		return
	}
	p.mu.Lock()
	pl := p.pending[q.Get("login_hint")]
	if pl != nil && pl.used && !pl.faults.AllowReuse {
		pl = nil
	}
	if pl != nil {
		pl.used = true
	}
	p.mu.Unlock()
	if pl == nil {
		fail("unknown login_hint")
		return
	}
	if q.Get("lti_message_hint") != pl.messageHint {
		fail("lti_message_hint changed")
		return
	}
	if pl.faults.PlatformError != "" {
		writeAutoPost(w, p.ToolRedirectURI, map[string]string{"error": pl.faults.PlatformError, "error_description": "user is not logged in", "state": q.Get("state")})
		return
	}
	tok, err := p.signPending(pl, q.Get("nonce"))
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	writeAutoPost(w, p.ToolRedirectURI, map[string]string{"id_token": tok, "state": q.Get("state")})
}

func (p *Platform) signPending(pl *pendingLaunch, nonce string) (string, error) {
	claims := maps(pl.claims)
	now := p.now()
	iat := now.Add(pl.faults.IatOffset)
	claims["iat"] = iat.Unix()
	claims["exp"] = iat.Add(5 * time.Minute).Unix()
	if pl.faults.Expired {
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	}
	if p.Profile == Brightspace {
		claims["nbf"] = claims["iat"]
	}
	claims["nonce"] = nonce
	if pl.faults.WrongNonce {
		claims["nonce"] = "not-the-nonce"
	}
	if pl.faults.Mutate != nil {
		pl.faults.Mutate(claims)
	}
	return p.sign(claims, pl.faults)
}

// writeAutoPost renders an auto-submitting form.
func writeAutoPost(w http.ResponseWriter, action string, fields map[string]string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString(`<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="` + html.EscapeString(action) + `">`)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(`<input type="hidden" name="` + html.EscapeString(k) + `" value="` + html.EscapeString(fields[k]) + `">`)
	}
	b.WriteString(`</form></body></html>`)
	_, _ = io.WriteString(w, b.String())
}

func maps(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// verifyToolJWT verifies a JWT signed by the tool against its JWKS.
func (p *Platform) verifyToolJWT(ctx context.Context, raw string) (map[string]any, map[string]any, error) {
	msg, err := jws.Parse([]byte(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("parse: %w", err)
	}
	hdr := msg.Signatures()[0].ProtectedHeaders()
	if hdr.KeyID() == "" {
		return nil, nil, fmt.Errorf("tool jwt has no kid")
	}
	if hdr.Algorithm() != jwa.RS256 {
		return nil, nil, fmt.Errorf("tool jwt alg %s", hdr.Algorithm())
	}
	set, err := jwk.Fetch(ctx, p.ToolJWKSURL, jwk.WithHTTPClient(p.HTTPClient))
	if err != nil {
		return nil, nil, fmt.Errorf("fetch tool jwks: %w", err)
	}
	key, ok := set.LookupKeyID(hdr.KeyID())
	if !ok {
		return nil, nil, fmt.Errorf("kid %q not in tool jwks", hdr.KeyID())
	}
	payload, err := jws.Verify([]byte(raw), jws.WithKey(jwa.RS256, key))
	if err != nil {
		return nil, nil, fmt.Errorf("verify: %w", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, nil, err
	}
	hb, _ := json.Marshal(hdr)
	var h map[string]any
	_ = json.Unmarshal(hb, &h)
	return claims, h, nil
}

// PublicKeyPEM returns the current signing key's public half as PEM, for
// registrations that pin a key instead of fetching the JWKS.
func (p *Platform) PublicKeyPEM() (string, error) {
	p.mu.Lock()
	key := p.keys[0]
	p.mu.Unlock()
	pub, err := key.PublicKey()
	if err != nil {
		return "", err
	}
	b, err := jwk.Pem(pub)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
