package rostersync_test

import (
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/connectortest"
	"github.com/passportbridge/passport/connectors/moodle"
	"github.com/passportbridge/passport/connectors/moodle/moodlefake"
	"github.com/passportbridge/passport/internal/rostersync"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// BenchmarkSyncRun10k is the whole push path: 10,000 students with 40,000
// enrollments imported into the sqlite roster store (through the OneRoster
// pipeline), then a runner push of the delta since cursor 0 to the Moodle
// fake, then a second run with nothing changed.
// Run: go test -run '^$' -bench SyncRun10k -benchtime 1x ./internal/rostersync/
func BenchmarkSyncRun10k(b *testing.B) {
	roster := connectortest.BigRoster(10_000)
	for b.Loop() {
		st := sqlitetest.Open(b)
		start := time.Now()
		rep, err := rostersync.SnapshotImporter{Store: st}.ImportSnapshot(b.Context(), "camp", "bench", roster, rostersync.ImportOptions{Bulk: true})
		require.NoError(b, err)
		require.Zero(b, rep.Failed, "%v", rep.Items)
		b.ReportMetric(time.Since(start).Seconds(), "import-s")

		fake := moodlefake.New()
		srv := httptest.NewServer(fake)
		conn, err := (&moodle.Config{URL: srv.URL, Token: moodlefake.Token}).Open("moodle", slog.New(slog.DiscardHandler), connectortest.Client(b))
		require.NoError(b, err)
		r := &rostersync.Runner{Runs: st, Roster: st, Records: st}
		job := rostersync.Job{ID: "moodle", Tenant: "camp", Conn: conn}

		start = time.Now()
		run, err := r.Run(b.Context(), job, rostersync.OpPush, false)
		require.NoError(b, err, run.Error)
		b.ReportMetric(time.Since(start).Seconds(), "first-run-s")
		b.ReportMetric(float64(run.Report.Writes), "first-writes")
		require.Equal(b, connectors.RunSucceeded, run.Status)

		start = time.Now()
		run, err = r.Run(b.Context(), job, rostersync.OpPush, false)
		require.NoError(b, err)
		b.ReportMetric(time.Since(start).Seconds(), "second-run-s")
		b.ReportMetric(float64(run.Report.Writes), "second-writes")
		srv.Close()
	}
}
