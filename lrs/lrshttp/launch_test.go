package lrshttp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/lrshttp"
	"github.com/passportbridge/passport/store/backend"
	"github.com/passportbridge/passport/store/mongo/mongotest"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

// launchClock is a settable clock for the authenticator.
type launchClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *launchClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *launchClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// launchEnv is an LRS with two launch tokens (learners A and B, each in
// its own registration) and an all-scopes Basic credential.
type launchEnv struct {
	t          *testing.T
	do         func(*http.Request) (*http.Response, error)
	clock      *launchClock
	admin      string // Authorization value
	tokA, tokB string // Authorization values
	regA, regB string
}

var (
	actorA = map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": "http://lrs.test/", "name": "learner-a"}}
	actorB = map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": "http://lrs.test/", "name": "learner-b"}}
)

func newLaunchEnv(t *testing.T, s backend.Store) *launchEnv {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	clock := &launchClock{t: time.Now().UTC()}
	a := auth.NewAuthenticator(s, clock.now)
	cfg := config.Config{BodyLimit: 1 << 20, PublicURL: "http://lrs.test", ReadTimeout: time.Minute, WriteTimeout: time.Minute, IdleTimeout: time.Minute}
	srv := server.New(server.Options{Config: cfg, Logger: logger, Mounts: []server.Mounter{&lrshttp.Handler{
		Store: s, Auth: a, Logger: logger, Clock: time.Now, PublicURL: cfg.PublicURL, BodyLimit: cfg.BodyLimit,
	}}})
	ctx := context.Background()
	cred, err := a.CreateCredential(ctx, "camp", "admin", []string{"all"})
	require.NoError(t, err)
	e := &launchEnv{
		t: t, do: func(r *http.Request) (*http.Response, error) { return srv.App.Test(r, -1) }, clock: clock,
		admin: "Basic " + base64.StdEncoding.EncodeToString([]byte(cred.Key+":"+cred.Secret)),
		regA:  uuid.NewString(), regB: uuid.NewString(),
	}
	issue := func(actor map[string]any, reg string) string {
		raw, _, err := a.IssueLaunchToken(ctx, auth.LaunchGrant{Tenant: "camp", Agent: lrs.AgentKey(actor), Registration: reg})
		require.NoError(t, err)
		return "Bearer " + raw
	}
	e.tokA, e.tokB = issue(actorA, e.regA), issue(actorB, e.regB)
	return e
}

func (e *launchEnv) call(authz, method, path string, q url.Values, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(e.t, err)
		rd = bytes.NewReader(b)
	}
	u := "http://lrs.test" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req := httptest.NewRequest(method, u, rd)
	req.Header.Set("Authorization", authz)
	req.Header.Set("X-Experience-API-Version", "1.0.3")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	return res.StatusCode, b
}

func stmt(actor map[string]any, reg string) map[string]any {
	s := map[string]any{
		"id":     uuid.NewString(),
		"actor":  actor,
		"verb":   map[string]any{"id": "http://adlnet.gov/expapi/verbs/experienced"},
		"object": map[string]any{"id": "https://passport.example/activities/fractions-1"},
	}
	if reg != "" {
		s["context"] = map[string]any{"registration": reg}
	}
	return s
}

func agentParam(a map[string]any) string {
	b, _ := json.Marshal(a)
	return string(b)
}

// exists says whether the admin credential finds statement id.
func (e *launchEnv) exists(id any) bool {
	e.t.Helper()
	st, _ := e.call(e.admin, "GET", "/xapi/statements", url.Values{"statementId": {id.(string)}}, nil)
	return st == http.StatusOK
}

func launchStores() map[string]func(t *testing.T) backend.Store {
	return map[string]func(t *testing.T) backend.Store{
		"sqlite": func(t *testing.T) backend.Store { return sqlitetest.Open(t) },
		"mongo":  func(t *testing.T) backend.Store { return mongotest.Open(t) },
	}
}

