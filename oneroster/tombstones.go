package oneroster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// TombstoneSweep removes, tenant by tenant, the tombstones (tobedeleted
// records) older than a retention window. Tombstones let REST delta pollers
// (dateLastModified>…) and connectors learn of deletions, so a poller that
// has not polled within the window misses the deletions purged meanwhile;
// the default is to keep them for ever.
type TombstoneSweep struct {
	Store TombstoneStore
	// Tenants lists the tenants to sweep.
	Tenants func(ctx context.Context) ([]string, error)
	// Keep is the retention window: tombstones last changed longer ago are
	// removed.
	Keep time.Duration
	// Every is the pause between sweeps (Run); 0 means one hour.
	Every  time.Duration
	Clock  func() time.Time
	Logger *slog.Logger
}

// Once sweeps every tenant once and returns how many tombstones it removed.
func (s *TombstoneSweep) Once(ctx context.Context) (int, error) {
	if s.Keep <= 0 {
		return 0, errors.New("tombstone sweep: the retention window must be positive")
	}
	tenants, err := s.Tenants(ctx)
	if err != nil {
		return 0, fmt.Errorf("tombstone sweep: list tenants: %w", err)
	}
	before := s.Clock().Add(-s.Keep)
	total := 0
	var errs []error
	for _, t := range tenants {
		n, err := s.Store.PurgeRosterTombstones(ctx, t, before)
		total += n
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s: %w", t, err))
		}
	}
	return total, errors.Join(errs...)
}

// Run sweeps at once and then every Every until ctx ends; failures are
// logged and retried at the next sweep.
func (s *TombstoneSweep) Run(ctx context.Context) error {
	every := s.Every
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.Once(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.Logger.WarnContext(ctx, "roster tombstone sweep", "removed", n, "error", err)
		case n > 0:
			s.Logger.InfoContext(ctx, "roster tombstone sweep", "removed", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// ParseRetention reads a tombstone retention setting: "" or "keep" means
// keep for ever (ok false); otherwise a positive duration, as Go writes it
// (2160h) or in days (90d).
func ParseRetention(v string) (time.Duration, bool, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "keep" {
		return 0, false, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 100*365 {
			return 0, false, fmt.Errorf("tombstone retention %q: want a positive number of days like 90d, a duration like 2160h, or keep", v)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d <= 0 {
			return 0, false, fmt.Errorf("tombstone retention %q: want a positive number of days like 90d, a duration like 2160h, or keep", v)
		}
	}
	return d, true, nil
}
