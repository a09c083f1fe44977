package forward_test

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
)

func TestExport(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			ctx := t.Context()
			// 1,203 statements on sqlite, so that export pages more than
			// twice; fewer on the embedded mongo server, which is slow to
			// write (StatementLog paging is in the store contract suite).
			total := 1203
			if b.name == "mongo" {
				total = 123
			}
			base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
			var batch []*lrs.Statement
			for i := range total {
				ms, err := lrs.ParseStatements(fmt.Appendf(nil, `{"actor":{"mbox":"mailto:l%d@x.example"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/a/%d"}}`, i%7, i), lrs.V1, false)
				require.NoError(t, err)
				st, err := lrs.Prepare(ms[0], lrs.Prepared{Version: lrs.V1})
				require.NoError(t, err)
				batch = append(batch, st)
				if len(batch) == 100 || i == total-1 {
					require.NoError(t, s.SaveStatements(ctx, "t1", base.Add(time.Duration(i)*time.Second), batch, nil))
					batch = nil
				}
			}
			// A voided statement is exported too (it is a stored statement).
			first, err := s.StatementLog(ctx, "t1", nil, time.Time{}, 1)
			require.NoError(t, err)
			ms, err := lrs.ParseStatements(fmt.Appendf(nil, `{"actor":{"mbox":"mailto:t@x.example"},"verb":{"id":%q},"object":{"objectType":"StatementRef","id":%q}}`,
				lrs.VerbVoided, first[0].ID), lrs.V1, false)
			require.NoError(t, err)
			v, err := lrs.Prepare(ms[0], lrs.Prepared{Version: lrs.V1})
			require.NoError(t, err)
			require.NoError(t, s.SaveStatements(ctx, "t1", base.Add(time.Hour), []*lrs.Statement{v}, nil))
			require.NoError(t, s.SaveStatements(ctx, "t2", base, batch0(t), nil))

			var all []lrs.StoredStatement
			var after *lrs.Cursor
			for {
				page, err := s.StatementLog(ctx, "t1", after, time.Time{}, 500)
				require.NoError(t, err)
				all = append(all, page...)
				if len(page) < 500 {
					break
				}
				after = &lrs.Cursor{Stored: page[len(page)-1].Stored, ID: page[len(page)-1].ID}
			}
			require.Len(t, all, total+1)

			tests := []struct {
				name         string
				since, until time.Time
				from, to     int // expected slice of all
			}{
				{"everything", time.Time{}, time.Time{}, 0, total + 1},
				{"since is exclusive", all[99].Stored, time.Time{}, 100, total + 1},
				{"until is inclusive", time.Time{}, all[total/2].Stored, 0, total/2 + 1},
				{"window", all[10].Stored, all[total-3].Stored, 11, total - 2},
				{"nothing after the end", all[total].Stored, time.Time{}, total + 1, total + 1},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					var out bytes.Buffer
					n, err := forward.Export(ctx, s, "t1", tc.since, tc.until, &out)
					require.NoError(t, err)
					assert.Equal(t, tc.to-tc.from, n)
					sc := bufio.NewScanner(&out)
					sc.Buffer(nil, 1<<20)
					i := tc.from
					for sc.Scan() {
						require.Less(t, i, tc.to)
						assert.Equal(t, string(all[i].JSON), sc.Text(), "line %d is the exact stored JSON", i)
						i++
					}
					assert.Equal(t, tc.to, i)
				})
			}
			var other bytes.Buffer
			n, err := forward.Export(ctx, s, "t2", time.Time{}, time.Time{}, &other)
			require.NoError(t, err)
			assert.Equal(t, 1, n, "another tenant's export holds only its own")
			assert.Equal(t, 1, strings.Count(other.String(), "\n"))
		})
	}
}

func batch0(t *testing.T) []*lrs.Statement {
	t.Helper()
	ms, err := lrs.ParseStatements([]byte(`{"actor":{"mbox":"mailto:z@x.example"},"verb":{"id":"http://example.com/v"},"object":{"id":"http://example.com/z"}}`), lrs.V1, false)
	require.NoError(t, err)
	st, err := lrs.Prepare(ms[0], lrs.Prepared{Version: lrs.V1})
	require.NoError(t, err)
	return []*lrs.Statement{st}
}