func TestLaunchTokenWrites(t *testing.T) {
	t.Parallel()
	for name, open := range launchStores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newLaunchEnv(t, open(t))
			group := map[string]any{"objectType": "Group", "account": actorA["account"]}
			mboxA := map[string]any{"mbox": "mailto:a@example.org"}
			upper := strings.ToUpper(e.regA)
			tests := []struct {
				name  string
				batch []map[string]any
				want  int
			}{
				{"own actor and registration", []map[string]any{stmt(actorA, e.regA)}, http.StatusOK},
				{"registration in upper case", []map[string]any{stmt(actorA, upper)}, http.StatusOK},
				{"own actor without registration", []map[string]any{stmt(actorA, "")}, http.StatusOK},
				{"actor without objectType", []map[string]any{stmt(map[string]any{"account": actorA["account"]}, e.regA)}, http.StatusOK},
				{"another learner", []map[string]any{stmt(actorB, e.regA)}, http.StatusForbidden},
				{"another learner's registration", []map[string]any{stmt(actorA, e.regB)}, http.StatusForbidden},
				{"another IFI of someone", []map[string]any{stmt(mboxA, e.regA)}, http.StatusForbidden},
				{"a group with the learner's IFI", []map[string]any{stmt(group, e.regA)}, http.StatusForbidden},
				{"a batch with one foreign statement", []map[string]any{stmt(actorA, e.regA), stmt(actorB, e.regB)}, http.StatusForbidden},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					st, body := e.call(e.tokA, "POST", "/xapi/statements", nil, tc.batch)
					require.Equal(t, tc.want, st, string(body))
					for _, s := range tc.batch {
						assert.Equal(t, tc.want == http.StatusOK, e.exists(s["id"]), "stored only when accepted, all or nothing")
					}
					// The same statement by PUT gets the same answer.
					one := stmt(tc.batch[len(tc.batch)-1]["actor"].(map[string]any), "")
					one["context"] = tc.batch[len(tc.batch)-1]["context"]
					if one["context"] == nil {
						delete(one, "context")
					}
					id := one["id"].(string)
					delete(one, "id")
					st, body = e.call(e.tokA, "PUT", "/xapi/statements", url.Values{"statementId": {id}}, one)
					want := tc.want
					if want == http.StatusOK {
						want = http.StatusNoContent
					}
					require.Equal(t, want, st, string(body))
					assert.Equal(t, tc.want == http.StatusOK, e.exists(id))
				})
			}

			t.Run("voiding", func(t *testing.T) {
				own := stmt(actorA, e.regA)
				st, _ := e.call(e.tokA, "POST", "/xapi/statements", nil, own)
				require.Equal(t, http.StatusOK, st)
				void := stmt(actorA, e.regA)
				void["verb"] = map[string]any{"id": lrs.VerbVoided}
				void["object"] = map[string]any{"objectType": "StatementRef", "id": own["id"]}
				st, _ = e.call(e.tokA, "POST", "/xapi/statements", nil, void)
				assert.Equal(t, http.StatusForbidden, st)
				assert.True(t, e.exists(own["id"]), "not voided")
			})
		})
	}
}

func TestLaunchTokenReads(t *testing.T) {
	t.Parallel()
	for name, open := range launchStores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newLaunchEnv(t, open(t))
			ownA := stmt(actorA, e.regA)
			ownB := stmt(actorB, e.regB)
			otherAttemptA := stmt(actorA, "")
			byAdmin := stmt(actorA, e.regA) // same learner and registration, another authority
			for _, w := range []struct {
				authz string
				s     map[string]any
			}{{e.tokA, ownA}, {e.tokB, ownB}, {e.tokA, otherAttemptA}, {e.admin, byAdmin}} {
				st, body := e.call(w.authz, "POST", "/xapi/statements", nil, w.s)
				require.Equal(t, http.StatusOK, st, string(body))
			}
			ids := func(body []byte) []string {
				var r struct {
					Statements []struct {
						ID string `json:"id"`
					} `json:"statements"`
				}
				require.NoError(t, json.Unmarshal(body, &r))
				var out []string
				for _, s := range r.Statements {
					out = append(out, s.ID)
				}
				return out
			}
			tests := []struct {
				name    string
				authz   string
				q       url.Values
				status  int
				wantIDs []string
			}{
				{"A sees only A's statements of A's registration it wrote", e.tokA, nil, http.StatusOK, []string{ownA["id"].(string)}},
				{"B sees only B's", e.tokB, nil, http.StatusOK, []string{ownB["id"].(string)}},
				{"A naming itself", e.tokA, url.Values{"agent": {agentParam(actorA)}, "registration": {e.regA}}, http.StatusOK, []string{ownA["id"].(string)}},
				{"A naming B", e.tokA, url.Values{"agent": {agentParam(actorB)}}, http.StatusForbidden, nil},
				{"A naming B's registration", e.tokA, url.Values{"registration": {e.regB}}, http.StatusForbidden, nil},
				{"A asking for B's statement by id", e.tokA, url.Values{"statementId": {ownB["id"].(string)}}, http.StatusNotFound, nil},
				{"A asking for its statement outside the registration", e.tokA, url.Values{"statementId": {otherAttemptA["id"].(string)}}, http.StatusNotFound, nil},
				{"A asking for the admin's statement about A", e.tokA, url.Values{"statementId": {byAdmin["id"].(string)}}, http.StatusNotFound, nil},
				{"a crafted continuation naming B", e.tokA, url.Values{"more": {lrs.EncodeMore(lrs.Query{Agent: lrs.AgentKey(actorB), Limit: 10}, lrs.Cursor{Stored: time.Now().Add(time.Hour)})}}, http.StatusForbidden, nil},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					st, body := e.call(tc.authz, "GET", "/xapi/statements", tc.q, nil)
					if tc.status == http.StatusForbidden && tc.q.Has("more") {
						// A forged continuation is refused, by the LRS's own
						// check (400) or by the launch binding (403).
						require.Contains(t, []int{http.StatusBadRequest, http.StatusForbidden}, st, string(body))
						return
					}
					require.Equal(t, tc.status, st, string(body))
					if tc.wantIDs != nil {
						assert.Equal(t, tc.wantIDs, ids(body))
					}
				})
			}
			t.Run("A reads its statement by id", func(t *testing.T) {
				st, body := e.call(e.tokA, "GET", "/xapi/statements", url.Values{"statementId": {ownA["id"].(string)}}, nil)
				require.Equal(t, http.StatusOK, st, string(body))
				assert.Contains(t, string(body), ownA["id"])
			})
			t.Run("agents resource only for A", func(t *testing.T) {
				st, _ := e.call(e.tokA, "GET", "/xapi/agents", url.Values{"agent": {agentParam(actorA)}}, nil)
				assert.Equal(t, http.StatusOK, st)
				st, _ = e.call(e.tokA, "GET", "/xapi/agents", url.Values{"agent": {agentParam(actorB)}}, nil)
				assert.Equal(t, http.StatusForbidden, st)
			})
		})
	}
}

