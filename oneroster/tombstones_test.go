package oneroster_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/oneroster/memstore"
)

func TestParseRetention(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
		err  bool
	}{
		{"", 0, false, false},
		{"keep", 0, false, false},
		{"90d", 90 * 24 * time.Hour, true, false},
		{"2160h", 2160 * time.Hour, true, false},
		{"0d", 0, false, true},
		{"-5h", 0, false, true},
		{"soon", 0, false, true},
		{"d", 0, false, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			d, ok, err := oneroster.ParseRetention(tc.in)
			assert.Equal(t, tc.err, err != nil, err)
			assert.Equal(t, tc.want, d)
			assert.Equal(t, tc.ok, ok)
		})
	}
}

// FuzzParseRetention: any setting parses to keep, a positive duration, or
// an error.
func FuzzParseRetention(f *testing.F) {
	for _, s := range []string{"", "keep", "90d", "2160h", "1h30m", "-1d", "9999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok, err := oneroster.ParseRetention(s)
		if err == nil && ok && d <= 0 {
			t.Fatalf("%q: non-positive retention %v", s, d)
		}
		if err != nil && ok {
			t.Fatalf("%q: ok with an error", s)
		}
	})
}

func TestTombstoneSweep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memstore.New()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	apply := func(tenant string, at time.Time, id string, status oneroster.Status) {
		c, err := oneroster.ChangeOf(&oneroster.Org{Base: oneroster.Base{SourcedID: id, Status: status}, Name: id, Type: "school"})
		require.NoError(t, err)
		_, err = st.Apply(ctx, oneroster.Batch{Tenant: tenant, Now: at, Rows: func(y func(oneroster.Change) error) error { return y(c) }})
		require.NoError(t, err)
	}
	for _, tn := range []string{"a", "b"} {
		apply(tn, t0, "old", oneroster.StatusActive)
		apply(tn, t0, "new", oneroster.StatusActive)
		apply(tn, t0.Add(time.Hour), "old", oneroster.StatusToBeDeleted)
		apply(tn, t0.Add(80*24*time.Hour), "new", oneroster.StatusToBeDeleted)
	}
	sw := &oneroster.TombstoneSweep{
		Store: st, Keep: 30 * 24 * time.Hour, Clock: func() time.Time { return t0.Add(90 * 24 * time.Hour) },
		Tenants: func(context.Context) ([]string, error) { return []string{"a", "b"}, nil }, Logger: slog.New(slog.DiscardHandler),
	}
	n, err := sw.Once(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the old tombstone of each tenant")
	for _, tn := range []string{"a", "b"} {
		recs, err := st.Records(ctx, tn, oneroster.KindOrg)
		require.NoError(t, err)
		require.Len(t, recs, 1)
		assert.Equal(t, "new", recs[0].SourcedID)
	}
	sw.Tenants = func(context.Context) ([]string, error) { return nil, errors.New("down") }
	_, err = sw.Once(ctx)
	require.Error(t, err)
	sw.Keep = 0
	_, err = sw.Once(ctx)
	require.Error(t, err)
}
