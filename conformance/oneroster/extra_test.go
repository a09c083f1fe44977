package oneroster_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const r12 = "/ims/oneroster/resources/v1p2"

// extraDir is the 1.2 CSV fixture with the gradebook and resources files
// of testdata/v12extra added.
func extraDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, src := range []string{"../../oneroster/csv/testdata/v12", "../../oneroster/csv/testdata/v12extra"} {
		ents, err := os.ReadDir(src)
		require.NoError(t, err)
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600))
		}
	}
	return dir
}

func urlq(s string) string { return url.QueryEscape(s) }

func obj(t *testing.T, r response, key string) map[string]any {
	t.Helper()
	o, ok := r.body[key].(map[string]any)
	require.True(t, ok, "body has object %q: %v (status %d)", key, r.body, r.status)
	return o
}

// TestScoreScales covers the 1.2 score scales: CSV-imported scales and
// links served, PUT/DELETE, the class and school collections, and the
// scoreScale reference of line items and results.
func TestScoreScales(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, open(t), false)
			e.importDir(t, "default", extraDir(t))
			read := e.token(t, "default", "gradebook-core.readonly")
			write := e.token(t, "default", "gradebook.readonly", "gradebook.createput", "gradebook.delete")

			r := e.get(t, read, g12+"/scoreScales/ss-1")
			require.Equal(t, http.StatusOK, r.status, r.body)
			ss := obj(t, r, "scoreScale")
			assert.Equal(t, "Letter grades", ss["title"])
			assert.Equal(t, "cls-1", ss["class"].(map[string]any)["sourcedId"])
			assert.Equal(t, []any{
				map[string]any{"itemValueLHS": "A", "itemValueRHS": "90-100"},
				map[string]any{"itemValueLHS": "B", "itemValueRHS": "80-89"},
				map[string]any{"itemValueLHS": "C", "itemValueRHS": "0-79"},
			}, ss["scoreScaleValue"])
			assert.ElementsMatch(t, []string{"ss-1", "ss-2"}, ids(t, e.get(t, read, g12+"/scoreScales"), "scoreScales"))
			assert.Equal(t, []string{"ss-1"}, ids(t, e.get(t, read, g12+"/classes/cls-1/scoreScales"), "scoreScales"))
			assert.Equal(t, []string{"ss-2"}, ids(t, e.get(t, read, g12+"/schools/sch-2/scoreScales"), "scoreScales"))
			assert.Equal(t, []string{"ss-2"}, ids(t, e.get(t, read, g12+"/scoreScales?filter="+urlq("type='passfail'")), "scoreScales"))
			r = e.get(t, read, g12+"/scoreScales?sort=title&fields=title")
			assert.Equal(t, []any{map[string]any{"sourcedId": "ss-1", "title": "Letter grades"}, map[string]any{"sourcedId": "ss-2", "title": "Pass/fail"}}, r.body["scoreScales"])
			assert.Equal(t, "2", r.header.Get("X-Total-Count"))

			// Line items and results carry their scale (lineItemScoreScales,
			// resultScoreScales); 1.1 has no score scales.
			li := obj(t, e.get(t, read, g12+"/lineItems/li-1"), "lineItem")
			assert.Equal(t, "ss-1", li["scoreScale"].(map[string]any)["sourcedId"])
			res := obj(t, e.get(t, read, g12+"/results/res-1"), "result")
			assert.Equal(t, "ss-1", res["scoreScale"].(map[string]any)["sourcedId"])
			assert.NotContains(t, obj(t, e.get(t, read, b11+"/lineItems/li-1"), "lineItem"), "scoreScale")
			assert.Equal(t, http.StatusNotFound, e.get(t, read, b11+"/scoreScales").status)

			// PUT creates then updates; a bad body is 400; DELETE removes.
			body := `{"scoreScale":{"sourcedId":"ss-3","title":"Stars","type":"stars","class":{"sourcedId":"cls-2"},"scoreScaleValue":[{"itemValueLHS":"***","itemValueRHS":"excellent"}]}}`
			r = e.do(t, http.MethodPut, write, g12+"/scoreScales/ss-3", body)
			require.Equal(t, http.StatusCreated, r.status, r.body)
			assert.Equal(t, "cls-2", obj(t, r, "scoreScale")["class"].(map[string]any)["sourcedId"])
			assert.Equal(t, http.StatusOK, e.do(t, http.MethodPut, write, g12+"/scoreScales/ss-3", body).status)
			r = e.do(t, http.MethodPut, write, g12+"/scoreScales/ss-4", `{"scoreScale":{"title":"x","type":"y","scoreScaleValue":[]}}`)
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, "invaliddata", codeMinor(t, r))
			r = e.do(t, http.MethodPut, write, g12+"/scoreScales/ss-4", `{"scoreScale":{"title":"x","type":"y","class":{"sourcedId":"nope"},"scoreScaleValue":[{"itemValueLHS":"a"}]}}`)
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, http.StatusForbidden, e.do(t, http.MethodPut, read, g12+"/scoreScales/ss-3", body).status)

			// A line item PUT with a scoreScale keeps the link; without one, drops it.
			liBody := func(scale string) string {
				s := ""
				if scale != "" {
					s = `,"scoreScale":{"sourcedId":"` + scale + `"}`
				}
				return `{"lineItem":{"title":"Essay","assignDate":"2025-01-10","dueDate":"2025-01-20","class":{"sourcedId":"cls-2"},"category":{"sourcedId":"cat-1"}` + s + `}}`
			}
			r = e.do(t, http.MethodPut, write, g12+"/lineItems/li-9", liBody("ss-3"))
			require.Equal(t, http.StatusCreated, r.status, r.body)
			assert.Equal(t, "ss-3", obj(t, r, "lineItem")["scoreScale"].(map[string]any)["sourcedId"])
			assert.Equal(t, "ss-3", obj(t, e.get(t, read, g12+"/lineItems/li-9"), "lineItem")["scoreScale"].(map[string]any)["sourcedId"])
			assert.Equal(t, http.StatusBadRequest, e.do(t, http.MethodPut, write, g12+"/lineItems/li-9", liBody("ss-404")).status)
			require.Equal(t, http.StatusOK, e.do(t, http.MethodPut, write, g12+"/lineItems/li-9", liBody("")).status)
			assert.NotContains(t, obj(t, e.get(t, read, g12+"/lineItems/li-9"), "lineItem"), "scoreScale")

			require.Equal(t, http.StatusOK, e.do(t, http.MethodPut, write, g12+"/lineItems/li-9", liBody("ss-3")).status)
			assert.Equal(t, http.StatusNoContent, e.do(t, http.MethodDelete, write, g12+"/scoreScales/ss-3", "").status)
			assert.NotContains(t, obj(t, e.get(t, read, g12+"/lineItems/li-9"), "lineItem"), "scoreScale", "a deleted scale is not referenced")
			assert.Equal(t, http.StatusNotFound, e.get(t, read, g12+"/scoreScales/ss-3").status)
			assert.NotContains(t, ids(t, e.get(t, read, g12+"/scoreScales"), "scoreScales"), "ss-3")
		})
	}
}

