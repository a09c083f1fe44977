package forward_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// benchStatements stores n realistic statements in tenant t1, 50 a save.
func benchStatements(b *testing.B, s lrs.StatementStore, n int) {
	b.Helper()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var batch []*lrs.Statement
	for i := range n {
		ms, err := lrs.ParseStatements(fmt.Appendf(nil, `{"actor":{"name":"L %d","mbox":"mailto:l%d@camp.example"},
			"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},
			"object":{"id":"https://camp.example/a/%d","definition":{"name":{"en-US":"Lesson %d"},"type":"http://adlnet.gov/expapi/activities/lesson"}},
			"result":{"score":{"scaled":0.8},"completion":true,"duration":"PT4M"},
			"context":{"registration":"6fbd6c5e-2b36-4d42-9d7e-1f2f6a0c9a11","contextActivities":{"parent":[{"id":"https://camp.example/course"}]}}}`,
			i%200, i%200, i%40, i%40), lrs.V1, false)
		require.NoError(b, err)
		st, err := lrs.Prepare(ms[0], lrs.Prepared{Version: lrs.V1, Authority: map[string]any{"account": map[string]any{"homePage": "https://camp", "name": "k"}}})
		require.NoError(b, err)
		batch = append(batch, st)
		if len(batch) == 50 || i == n-1 {
			require.NoError(b, s.SaveStatements(b.Context(), "t1", base.Add(time.Duration(i)*time.Millisecond), batch, nil))
			batch = nil
		}
	}
}

// BenchmarkForward measures forwarding from the sqlite store to a
// downstream that accepts everything at once (no network latency): the
// forwarder's own cost per statement (read, filter, batch, cursor).
func BenchmarkForward(b *testing.B) {
	const n = 5000
	for _, batch := range []int{50, 500} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s := sqlitetest.Open(b)
			benchStatements(b, s, n)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusOK)
			}))
			b.Cleanup(srv.Close)
			c := testClient(nil)
			c.HTTPClient = srv.Client()
			b.ResetTimer()
			for i := range b.N {
				f := forward.New(forward.Rule{ID: fmt.Sprintf("r%d", i), Tenant: "t1", URL: srv.URL, Key: "k", Secret: "s", Batch: batch},
					s, forward.Options{Client: c})
				res, err := f.RunOnce(b.Context())
				require.NoError(b, err)
				require.Equal(b, n, res.Forwarded)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "statements/s")
		})
	}
}

// BenchmarkExport measures export of the sqlite store to io.Discard.
func BenchmarkExport(b *testing.B) {
	const n = 5000
	s := sqlitetest.Open(b)
	benchStatements(b, s, n)
	b.ResetTimer()
	for range b.N {
		got, err := forward.Export(b.Context(), s, "t1", time.Time{}, time.Time{}, io.Discard)
		require.NoError(b, err)
		require.Equal(b, n, got)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "statements/s")
}
