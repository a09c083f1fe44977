package rest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/oneroster"
	orcsv "github.com/passportbridge/passport/oneroster/csv"
	"github.com/passportbridge/passport/store/sqlite"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// gradebookServer serves testdata/small for tenant t with gradebook writes,
// and returns the store and a token with every gradebook scope and the
// extra scopes.
func gradebookServer(t *testing.T, extra ...string) (*server.Server, *sqlite.Store, string) {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	p, err := orcsv.Open("testdata/small", orcsv.Options{})
	require.NoError(t, err)
	defer p.Close()
	_, err = orcsv.Import(ctx, st, p, orcsv.ImportOptions{Tenant: "t"})
	require.NoError(t, err)
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, nil)
	require.NoError(t, err)
	a := auth.NewAuthenticator(st, time.Now)
	h := &Handler{Store: st, Writer: st, Auth: a, Logger: slog.New(slog.DiscardHandler)}
	srv := server.New(server.Options{Config: cfg, Logger: h.Logger, Mounts: []server.Mounter{h}})
	scopes := append([]string{"gradebook.readonly", "gradebook.createput", "gradebook.delete"}, extra...)
	cred, err := a.CreateCredential(ctx, "t", "google", scopes)
	require.NoError(t, err)
	tok, _, err := a.IssueToken(ctx, cred.Key, cred.Secret, scopes)
	require.NoError(t, err)
	return srv, st, tok
}

type gbResp struct {
	status int
	body   map[string]any
}

func gbDo(t *testing.T, srv *server.Server, tok, method, path, body string) gbResp {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.App.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	out := gbResp{status: resp.StatusCode}
	if resp.StatusCode != http.StatusNoContent {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out.body))
	}
	return out
}

// lineItemJSON is a line item body; fields set to "" are left out, except
// category, which is sent as given when cat is not nil.
func lineItemJSON(id, title, class string, cat *string) string {
	li := map[string]any{"sourcedId": id, "assignDate": "2026-11-01T10:00:00.000Z", "dueDate": "2026-11-02T10:00:00.000Z", "resultValueMin": 0, "resultValueMax": 100}
	if title != "" {
		li["title"] = title
	}
	if class != "" {
		li["class"] = map[string]string{"sourcedId": class}
	}
	if cat != nil {
		li["category"] = map[string]string{"sourcedId": *cat}
	}
	b, _ := json.Marshal(map[string]any{"lineItem": li})
	return string(b)
}

func minorOf(t *testing.T, r gbResp) string {
	t.Helper()
	info := r.body
	if set, ok := r.body["statusInfoSet"].([]any); ok {
		info = set[0].(map[string]any)
	}
	return info["imsx_CodeMinor"].(map[string]any)["imsx_codeMinorField"].([]any)[0].(map[string]any)["imsx_codeMinorFieldValue"].(string)
}