func TestLaunchTokenState(t *testing.T) {
	t.Parallel()
	for name, open := range launchStores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newLaunchEnv(t, open(t))
			q := func(agent map[string]any, reg string) url.Values {
				v := url.Values{"activityId": {"https://passport.example/activities/fractions-1"}, "agent": {agentParam(agent)}, "stateId": {"bookmark"}}
				if reg != "" {
					v.Set("registration", reg)
				}
				return v
			}
			doc := map[string]any{"page": 3}
			tests := []struct {
				name   string
				method string
				q      url.Values
				want   int
			}{
				{"put own", "PUT", q(actorA, e.regA), http.StatusNoContent},
				{"get own", "GET", q(actorA, e.regA), http.StatusOK},
				{"put own without registration", "PUT", q(actorA, ""), http.StatusNoContent},
				{"put for B", "PUT", q(actorB, e.regA), http.StatusForbidden},
				{"get B's", "GET", q(actorB, e.regB), http.StatusForbidden},
				{"own agent in B's registration", "PUT", q(actorA, e.regB), http.StatusForbidden},
				{"delete B's", "DELETE", q(actorB, e.regB), http.StatusForbidden},
				{"agent profile (no scope)", "GET", url.Values{"agent": {agentParam(actorA)}, "profileId": {"p"}}, http.StatusForbidden},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					var body any
					if tc.method == "PUT" {
						body = doc
					}
					path := "/xapi/activities/state"
					if strings.Contains(tc.name, "profile") {
						path = "/xapi/agents/profile"
					}
					st, b := e.call(e.tokA, tc.method, path, tc.q, body)
					assert.Equal(t, tc.want, st, string(b))
				})
			}
			st, _ := e.call(e.admin, "GET", "/xapi/activities/state", q(actorB, e.regA), nil)
			assert.Equal(t, http.StatusNotFound, st, "nothing was written for B")
		})
	}
}

func TestLaunchTokenAuth(t *testing.T) {
	t.Parallel()
	e := newLaunchEnv(t, sqlitetest.Open(t))
	tests := []struct {
		name  string
		authz string
		want  int
	}{
		{"launch token as bearer", e.tokA, http.StatusOK},
		{"basic still works", e.admin, http.StatusOK},
		{"unknown bearer", "Bearer nope", http.StatusUnauthorized},
		{"launch token as basic", "Basic " + base64.StdEncoding.EncodeToString([]byte(auth.LaunchKey("camp")+":"+strings.TrimPrefix(e.tokA, "Bearer "))), http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := e.call(tc.authz, "GET", "/xapi/statements", nil, nil)
			assert.Equal(t, tc.want, st)
		})
	}
	t.Run("expired", func(t *testing.T) {
		e.clock.add(auth.LaunchTokenTTL)
		st, _ := e.call(e.tokA, "POST", "/xapi/statements", nil, stmt(actorA, e.regA))
		assert.Equal(t, http.StatusUnauthorized, st)
		st, _ = e.call(e.admin, "GET", "/xapi/statements", nil, nil)
		assert.Equal(t, http.StatusOK, st)
	})
}
