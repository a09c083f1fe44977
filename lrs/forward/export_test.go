package forward_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
)

// pagedStore serves fixed statements two per page, ascending, and checks
// that Export asks for voided statements too.
type pagedStore struct {
	lrs.StatementStore
	all []lrs.StoredStatement
	t   *testing.T
}

func (p *pagedStore) QueryStatements(_ context.Context, tenant string, q lrs.Query) (lrs.Page, error) {
	assert.Equal(p.t, "camp", tenant)
	assert.True(p.t, q.IncludeVoided && q.Ascending)
	start := 0
	if q.After != nil {
		for i, s := range p.all {
			if s.ID == q.After.ID {
				start = i + 1
			}
		}
	}
	end := min(start+2, len(p.all))
	page := lrs.Page{Statements: p.all[start:end]}
	if end < len(p.all) {
		last := p.all[end-1]
		page.More = &lrs.Cursor{Stored: last.Stored, ID: last.ID}
	}
	return page, nil
}

type failingStore struct{ lrs.StatementStore }

func (failingStore) QueryStatements(context.Context, string, lrs.Query) (lrs.Page, error) {
	return lrs.Page{}, errors.New("boom")
}

func TestExport(t *testing.T) {
	t.Parallel()
	var all []lrs.StoredStatement
	for i := range 5 {
		id := uuid.New()
		all = append(all, lrs.StoredStatement{ID: id, Stored: time.Unix(int64(i), 0), JSON: []byte(`{"id":"` + id.String() + `"}`)})
	}
	var buf bytes.Buffer
	n, err := forward.Export(t.Context(), &pagedStore{all: all, t: t}, "camp", time.Time{}, &buf)
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	sc := bufio.NewScanner(&buf)
	i := 0
	for sc.Scan() {
		var m map[string]string
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m))
		assert.Equal(t, all[i].ID.String(), m["id"])
		i++
	}
	assert.Equal(t, 5, i)

	_, err = forward.Export(t.Context(), failingStore{}, "camp", time.Time{}, &buf)
	require.Error(t, err)
}
