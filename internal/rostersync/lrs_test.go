package rostersync_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/kolibri"
	"github.com/passportbridge/passport/internal/rostersync"
	"github.com/passportbridge/passport/store/sqlite/sqlitetest"
)

// The statements both connectors produce pass the LRS's own validation and
// land in the tenant's LRS; saving them again is a no-op.
func TestLRSSaverStoresConnectorStatements(t *testing.T) {
	t.Parallel()
	s := sqlitetest.Open(t)
	saver := rostersync.LRSSaver{Store: s, AuthorityHome: "https://passport.example", Clock: time.Now}

	f, err := os.Open(filepath.Join("..", "..", "connectors", "kolibri", "testdata", "summary_logs.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, _, err := kolibri.ParseSummaryLog(f)
	require.NoError(t, err)
	var sts []connectors.Statement
	for _, r := range rows {
		if st, ok := kolibri.Statement(r, "https://passport.example", "stu-1"); ok {
			sts = append(sts, st)
		}
	}
	raw := 7.5
	sts = append(sts, connectors.Statement{
		ID: connectors.StatementID("moodle", "x", "grade"), Actor: connectors.LearnerAgent("https://moodle.example", "stu-2"),
		Verb: connectors.VerbScored, Object: connectors.Activity{ObjectType: "Activity", ID: "https://moodle.example/mod/quiz/view.php?id=3"},
		Result: &connectors.Result{Score: connectors.NewScore(raw, 0, 10)}, Context: &connectors.Context{Platform: "Moodle"},
		Timestamp: time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC),
	})
	require.NoError(t, saver.SaveStatements(t.Context(), "camp", sts))
	require.NoError(t, saver.SaveStatements(t.Context(), "camp", sts), "idempotent by id")

	for _, st := range sts {
		id := mustUUID(t, st.ID)
		got, err := s.Statement(t.Context(), "camp", id, false)
		require.NoError(t, err)
		assert.Contains(t, string(got.JSON), st.Verb.ID)
	}
	_, err = s.Statement(t.Context(), "other", mustUUID(t, sts[0].ID), false)
	require.Error(t, err, "another tenant does not see them")
}

func mustUUID(t *testing.T, s string) uuid.UUID {
	t.Helper()
	u, err := uuid.Parse(s)
	require.NoError(t, err)
	return u
}
