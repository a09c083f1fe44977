package mongo_test

import (
	"log/slog"
	"testing"

	"github.com/passportbridge/passport/store/mongo"
	"github.com/passportbridge/passport/store/mongo/mongotest"
)

// TestReopen opens the same database several times, as stateless replicas
// and CLI commands do: ensuring indexes again must be a no-op.
func TestReopen(t *testing.T) {
	t.Parallel()
	uri := mongotest.URI(t)
	for i := range 3 {
		s, err := mongo.Open(t.Context(), uri, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("ping %d: %v", i, err)
		}
		if err := s.Close(t.Context()); err != nil {
			t.Fatalf("close %d: %v", i, err)
		}
	}
}