// TestGradebookPost covers the four 1.2 POST routes: atomic creation of a
// set, sourcedIdPairs (a taken or blank sourcedId gets a new one), the path
// pinning the class, school or line item, and the createpost scope.
func TestGradebookPost(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, open(t), false)
			e.importDir(t, "default", extraDir(t))
			read := e.token(t, "default", "gradebook.readonly")
			post := e.token(t, "default", "gradebook.createpost")
			put := e.token(t, "default", "gradebook.createput")

			pairs := func(r response) map[string]string {
				t.Helper()
				require.Equal(t, http.StatusCreated, r.status, r.body)
				out := map[string]string{}
				for _, p := range r.body["sourcedIdPairs"].([]any) {
					m := p.(map[string]any)
					out[m["suppliedSourcedId"].(string)] = m["allocatedSourcedId"].(string)
				}
				return out
			}
			li := func(id string) string {
				return `{"sourcedId":"` + id + `","title":"Quiz ` + id + `","assignDate":"2025-02-01","dueDate":"2025-02-02","category":{"sourcedId":"cat-1"},"academicSession":{"sourcedId":"term-2"}}`
			}
			got := pairs(e.do(t, http.MethodPost, post, g12+"/classes/cls-1/lineItems", `{"lineItems":[`+li("li-20")+`,`+li("li-1")+`,`+li("")+`]}`))
			require.Len(t, got, 3)
			assert.Equal(t, "li-20", got["li-20"], "a free sourcedId is kept")
			assert.NotEqual(t, "li-1", got["li-1"], "a taken sourcedId gets a new one")
			assert.NotEmpty(t, got[""])
			for _, id := range got {
				l := obj(t, e.get(t, read, g12+"/lineItems/"+id), "lineItem")
				assert.Equal(t, "cls-1", l["class"].(map[string]any)["sourcedId"], "the path names the class")
			}
			assert.Equal(t, "Fractions quiz", obj(t, e.get(t, read, g12+"/lineItems/li-1"), "lineItem")["title"], "li-1 untouched")

			// One bad item refuses the whole set.
			r := e.do(t, http.MethodPost, post, g12+"/classes/cls-1/lineItems", `{"lineItems":[`+li("li-30")+`,{"sourcedId":"li-31","title":"x"}]}`)
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, http.StatusNotFound, e.get(t, read, g12+"/lineItems/li-30").status)
			r = e.do(t, http.MethodPost, post, g12+"/classes/cls-1/lineItems", `{"lineItems":[{"sourcedId":"li-32","title":"x","assignDate":"2025-02-01","dueDate":"2025-02-02","class":{"sourcedId":"cls-2"},"category":{"sourcedId":"cat-1"}}]}`)
			assert.Equal(t, http.StatusBadRequest, r.status, "body class differs from the path")
			assert.Equal(t, http.StatusBadRequest, e.do(t, http.MethodPost, post, g12+"/classes/cls-1/lineItems", `{"lineItems":[]}`).status)

			// Schools: the school comes from the path.
			got = pairs(e.do(t, http.MethodPost, post, g12+"/schools/sch-2/lineItems", `{"lineItems":[{"sourcedId":"li-40","title":"Reading","assignDate":"2025-02-01","dueDate":"2025-02-02","class":{"sourcedId":"cls-2"},"category":{"sourcedId":"cat-1"}}]}`))
			assert.Equal(t, map[string]string{"li-40": "li-40"}, got)
			assert.Equal(t, "sch-2", obj(t, e.get(t, read, g12+"/lineItems/li-40"), "lineItem")["school"].(map[string]any)["sourcedId"])

			// Results of a line item, and of a class in a session.
			res := func(id, li string) string {
				s := `{"sourcedId":"` + id + `","student":{"sourcedId":"u-1"},"scoreStatus":"fully graded","score":7,"scoreDate":"2025-02-03"`
				if li != "" {
					s += `,"lineItem":{"sourcedId":"` + li + `"}`
				}
				return s + "}"
			}
			got = pairs(e.do(t, http.MethodPost, post, g12+"/lineItems/li-20/results", `{"results":[`+res("res-20", "")+`]}`))
			assert.Equal(t, "li-20", obj(t, e.get(t, read, g12+"/results/"+got["res-20"]), "result")["lineItem"].(map[string]any)["sourcedId"])
			got = pairs(e.do(t, http.MethodPost, post, g12+"/classes/cls-1/academicSessions/term-2/results", `{"results":[`+res("res-21", "li-20")+`]}`))
			assert.Equal(t, "cls-1", obj(t, e.get(t, read, g12+"/results/"+got["res-21"]), "result")["class"].(map[string]any)["sourcedId"])
			r = e.do(t, http.MethodPost, post, g12+"/classes/cls-1/academicSessions/term-1/results", `{"results":[`+res("res-22", "li-20")+`]}`)
			assert.Equal(t, http.StatusBadRequest, r.status, "li-20 is in term-2")

			// Scope: createput does not open POST; 1.1 has no POST routes (405).
			assert.Equal(t, http.StatusForbidden, e.do(t, http.MethodPost, put, g12+"/lineItems/li-20/results", `{"results":[`+res("res-23", "")+`]}`).status)
			assert.Equal(t, http.StatusMethodNotAllowed, e.do(t, http.MethodPost, post, b11+"/lineItems/li-20/results", `{"results":[`+res("res-23", "")+`]}`).status)
		})
	}
}

