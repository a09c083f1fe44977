package oneroster_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster"
	orcsv "github.com/passportbridge/passport/oneroster/csv"
	"github.com/passportbridge/passport/oneroster/memstore"
	"github.com/passportbridge/passport/oneroster/rest"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// listen serves e on a real port and returns its base URL.
func listen(t *testing.T, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln) }()
	t.Cleanup(func() { stop(); <-done })
	return "http://" + ln.Addr().String()
}

func retrying() *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.RetryWaitMin, c.RetryWaitMax, c.RetryMax = time.Millisecond, 5*time.Millisecond, 2
	return c
}

func TestPull(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ version, fixture, base string }{
		{"1.1", "v11", "/ims/oneroster/v1p1"},
		{"1.2", "v12", "/ims/oneroster/rostering/v1p2"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			t.Parallel()
			sis := newEnv(t, sqlitetest.Open(t), false)
			sis.importDir(t, "default", "../../oneroster/csv/testdata/"+tc.fixture)
			cred, err := sis.auth.CreateCredential(context.Background(), "default", "bridge", []string{"roster.readonly", "roster-demographics.readonly"})
			require.NoError(t, err)
			url := listen(t, sis)

			p := &rest.Puller{
				BaseURL: url + tc.base, TokenURL: url + "/oauth/token", ClientID: cred.Key, ClientSecret: cred.Secret,
				Version: tc.version, PageSize: 2, HTTP: retrying(),
			}
			pkg, err := p.Pull(context.Background())
			require.NoError(t, err)
			op, err := orcsv.OpenFS(pkg, orcsv.Options{})
			require.NoError(t, err)
			dst := memstore.New()
			rep, err := orcsv.Import(context.Background(), dst, op, orcsv.ImportOptions{Tenant: "t"})
			require.NoError(t, err)
			assert.Empty(t, rep.Rejects)
			for _, k := range oneroster.Kinds() {
				want, err := sis.st.Records(context.Background(), "default", k)
				require.NoError(t, err)
				got, err := dst.Records(context.Background(), "t", k)
				require.NoError(t, err)
				require.Len(t, got, len(want), k)
				for i := range want {
					we, err := oneroster.Decode(want[i])
					require.NoError(t, err)
					ge, err := oneroster.Decode(got[i])
					require.NoError(t, err)
					wb, gb := oneroster.BaseOf(we), oneroster.BaseOf(ge)
					assert.Equal(t, wb.SourcedID, gb.SourcedID)
					if k == oneroster.KindUser {
						wu, gu := we.(*oneroster.User), ge.(*oneroster.User)
						assert.Equal(t, wu.Role, gu.Role)
						assert.Equal(t, wu.Orgs, gu.Orgs)
						assert.Equal(t, wu.UserIDs, gu.UserIDs)
						assert.Equal(t, wu.Agents, gu.Agents)
					}
				}
			}

			assert.Equal(t, t0, p.Latest, "the SIS's latest dateLastModified")
			// A delta pull sees nothing new.
			p.Since = t0.Add(time.Hour)
			pkg, err = p.Pull(context.Background())
			require.NoError(t, err)
			_, err = pkg.Open("users.csv")
			require.Error(t, err, "no changed users")
		})
	}
}

func TestPullFailsClosed(t *testing.T) {
	t.Parallel()
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			_, _ = io.WriteString(w, `{"access_token":"x","token_type":"bearer","expires_in":3600}`)
			return
		}
		calls++
		if r.URL.Path == "/orgs" && r.URL.Query().Get("offset") == "0" {
			_, _ = io.WriteString(w, `{"orgs":[{"sourcedId":"a","name":"A","type":"school"}]}`)
			return
		}
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer srv.Close()
	p := &rest.Puller{BaseURL: srv.URL, TokenURL: srv.URL + "/token", ClientID: "id", ClientSecret: "s", Version: "1.1", PageSize: 1, HTTP: retrying()}
	_, err := p.Pull(context.Background())
	var pe *rest.PullError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "orgs", pe.Collection)
	assert.Greater(t, calls, 2, "5xx are retried")

	// The password grant (Pacific EMIS style).
	var form url.Values
	srv3 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			form = r.PostForm
			_, _ = io.WriteString(w, `{"access_token":"pw-token"}`)
			return
		}
		_, _ = io.WriteString(w, `{"orgs":[],"academicSessions":[],"courses":[],"classes":[],"users":[],"enrollments":[],"demographics":[]}`)
	}))
	defer srv3.Close()
	p = &rest.Puller{BaseURL: srv3.URL, TokenURL: srv3.URL + "/token", Username: "u", Password: "pw", Version: "1.1", HTTP: retrying()}
	_, err = p.Pull(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "password", form.Get("grant_type"))
	assert.Equal(t, "u", form.Get("username"))

	// A static token skips the token endpoint.
	var auth string
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		_, _ = io.WriteString(w, `{"orgs":[],"academicSessions":[],"courses":[],"classes":[],"users":[],"enrollments":[],"demographics":[]}`)
	}))
	defer srv2.Close()
	p = &rest.Puller{BaseURL: srv2.URL, StaticToken: "api-key", Version: "1.1", HTTP: retrying()}
	_, err = p.Pull(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "Bearer api-key", auth)
}
