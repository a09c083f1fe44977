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

func TestConcurrency(t *testing.T) {
	t.Parallel()
	storetest.RunConcurrency(t, func(t *testing.T) backend.Store { return sqlitetest.Open(t) })
}
