package xapi

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docResource is one document resource with its identifying parameters.
type docResource struct {
	name    string
	path    string
	idParam string
	params  func() url.Values
}

func docResources() []docResource {
	return []docResource{
		{"State", "/xapi/activities/state", "stateId", func() url.Values {
			return url.Values{"activityId": {"http://example.com/act/" + uuid.NewString()}, "agent": {`{"mbox":"` + uniq("state") + `"}`}}
		}},
		{"ActivityProfile", "/xapi/activities/profile", "profileId", func() url.Values {
			return url.Values{"activityId": {"http://example.com/act/" + uuid.NewString()}}
		}},
		{"AgentProfile", "/xapi/agents/profile", "profileId", func() url.Values {
			return url.Values{"agent": {`{"mbox":"` + uniq("profile") + `"}`}}
		}},
	}
}

func with(q url.Values, k, v string) url.Values {
	out := url.Values{}
	for kk, vv := range q {
		out[kk] = vv
	}
	out.Set(k, v)
	return out
}

func testDocuments(t *testing.T, c client) {
	for _, r := range docResources() {
		t.Run(r.name, func(t *testing.T) {
			c := c.with(t)
			base := r.params()
			q := with(base, r.idParam, "doc-1")
			t.Run("Comm 2.2 PUT then GET returns the document with an ETag", func(t *testing.T) {
				res, body := c.with(t).do(http.MethodPut, r.path, q, []byte(`{"a":1}`), header("If-None-Match", "*"))
				require.Equal(t, http.StatusNoContent, res.StatusCode, "%s", body)
				res, body = c.with(t).do(http.MethodGet, r.path, q, nil)
				require.Equal(t, http.StatusOK, res.StatusCode)
				assert.JSONEq(t, `{"a":1}`, string(body))
				assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
				etag := res.Header.Get("ETag")
				assert.Len(t, etag, 42)
				assert.Equal(t, byte('"'), etag[0])
				assert.NotEmpty(t, res.Header.Get("Last-Modified"))
			})
			t.Run("Comm 2.2 POST merges JSON objects", func(t *testing.T) {
				res, _ := c.with(t).do(http.MethodPost, r.path, q, []byte(`{"b":2}`))
				require.Equal(t, http.StatusNoContent, res.StatusCode)
				_, body := c.with(t).do(http.MethodGet, r.path, q, nil)
				assert.JSONEq(t, `{"a":1,"b":2}`, string(body))
			})
			t.Run("Comm 2.2 POST of a non-JSON document onto JSON is a 400", func(t *testing.T) {
				res, _ := c.with(t).do(http.MethodPost, r.path, q, []byte(`plain`), header("Content-Type", "text/plain"))
				assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			})
			t.Run("Comm 2.2 GET without id lists ids, since filters them", func(t *testing.T) {
				time.Sleep(2 * time.Millisecond)
				mark := time.Now().UTC()
				time.Sleep(2 * time.Millisecond)
				q2 := with(base, r.idParam, "doc-2")
				res, _ := c.with(t).do(http.MethodPut, r.path, q2, []byte(`x`), header("Content-Type", "text/plain"), header("If-None-Match", "*"))
				require.Equal(t, http.StatusNoContent, res.StatusCode)
				res, body := c.with(t).do(http.MethodGet, r.path, base, nil)
				require.Equal(t, http.StatusOK, res.StatusCode)
				assert.ElementsMatch(t, []string{"doc-1", "doc-2"}, decode[[]string](t, body))
				res, body = c.with(t).do(http.MethodGet, r.path, with(base, "since", mark.Format(time.RFC3339Nano)), nil)
				require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
				assert.Equal(t, []string{"doc-2"}, decode[[]string](t, body))
				_, body = c.with(t).do(http.MethodGet, r.path, q2, nil)
				assert.Equal(t, "x", string(body))
			})
			t.Run("Comm 2.2 DELETE removes the document", func(t *testing.T) {
				res, _ := c.with(t).do(http.MethodDelete, r.path, q, nil)
				require.Equal(t, http.StatusNoContent, res.StatusCode)
				res, _ = c.with(t).do(http.MethodGet, r.path, q, nil)
				assert.Equal(t, http.StatusNotFound, res.StatusCode)
			})
			t.Run("Comm 2.2 missing required parameter is a 400", func(t *testing.T) {
				res, _ := c.with(t).do(http.MethodPut, r.path, url.Values{r.idParam: {"x"}}, []byte(`{}`))
				assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			})
			t.Run("Comm 2.2 unknown parameter is a 400", func(t *testing.T) {
				res, _ := c.with(t).do(http.MethodGet, r.path, with(q, "color", "red"), nil)
				assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			})
			t.Run("product another tenant does not see the document", func(t *testing.T) {
				res, _ := c.with(t).as(c.tg.OtherTenant).do(http.MethodGet, r.path, with(base, r.idParam, "doc-2"), nil)
				assert.Equal(t, http.StatusNotFound, res.StatusCode)
			})
		})
	}
	t.Run("Comm 2.3 State registration scopes documents", func(t *testing.T) {
		base := docResources()[0].params()
		reg := with(base, "registration", uuid.NewString())
		res, _ := c.with(t).do(http.MethodPut, "/xapi/activities/state", with(reg, "stateId", "s"), []byte(`{"r":1}`))
		require.Equal(t, http.StatusNoContent, res.StatusCode)
		res, _ = c.with(t).do(http.MethodGet, "/xapi/activities/state", with(base, "stateId", "s"), nil)
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
		res, _ = c.with(t).do(http.MethodDelete, "/xapi/activities/state", reg, nil)
		require.Equal(t, http.StatusNoContent, res.StatusCode)
		res, _ = c.with(t).do(http.MethodGet, "/xapi/activities/state", with(reg, "stateId", "s"), nil)
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
	})
	t.Run("Comm 2.5 Activities resource returns the canonical definition", func(t *testing.T) {
		res, body := c.with(t).do(http.MethodGet, "/xapi/activities", url.Values{"activityId": {"http://example.com/activities/a1"}}, nil)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		a := decode[map[string]any](t, body)
		assert.Equal(t, "Activity", a["objectType"])
	})
	t.Run("Comm 2.4 Agents resource returns a Person", func(t *testing.T) {
		res, body := c.with(t).do(http.MethodGet, "/xapi/agents", url.Values{"agent": {`{"mbox":"mailto:p@example.com","name":"P"}`}}, nil)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
		p := decode[map[string]any](t, body)
		assert.Equal(t, "Person", p["objectType"])
		assert.Equal(t, []any{"mailto:p@example.com"}, p["mbox"])
	})
}

