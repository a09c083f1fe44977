package oneroster_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/oneroster"
	orcsv "github.com/passportbridge/passport/oneroster/csv"
	"github.com/passportbridge/passport/oneroster/rest"
	"github.com/passportbridge/passport/store/backend"
	"github.com/passportbridge/passport/store/mongo/mongotest"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

var t0 = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

type env struct {
	srv  *server.Server
	st   backend.Store
	auth *auth.Authenticator
}

func newEnv(t *testing.T, st backend.Store, compat bool) *env {
	t.Helper()
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, nil)
	require.NoError(t, err)
	logger := slog.New(slog.DiscardHandler)
	a := auth.NewAuthenticator(st, time.Now)
	srv := server.New(server.Options{Config: cfg, Logger: logger, Mounts: []server.Mounter{
		&httpauth.TokenHandler{Auth: a, Now: time.Now},
		&rest.Handler{Store: st, Writer: st, Auth: a, Logger: logger, StatusInfoCompat: compat, LegacyUserFields: compat},
	}})
	return &env{srv: srv, st: st, auth: a}
}

// token gets a bearer token black-box, through /oauth/token.
func (e *env) token(t *testing.T, tenant string, scopes ...string) string {
	t.Helper()
	short, err := auth.ParseScopes(strings.Join(scopes, " "))
	require.NoError(t, err)
	cred, err := e.auth.CreateCredential(context.Background(), tenant, "lms", short)
	require.NoError(t, err)
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {strings.Join(scopes, " ")}}
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(cred.Key, cred.Secret)
	resp, err := e.srv.App.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tr))
	return tr.AccessToken
}

func (e *env) importDir(t *testing.T, tenant, dir string) {
	t.Helper()
	p, err := orcsv.Open(dir, orcsv.Options{})
	require.NoError(t, err)
	defer p.Close()
	_, err = orcsv.Import(context.Background(), e.st, p, orcsv.ImportOptions{Tenant: tenant, Now: func() time.Time { return t0 }})
	require.NoError(t, err)
}

type response struct {
	status int
	header http.Header
	body   map[string]any
}

func (e *env) get(t *testing.T, token, path string) response {
	t.Helper()
	return e.do(t, http.MethodGet, token, path, "")
}

func (e *env) do(t *testing.T, method, token, path, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.App.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out), string(raw))
	}
	return response{status: resp.StatusCode, header: resp.Header, body: out}
}

func ids(t *testing.T, r response, key string) []string {
	t.Helper()
	list, ok := r.body[key].([]any)
	require.True(t, ok, "body has list %q: %v", key, r.body)
	out := []string{}
	for _, o := range list {
		out = append(out, o.(map[string]any)["sourcedId"].(string))
	}
	return out
}

func codeMinor(t *testing.T, r response) string {
	t.Helper()
	info := r.body
	if set, ok := r.body["statusInfoSet"].([]any); ok {
		info = set[0].(map[string]any)
	}
	assert.Equal(t, "failure", info["imsx_codeMajor"])
	f := info["imsx_CodeMinor"].(map[string]any)["imsx_codeMinorField"].([]any)[0].(map[string]any)
	return f["imsx_codeMinorFieldValue"].(string)
}

const (
	b11 = "/ims/oneroster/v1p1"
	b12 = "/ims/oneroster/rostering/v1p2"
)

var backends = map[string]func(t *testing.T) backend.Store{
	"sqlite": func(t *testing.T) backend.Store { return sqlitetest.Open(t) },
	"mongo":  func(t *testing.T) backend.Store { return mongotest.Open(t) },
}

func TestProvider(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, open(t), false)
			e.importDir(t, "default", "../../oneroster/csv/testdata/v11")
			e.importDir(t, "other", "../../oneroster/csv/testdata/v12")
			tok := e.token(t, "default", "roster.readonly", "roster-demographics.readonly")
			runProvider(t, e, tok)
		})
	}
}

