package oneroster_test

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/httpauth"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/oneroster/rest"
	"github.com/passportbridge/passport/store/backend"
)

// The Assessment Results Profile collections under the 1.2 gradebook service.
const (
	arpItems   = g12 + "/assessmentLineItems"
	arpResults = g12 + "/assessmentResults"
)

// arpClock is a test clock the ARP provider stamps writes with; a step moves
// it so dateLastModified deltas are exact.
type arpClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *arpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *arpClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// newARPEnv is newEnv with the provider's write clock under the test's
// control.
func newARPEnv(t *testing.T, st backend.Store, clock *arpClock) *env {
	t.Helper()
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, nil)
	require.NoError(t, err)
	logger := slog.New(slog.DiscardHandler)
	a := auth.NewAuthenticator(st, time.Now)
	srv := server.New(server.Options{Config: cfg, Logger: logger, Mounts: []server.Mounter{
		&httpauth.TokenHandler{Auth: a, Now: time.Now},
		&rest.Handler{Store: st, Writer: st, Auth: a, Logger: logger, Clock: clock.Now},
	}})
	return &env{srv: srv, st: st, auth: a}
}

func arpItemBody(id, title, extra string) string {
	return `{"assessmentLineItem":{"sourcedId":"` + id + `","status":"active","title":"` + title + `"` + extra + `}}`
}

func arpResultBody(id, item, student, extra string) string {
	return `{"assessmentResult":{"sourcedId":"` + id + `","status":"active","assessmentLineItem":{"sourcedId":"` + item +
		`"},"student":{"sourcedId":"` + student + `"},"scoreStatus":"fully graded","scoreDate":"2026-02-01"` + extra + `}}`
}

func TestARP(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run("ARP/"+name, func(t *testing.T) {
			t.Parallel()
			clock := &arpClock{now: t0.Add(time.Hour)}
			e := newARPEnv(t, open(t), clock)
			e.importDir(t, "default", "../../oneroster/csv/testdata/v11")
			e.importDir(t, "elsewhere", "../../oneroster/csv/testdata/v11")
			runSteps(t, arpSteps(e, clock))
		})
	}
}