func testConcurrency(t *testing.T, c client) {
	for _, r := range docResources() {
		t.Run(r.name, func(t *testing.T) {
			q := with(r.params(), r.idParam, "doc")
			res, _ := c.with(t).do(http.MethodPut, r.path, q, []byte(`{"v":1}`))
			require.Equal(t, http.StatusNoContent, res.StatusCode)
			res, _ = c.with(t).do(http.MethodGet, r.path, q, nil)
			etag := res.Header.Get("ETag")
			t.Run("Comm 3.1 PUT with a wrong If-Match is a 412 and changes nothing", func(t *testing.T) {
				res, _ := c.with(t).do(http.MethodPut, r.path, q, []byte(`{"v":2}`), header("If-Match", `"1234"`))
				assert.Equal(t, http.StatusPreconditionFailed, res.StatusCode)
				_, body := c.with(t).do(http.MethodGet, r.path, q, nil)
				assert.JSONEq(t, `{"v":1}`, string(body))
			})
			t.Run("Comm 3.1 POST with a wrong If-Match is a 412", func(t *testing.T) {
				res, _ := c.with(t).do(http.MethodPost, r.path, q, []byte(`{"w":2}`), header("If-Match", `"1234"`))
				assert.Equal(t, http.StatusPreconditionFailed, res.StatusCode)
			})
			t.Run("Comm 3.1 If-None-Match * on an existing document is a 412", func(t *testing.T) {
				res, _ := c.with(t).do(http.MethodPut, r.path, q, []byte(`{"v":2}`), header("If-None-Match", "*"))
				assert.Equal(t, http.StatusPreconditionFailed, res.StatusCode)
			})
			t.Run("Comm 3.1 PUT without precondition on an existing document", func(t *testing.T) {
				res, body := c.with(t).do(http.MethodPut, r.path, q, []byte(`{"v":3}`))
				if c.v2() || r.name != "State" {
					assert.Equal(t, http.StatusConflict, res.StatusCode, "%s", body)
					assert.NotEmpty(t, body, "the 409 explains itself")
				} else {
					assert.Equal(t, http.StatusNoContent, res.StatusCode, "1.0.3 State has no such rule")
				}
			})
			t.Run("Comm 3.1 PUT with the current ETag succeeds", func(t *testing.T) {
				res, _ := c.with(t).do(http.MethodGet, r.path, q, nil)
				etag = res.Header.Get("ETag")
				res, _ = c.with(t).do(http.MethodPut, r.path, q, []byte(`{"v":4}`), header("If-Match", etag))
				assert.Equal(t, http.StatusNoContent, res.StatusCode)
			})
			t.Run("Comm 3.1 DELETE with a stale ETag is a 412, with the current one succeeds", func(t *testing.T) {
				res, _ := c.with(t).do(http.MethodDelete, r.path, q, nil, header("If-Match", etag))
				assert.Equal(t, http.StatusPreconditionFailed, res.StatusCode)
				res, _ = c.with(t).do(http.MethodGet, r.path, q, nil)
				res, _ = c.with(t).do(http.MethodDelete, r.path, q, nil, header("If-Match", res.Header.Get("ETag")))
				assert.Equal(t, http.StatusNoContent, res.StatusCode)
			})
		})
	}
}
