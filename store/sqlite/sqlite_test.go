package sqlite_test

import (
	"testing"

	"github.com/passportbridge/passport/store/backend"
	"github.com/passportbridge/passport/store/sqlite"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
	"github.com/passportbridge/passport/store/storetest"
)

var _ backend.Store = (*sqlite.Store)(nil)

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) backend.Store { return sqlitetest.Open(t) })
}

// TestStoreSmallSegments runs the contract suite with two statements per
// LRS index segment, so that every query walks many segments.
func TestStoreSmallSegments(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) backend.Store {
		s := sqlitetest.Open(t)
		sqlite.SetSegmentShift(s, 1)
		return s
	})
}

func TestConcurrency(t *testing.T) {
	t.Parallel()
	storetest.RunConcurrency(t, func(t *testing.T) backend.Store { return sqlitetest.Open(t) })
}