func arpSteps(e *env, clock *arpClock) []step {
	var read, write, del, all, gradebook, other string
	t1 := t0.Add(2 * time.Hour)
	t2 := t0.Add(3 * time.Hour)
	return []step{
		{"ARP/tokens", func(t *testing.T) {
			read = e.token(t, "default", "assessment.readonly")
			write = e.token(t, "default", "https://purl.imsglobal.org/spec/or/v1p2/scope/assessment.createput")
			del = e.token(t, "default", "assessment.delete")
			all = e.token(t, "default", "assessment.readonly", "assessment.createput", "assessment.delete")
			gradebook = e.token(t, "default", "gradebook.readonly", "gradebook.createput", "gradebook.delete", "gradebook.createpost")
			other = e.token(t, "elsewhere", "assessment.readonly", "assessment.createput", "assessment.delete")
			// A score scale to refer to (a gradebook record).
			r := e.do(t, http.MethodPut, gradebook, g12+"/scoreScales/ss-1",
				`{"scoreScale":{"title":"Letters","type":"letter","class":{"sourcedId":"cls-1"},"scoreScaleValue":[{"itemValueLHS":"A","itemValueRHS":"90-100"}]}}`)
			require.Equal(t, http.StatusCreated, r.status, r.body)
		}},
		{"ARP/empty collections", func(t *testing.T) {
			for _, c := range []struct{ path, key string }{{arpItems, "assessmentLineItems"}, {arpResults, "assessmentResults"}} {
				r := e.get(t, read, c.path)
				require.Equal(t, http.StatusOK, r.status, r.body)
				assert.Empty(t, ids(t, r, c.key))
				assert.Equal(t, "0", r.header.Get("X-Total-Count"))
				r = e.get(t, read, c.path+"/nope")
				assert.Equal(t, http.StatusNotFound, r.status, "an unknown id in an empty collection is a 404, not a 500")
				assert.Equal(t, "unknownobject", codeMinor(t, r))
			}
		}},
		{"ARP/PUT line items", func(t *testing.T) {
			clock.set(t1)
			r := e.do(t, http.MethodPut, write, arpItems+"/ali-exam", arpItemBody("ali-exam", "Placement exam",
				`,"description":"Grade 4 placement","class":{"sourcedId":"cls-1"},"scoreScale":{"sourcedId":"ss-1"},"resultValueMin":0,"resultValueMax":100,`+
					`"metadata":{"duration":"120","allowCalculator":true},"learningObjectiveSet":[{"source":"case","learningObjectiveIds":["lo-1","lo-2"]}]`))
			require.Equal(t, http.StatusCreated, r.status, r.body)
			got := obj(t, r, "assessmentLineItem")
			assert.Equal(t, "ali-exam", got["sourcedId"])
			assert.Equal(t, "active", got["status"])
			assert.Equal(t, "Placement exam", got["title"])
			assert.Equal(t, "Grade 4 placement", got["description"])
			assert.Equal(t, "cls-1", got["class"].(map[string]any)["sourcedId"])
			assert.Equal(t, "class", got["class"].(map[string]any)["type"])
			assert.Equal(t, "ss-1", got["scoreScale"].(map[string]any)["sourcedId"])
			assert.Equal(t, g12+"/scoreScales/ss-1", got["scoreScale"].(map[string]any)["href"])
			assert.InDelta(t, 100.0, got["resultValueMax"], 0)
			assert.InDelta(t, 0.0, got["resultValueMin"], 0)
			assert.Equal(t, map[string]any{"duration": "120", "allowCalculator": true}, got["metadata"])
			assert.Equal(t, []any{map[string]any{"source": "case", "learningObjectiveIds": []any{"lo-1", "lo-2"}}}, got["learningObjectiveSet"])
			assert.Equal(t, "2026-01-15T12:00:00.000Z", got["dateLastModified"])

			// A part of the exam, under its parent; no class (the profile makes it optional).
			r = e.do(t, http.MethodPut, write, arpItems+"/ali-part1", arpItemBody("ali-part1", "Part 1", `,"parentAssessmentLineItem":{"sourcedId":"ali-exam"}`))
			require.Equal(t, http.StatusCreated, r.status, r.body)
			got = obj(t, r, "assessmentLineItem")
			assert.Equal(t, map[string]any{"href": g12 + "/assessmentLineItems/ali-exam", "sourcedId": "ali-exam", "type": "assessmentLineItem"}, got["parentAssessmentLineItem"])
			assert.NotContains(t, got, "class")

			// PUT again is an update: 200.
			r = e.do(t, http.MethodPut, write, arpItems+"/ali-part1", arpItemBody("ali-part1", "Part 1 (reading)", `,"parentAssessmentLineItem":{"sourcedId":"ali-exam"}`))
			require.Equal(t, http.StatusOK, r.status, r.body)
			assert.Equal(t, "Part 1 (reading)", obj(t, r, "assessmentLineItem")["title"])
		}},
		{"ARP/PUT results", func(t *testing.T) {
			r := e.do(t, http.MethodPut, write, arpResults+"/ar-1", arpResultBody("ar-1", "ali-exam", "u-1",
				`,"score":87.5,"textScore":"B+","scoreScale":{"sourcedId":"ss-1"},"scorePercentile":72,"comment":"good",`+
					`"learningObjectiveSet":[{"source":"case","learningObjectiveResults":[{"learningObjectiveId":"lo-1","score":9}]}],`+
					`"inProgress":"false","incomplete":"false","late":true,"missing":"false","metadata":{"proctor":"camp school"}`))
			require.Equal(t, http.StatusCreated, r.status, r.body)
			got := obj(t, r, "assessmentResult")
			assert.Equal(t, map[string]any{"href": g12 + "/assessmentLineItems/ali-exam", "sourcedId": "ali-exam", "type": "assessmentLineItem"}, got["assessmentLineItem"])
			assert.Equal(t, "u-1", got["student"].(map[string]any)["sourcedId"])
			assert.InDelta(t, 87.5, got["score"], 0)
			assert.Equal(t, "B+", got["textScore"])
			assert.Equal(t, "2026-02-01", got["scoreDate"])
			assert.Equal(t, "ss-1", got["scoreScale"].(map[string]any)["sourcedId"])
			assert.InDelta(t, 72.0, got["scorePercentile"], 0)
			assert.Equal(t, "fully graded", got["scoreStatus"])
			assert.Equal(t, "good", got["comment"])
			assert.Equal(t, "false", got["inProgress"])
			assert.Equal(t, "true", got["late"], "a JSON boolean is stored as the profile's \"true\"")
			assert.Equal(t, map[string]any{"proctor": "camp school"}, got["metadata"])
			lo := got["learningObjectiveSet"].([]any)[0].(map[string]any)
			assert.Equal(t, "case", lo["source"])
			assert.Equal(t, []any{map[string]any{"learningObjectiveId": "lo-1", "score": 9.0}}, lo["learningObjectiveResults"])

			r = e.do(t, http.MethodPut, write, arpResults+"/ar-2", arpResultBody("ar-2", "ali-part1", "u-4", `,"score":10`))
			require.Equal(t, http.StatusCreated, r.status, r.body)
			// The single GET serves what the PUT answered.
			r = e.get(t, read, arpResults+"/ar-1")
			require.Equal(t, http.StatusOK, r.status, r.body)
			assert.Equal(t, got, obj(t, r, "assessmentResult"))
		}},
		{"ARP/POST collections", func(t *testing.T) {
			clock.set(t2)
			r := e.do(t, http.MethodPost, write, arpItems, `{"assessmentLineItem":{"sourcedId":"ali-exam","status":"active","title":"Taken id","class":{"sourcedId":"cls-2"}}}`)
			require.Equal(t, http.StatusCreated, r.status, r.body)
			pairs := r.body["sourcedIdPairs"].([]any)
			require.Len(t, pairs, 1)
			p := pairs[0].(map[string]any)
			assert.Equal(t, "ali-exam", p["suppliedSourcedId"])
			newID := p["allocatedSourcedId"].(string)
			assert.NotEqual(t, "ali-exam", newID, "a taken sourcedId gets a new one")
			assert.Equal(t, "Placement exam", obj(t, e.get(t, read, arpItems+"/ali-exam"), "assessmentLineItem")["title"], "the existing record is untouched")
			assert.Equal(t, "Taken id", obj(t, e.get(t, read, arpItems+"/"+newID), "assessmentLineItem")["title"])

			r = e.do(t, http.MethodPost, write, arpResults, `{"assessmentResults":[`+
				strings.TrimSuffix(strings.TrimPrefix(arpResultBody("ar-3", "ali-exam", "u-4", ""), `{"assessmentResult":`), "}")+`,`+
				strings.TrimSuffix(strings.TrimPrefix(arpResultBody("ar-4", newID, "u-1", `,"scoreStatus":"ext:retake"`), `{"assessmentResult":`), "}")+`]}`)
			require.Equal(t, http.StatusCreated, r.status, r.body)
			require.Len(t, r.body["sourcedIdPairs"].([]any), 2)
			assert.Equal(t, "ext:retake", obj(t, e.get(t, read, arpResults+"/ar-4"), "assessmentResult")["scoreStatus"], "scoreStatus is extensible")

			// One bad record refuses the whole set.
			r = e.do(t, http.MethodPost, write, arpResults, `{"assessmentResults":[`+
				strings.TrimSuffix(strings.TrimPrefix(arpResultBody("ar-5", "ali-exam", "u-1", ""), `{"assessmentResult":`), "}")+`,`+
				strings.TrimSuffix(strings.TrimPrefix(arpResultBody("ar-6", "ali-exam", "u-2", ""), `{"assessmentResult":`), "}")+`]}`)
			assert.Equal(t, http.StatusBadRequest, r.status, r.body)
			assert.Equal(t, http.StatusNotFound, e.get(t, read, arpResults+"/ar-5").status, "nothing of a refused POST is stored")
		}},
		{"ARP/paging, sort, fields", func(t *testing.T) {
			r := e.get(t, read, arpResults+"?limit=2&offset=0&sort=sourcedId")
			require.Equal(t, http.StatusOK, r.status, r.body)
			assert.Equal(t, []string{"ar-1", "ar-2"}, ids(t, r, "assessmentResults"))
			assert.Equal(t, "4", r.header.Get("X-Total-Count"))
			link := r.header.Get("Link")
			assert.Contains(t, link, `rel="next"`)
			assert.Contains(t, link, `rel="last"`)
			assert.Contains(t, link, arpResults+"?")
			r = e.get(t, read, arpResults+"?limit=2&offset=2&sort=sourcedId")
			assert.Equal(t, []string{"ar-3", "ar-4"}, ids(t, r, "assessmentResults"))
			assert.NotContains(t, r.header.Get("Link"), `rel="next"`)

			r = e.get(t, read, arpResults+"?sort=score&orderBy=desc&fields=sourcedId,score")
			require.Equal(t, http.StatusOK, r.status, r.body)
			first := r.body["assessmentResults"].([]any)[0].(map[string]any)
			assert.Equal(t, map[string]any{"sourcedId": "ar-1", "score": 87.5}, first)

			r = e.get(t, read, arpResults+"?filter="+urlq("student.sourcedId='u-1'"))
			require.Equal(t, http.StatusOK, r.status, r.body)
			assert.ElementsMatch(t, []string{"ar-1", "ar-4"}, ids(t, r, "assessmentResults"))
			r = e.get(t, read, arpItems+"?filter="+urlq("parentAssessmentLineItem.sourcedId='ali-exam'"))
			assert.Equal(t, []string{"ali-part1"}, ids(t, r, "assessmentLineItems"))
			r = e.get(t, read, arpItems+"?filter="+urlq("metadata.duration='120'"))
			assert.Equal(t, []string{"ali-exam"}, ids(t, r, "assessmentLineItems"))

			r = e.get(t, read, arpResults+"?filter="+urlq("nope='1'"))
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Equal(t, "invalid_filter_field", codeMinor(t, r))
			r = e.get(t, read, arpResults+"?sort=nope")
			assert.Equal(t, http.StatusBadRequest, r.status)
			r = e.get(t, read, arpResults+"?fields=nope")
			assert.Equal(t, http.StatusBadRequest, r.status)
		}},
		{"ARP/DELETE and dateLastModified deltas", func(t *testing.T) {
			clock.set(t2.Add(time.Hour))
			assert.Equal(t, http.StatusForbidden, e.do(t, http.MethodDelete, write, arpResults+"/ar-2", "").status, "createput does not delete")
			assert.Equal(t, http.StatusNoContent, e.do(t, http.MethodDelete, del, arpResults+"/ar-2", "").status)
			assert.Equal(t, http.StatusNotFound, e.get(t, read, arpResults+"/ar-2").status)
			assert.NotContains(t, ids(t, e.get(t, read, arpResults), "assessmentResults"), "ar-2")
			r := e.do(t, http.MethodDelete, del, arpResults+"/ar-2", "")
			assert.Equal(t, http.StatusNotFound, r.status, "a second DELETE finds nothing")
			assert.Equal(t, "unknownobject", codeMinor(t, r))

			// A delta poller asking for changes since t1 sees the POSTed
			// results and the tombstone, not those written at t1.
			since := t1.Add(30 * time.Minute).Format("2006-01-02T15:04:05.000Z")
			r = e.get(t, read, arpResults+"?filter="+urlq("dateLastModified>'"+since+"'"))
			require.Equal(t, http.StatusOK, r.status, r.body)
			assert.ElementsMatch(t, []string{"ar-2", "ar-3", "ar-4"}, ids(t, r, "assessmentResults"))
			for _, o := range r.body["assessmentResults"].([]any) {
				if o := o.(map[string]any); o["sourcedId"] == "ar-2" {
					assert.Equal(t, "tobedeleted", o["status"])
					assert.Equal(t, "2026-01-15T14:00:00.000Z", o["dateLastModified"])
				}
			}
			r = e.get(t, read, arpItems+"?filter="+urlq("dateLastModified<'"+since+"'"))
			assert.ElementsMatch(t, []string{"ali-exam", "ali-part1"}, ids(t, r, "assessmentLineItems"))

			// A deleted line item can no longer be referred to, and comes back with PUT.
			require.Equal(t, http.StatusNoContent, e.do(t, http.MethodDelete, all, arpItems+"/ali-part1", "").status)
			r = e.do(t, http.MethodPut, write, arpResults+"/ar-7", arpResultBody("ar-7", "ali-part1", "u-1", ""))
			assert.Equal(t, http.StatusBadRequest, r.status)
			assert.Contains(t, r.body["imsx_description"], "assessmentLineItem")
			r = e.do(t, http.MethodPut, all, arpItems+"/ali-part1", arpItemBody("ali-part1", "Part 1", `,"parentAssessmentLineItem":{"sourcedId":"ali-exam"}`))
			assert.Equal(t, http.StatusCreated, r.status, "a deleted record PUT again is created again")
		}},
		{"ARP/scopes", func(t *testing.T) {
			cases := []struct {
				name, method, token, path, body string
				want                            int
			}{
				{"no token", http.MethodGet, "", arpItems, "", http.StatusUnauthorized},
				{"bad token", http.MethodGet, "nope", arpResults + "/ar-1", "", http.StatusUnauthorized},
				{"gradebook scopes do not read", http.MethodGet, gradebook, arpItems, "", http.StatusForbidden},
				{"gradebook scopes do not write", http.MethodPut, gradebook, arpItems + "/x", arpItemBody("x", "X", ""), http.StatusForbidden},
				{"gradebook scopes do not post", http.MethodPost, gradebook, arpItems, arpItemBody("x", "X", ""), http.StatusForbidden},
				{"gradebook scopes do not delete", http.MethodDelete, gradebook, arpItems + "/ali-exam", "", http.StatusForbidden},
				{"read only does not write", http.MethodPut, read, arpResults + "/x", arpResultBody("x", "ali-exam", "u-1", ""), http.StatusForbidden},
				{"read only does not delete", http.MethodDelete, read, arpResults + "/ar-1", "", http.StatusForbidden},
				{"createput does not read", http.MethodGet, write, arpResults, "", http.StatusForbidden},
				{"delete does not read", http.MethodGet, del, arpResults + "/ar-1", "", http.StatusForbidden},
				{"read", http.MethodGet, read, arpResults + "/ar-1", "", http.StatusOK},
				{"not on 1.1", http.MethodGet, read, b11 + "/assessmentLineItems", "", http.StatusNotFound},
				{"not on rostering", http.MethodGet, read, b12 + "/assessmentLineItems", "", http.StatusNotFound},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					r := e.do(t, tc.method, tc.token, tc.path, tc.body)
					assert.Equal(t, tc.want, r.status, r.body)
					if tc.want == http.StatusUnauthorized {
						assert.NotEmpty(t, r.header.Get("WWW-Authenticate"))
					}
					if tc.want == http.StatusForbidden {
						assert.Equal(t, "forbidden", codeMinor(t, r))
					}
				})
			}
		}},
		{"ARP/bad input", func(t *testing.T) {
			cases := []struct {
				name, path, body, field string
			}{
				{"not json", arpItems + "/x", `not json`, "assessmentLineItem"},
				{"wrong wrapper", arpItems + "/x", `{"lineItem":{"title":"X"}}`, "assessmentLineItem"},
				{"path and body ids differ", arpItems + "/x", arpItemBody("y", "X", ""), "sourcedId"},
				{"no title", arpItems + "/x", `{"assessmentLineItem":{"status":"active"}}`, "title"},
				{"unknown class", arpItems + "/x", arpItemBody("x", "X", `,"class":{"sourcedId":"nope"}`), "class"},
				{"empty class reference", arpItems + "/x", arpItemBody("x", "X", `,"class":{"sourcedId":""}`), "class"},
				{"unknown parent", arpItems + "/x", arpItemBody("x", "X", `,"parentAssessmentLineItem":{"sourcedId":"nope"}`), "parentAssessmentLineItem"},
				{"own parent", arpItems + "/x", arpItemBody("x", "X", `,"parentAssessmentLineItem":{"sourcedId":"x"}`), "parentAssessmentLineItem"},
				{"parent cycle", arpItems + "/ali-exam", arpItemBody("ali-exam", "X", `,"parentAssessmentLineItem":{"sourcedId":"ali-part1"}`), "parentAssessmentLineItem"},
				{"unknown score scale", arpItems + "/x", arpItemBody("x", "X", `,"scoreScale":{"sourcedId":"nope"}`), "scoreScale"},
				{"min above max", arpItems + "/x", arpItemBody("x", "X", `,"resultValueMin":10,"resultValueMax":1`), "resultValueMin"},
				{"number as string", arpItems + "/x", arpItemBody("x", "X", `,"resultValueMax":"100"`), "resultValueMax"},
				{"bad objective source", arpItems + "/x", arpItemBody("x", "X", `,"learningObjectiveSet":[{"source":"mine","learningObjectiveIds":["a"]}]`), "learningObjectiveSet[0].source"},
				{"no objective ids", arpItems + "/x", arpItemBody("x", "X", `,"learningObjectiveSet":[{"source":"case","learningObjectiveIds":[]}]`), "learningObjectiveIds"},
				{"status tobedeleted", arpItems + "/x", `{"assessmentLineItem":{"status":"tobedeleted","title":"X"}}`, "status"},
				{"no line item", arpResults + "/x", `{"assessmentResult":{"student":{"sourcedId":"u-1"},"scoreStatus":"submitted","scoreDate":"2026-02-01"}}`, "assessmentLineItem"},
				{"unknown line item", arpResults + "/x", arpResultBody("x", "nope", "u-1", ""), "assessmentLineItem"},
				{"a gradebook line item is not an assessment one", arpResults + "/x", arpResultBody("x", "li-1", "u-1", ""), "assessmentLineItem"},
				{"no student", arpResults + "/x", `{"assessmentResult":{"assessmentLineItem":{"sourcedId":"ali-exam"},"scoreStatus":"submitted","scoreDate":"2026-02-01"}}`, "student"},
				{"unknown student", arpResults + "/x", arpResultBody("x", "ali-exam", "nope", ""), "student"},
				{"a teacher is not a student", arpResults + "/x", arpResultBody("x", "ali-exam", "u-2", ""), "student"},
				{"bad score status", arpResults + "/x", arpResultBody("x", "ali-exam", "u-1", `,"scoreStatus":"done"`), "scoreStatus"},
				{"no score date", arpResults + "/x", arpResultBody("x", "ali-exam", "u-1", `,"scoreDate":""`), "scoreDate"},
				{"bad score date", arpResults + "/x", arpResultBody("x", "ali-exam", "u-1", `,"scoreDate":"yesterday"`), "scoreDate"},
				{"percentile above 100", arpResults + "/x", arpResultBody("x", "ali-exam", "u-1", `,"scorePercentile":101`), "scorePercentile"},
				{"flag not true or false", arpResults + "/x", arpResultBody("x", "ali-exam", "u-1", `,"late":"maybe"`), "late"},
				{"score as string", arpResults + "/x", arpResultBody("x", "ali-exam", "u-1", `,"score":"ten"`), "score"},
				{"objective result without id", arpResults + "/x", arpResultBody("x", "ali-exam", "u-1", `,"learningObjectiveSet":[{"source":"unknown","learningObjectiveResults":[{"score":1}]}]`), "learningObjectiveId"},
				{"post empty list", arpResults, `{"assessmentResults":[]}`, "assessmentResults"},
				{"post not a list", arpResults, `{"assessmentResults":{}}`, "assessmentResults"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					method := http.MethodPut
					if !strings.Contains(strings.TrimPrefix(tc.path, g12+"/"), "/") {
						method = http.MethodPost
					}
					r := e.do(t, method, all, tc.path, tc.body)
					require.Equal(t, http.StatusBadRequest, r.status, r.body)
					assert.Equal(t, "invaliddata", codeMinor(t, r))
					assert.Contains(t, r.body["imsx_description"], tc.field)
				})
			}
			assert.Equal(t, http.StatusNotFound, e.get(t, read, arpItems+"/x").status, "no refused write is stored")
			assert.Equal(t, http.StatusNotFound, e.get(t, read, arpResults+"/x").status)
		}},
		{"ARP/unknown ids", func(t *testing.T) {
			for _, p := range []string{arpItems + "/nope", arpResults + "/nope"} {
				r := e.get(t, read, p)
				assert.Equal(t, http.StatusNotFound, r.status)
				assert.Equal(t, "unknownobject", codeMinor(t, r))
				assert.Equal(t, http.StatusNotFound, e.do(t, http.MethodDelete, del, p, "").status)
			}
		}},
		{"ARP/tenant isolation", func(t *testing.T) {
			assert.Empty(t, ids(t, e.get(t, other, arpItems), "assessmentLineItems"))
			assert.Empty(t, ids(t, e.get(t, other, arpResults+"?filter="+urlq("dateLastModified>'2000-01-01'")), "assessmentResults"))
			assert.Equal(t, http.StatusNotFound, e.get(t, other, arpResults+"/ar-1").status)
			rd := e.do(t, http.MethodDelete, other, arpResults+"/ar-1", "")
			assert.Equal(t, http.StatusNotFound, rd.status, rd.body)
			// Another tenant's line item is unknown here, even with the same students.
			r := e.do(t, http.MethodPut, other, arpResults+"/ar-1", arpResultBody("ar-1", "ali-exam", "u-1", ""))
			assert.Equal(t, http.StatusBadRequest, r.status)
			// Its own records of the same ids are its own.
			require.Equal(t, http.StatusCreated, e.do(t, http.MethodPut, other, arpItems+"/ali-exam", arpItemBody("ali-exam", "Elsewhere", "")).status)
			assert.Equal(t, "Placement exam", obj(t, e.get(t, read, arpItems+"/ali-exam"), "assessmentLineItem")["title"])
			assert.Equal(t, "Elsewhere", obj(t, e.get(t, other, arpItems+"/ali-exam"), "assessmentLineItem")["title"])
			assert.Equal(t, "1", e.get(t, other, arpItems).header.Get("X-Total-Count"))
			assert.Equal(t, strconv.Itoa(3), e.get(t, read, arpItems).header.Get("X-Total-Count"))
		}},
	}
}
