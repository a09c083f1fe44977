package logctx

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHandlerAddsContextAttrs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(Handler{slog.NewJSONHandler(&buf, nil)}).With("component", "lrs")
	ctx := With(With(context.Background(), "request_id", "r1"), "tenant", "camp-a")
	log.InfoContext(ctx, "stored")
	assert.Contains(t, buf.String(), `"component":"lrs"`)
	assert.Contains(t, buf.String(), `"request_id":"r1"`)
	assert.Contains(t, buf.String(), `"tenant":"camp-a"`)

	buf.Reset()
	log.Info("no context")
	assert.NotContains(t, buf.String(), "request_id")

	// Deriving a context does not change its parent's attributes.
	parent := With(context.Background(), "a", 1)
	_ = With(parent, "b", 2)
	buf.Reset()
	log.InfoContext(parent, "x")
	assert.NotContains(t, buf.String(), `"b"`)
}
