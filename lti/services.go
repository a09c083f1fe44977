package lti

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Service scopes (AGS 2.0, NRPS 2.0).
const (
	ScopeLineItem         = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
	ScopeLineItemReadOnly = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
	ScopeResultReadOnly   = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
	ScopeScore            = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
	ScopeMembership       = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
)

// Media types of the services.
const (
	MediaLineItem          = "application/vnd.ims.lis.v2.lineitem+json"
	MediaLineItemContainer = "application/vnd.ims.lis.v2.lineitemcontainer+json"
	MediaScore             = "application/vnd.ims.lis.v1.score+json"
	MediaResultContainer   = "application/vnd.ims.lis.v2.resultcontainer+json"
	MediaMembership        = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
)

// ServiceError is a non-2xx answer from a platform service.
type ServiceError struct {
	Status int
	URL    string
	Body   string
}

// Error describes the failed call without the response body.
func (e *ServiceError) Error() string {
	return fmt.Sprintf("platform service %s answered %d", redactURL(e.URL), e.Status)
}

// Retryable reports whether the call may succeed later (429 and 5xx).
func (e *ServiceError) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid url)"
	}
	return u.Scheme + "://" + u.Host + u.Path
}

// Services calls a platform's LTI Advantage services with access tokens
// obtained by the client-credentials grant with a JWT client assertion
// (Security Framework §4.1). Tokens are cached per registration and scope
// set until they expire (minus Margin).
type Services struct {
	Client Doer
	Keys   *Keyring
	Clock  func() time.Time
	Random func(n int) (string, error)
	// Margin is subtracted from expires_in; default 30 s.
	Margin time.Duration
	// MaxBody bounds service responses; default 4 MiB.
	MaxBody int64

	mu     sync.Mutex
	tokens map[string]cachedToken
}

type cachedToken struct {
	token   string
	scopes  []string
	expires time.Time
}

func (s *Services) now() time.Time {
	if s.Clock != nil {
		return s.Clock().UTC()
	}
	return time.Now().UTC()
}

func tokenKey(reg Registration, scopes []string) string {
	ss := slices.Clone(scopes)
	sort.Strings(ss)
	return reg.Tenant + "\x00" + reg.ID + "\x00" + strings.Join(slices.Compact(ss), " ")
}

// Token returns an access token for scopes, from the cache or the
// platform's token endpoint; the second value is the granted scopes.
func (s *Services) Token(ctx context.Context, reg Registration, scopes []string) (string, []string, error) {
	key := tokenKey(reg, scopes)
	now := s.now()
	s.mu.Lock()
	if ct, ok := s.tokens[key]; ok && now.Before(ct.expires) {
		s.mu.Unlock()
		return ct.token, ct.scopes, nil
	}
	s.mu.Unlock()
	tok, granted, expires, err := s.fetchToken(ctx, reg, scopes, now)
	if err != nil {
		return "", nil, err
	}
	s.mu.Lock()
	if s.tokens == nil {
		s.tokens = map[string]cachedToken{}
	}
	s.tokens[key] = cachedToken{token: tok, scopes: granted, expires: expires}
	s.mu.Unlock()
	return tok, granted, nil
}

// forget drops a cached token (after the platform refused it).
func (s *Services) forget(reg Registration, scopes []string) {
	s.mu.Lock()
	delete(s.tokens, tokenKey(reg, scopes))
	s.mu.Unlock()
}

// ClientAssertion signs the JWT the tool presents at the token endpoint:
// iss = sub = client id, aud = the token audience (a string, or an array
// when the registration asks for one), iat, exp (5 min), jti.
func (s *Services) ClientAssertion(ctx context.Context, reg Registration) (string, error) {
	if s.Random == nil {
		return "", errors.New("services: no random source")
	}
	jti, err := s.Random(18)
	if err != nil {
		return "", err
	}
	now := s.now()
	return s.Keys.signClaims(ctx, map[string]any{
		"iss": reg.ClientID,
		"sub": reg.ClientID,
		"aud": reg.TokenAudClaim(),
		"iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(),
		"jti": jti,
	})
}

