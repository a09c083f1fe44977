package sqlite

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
)

// TestQueryPlansNeedNoSort checks that every statement query is driven by
// the intended index and reads rows in the requested order (segments, then
// stored time), so that LIMIT stops early instead of SQLite sorting every
// match first.
func TestQueryPlansNeedNoSort(t *testing.T) {
	t.Parallel()
	s, err := Open(t.Context(), t.TempDir(), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close(t.Context()) })
	after := &lrs.Cursor{Stored: time.Unix(100, 0), ID: uuid.New()}
	const (
		bySegmentAgent    = "SEARCH d USING PRIMARY KEY (tenant=? AND seg=? AND key=?"
		bySegmentActivity = "SEARCH d USING PRIMARY KEY (tenant=? AND seg=? AND activity=?"
		byStored          = "SEARCH s USING INDEX lrs_statements_stored (tenant=?"
	)
	queries := map[string]struct {
		q     lrs.Query
		index string
	}{
		"agent":            {lrs.Query{Agent: "mbox:mailto:a@example.com"}, bySegmentAgent},
		"related agents":   {lrs.Query{Agent: "mbox:mailto:a@example.com", RelatedAgents: true}, bySegmentAgent},
		"activity":         {lrs.Query{Activity: "http://example.com/a"}, bySegmentActivity},
		"registration":     {lrs.Query{Registration: uuid.NewString()}, "SEARCH s USING INDEX lrs_statements_registration (tenant=? AND seg=? AND registration=?"},
		"authority":        {lrs.Query{Authority: "account:https://lrs.example|key-1"}, bySegmentAgent},
		"verb":             {lrs.Query{Verb: "http://example.com/v"}, "SEARCH s USING INDEX lrs_statements_verb (tenant=? AND verb=?"},
		"agent and verb":   {lrs.Query{Agent: "mbox:mailto:a@example.com", Verb: "http://example.com/v"}, bySegmentAgent},
		"no filter":        {lrs.Query{}, byStored},
		"since and until":  {lrs.Query{Since: time.Unix(1, 0), Until: time.Unix(2, 0)}, byStored},
		"agent with since": {lrs.Query{Agent: "mbox:mailto:a@example.com", Since: time.Unix(1, 0)}, bySegmentAgent},
	}
	for name, tc := range queries {
		for _, asc := range []bool{false, true} {
			for _, cursor := range []*lrs.Cursor{nil, after} {
				t.Run(fmt.Sprintf("%s/ascending=%v/cursor=%v", name, asc, cursor != nil), func(t *testing.T) {
					q := tc.q
					q.Ascending, q.After, q.Limit = asc, cursor, 10
					sq := directQuery("t1", q)
					rows, err := s.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+sq.text, sq.args...)
					require.NoError(t, err)
					defer rows.Close()
					var plan []string
					for rows.Next() {
						var id, parent, unused int
						var detail string
						require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
						plan = append(plan, detail)
					}
					require.NoError(t, rows.Err())
					text := strings.Join(plan, "\n")
					assert.NotContains(t, text, "TEMP B-TREE", "plan:\n%s", text)
					assert.Contains(t, text, tc.index, "plan:\n%s", text)
				})
			}
		}
	}
}