func runProvider(t *testing.T, e *env, tok string) {
	cases := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"R2 collection keys", func(t *testing.T) {
			for path, key := range map[string]string{
				"/users": "users", "/orgs": "orgs", "/schools": "orgs", "/students": "users", "/teachers": "users",
				"/terms": "academicSessions", "/gradingPeriods": "academicSessions", "/academicSessions": "academicSessions", "/classes": "classes",
				"/courses": "courses", "/enrollments": "enrollments", "/demographics": "demographics",
			} {
				for _, b := range []string{b11, b12} {
					r := e.get(t, tok, b+path)
					require.Equal(t, http.StatusOK, r.status, b+path)
					_, ok := r.body[key].([]any)
					assert.True(t, ok, "%s%s has %s", b, path, key)
					assert.NotEmpty(t, r.header.Get("X-Total-Count"), "R5 on %s", path)
					assert.Contains(t, r.header.Get("Content-Type"), "application/json", "R4")
				}
			}
		}},
		{"R3 single keys", func(t *testing.T) {
			for path, key := range map[string]string{
				"/users/u-1": "user", "/orgs/sch-1": "org", "/schools/sch-1": "org", "/classes/cls-1": "class",
				"/terms/term-1": "academicSession", "/academicSessions/sy-2025": "academicSession", "/enrollments/e-1": "enrollment", "/courses/crs-math": "course",
				"/students/u-1": "user", "/teachers/u-2": "user", "/demographics/u-1": "demographics",
			} {
				r := e.get(t, tok, b11+path)
				require.Equal(t, http.StatusOK, r.status, path)
				obj, ok := r.body[key].(map[string]any)
				require.True(t, ok, "%s wraps in %s: %v", path, key, r.body)
				assert.Equal(t, path[strings.LastIndex(path, "/")+1:], obj["sourcedId"])
			}
		}},
		{"R21 R22 unknown ids", func(t *testing.T) {
			r := e.get(t, tok, b11+"/users/nobody")
			assert.Equal(t, http.StatusNotFound, r.status)
			assert.Equal(t, "unknownobject", codeMinor(t, r))
			_, ok := r.body["statusInfoSet"]
			assert.True(t, ok, "R37 1.1 errors are a statusInfoSet")
			r = e.get(t, tok, b12+"/users/nobody")
			assert.Equal(t, http.StatusNotFound, r.status)
			assert.Equal(t, "unknownobject", codeMinor(t, r))
			assert.Equal(t, http.StatusNotFound, e.get(t, tok, b11+"/schools/dist-1").status, "R22 a district is not a school")
			assert.Equal(t, http.StatusNotFound, e.get(t, tok, b11+"/students/u-2").status, "a teacher is not a student")
			for _, p := range []string{"/schools/nope/classes", "/schools/nope/enrollments", "/schools/dist-1/classes"} {
				r = e.get(t, tok, b11+p)
				require.Equal(t, http.StatusOK, r.status, p)
				assert.Empty(t, r.body[strings.TrimPrefix(p[strings.LastIndex(p, "/"):], "/")])
				assert.Equal(t, "0", r.header.Get("X-Total-Count"))
			}
			r = e.get(t, tok, b11+"/nothing")
			assert.Equal(t, http.StatusNotFound, r.status, "R1 unknown path")
		}},
		{"R5 R6 R8 R9 R10 paging", func(t *testing.T) {
			r := e.get(t, tok, b11+"/users?limit=3")
			assert.Equal(t, "4", r.header.Get("X-Total-Count"))
			assert.Len(t, ids(t, r, "users"), 3, "R10 a full page")
			link := r.header.Get("Link")
			assert.Contains(t, link, `rel="next"`)
			assert.Contains(t, link, `rel="first"`)
			assert.Contains(t, link, `rel="last"`)
			assert.NotContains(t, link, `rel="prev"`)
			r = e.get(t, tok, b11+"/users?limit=3&offset=3")
			assert.Len(t, ids(t, r, "users"), 1)
			assert.NotContains(t, r.header.Get("Link"), `rel="next"`)
			assert.Contains(t, r.header.Get("Link"), `rel="prev"`)
			r = e.get(t, tok, b11+"/users?offset=50")
			assert.Equal(t, http.StatusOK, r.status)
			assert.Empty(t, ids(t, r, "users"))
			assert.Equal(t, "4", r.header.Get("X-Total-Count"))
			seen := map[string]bool{}
			for off := 0; off < 4; off++ {
				page := ids(t, e.get(t, tok, b11+"/users?sort=familyName&limit=1&offset="+string(rune('0'+off))), "users")
				require.Len(t, page, 1)
				assert.False(t, seen[page[0]], "R9 no duplicates")
				seen[page[0]] = true
			}
			assert.Len(t, seen, 4)
		}},
		{"R11 sort", func(t *testing.T) {
			r := e.get(t, tok, b11+"/users?sort=givenName&orderBy=desc")
			assert.Equal(t, []string{"u-4", "u-2", "u-3", "u-1"}, ids(t, r, "users"))
			r = e.get(t, tok, b11+"/users?sort=shoeSize")
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, "invalid_sort_field", codeMinor(t, r))
		}},
		{"R12 fields", func(t *testing.T) {
			r := e.get(t, tok, b11+"/users?fields=givenName,email&limit=1")
			u := r.body["users"].([]any)[0].(map[string]any)
			assert.Equal(t, map[string]any{"sourcedId": "u-1", "givenName": "Amina"}, u)
			r = e.get(t, tok, b11+"/users/u-2?fields=email")
			assert.Equal(t, map[string]any{"sourcedId": "u-2", "email": "j.okello@example.org"}, r.body["user"])
			r = e.get(t, tok, b11+"/users?fields=shoeSize")
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, "invalid_selection_field", codeMinor(t, r))
		}},
		{"R13-R20 filters", func(t *testing.T) {
			q := func(f string) string { return "filter=" + url.QueryEscape(f) }
			cases := map[string][]string{
				b11 + "/users?" + q("role='student'"):                                    {"u-1", "u-4"},
				b11 + "/users?" + q("role!='student'"):                                   {"u-2", "u-3"},
				b11 + "/users?" + q("familyName~'ass'"):                                  {"u-1", "u-3"},
				b11 + "/users?" + q("givenName>='John'"):                                 {"u-2", "u-4"},
				b11 + "/users?" + q("role='teacher' OR role='guardian'"):                 {"u-2", "u-3"},
				b11 + "/users?" + q("role='student' AND familyName='Ali'"):               {"u-4"},
				b11 + "/users?" + q("email='j.okello@example.org'"):                      {"u-2"},
				b11 + "/users?" + q("orgs.sourcedId='sch-2'"):                            {"u-2", "u-4"},
				b11 + "/users?" + q("dateLastModified>'2026-01-14'"):                     {"u-1", "u-2", "u-3", "u-4"},
				b11 + "/users?" + q("dateLastModified>'2026-01-15T10:00:00.000Z'"):       {},
				b11 + "/users?" + q("status='norecords'"):                                {},
				b11 + "/users?" + q("status='active'"):                                   {"u-1", "u-2", "u-3", "u-4"},
				b11 + "/orgs?" + q("name='مدرسة الأمل'"):                                 {"sch-2"},
				b11 + "/enrollments?" + q("school.sourcedId='sch-2' AND role='student'"): {"e-3"},
				b11 + "/classes?" + q("school.sourcedId='sch-1'"):                        {"cls-1"},
				b11 + "/academicSessions?" + q("startDate<'2025-01-01'"):                 {"sy-2025", "term-1"},
			}
			for path, want := range cases {
				r := e.get(t, tok, path)
				require.Equal(t, http.StatusOK, r.status, path)
				assert.ElementsMatch(t, want, ids(t, r, strings.Split(strings.TrimPrefix(path, b11+"/"), "?")[0]), path)
			}
			r := e.get(t, tok, b11+"/users?"+q("shoeSize='42'"))
			assert.Equal(t, http.StatusBadRequest, r.status, "R16")
			assert.Equal(t, "invalid_filter_field", codeMinor(t, r))
			r = e.get(t, tok, b11+"/users?"+q("role=student"))
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, "invalid_filter_field", codeMinor(t, r))
		}},
		{"R23 R24 R25 derived collections", func(t *testing.T) {
			assert.ElementsMatch(t, []string{"term-1", "term-2"}, ids(t, e.get(t, tok, b11+"/terms"), "academicSessions"))
			assert.ElementsMatch(t, []string{"u-1", "u-4"}, ids(t, e.get(t, tok, b11+"/students"), "users"))
			assert.ElementsMatch(t, []string{"u-2"}, ids(t, e.get(t, tok, b11+"/teachers"), "users"))
			assert.ElementsMatch(t, []string{"u-1"}, ids(t, e.get(t, tok, b11+"/classes/cls-1/students"), "users"))
			assert.ElementsMatch(t, []string{"u-2"}, ids(t, e.get(t, tok, b11+"/classes/cls-1/teachers"), "users"))
			assert.ElementsMatch(t, []string{"cls-1", "cls-2"}, ids(t, e.get(t, tok, b11+"/teachers/u-2/classes"), "classes"))
			assert.ElementsMatch(t, []string{"cls-1"}, ids(t, e.get(t, tok, b11+"/students/u-1/classes"), "classes"))
			assert.ElementsMatch(t, []string{"cls-1"}, ids(t, e.get(t, tok, b11+"/users/u-1/classes"), "classes"))
			assert.ElementsMatch(t, []string{"cls-1"}, ids(t, e.get(t, tok, b11+"/courses/crs-math/classes"), "classes"))
			assert.ElementsMatch(t, []string{"cls-1", "cls-2"}, ids(t, e.get(t, tok, b11+"/terms/term-1/classes"), "classes"))
			assert.Empty(t, ids(t, e.get(t, tok, b11+"/terms/term-1/gradingPeriods"), "academicSessions"))
			assert.ElementsMatch(t, []string{"cls-1"}, ids(t, e.get(t, tok, b11+"/schools/sch-1/classes"), "classes"))
			assert.ElementsMatch(t, []string{"crs-math"}, ids(t, e.get(t, tok, b11+"/schools/sch-1/courses"), "courses"))
			assert.ElementsMatch(t, []string{"e-1", "e-2"}, ids(t, e.get(t, tok, b11+"/schools/sch-1/enrollments"), "enrollments"))
			assert.ElementsMatch(t, []string{"u-1"}, ids(t, e.get(t, tok, b11+"/schools/sch-1/students"), "users"))
			assert.ElementsMatch(t, []string{"u-2"}, ids(t, e.get(t, tok, b11+"/schools/sch-2/teachers"), "users"))
			assert.ElementsMatch(t, []string{"term-1", "term-2"}, ids(t, e.get(t, tok, b11+"/schools/sch-1/terms"), "academicSessions"))
			assert.ElementsMatch(t, []string{"e-3", "e-4"}, ids(t, e.get(t, tok, b11+"/schools/sch-2/classes/cls-2/enrollments"), "enrollments"))
			assert.ElementsMatch(t, []string{"u-4"}, ids(t, e.get(t, tok, b11+"/schools/sch-2/classes/cls-2/students"), "users"))
			assert.ElementsMatch(t, []string{"u-2"}, ids(t, e.get(t, tok, b12+"/schools/sch-2/classes/cls-2/teachers"), "users"))
		}},
		{"R26 R28 R29 R30 R31 1.1 shapes", func(t *testing.T) {
			u := e.get(t, tok, b11+"/users/u-1").body["user"].(map[string]any)
			assert.Equal(t, "student", u["role"])
			assert.Equal(t, true, u["enabledUser"])
			assert.Equal(t, "AH001", u["identifier"])
			assert.Equal(t, []any{map[string]any{"href": b11 + "/orgs/sch-1", "sourcedId": "sch-1", "type": "org"}}, u["orgs"])
			assert.Equal(t, []any{map[string]any{"href": b11 + "/users/u-3", "sourcedId": "u-3", "type": "user"}}, u["agents"])
			assert.Equal(t, "2026-01-15T10:00:00.000Z", u["dateLastModified"], "R31 milliseconds and Z")
			assert.Equal(t, map[string]any{"camp": "Block A"}, u["metadata"])
			assert.NotContains(t, u, "password")
			c := e.get(t, tok, b11+"/classes/cls-1").body["class"].(map[string]any)
			assert.Equal(t, "sch-1", c["school"].(map[string]any)["sourcedId"])
			assert.Equal(t, "term-1", c["terms"].([]any)[0].(map[string]any)["sourcedId"])
			assert.Equal(t, "crs-math", c["course"].(map[string]any)["sourcedId"])
			en := e.get(t, tok, b11+"/enrollments/e-1").body["enrollment"].(map[string]any)
			assert.Equal(t, "2024-09-01", en["beginDate"], "R29 date-only")
			assert.Equal(t, false, en["primary"])
			assert.Equal(t, "u-1", en["user"].(map[string]any)["sourcedId"])
			s := e.get(t, tok, b11+"/academicSessions/term-1").body["academicSession"].(map[string]any)
			assert.Equal(t, "2024-09-01", s["startDate"])
			assert.Equal(t, "2025", s["schoolYear"])
			assert.Equal(t, "sy-2025", s["parent"].(map[string]any)["sourcedId"])
			o := e.get(t, tok, b11+"/orgs/dist-1").body["org"].(map[string]any)
			assert.Len(t, o["children"], 2)
		}},
		{"R27 D12 1.2 user shape agrees with 1.1", func(t *testing.T) {
			u := e.get(t, tok, b12+"/users/u-1").body["user"].(map[string]any)
			assert.NotContains(t, u, "role")
			assert.NotContains(t, u, "orgs")
			assert.Equal(t, []any{map[string]any{"roleType": "primary", "role": "student", "org": map[string]any{"href": b12 + "/orgs/sch-1", "sourcedId": "sch-1", "type": "org"}}}, u["roles"])
			assert.Equal(t, "sch-1", u["primaryOrg"].(map[string]any)["sourcedId"])
			assert.Equal(t, ids(t, e.get(t, tok, b11+"/users"), "users"), ids(t, e.get(t, tok, b12+"/users"), "users"))
			assert.Equal(t, ids(t, e.get(t, tok, b11+"/students"), "users"), ids(t, e.get(t, tok, b12+"/students"), "users"))
		}},
		{"R38 A5 auth and scopes", func(t *testing.T) {
			r := e.get(t, "", b11+"/users")
			assert.Equal(t, http.StatusUnauthorized, r.status)
			assert.Equal(t, "unauthorisedrequest", codeMinor(t, r))
			assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
			r = e.get(t, "not-a-token", b12+"/users")
			assert.Equal(t, http.StatusUnauthorized, r.status)
			core := e.token(t, "default", "https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly")
			assert.Equal(t, http.StatusOK, e.get(t, core, b11+"/users").status)
			r = e.get(t, core, b11+"/classes/cls-1/students")
			assert.Equal(t, http.StatusForbidden, r.status, "roster-core does not open sub-collections")
			assert.Equal(t, "forbidden", codeMinor(t, r))
			assert.Equal(t, http.StatusForbidden, e.get(t, core, b11+"/demographics").status)
			noDemo := e.token(t, "default", "roster.readonly")
			assert.Equal(t, http.StatusForbidden, e.get(t, noDemo, b12+"/demographics/u-1").status, "demographics need their own scope")
			demoOnly := e.token(t, "default", "roster-demographics.readonly")
			assert.Equal(t, http.StatusForbidden, e.get(t, demoOnly, b12+"/users").status)
			assert.Equal(t, http.StatusOK, e.get(t, demoOnly, b12+"/demographics").status)
		}},
		{"tenant isolation", func(t *testing.T) {
			other := e.token(t, "fresh-tenant", "roster.readonly")
			r := e.get(t, other, b11+"/users")
			assert.Empty(t, ids(t, r, "users"))
			assert.Equal(t, http.StatusNotFound, e.get(t, other, b11+"/users/u-1").status)
			v12tok := e.token(t, "other", "roster.readonly")
			u := e.get(t, v12tok, b12+"/users/u-2").body["user"].(map[string]any)
			assert.Len(t, u["roles"], 2, "tenant other holds the 1.2 fixture")
			assert.Len(t, u["userProfiles"], 1)
			assert.Equal(t, "ext:camp-school", e.get(t, v12tok, b12+"/orgs/sch-2").body["org"].(map[string]any)["type"])
			assert.Equal(t, "school", e.get(t, v12tok, b11+"/orgs/sch-2").body["org"].(map[string]any)["type"], "Moodle's 1.1 client throws on ext: org types")
			assert.Equal(t, "counselor", e.get(t, v12tok, b12+"/users/u-2").body["user"].(map[string]any)["roles"].([]any)[1].(map[string]any)["role"])
			assert.Equal(t, "teacher", e.get(t, v12tok, b11+"/users/u-2").body["user"].(map[string]any)["role"])
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t) })
	}
}

