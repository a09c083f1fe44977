package lti_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lrs/lrshttp"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/lti/ltihttp"
	"github.com/passportbridge/passport/lti/ltitest/platform"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// xapiClock is a settable clock for the authenticator.
type xapiClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *xapiClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *xapiClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// xapiLaunch is what content receives: the xAPI launch parameters.
type xapiLaunch struct {
	endpoint, authorization, registration, activityID string
	actor                                             map[string]any
}

// launchContent launches fractions-1 for user and reads the content
// frame's xAPI launch parameters.
func launchContent(t *testing.T, e *env, user platform.User) xapiLaunch {
	t.Helper()
	res, err := e.plat.Launch(platform.NewBrowser(), platform.Message{User: user, TargetLinkURI: e.contentURL("fractions-1")})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Response.StatusCode, res.Body)
	m := iframeRe.FindStringSubmatch(res.Body)
	require.NotNil(t, m, "content iframe")
	q := query(t, html.UnescapeString(m[1]))
	l := xapiLaunch{endpoint: q.Get("endpoint"), authorization: q.Get("auth"), registration: q.Get("registration"), activityID: q.Get("activity_id")}
	require.NoError(t, json.Unmarshal([]byte(q.Get("actor")), &l.actor))
	return l
}

// xapiCall sends one xAPI request with an Authorization value.
func xapiCall(t *testing.T, endpoint, authz, method, resource string, q url.Values, body any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	u := endpoint + resource
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(method, u, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", authz)
	req.Header.Set("X-Experience-API-Version", "1.0.3")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

func completed(actor map[string]any, registration, activity string) map[string]any {
	return map[string]any{
		"id":      uuid.NewString(),
		"actor":   actor,
		"verb":    map[string]any{"id": "http://adlnet.gov/expapi/verbs/completed"},
		"object":  map[string]any{"id": activity},
		"result":  map[string]any{"completion": true, "score": map[string]any{"scaled": 0.8}},
		"context": map[string]any{"registration": registration},
	}
}

// TestXAPILaunchCredentials launches content for two learners from every
// profile with passport's own LRS mounted beside the tool: each launch gets
// a fresh bearer token bound to its learner and registration, so content
// launched for A writes A's statements and can neither write nor read B's,
// and an expired token is refused.
func TestXAPILaunchCredentials(t *testing.T) {
	t.Parallel()
	learnerB := platform.Student
	learnerB.Sub, learnerB.Name, learnerB.Email, learnerB.SourcedID = "student-2", "Bilal Omar", "bilal@example.org", "sis-student-2"
	for _, profile := range platform.Profiles {
		t.Run(string(profile), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := sqlitetest.Open(t)
			clock := &xapiClock{t: time.Now().UTC()}
			a := auth.NewAuthenticator(st, clock.now)
			logger := slog.New(slog.DiscardHandler)
			lrsH := &lrshttp.Handler{Store: st, Auth: a, Logger: logger, Clock: time.Now, PublicURL: "http://passport.test", BodyLimit: 1 << 20}
			e := newEnvMounts(t, profile, true, st, func(h *ltihttp.Handler) {
				h.Credentials = &lti.LaunchCredentials{Tool: h.Tool, Issuer: a}
			}, lrsH)
			admin, err := a.CreateCredential(ctx, "default", "admin", []string{auth.ScopeAll})
			require.NoError(t, err)
			adminAuth := "Basic " + basicValue(admin.Key, admin.Secret)

			la := launchContent(t, e, platform.Student)
			lb := launchContent(t, e, learnerB)
			assert.Equal(t, e.tool.URL+"/xapi/", la.endpoint)
			assert.True(t, strings.HasPrefix(la.authorization, "Bearer "), "a bearer token, never a Basic credential")
			assert.NotEqual(t, la.authorization, lb.authorization)
			assert.NotEqual(t, la.registration, lb.registration)
			assert.Equal(t, "https://passport.example/activities/fractions-1", la.activityID)

			// A fresh token per launch, even for the same learner.
			la2 := launchContent(t, e, platform.Student)
			assert.NotEqual(t, la.authorization, la2.authorization)
			assert.NotEqual(t, la.registration, la2.registration)

			ownA := completed(la.actor, la.registration, la.activityID)
			code, body := xapiCall(t, la.endpoint, la.authorization, "POST", "statements", nil, ownA)
			require.Equal(t, http.StatusOK, code, body)
			ownB := completed(lb.actor, lb.registration, lb.activityID)
			code, body = xapiCall(t, lb.endpoint, lb.authorization, "POST", "statements", nil, ownB)
			require.Equal(t, http.StatusOK, code, body)

			refusedWrites := []struct {
				name string
				s    map[string]any
			}{
				{"B's actor", completed(lb.actor, la.registration, la.activityID)},
				{"B's registration", completed(la.actor, lb.registration, la.activityID)},
				{"B's actor and registration", completed(lb.actor, lb.registration, la.activityID)},
				{"A's own next attempt", completed(la.actor, la2.registration, la.activityID)},
			}
			for _, tc := range refusedWrites {
				t.Run("A cannot write "+tc.name, func(t *testing.T) {
					code, body := xapiCall(t, la.endpoint, la.authorization, "POST", "statements", nil, tc.s)
					assert.Equal(t, http.StatusForbidden, code, body)
					code, _ = xapiCall(t, la.endpoint, adminAuth, "GET", "statements", url.Values{"statementId": {tc.s["id"].(string)}}, nil)
					assert.Equal(t, http.StatusNotFound, code, "nothing written")
				})
			}

			agentB, _ := json.Marshal(lb.actor)
			refusedReads := []struct {
				name string
				q    url.Values
				want int
			}{
				{"B's statements by agent", url.Values{"agent": {string(agentB)}}, http.StatusForbidden},
				{"B's registration", url.Values{"registration": {lb.registration}}, http.StatusForbidden},
				{"B's statement by id", url.Values{"statementId": {ownB["id"].(string)}}, http.StatusNotFound},
			}
			for _, tc := range refusedReads {
				t.Run("A cannot read "+tc.name, func(t *testing.T) {
					code, body := xapiCall(t, la.endpoint, la.authorization, "GET", "statements", tc.q, nil)
					assert.Equal(t, tc.want, code, body)
				})
			}
			t.Run("A reads only its own", func(t *testing.T) {
				code, body := xapiCall(t, la.endpoint, la.authorization, "GET", "statements", nil, nil)
				require.Equal(t, http.StatusOK, code, body)
				assert.Contains(t, body, ownA["id"])
				assert.NotContains(t, body, ownB["id"])
				assert.NotContains(t, body, lb.registration)
			})
			t.Run("A's State documents only", func(t *testing.T) {
				sq := func(actor map[string]any, reg string) url.Values {
					b, _ := json.Marshal(actor)
					return url.Values{"activityId": {la.activityID}, "agent": {string(b)}, "registration": {reg}, "stateId": {"bookmark"}}
				}
				code, body := xapiCall(t, la.endpoint, la.authorization, "PUT", "activities/state", sq(la.actor, la.registration), map[string]any{"page": 2})
				assert.Equal(t, http.StatusNoContent, code, body)
				code, body = xapiCall(t, la.endpoint, la.authorization, "PUT", "activities/state", sq(lb.actor, lb.registration), map[string]any{"page": 2})
				assert.Equal(t, http.StatusForbidden, code, body)
			})

			// Statements A's content wrote are the learner's record: the
			// launch credential is their authority.
			code, body = xapiCall(t, la.endpoint, adminAuth, "GET", "statements", url.Values{"statementId": {ownA["id"].(string)}}, nil)
			require.Equal(t, http.StatusOK, code, body)
			assert.Contains(t, body, auth.LaunchKey("default"))

			t.Run("an expired token is refused", func(t *testing.T) {
				clock.add(auth.LaunchTokenTTL)
				code, body := xapiCall(t, la.endpoint, la.authorization, "POST", "statements", nil, completed(la.actor, la.registration, la.activityID))
				assert.Equal(t, http.StatusUnauthorized, code, body)
				code, _ = xapiCall(t, la.endpoint, la.authorization, "GET", "statements", nil, nil)
				assert.Equal(t, http.StatusUnauthorized, code)
			})
		})
	}
}

func basicValue(key, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(key + ":" + secret))
}