// TestDefaultCategory checks the 1.1 leniency for line items written without
// a category (Google Classroom's 1.1 grade sync): they go into the class's
// default category, created in the same write; every other malformed line
// item, and any 1.2 line item without a category, is still a 400.
func TestDefaultCategory(t *testing.T) {
	t.Parallel()
	const b11, b12 = "/ims/oneroster/v1p1", "/ims/oneroster/gradebook/v1p2"
	empty := ""
	t.Run("refusals create nothing", func(t *testing.T) {
		t.Parallel()
		srv, st, tok := gradebookServer(t)
		cases := []struct {
			name, path, body string
		}{
			{"1.2 without category", b12 + "/lineItems/li-a", lineItemJSON("li-a", "A", "cls-2", nil)},
			{"1.1 with an empty category reference", b11 + "/lineItems/li-b", lineItemJSON("li-b", "B", "cls-2", &empty)},
			{"1.1 without category and without class", b11 + "/lineItems/li-c", lineItemJSON("li-c", "C", "", nil)},
			{"1.1 without category and without title", b11 + "/lineItems/li-d", lineItemJSON("li-d", "", "cls-2", nil)},
			{"1.1 without category for an unknown class", b11 + "/lineItems/li-e", lineItemJSON("li-e", "E", "cls-none", nil)},
			{"1.1 with an unknown category", b11 + "/lineItems/li-f", lineItemJSON("li-f", "F", "cls-2", func() *string { s := "cat-none"; return &s }())},
		}
		for _, tc := range cases {
			r := gbDo(t, srv, tok, http.MethodPut, tc.path, tc.body)
			assert.Equal(t, http.StatusBadRequest, r.status, tc.name)
			assert.Equal(t, "invaliddata", minorOf(t, r), tc.name)
		}
		ids, err := st.ActiveIDs(context.Background(), "t", oneroster.KindCategory)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"cat-hw", "cat-quiz", "cat-free"}, ids, "no default category was created")
		ids, err = st.ActiveIDs(context.Background(), "t", oneroster.KindLineItem)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"li-1", "li-2"}, ids)
	})

	t.Run("a 1.1 line item without category goes into the class's default category", func(t *testing.T) {
		t.Parallel()
		srv, st, tok := gradebookServer(t)
		ctx := context.Background()
		r := gbDo(t, srv, tok, http.MethodPut, b11+"/lineItems/g-1", lineItemJSON("g-1", "New test item", "cls-2", nil))
		require.Equal(t, http.StatusCreated, r.status, r.body)
		cat := r.body["lineItem"].(map[string]any)["category"].(map[string]any)
		assert.Equal(t, "cls-2-default", cat["sourcedId"])
		assert.Equal(t, "category", cat["type"])

		r = gbDo(t, srv, tok, http.MethodGet, b11+"/categories/cls-2-default", "")
		require.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, oneroster.DefaultCategoryTitle, r.body["category"].(map[string]any)["title"])
		assert.Equal(t, "active", r.body["category"].(map[string]any)["status"])
		_, ids := getIDs(t, srv, tok, b11+"/classes/cls-2/categories", "categories")
		assert.Contains(t, ids, "cls-2-default", "the class offers its default category")
		_, ids = getIDs(t, srv, tok, b11+"/classes/cls-1/categories", "categories")
		assert.NotContains(t, ids, "cls-2-default", "another class does not")
		_, ids = getIDs(t, srv, tok, b11+"/categories", "categories")
		assert.Contains(t, ids, "cls-2-default")
		cur, err := st.Cursor(ctx, "t")
		require.NoError(t, err)

		// The notebook's edit, again without category: 200, one default category.
		r = gbDo(t, srv, tok, http.MethodPut, b11+"/lineItems/g-1", lineItemJSON("g-1", "[Amended] title", "cls-2", nil))
		require.Equal(t, http.StatusOK, r.status, r.body)
		r = gbDo(t, srv, tok, http.MethodPut, b11+"/lineItems/g-2", lineItemJSON("g-2", "Second", "cls-2", nil))
		require.Equal(t, http.StatusCreated, r.status, r.body)
		rec, err := st.Record(ctx, "t", oneroster.KindCategory, "cls-2-default")
		require.NoError(t, err)
		assert.LessOrEqual(t, rec.Seq, cur, "the default category was written once")

		// Unused again, the default category is still not offered to other classes.
		require.Equal(t, http.StatusNoContent, gbDo(t, srv, tok, http.MethodDelete, b11+"/lineItems/g-1", "").status)
		require.Equal(t, http.StatusNoContent, gbDo(t, srv, tok, http.MethodDelete, b11+"/lineItems/g-2", "").status)
		_, ids = getIDs(t, srv, tok, b11+"/classes/cls-1/categories", "categories")
		assert.NotContains(t, ids, "cls-2-default", "another class's default category, even unused")
		_, ids = getIDs(t, srv, tok, b11+"/classes/cls-2/categories", "categories")
		assert.Contains(t, ids, "cls-2-default")

		// Deleting the class in a delta import deletes its default category.
		importDelta(t, st, "classes", "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n"+
			"cls-2,tobedeleted,2026-11-03T00:00:00.000Z,Class 2,,crs-1,,scheduled,,sch-1,term-1,,,\n")
		rec, err = st.Record(ctx, "t", oneroster.KindCategory, "cls-2-default")
		require.NoError(t, err)
		assert.Equal(t, oneroster.StatusToBeDeleted, rec.Status, "tombstoned with its class")
		rec, err = st.Record(ctx, "t", oneroster.KindCategory, "cat-free")
		require.NoError(t, err)
		assert.Equal(t, oneroster.StatusActive, rec.Status, "other categories stay")
		r = gbDo(t, srv, tok, http.MethodGet, b11+"/categories/cls-2-default", "")
		assert.Equal(t, http.StatusNotFound, r.status)
	})
}

