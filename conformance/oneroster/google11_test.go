package oneroster_test

// R43: Google's OneRoster 1.1 integration notebook, re-expressed in Go.
//
// Source (read, not copied): googleworkspace/oneroster-integration-conformance-tests,
// oneroster_1_1_test_suite.ipynb. Its three sections are mirrored in order:
// Basic Grade Sync, Grading Categories and Grading Periods. Here the
// configured URL does end in /ims/oneroster/v1p1, as its README says, and
// every call (rostering and gradebook) is under that one base.
//
// Run: go test ./conformance/oneroster -run Google11

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// googleScopes11 are the scopes the 1.1 notebook requests.
var googleScopes11 = []string{
	"https://purl.imsglobal.org/spec/or/v1p1/scope/roster.readonly",
	"https://purl.imsglobal.org/spec/or/v1p1/scope/gradebook.readonly",
	"https://purl.imsglobal.org/spec/or/v1p1/scope/gradebook.createput",
	"https://purl.imsglobal.org/spec/or/v1p1/scope/gradebook.delete",
}

func TestGoogle11(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, open(t), false)
			e.importDir(t, "default", demoRoster)
			runSteps(t, google11Steps(e))
		})
	}
}

func google11Steps(e *env) []step {
	base := b11
	var (
		tok, tokenForm                 string
		teacher, class, student, term  string
		lineItem, result, category     string
		assignDate, dueDate, longTitle string
	)
	const jsonType = "application/json"
	resultsURL := func() string { return base + "/classes/" + class + "/lineItems/" + lineItem + "/results?limit=10000" }
	return []step{
		// Basic Grade Sync [Required].
		{"R43/google11 auth: client credentials with Basic auth and four 1.1 scopes gives 200 and a token", func(t *testing.T) {
			var status int
			status, tok, tokenForm = googleToken(t, e, "default", googleScopes11)
			require.Equal(t, http.StatusOK, status)
			require.NotEmpty(t, tok)
		}},
		{"R43/google11 GetAllTeachers: teachers?limit=1 is 200", func(t *testing.T) {
			r := e.get(t, tok, base+"/teachers?limit=1")
			require.Equal(t, http.StatusOK, r.status)
			assert.Len(t, list(t, r, "users"), 1)
		}},
		{"R43/google11 GetAllTeachers email filter: exactly one teacher, with email and sourcedId", func(t *testing.T) {
			r := e.get(t, tok, base+"/teachers?filter=email='"+demoTeacherEmail+"'&limit=10000")
			require.Equal(t, http.StatusOK, r.status)
			users := list(t, r, "users")
			require.Len(t, users, 1, "Validate teacher")
			require.Contains(t, users[0], "email")
			teacher = users[0]["sourcedId"].(string)
		}},
		{"R43/google11 GetClassesForTeacher: 200 with a first active class", func(t *testing.T) {
			r := e.get(t, tok, base+"/teachers/"+teacher+"/classes?limit=10000&filter=status='active'")
			require.Equal(t, http.StatusOK, r.status)
			classes := list(t, r, "classes")
			require.NotEmpty(t, classes)
			class = classes[0]["sourcedId"].(string)
		}},
		{"R43/google11 GetStudentsForClass: at least one student, with email and sourcedId", func(t *testing.T) {
			r := e.get(t, tok, base+"/classes/"+class+"/students?limit=10000")
			require.Equal(t, http.StatusOK, r.status)
			users := list(t, r, "users")
			require.NotEmpty(t, users, "Validate student")
			require.Contains(t, users[0], "email")
			student = users[0]["sourcedId"].(string)
		}},
		// The notebook creates (and later edits) its line item with a class
		// and no category, and expects 201. OneRoster 1.1 makes a line item's
		// category required, but Google Classroom is a real client: a 1.1
		// line item without one goes into the class's default category
		// (<class>-default, "Uncategorized"), created in the same write
		// (docs/oneroster.md, a deliberate leniency). 1.2 stays strict.
		{"R43/google11 PutLineItem Create: a line item with a class and no category is 201, in the class's default category", func(t *testing.T) {
			lineItem = uuid.NewString()
			assignDate, dueDate = googleNow(0), googleNow(time.Minute)
			r := e.rawDo(t, http.MethodPut, tok, base+"/lineItems/"+lineItem, jsonType, lineItemBody(lineItem, "New test item", assignDate, dueDate, class, "", ""))
			require.Equal(t, http.StatusCreated, r.status, r.body)
			li, ok := r.body["lineItem"].(map[string]any)
			require.True(t, ok, r.body)
			assert.Equal(t, class+"-default", li["category"].(map[string]any)["sourcedId"])
			cats := list(t, e.get(t, tok, base+"/classes/"+class+"/categories?limit=10000"), "categories")
			assert.NotNil(t, find(cats, class+"-default"), "the default category is offered for the class")
		}},
		{"R43/google11 GetLineItemsForClass: the created line item is listed", func(t *testing.T) {
			r := e.get(t, tok, base+"/classes/"+class+"/lineItems?limit=10000")
			require.Equal(t, http.StatusOK, r.status)
			assert.NotNil(t, find(list(t, r, "lineItems"), lineItem), "Get created line item")
		}},
		{"R43/google11 PutLineItem Edit: a long amended title is 200", func(t *testing.T) {
			longTitle = "[Amended] Real" + strings.Repeat("l", 66) + "y Long Google Test Line Item Title"
			r := e.rawDo(t, http.MethodPut, tok, base+"/lineItems/"+lineItem, jsonType, lineItemBody(lineItem, longTitle, assignDate, dueDate, class, "", ""))
			assert.Equal(t, http.StatusOK, r.status, "INFO: modifying an existing resource should return 200")
		}},
		{"R43/google11 Assignment Title Limit: the whole title comes back", func(t *testing.T) {
			r := e.get(t, tok, base+"/classes/"+class+"/lineItems?limit=10000")
			li := find(list(t, r, "lineItems"), lineItem)
			require.NotNil(t, li, "Line item exists")
			assert.Equal(t, longTitle, li["title"])
		}},
		{"R43/google11 PutResult Create: score 80 fully graded is 201", func(t *testing.T) {
			result = uuid.NewString()
			r := e.rawDo(t, http.MethodPut, tok, base+"/results/"+result, jsonType, resultBody(result, 80, "fully graded", assignDate, lineItem, student))
			require.Contains(t, []int{http.StatusOK, http.StatusCreated}, r.status, r.body)
			assert.Equal(t, http.StatusCreated, r.status, "R32")
		}},
		{"R43/google11 GetResultsForLineItem: the created result is listed", func(t *testing.T) {
			r := e.get(t, tok, resultsURL())
			require.Equal(t, http.StatusOK, r.status)
			assert.NotNil(t, find(list(t, r, "results"), result), "Get created result")
		}},
		{"R43/google11 PutResult Edit: score 300 is 200", func(t *testing.T) {
			r := e.rawDo(t, http.MethodPut, tok, base+"/results/"+result, jsonType, resultBody(result, 300, "fully graded", assignDate, lineItem, student))
			assert.Equal(t, http.StatusOK, r.status, r.body)
		}},
		{"R43/google11 Result Extra Credit: the score is 300", func(t *testing.T) {
			res := find(list(t, e.get(t, tok, resultsURL()), "results"), result)
			require.NotNil(t, res)
			assert.InDelta(t, 300.0, res["score"], 0)
		}},
		{"R43/google11 PutResult Create Exempt: scoreStatus exempt is 200 or 201", func(t *testing.T) {
			r := e.rawDo(t, http.MethodPut, tok, base+"/results/"+result, jsonType, resultBody(result, 80, "exempt", assignDate, lineItem, student))
			require.Contains(t, []int{http.StatusOK, http.StatusCreated}, r.status, r.body)
		}},
		{"R43/google11 GetResultsForLineItem Exempt: returned in the excused state", func(t *testing.T) {
			res := find(list(t, e.get(t, tok, resultsURL()), "results"), result)
			require.NotNil(t, res)
			assert.Equal(t, "exempt", res["scoreStatus"])
		}},
		{"R43/google11 DeleteResult: 200 or 204", func(t *testing.T) {
			assert.Contains(t, []int{http.StatusOK, http.StatusNoContent}, e.rawDo(t, http.MethodDelete, tok, base+"/results/"+result, "", "").status)
		}},
		{"R43/google11 GetResultsForLineItem (Deleted): the result is gone", func(t *testing.T) {
			assert.Nil(t, find(list(t, e.get(t, tok, resultsURL()), "results"), result))
		}},
		{"R43/google11 DeleteLineItem: 200 or 204", func(t *testing.T) {
			assert.Contains(t, []int{http.StatusOK, http.StatusNoContent}, e.rawDo(t, http.MethodDelete, tok, base+"/lineItems/"+lineItem, "", "").status)
		}},
		{"R43/google11 GetLineItemsForClass (Deleted): the line item is gone", func(t *testing.T) {
			assert.Nil(t, find(list(t, e.get(t, tok, base+"/classes/"+class+"/lineItems?limit=10000"), "lineItems"), lineItem))
		}},

		// Grading Categories [Required].
		{"R43/google11 GetAllCategories: 200 and a first category", func(t *testing.T) {
			r := e.get(t, tok, base+"/categories?limit=10000")
			require.Equal(t, http.StatusOK, r.status)
			cats := list(t, r, "categories")
			require.NotEmpty(t, cats)
			category = cats[0]["sourcedId"].(string)
		}},
		{"R43/google11 GetCategoriesForClass: 200 and a first category (a GET carrying a form body)", func(t *testing.T) {
			r := e.rawDo(t, http.MethodGet, tok, base+"/classes/"+class+"/categories?limit=10000", "application/x-www-form-urlencoded", tokenForm)
			require.Equal(t, http.StatusOK, r.status)
			cats := list(t, r, "categories")
			require.NotEmpty(t, cats)
			category = cats[0]["sourcedId"].(string)
		}},
		{"R43/google11 PutLineItem w/ category: 201", func(t *testing.T) {
			lineItem = uuid.NewString()
			body := lineItemBody(lineItem, "Google Test Line Item Title", assignDate, dueDate, class, category, "")
			r := e.rawDo(t, http.MethodPut, tok, base+"/lineItems/"+lineItem, jsonType, body)
			require.Equal(t, http.StatusCreated, r.status, r.body)
		}},
		{"R43/google11 GetLineItemsForClass (Category exists): the line item carries the category", func(t *testing.T) {
			li := find(list(t, e.get(t, tok, base+"/classes/"+class+"/lineItems?limit=10000"), "lineItems"), lineItem)
			require.NotNil(t, li)
			assert.Equal(t, category, li["category"].(map[string]any)["sourcedId"], "Line item created with category")
		}},
		{"R43/google11 DeleteLineItem (cleanup): 200 or 204", func(t *testing.T) {
			assert.Contains(t, []int{http.StatusOK, http.StatusNoContent}, e.rawDo(t, http.MethodDelete, tok, base+"/lineItems/"+lineItem, "", "").status)
		}},

		// Grading Periods [Required].
		{"R43/google11 GetAllClasses w/ filter: sourcedId filter gives exactly the class, with terms", func(t *testing.T) {
			r := e.get(t, tok, base+"/classes?filter=sourcedId='"+class+"'&limit=10000")
			require.Equal(t, http.StatusOK, r.status)
			classes := list(t, r, "classes")
			require.Len(t, classes, 1, "Validate class")
			require.Contains(t, classes[0], "terms")
			term = classes[0]["terms"].([]any)[0].(map[string]any)["sourcedId"].(string)
		}},
		{"R43/google11 GetGradingPeriodsForTerm: sessions with the five fields, all gradingPeriod", func(t *testing.T) {
			r := e.get(t, tok, base+"/terms/"+term+"/gradingPeriods?limit=10000")
			require.Equal(t, http.StatusOK, r.status)
			sessions := list(t, r, "academicSessions")
			require.NotEmpty(t, sessions)
			for _, k := range []string{"sourcedId", "title", "startDate", "endDate", "schoolYear"} {
				assert.Contains(t, sessions[0], k, "Validate grading period")
			}
			for _, s := range sessions {
				assert.Equal(t, "gradingPeriod", s["type"])
			}
		}},
	}
}
