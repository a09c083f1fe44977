package oneroster_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const g12 = "/ims/oneroster/gradebook/v1p2"

func TestGradebook(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, open(t), false)
			e.importDir(t, "default", "../../oneroster/csv/testdata/v11")
			read := e.token(t, "default", "gradebook.readonly")
			write := e.token(t, "default", "gradebook.readonly", "gradebook.createput", "gradebook.delete")

			// Imported from CSV; R33 a score above the max is kept as given.
			r := e.get(t, read, b11+"/results/res-1")
			require.Equal(t, http.StatusOK, r.status)
			res := r.body["result"].(map[string]any)
			assert.InDelta(t, 300.0, res["score"], 0)
			assert.Equal(t, "li-1", res["lineItem"].(map[string]any)["sourcedId"])
			assert.ElementsMatch(t, []string{"res-1", "res-2"}, ids(t, e.get(t, read, g12+"/classes/cls-1/results"), "results"))
			assert.ElementsMatch(t, []string{"res-1"}, ids(t, e.get(t, read, g12+"/classes/cls-1/students/u-1/results"), "results"))
			assert.ElementsMatch(t, []string{"res-1", "res-2"}, ids(t, e.get(t, read, g12+"/classes/cls-1/lineItems/li-1/results"), "results"))
			assert.ElementsMatch(t, []string{"li-1"}, ids(t, e.get(t, read, g12+"/classes/cls-1/lineItems"), "lineItems"))
			assert.ElementsMatch(t, []string{"cat-hw"}, ids(t, e.get(t, read, g12+"/classes/cls-1/categories"), "categories"))
			li := e.get(t, read, b11+"/lineItems/li-1").body["lineItem"].(map[string]any)
			assert.Equal(t, "term-1", li["gradingPeriod"].(map[string]any)["sourcedId"], "1.1 names the session gradingPeriod")
			li = e.get(t, read, g12+"/lineItems/li-1").body["lineItem"].(map[string]any)
			assert.Equal(t, "term-1", li["academicSession"].(map[string]any)["sourcedId"])

			// R32 PUT is an idempotent upsert: 201 then 200.
			body := `{"lineItem":{"sourcedId":"li-2","title":"` + longTitle + `","assignDate":"2024-10-01","dueDate":"2024-10-08T23:59:00Z",
				"class":{"sourcedId":"cls-1"},"category":{"sourcedId":"cat-hw"},"resultValueMin":0,"resultValueMax":100}}`
			r = e.do(t, http.MethodPut, write, g12+"/lineItems/li-2", body)
			require.Equal(t, http.StatusCreated, r.status, r.body)
			assert.Equal(t, longTitle, r.body["lineItem"].(map[string]any)["title"], "R36 long titles survive")
			assert.Equal(t, "2024-10-08", r.body["lineItem"].(map[string]any)["dueDate"])
			assert.Equal(t, http.StatusOK, e.do(t, http.MethodPut, write, g12+"/lineItems/li-2", body).status)
			r = e.do(t, http.MethodPut, write, g12+"/lineItems/other", body)
			assert.Equal(t, http.StatusBadRequest, r.status, "path id must match the body")
			assert.Equal(t, "invaliddata", codeMinor(t, r))
			r = e.do(t, http.MethodPut, write, g12+"/lineItems/li-3", `{"lineItem":{"title":"x","assignDate":"2024-10-01","dueDate":"2024-10-01","class":{"sourcedId":"nope"},"category":{"sourcedId":"cat-hw"}}}`)
			assert.Equal(t, http.StatusBadRequest, r.status, "unknown class")
			r = e.do(t, http.MethodPut, write, g12+"/lineItems/li-3", `not json`)
			assert.Equal(t, http.StatusBadRequest, r.status)

			// R34 exempt round-trips; R33 extra credit.
			r = e.do(t, http.MethodPut, write, g12+"/results/res-9", `{"result":{"lineItem":{"sourcedId":"li-2"},"student":{"sourcedId":"u-1"},"scoreStatus":"exempt","score":300,"scoreDate":"2024-10-09"}}`)
			require.Equal(t, http.StatusCreated, r.status, r.body)
			got := e.get(t, read, g12+"/results/res-9").body["result"].(map[string]any)
			assert.Equal(t, "exempt", got["scoreStatus"])
			assert.InDelta(t, 300.0, got["score"], 0)
			r = e.do(t, http.MethodPut, write, g12+"/results/res-8", `{"result":{"lineItem":{"sourcedId":"li-2"},"student":{"sourcedId":"u-1"},"scoreStatus":"done","scoreDate":"2024-10-09"}}`)
			assert.Equal(t, http.StatusBadRequest, r.status)

			// Scopes.
			assert.Equal(t, http.StatusForbidden, e.do(t, http.MethodPut, read, g12+"/results/res-9", `{}`).status)
			assert.Equal(t, http.StatusForbidden, e.do(t, http.MethodDelete, read, g12+"/results/res-9", "").status)
			roster := e.token(t, "default", "roster.readonly")
			assert.Equal(t, http.StatusForbidden, e.get(t, roster, g12+"/results").status)

			// R35 DELETE: 204, then gone from the collection and the single GET.
			assert.Equal(t, http.StatusNoContent, e.do(t, http.MethodDelete, write, g12+"/results/res-9", "").status)
			assert.NotContains(t, ids(t, e.get(t, read, g12+"/results"), "results"), "res-9")
			assert.Equal(t, http.StatusNotFound, e.get(t, read, g12+"/results/res-9").status)
			assert.Equal(t, http.StatusNotFound, e.do(t, http.MethodDelete, write, g12+"/results/res-9", "").status)

			// Another tenant sees none of it.
			other := e.token(t, "elsewhere", "gradebook.readonly")
			assert.Empty(t, ids(t, e.get(t, other, g12+"/lineItems"), "lineItems"))
		})
	}
}

const longTitle = "A very long line item title that goes on and on to make sure nothing truncates it anywhere at all, ok?"