// importDelta imports a 1.1 delta package of one file into tenant t.
func importDelta(t *testing.T, st *sqlite.Store, file, csv string) {
	t.Helper()
	dir := t.TempDir()
	manifest := "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n"
	for _, f := range orcsv.Files(orcsv.V11) {
		mode := "absent"
		if f == file {
			mode = "delta"
		}
		manifest += "file." + f + "," + mode + "\n"
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.csv"), []byte(manifest), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, file+".csv"), []byte(csv), 0o600))
	p, err := orcsv.Open(dir, orcsv.Options{})
	require.NoError(t, err)
	defer p.Close()
	rep, err := orcsv.Import(context.Background(), st, p, orcsv.ImportOptions{Tenant: "t", Guard: oneroster.Guard{Allow: true}})
	require.NoError(t, err)
	require.Empty(t, rep.Rejects)
}

// TestPutResultScoreScale checks that a 1.2 result PUT answers with the
// result as stored, its scoreScale reference included, and that the 1.1
// answer (which has no score scales) carries none.
func TestPutResultScoreScale(t *testing.T) {
	t.Parallel()
	srv, _, tok := gradebookServer(t)
	const g12 = "/ims/oneroster/gradebook/v1p2"
	r := gbDo(t, srv, tok, http.MethodPut, g12+"/scoreScales/ss-1", `{"scoreScale":{"title":"Letters","type":"letter","scoreScaleValue":[{"itemValueLHS":"A","itemValueRHS":"90"}]}}`)
	require.Equal(t, http.StatusCreated, r.status, r.body)
	result := func(scale string) string {
		s := ""
		if scale != "" {
			s = `,"scoreScale":{"sourcedId":"` + scale + `"}`
		}
		return `{"result":{"lineItem":{"sourcedId":"li-1"},"student":{"sourcedId":"u-s"},"scoreStatus":"fully graded","score":91,"scoreDate":"2026-11-01"` + s + `}}`
	}
	cases := []struct {
		name, path, body string
		status           int
		scale            any
	}{
		{"1.2 with a scale", g12 + "/results/res-1", result("ss-1"), http.StatusCreated, "ss-1"},
		{"1.2 update keeps answering the scale", g12 + "/results/res-1", result("ss-1"), http.StatusOK, "ss-1"},
		{"1.2 without a scale drops it", g12 + "/results/res-1", result(""), http.StatusOK, nil},
		{"1.1 has no score scales", "/ims/oneroster/v1p1/results/res-2", result("ss-1"), http.StatusCreated, nil},
	}
	for _, tc := range cases {
		r := gbDo(t, srv, tok, http.MethodPut, tc.path, tc.body)
		require.Equal(t, tc.status, r.status, "%s: %v", tc.name, r.body)
		got := r.body["result"].(map[string]any)
		if tc.scale == nil {
			assert.NotContains(t, got, "scoreScale", tc.name)
		} else {
			assert.Equal(t, tc.scale, got["scoreScale"].(map[string]any)["sourcedId"], tc.name)
		}
		stored := gbDo(t, srv, tok, http.MethodGet, tc.path, "")
		require.Equal(t, http.StatusOK, stored.status)
		assert.Equal(t, got, stored.body["result"], "%s: the answer is the stored result", tc.name)
	}
}