func (s *Services) fetchToken(ctx context.Context, reg Registration, scopes []string, now time.Time) (string, []string, time.Time, error) {
	if reg.TokenURL == "" {
		return "", nil, time.Time{}, errors.New("registration has no token url")
	}
	assertion, err := s.ClientAssertion(ctx, reg)
	if err != nil {
		return "", nil, time.Time{}, err
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
		"scope":                 {strings.Join(scopes, " ")},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, reg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	body, _, err := s.do(req)
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("token request: %w", err)
	}
	var tr struct {
		AccessToken string      `json:"access_token"`
		TokenType   string      `json:"token_type"`
		ExpiresIn   json.Number `json:"expires_in"`
		Scope       string      `json:"scope"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return "", nil, time.Time{}, errors.New("token response has no access_token")
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return "", nil, time.Time{}, fmt.Errorf("token type %q is not bearer", tr.TokenType)
	}
	ttl := 3600 * time.Second
	if f, err := tr.ExpiresIn.Float64(); err == nil && f > 0 {
		ttl = time.Duration(f * float64(time.Second))
	}
	margin := s.Margin
	if margin <= 0 {
		margin = 30 * time.Second
	}
	if ttl > 2*margin {
		ttl -= margin
	} else {
		ttl /= 2
	}
	granted := scopes
	if tr.Scope != "" {
		granted = strings.Fields(tr.Scope)
	}
	return tr.AccessToken, granted, now.Add(ttl), nil
}

// do sends req and returns the body of a 2xx answer.
func (s *Services) do(req *http.Request) ([]byte, http.Header, error) {
	if s.Client == nil {
		return nil, nil, errors.New("services: no http client")
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	max := s.MaxBody
	if max <= 0 {
		max = 4 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read response: %w", err)
	}
	if int64(len(body)) > max {
		return nil, nil, errors.New("response too large")
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, &ServiceError{Status: resp.StatusCode, URL: req.URL.String(), Body: truncate(string(body), 512)}
	}
	return body, resp.Header, nil
}

// call makes an authorised service request with a token for scopes, which
// must grant one of need; it retries once with a fresh token when the
// platform answers 401.
func (s *Services) call(ctx context.Context, reg Registration, scopes, need []string, method, target, accept, contentType string, payload []byte) ([]byte, http.Header, error) {
	for attempt := 0; ; attempt++ {
		tok, granted, err := s.Token(ctx, reg, scopes)
		if err != nil {
			return nil, nil, err
		}
		if !slices.ContainsFunc(need, func(n string) bool { return slices.Contains(granted, n) }) {
			return nil, nil, fmt.Errorf("platform granted %v, not any of %v", granted, need)
		}
		var body io.Reader
		if payload != nil {
			body = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, method, target, body)
		if err != nil {
			return nil, nil, fmt.Errorf("service request: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		out, hdr, err := s.do(req)
		var se *ServiceError
		if attempt == 0 && errors.As(err, &se) && se.Status == http.StatusUnauthorized {
			s.forget(reg, scopes)
			continue
		}
		return out, hdr, err
	}
}

// nextLink returns the URL of the Link header entry with rel=name.
func nextLink(h http.Header, rel string) string {
	for _, v := range h.Values("Link") {
		for _, part := range strings.Split(v, ",") {
			segs := strings.Split(part, ";")
			if len(segs) < 2 {
				continue
			}
			u := strings.TrimSpace(segs[0])
			if !strings.HasPrefix(u, "<") || !strings.HasSuffix(u, ">") {
				continue
			}
			for _, p := range segs[1:] {
				k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, r := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
					if strings.EqualFold(r, rel) {
						return u[1 : len(u)-1]
					}
				}
			}
		}
	}
	return ""
}