func TestDeletionsVisibleToPollers(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, open(t), true)
			e.importDir(t, "default", "../../oneroster/csv/testdata/v11")
			tok := e.token(t, "default", "roster.readonly")
			manifest := "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
			for _, f := range []string{"academicSessions", "categories", "classes", "classResources", "courses", "courseResources", "demographics", "lineItems", "orgs", "resources", "results", "users"} {
				manifest += "file." + f + ",absent\n"
			}
			manifest += "file.enrollments,delta\n"
			p, err := orcsv.OpenFS(fstest.MapFS{
				"manifest.csv": {Data: []byte(manifest)},
				"enrollments.csv": {Data: []byte("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
					"e-1,tobedeleted,2026-01-16T00:00:00.000Z,,,,,,,\n")},
			}, orcsv.Options{})
			require.NoError(t, err)
			_, err = orcsv.Import(context.Background(), e.st, p, orcsv.ImportOptions{Tenant: "default", Now: func() time.Time { return t0.Add(24 * time.Hour) }})
			require.NoError(t, err)

			u := e.get(t, tok, b12+"/users/u-1").body["user"].(map[string]any)
			assert.Equal(t, "student", u["role"], "R27 compatibility switch")
			assert.Len(t, u["orgs"], 1)
			r := e.get(t, tok, b12+"/enrollments")
			assert.ElementsMatch(t, []string{"e-2", "e-3", "e-4"}, ids(t, r, "enrollments"), "a full read omits deleted records")
			assert.Equal(t, "success", r.body["imsx_statusInfo"].(map[string]any)["imsx_codeMajor"], "compat status info")
			r = e.get(t, tok, b12+"/enrollments?filter="+url.QueryEscape("dateLastModified>'2026-01-15T12:00:00Z'"))
			list := r.body["enrollments"].([]any)
			require.Len(t, list, 1, "D7 a delta poller sees the deletion")
			assert.Equal(t, "tobedeleted", list[0].(map[string]any)["status"])
			assert.Equal(t, "2026-01-16T10:00:00.000Z", list[0].(map[string]any)["dateLastModified"], "D6 our change time")
			assert.Empty(t, ids(t, e.get(t, tok, b11+"/classes/cls-1/students"), "users"), "R25 only active enrollments")
			d, err := e.st.Changes(context.Background(), "default", 1)
			require.NoError(t, err)
			assert.Equal(t, []oneroster.Ref{{Kind: oneroster.KindEnrollment, SourcedID: "e-1"}}, d.Deletes)
		})
	}
}