// TestResources covers the resources service of both versions (R42): the
// collection with paging, filter, sort and fields, the single, the class,
// course and user sub-collections, and the resource scopes.
func TestResources(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, open(t), false)
			e.importDir(t, "default", extraDir(t))
			full := e.token(t, "default", "https://purl.imsglobal.org/spec/or/v1p2/scope/resource.readonly")
			core := e.token(t, "default", "resource-core.readonly")
			roster := e.token(t, "default", "roster.readonly")
			for _, base := range []string{b11, r12} {
				r := e.get(t, full, base+"/resources")
				require.Equal(t, http.StatusOK, r.status, r.body)
				assert.Equal(t, []string{"rsc-1", "rsc-2"}, ids(t, r, "resources"))
				assert.Equal(t, "2", r.header.Get("X-Total-Count"))
				r = e.get(t, full, base+"/resources?limit=1&offset=1")
				assert.Equal(t, []string{"rsc-2"}, ids(t, r, "resources"))
				assert.Contains(t, r.header.Get("Link"), `rel="prev"`)
				assert.Equal(t, []string{"rsc-2", "rsc-1"}, ids(t, e.get(t, full, base+"/resources?sort=vendorResourceId&orderBy=desc"), "resources"))
				assert.Equal(t, []string{"rsc-1"}, ids(t, e.get(t, full, base+"/resources?filter="+urlq("importance='primary'")), "resources"))
				r = e.get(t, full, base+"/resources?filter="+urlq("colour='red'"))
				assert.Equal(t, http.StatusBadRequest, r.status)
				assert.Equal(t, "invalid_filter_field", codeMinor(t, r))
				r = e.get(t, full, base+"/resources/rsc-1?fields=title,roles")
				assert.Equal(t, map[string]any{"sourcedId": "rsc-1", "title": "Kolibri Maths 4", "roles": []any{"student", "teacher"}}, obj(t, r, "resource"))
				assert.Equal(t, http.StatusNotFound, e.get(t, full, base+"/resources/nope").status)
				assert.Equal(t, []string{"rsc-1"}, ids(t, e.get(t, full, base+"/classes/cls-1/resources"), "resources"))
				assert.Equal(t, []string{"rsc-2"}, ids(t, e.get(t, full, base+"/courses/crs-lit/resources"), "resources"))
				assert.Empty(t, ids(t, e.get(t, full, base+"/classes/nope/resources"), "resources"))
				// u-1 is enrolled in cls-1 (rsc-1); u-4 has rsc-2 assigned.
				assert.Equal(t, []string{"rsc-1"}, ids(t, e.get(t, full, base+"/users/u-1/resources"), "resources"))
				assert.Equal(t, []string{"rsc-2"}, ids(t, e.get(t, full, base+"/users/u-4/resources"), "resources"))

				// Scopes: core opens the base collection only; roster scopes none.
				assert.Equal(t, http.StatusOK, e.get(t, core, base+"/resources").status)
				assert.Equal(t, http.StatusForbidden, e.get(t, core, base+"/classes/cls-1/resources").status)
				assert.Equal(t, http.StatusForbidden, e.get(t, roster, base+"/resources").status)
				assert.Equal(t, http.StatusUnauthorized, e.get(t, "", base+"/resources").status)
			}
			other := e.token(t, "elsewhere", "resource.readonly")
			assert.Empty(t, ids(t, e.get(t, other, r12+"/resources"), "resources"))
		})
	}
}
