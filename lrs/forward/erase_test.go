package forward_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
)

// do sends a request with HTTP Basic and returns the status and body.
func do(t *testing.T, method, u, key, secret, body string, hdr map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, strings.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.SetBasicAuth(key, secret)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

const (
	victimAgent = `{"objectType":"Agent","mbox":"mailto:Victim@Camp.example"}`
	victimKey   = "mbox:mailto:Victim@camp.example"
)

func TestEraseThroughAdminAPI(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			in := newInstance(t, b.open(t))
			ctx := t.Context()
			xapi := map[string]string{"X-Experience-API-Version": "1.0.3"}
			// Another tenant with the same learner, and its own admin.
			require.NoError(t, in.Auth.EnsureTenant(ctx, "t2"))
			t2, err := in.Auth.CreateCredential(ctx, "t2", "t2 admin", []string{"all", auth.ScopeAdmin})
			require.NoError(t, err)
			reader, err := in.Auth.CreateCredential(ctx, auth.DefaultTenant, "reader", []string{"all"})
			require.NoError(t, err)

			st := func(actor, verb string) string {
				return fmt.Sprintf(`{"actor":%s,"verb":{"id":"http://example.com/v/%s"},"object":{"id":"http://example.com/a"}}`, actor, verb)
			}
			other := `{"mbox":"mailto:other@camp.example"}`
			for _, c := range []struct{ key, secret string }{{in.Key, in.Secret}, {t2.Key, t2.Secret}} {
				body := "[" + st(victimAgent, "did") + "," + st(victimAgent, "tried") + "," + st(other, "did") + "]"
				status, resp := do(t, http.MethodPost, in.URL+"/xapi/statements", c.key, c.secret, body, xapi)
				require.Equal(t, http.StatusOK, status, string(resp))
				status, resp = do(t, http.MethodPut, in.URL+"/xapi/agents/profile?profileId=p&agent="+url.QueryEscape(victimAgent),
					c.key, c.secret, `{"x":1}`, xapi)
				require.Equal(t, http.StatusNoContent, status, string(resp))
			}
			erasures := in.URL + "/admin/lrs/erasures"

			tests := []struct {
				name   string
				key    string
				secret string
				body   string
				want   int
			}{
				{"no credential", "", "", `{"agent":` + victimAgent + `}`, http.StatusUnauthorized},
				{"wrong secret", in.Key, "nope", `{"agent":` + victimAgent + `}`, http.StatusUnauthorized},
				{"no admin scope", reader.Key, reader.Secret, `{"agent":` + victimAgent + `}`, http.StatusForbidden},
				{"not JSON", in.Key, in.Secret, `agent=x`, http.StatusBadRequest},
				{"unknown field", in.Key, in.Secret, `{"agent":` + victimAgent + `,"tenant":"t2"}`, http.StatusBadRequest},
				{"no agent", in.Key, in.Secret, `{}`, http.StatusBadRequest},
				{"agent without IFI", in.Key, in.Secret, `{"agent":{"name":"Victim"}}`, http.StatusBadRequest},
				{"agent with two IFIs", in.Key, in.Secret, `{"agent":{"mbox":"mailto:a@b.example","openid":"http://a.example"}}`, http.StatusBadRequest},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					status, body := do(t, http.MethodPost, erasures, tc.key, tc.secret, tc.body, nil)
					assert.Equal(t, tc.want, status, string(body))
				})
			}
			victimQuery := in.URL + "/xapi/statements?agent=" + url.QueryEscape(victimAgent)
			count := func(key, secret string) int {
				status, body := do(t, http.MethodGet, victimQuery, key, secret, "", xapi)
				require.Equal(t, http.StatusOK, status, string(body))
				var res struct{ Statements []json.RawMessage }
				require.NoError(t, json.Unmarshal(body, &res))
				return len(res.Statements)
			}
			require.Equal(t, 2, count(in.Key, in.Secret), "nothing erased by refused requests")

			status, body := do(t, http.MethodPost, erasures, in.Key, in.Secret, `{"agent":`+victimAgent+`,"dry_run":true}`, nil)
			require.Equal(t, http.StatusOK, status, string(body))
			var dry map[string]any
			require.NoError(t, json.Unmarshal(body, &dry))
			assert.Equal(t, map[string]any{"statements": 2.0, "documents": 1.0, "attachments": 0.0}, pick(dry, "statements", "documents", "attachments"))
			assert.Equal(t, true, dry["dry_run"])
			require.Equal(t, 2, count(in.Key, in.Secret), "a dry run changes nothing")

			status, body = do(t, http.MethodPost, erasures, in.Key, in.Secret, `{"agent":`+victimAgent+`}`, nil)
			require.Equal(t, http.StatusOK, status, string(body))
			assert.Equal(t, 0, count(in.Key, in.Secret))
			assert.Equal(t, 2, count(t2.Key, t2.Secret), "another tenant's copy of the learner is untouched")
			status, _ = do(t, http.MethodGet, in.URL+"/xapi/agents/profile?profileId=p&agent="+url.QueryEscape(victimAgent), in.Key, in.Secret, "", xapi)
			assert.Equal(t, http.StatusNotFound, status, "the agent profile is gone")
			status, _ = do(t, http.MethodGet, in.URL+"/xapi/agents/profile?profileId=p&agent="+url.QueryEscape(victimAgent), t2.Key, t2.Secret, "", xapi)
			assert.Equal(t, http.StatusOK, status)
			status, body = do(t, http.MethodGet, in.URL+"/xapi/statements?agent="+url.QueryEscape(other), in.Key, in.Secret, "", xapi)
			require.Equal(t, http.StatusOK, status)
			assert.Contains(t, string(body), "other@camp.example", "other learners' statements stay")

			status, body = do(t, http.MethodGet, erasures, in.Key, in.Secret, "", nil)
			require.Equal(t, http.StatusOK, status, string(body))
			assert.NotContains(t, strings.ToLower(string(body)), "victim", "the audit record holds no personal data")
			var recs []struct {
				ID          string `json:"id"`
				RequestedBy string `json:"requested_by"`
				SubjectHash string `json:"subject_hash"`
				Salt        string `json:"salt"`
				Statements  int    `json:"statements"`
				Documents   int    `json:"documents"`
			}
			require.NoError(t, json.Unmarshal(body, &recs))
			require.Len(t, recs, 1)
			assert.Equal(t, in.Key, recs[0].RequestedBy)
			assert.Equal(t, 2, recs[0].Statements)
			assert.Equal(t, 1, recs[0].Documents)
			assert.Equal(t, forward.SubjectHash(recs[0].Salt, victimKey), recs[0].SubjectHash, "whoever knows the IFI can match the record")

			status, body = do(t, http.MethodGet, erasures, t2.Key, t2.Secret, "", nil)
			require.Equal(t, http.StatusOK, status)
			assert.JSONEq(t, `[]`, string(body), "audit records are per tenant")
		})
	}
}

func pick(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

func TestEraseValidatesAndAudits(t *testing.T) {
	t.Parallel()
	s := backends[0].open(t)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	_, err := forward.Erase(t.Context(), s, forward.ErasureRequest{Tenant: "t1", Agent: []byte(`{"name":"x"}`)}, now)
	var ve *lrs.ValidationError
	require.ErrorAs(t, err, &ve)
	rec, err := forward.Erase(t.Context(), s, forward.ErasureRequest{Tenant: "t1", Agent: []byte(victimAgent), RequestedBy: "cli"}, now)
	require.NoError(t, err)
	assert.NotZero(t, rec.ID)
	recs, err := s.ErasureRecords(t.Context(), "t1")
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, "cli", recs[0].RequestedBy)
	assert.True(t, now.Equal(recs[0].At))
	assert.Len(t, recs[0].Salt, 32)
	assert.NotEqual(t, forward.SubjectHash("other salt", victimKey), recs[0].SubjectHash, "the salt matters")
}
