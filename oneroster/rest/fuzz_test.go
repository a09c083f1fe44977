package rest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/internal/server"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// FuzzGradebookWrite sends arbitrary bodies to every gradebook write route
// (PUT of each kind, the four 1.2 POST routes, the Assessment Results
// Profile's PUT and POST): no body may get a 500, and
// a write answers 200, 201, 400 or 404 only.
func FuzzGradebookWrite(f *testing.F) {
	for _, s := range []string{
		`{"lineItems":[{"sourcedId":"li-1","title":"t","assignDate":"2025-01-01","dueDate":"2025-01-02","category":{"sourcedId":"c"}}]}`,
		`{"lineItem":{"title":"t","assignDate":"2025-01-01","dueDate":"2025-01-02","class":{"sourcedId":"x"},"scoreScale":{"sourcedId":"s"}}}`,
		`{"results":[{"student":{"sourcedId":"u"},"scoreStatus":"exempt","scoreDate":"2025-01-01","score":1e308}]}`,
		`{"scoreScale":{"title":"t","type":"x","scoreScaleValue":[{"itemValueLHS":"A","itemValueRHS":"1"}]}}`,
		`{"category":{"title":"t","weight":-1}}`,
		`{"results":[]}`, `[]`, `null`, `{"lineItems":{}}`, `{"scoreScale":{"scoreScaleValue":"x"}}`,
		`{"assessmentLineItem":{"title":"t","parentAssessmentLineItem":{"sourcedId":"ali-1"},"metadata":{"a":[1,{"b":null}]},"learningObjectiveSet":[{"source":"case","learningObjectiveIds":["x"]}]}}`,
		`{"assessmentResults":[{"assessmentLineItem":{"sourcedId":"ali-1"},"student":{"sourcedId":"u"},"scoreStatus":"ext:x","scoreDate":"2025-01-01","late":true,"learningObjectiveSet":[{"source":"unknown","learningObjectiveResults":[{"learningObjectiveId":"l","score":1}]}]}]}`,
		`{"assessmentResult":{"scorePercentile":"x","inProgress":3}}`,
	} {
		for _, which := range []uint8{0, 5, 9, 10, 11, 12} { // 9-12: the ARP routes
			f.Add(which, []byte(s))
		}
	}
	st := sqlitetest.Open(f)
	cfg, _, err := config.Load("serve", nil, func(string) string { return "" }, nil)
	if err != nil {
		f.Fatal(err)
	}
	a := auth.NewAuthenticator(st, time.Now)
	h := &Handler{Store: st, Writer: st, Auth: a, Logger: slog.New(slog.DiscardHandler)}
	srv := server.New(server.Options{Config: cfg, Logger: h.Logger, Mounts: []server.Mounter{h}})
	ctx := context.Background()
	cred, err := a.CreateCredential(ctx, auth.DefaultTenant, "fuzz", []string{"gradebook.createput", "gradebook.createpost", "assessment.createput"})
	if err != nil {
		f.Fatal(err)
	}
	tok, _, err := a.IssueToken(ctx, cred.Key, cred.Secret, nil)
	if err != nil {
		f.Fatal(err)
	}
	routes := []struct{ method, path string }{
		{http.MethodPut, "/ims/oneroster/gradebook/v1p2/lineItems/li-1"},
		{http.MethodPut, "/ims/oneroster/gradebook/v1p2/results/r-1"},
		{http.MethodPut, "/ims/oneroster/gradebook/v1p2/categories/c-1"},
		{http.MethodPut, "/ims/oneroster/gradebook/v1p2/scoreScales/s-1"},
		{http.MethodPut, "/ims/oneroster/v1p1/lineItems/li-1"},
		{http.MethodPost, "/ims/oneroster/gradebook/v1p2/classes/cls-1/lineItems"},
		{http.MethodPost, "/ims/oneroster/gradebook/v1p2/schools/sch-1/lineItems"},
		{http.MethodPost, "/ims/oneroster/gradebook/v1p2/lineItems/li-1/results"},
		{http.MethodPost, "/ims/oneroster/gradebook/v1p2/classes/cls-1/academicSessions/t-1/results"},
		{http.MethodPut, "/ims/oneroster/gradebook/v1p2/assessmentLineItems/ali-1"},
		{http.MethodPut, "/ims/oneroster/gradebook/v1p2/assessmentResults/ar-1"},
		{http.MethodPost, "/ims/oneroster/gradebook/v1p2/assessmentLineItems"},
		{http.MethodPost, "/ims/oneroster/gradebook/v1p2/assessmentResults"},
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		rt := routes[int(which)%len(routes)]
		req := httptest.NewRequest(rt.method, rt.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := srv.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK, http.StatusCreated, http.StatusBadRequest, http.StatusNotFound:
		default:
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s %s: status %d: %s", rt.method, rt.path, resp.StatusCode, b)
		}
	})
}
