package backend

import (
	"context"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/oneroster"
)

// Store is what every storage backend implements: each domain's own store
// interface, plus health and lifecycle. storetest runs against it.
type Store interface {
	auth.Store
	lrs.Store
	lti.Store
	oneroster.Store
	connectors.RunStore
	forward.Store

	// Ping reports whether the backend is reachable and writable.
	Ping(ctx context.Context) error
	// Close flushes pending writes and releases the backend.
	Close(ctx context.Context) error
}
