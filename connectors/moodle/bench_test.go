package moodle_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/connectortest"
	"github.com/passportbridge/passport/connectors/moodle/moodlefake"
	"github.com/passportbridge/passport/oneroster"
)

// BenchmarkPush10k pushes 10,000 students with 40,000 enrollments to the
// Moodle fake, then pushes the same delta again (which must write nothing).
// Run: go test -run '^$' -bench Push10k -benchtime 1x ./connectors/moodle/
func BenchmarkPush10k(b *testing.B) {
	roster := connectortest.BigRoster(10_000)
	for b.Loop() {
		fake := moodlefake.New()
		srv := httptest.NewServer(fake)
		c := open(b, srv.URL, connectortest.Client(b))
		p := c.(connectors.Pusher)

		start := time.Now()
		rep, err := p.Push(b.Context(), oneroster.Delta{Upserts: roster}, connectors.PushOptions{})
		first := time.Since(start)
		require.NoError(b, err)
		require.Zero(b, rep.Failed, "%v", rep.Items)

		writes := fake.Writes()
		start = time.Now()
		rep2, err := p.Push(b.Context(), oneroster.Delta{Upserts: roster}, connectors.PushOptions{})
		second := time.Since(start)
		require.NoError(b, err)
		require.Equal(b, writes, fake.Writes(), "unchanged run wrote")

		b.ReportMetric(first.Seconds(), "first-push-s")
		b.ReportMetric(float64(rep.Writes), "first-writes")
		b.ReportMetric(second.Seconds(), "second-push-s")
		b.ReportMetric(float64(rep2.Writes), "second-writes")
		b.ReportMetric(float64(fake.EnrolmentCount()), "enrolments")
		srv.Close()
	}
}
