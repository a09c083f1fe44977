package sqlite

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
)

// TestLRSSegmentMigrationKeepsStatements opens a database whose LRS schema
// is at version 3 (indexes without segments) holding statements, and
// checks that after the version 4 migration every index-driven query still
// finds them, in order, and new statements land after them.
func TestLRSSegmentMigrationKeepsStatements(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", dir+"/"+FileName)
	require.NoError(t, err)
	_, err = db.ExecContext(t.Context(), `CREATE TABLE schema_migrations (
		domain TEXT NOT NULL, version INTEGER NOT NULL, applied INTEGER NOT NULL,
		PRIMARY KEY (domain, version)) STRICT`)
	require.NoError(t, err)
	for _, m := range migrations() {
		steps := m.steps
		if m.domain == "lrs" {
			steps = steps[:3]
		}
		for v, step := range steps {
			_, err := db.ExecContext(t.Context(), step)
			require.NoError(t, err, "%s %d", m.domain, v+1)
			_, err = db.ExecContext(t.Context(), "INSERT INTO schema_migrations VALUES (?, ?, 0)", m.domain, v+1)
			require.NoError(t, err)
		}
	}
	reg := uuid.NewString()
	var ids []string
	for i := range 3 {
		id := uuid.NewString()
		ids = append(ids, id)
		stored := time.Unix(1000+int64(i), 0).UnixNano()
		raw := fmt.Sprintf(`{"id":%q,"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/act"},"context":{"registration":%q},"stored":"x"}`, id, reg)
		_, err := db.ExecContext(t.Context(), `INSERT INTO lrs_statements
			(tenant, id, stored, hash, verb, registration, authority, void_target, ref_target, voided, atts, raw)
			VALUES ('t1', ?, ?, 'h', 'http://example.com/v', ?, 'account:x|k', '', '', 0, '[]', ?)`, id, stored, reg, []byte(raw))
		require.NoError(t, err)
		_, err = db.ExecContext(t.Context(), `INSERT INTO lrs_statement_agents (tenant, key, stored, id, direct)
			VALUES ('t1', 'mbox:mailto:a@example.com', ?, ?, 1)`, stored, id)
		require.NoError(t, err)
		_, err = db.ExecContext(t.Context(), `INSERT INTO lrs_statement_activities (tenant, activity, stored, id, direct)
			VALUES ('t1', 'http://example.com/act', ?, ?, 1)`, stored, id)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	s, err := Open(t.Context(), dir, testLogger(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close(t.Context()) })
	fresh, err := lrs.ParseStatements(fmt.Appendf(nil, `{"actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/act"},"context":{"registration":%q}}`, reg), lrs.V1, false)
	require.NoError(t, err)
	st, err := lrs.Prepare(fresh[0], lrs.Prepared{Authority: map[string]any{"mbox": "mailto:k@example.com"}, Version: lrs.V1})
	require.NoError(t, err)
	require.NoError(t, s.SaveStatements(t.Context(), "t1", time.Unix(2000, 0), []*lrs.Statement{st}, nil))
	want := append([]string{st.ID.String()}, ids[2], ids[1], ids[0])

	for name, q := range map[string]lrs.Query{
		"agent":        {Agent: "mbox:mailto:a@example.com"},
		"activity":     {Activity: "http://example.com/act"},
		"registration": {Registration: reg},
	} {
		t.Run(name, func(t *testing.T) {
			page, err := s.QueryStatements(t.Context(), "t1", q)
			require.NoError(t, err)
			var got []string
			for _, st := range page.Statements {
				got = append(got, st.ID.String())
			}
			assert.Equal(t, want, got)
		})
	}
}
