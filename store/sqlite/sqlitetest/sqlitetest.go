package sqlitetest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/passportbridge/passport/store/sqlite"
)

// Open returns a store in a fresh temporary directory, closed when t ends.
func Open(t testing.TB) *sqlite.Store {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := sqlite.Open(t.Context(), t.TempDir(), logger)
	if err != nil {
		t.Fatalf("open sqlite store: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("close sqlite store: %v", err)
		}
	})
	return s
}
