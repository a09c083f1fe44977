package rostergen_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	orcsv "github.com/passportbridge/passport/oneroster/csv"
	"github.com/passportbridge/passport/oneroster/memstore"
	"github.com/passportbridge/passport/oneroster/rostergen"
)

func TestWriteImportsClean(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, rostergen.Write(dir, rostergen.Size{Schools: 3, Users: 50, Enrollments: 120, ClassesPer: 4}))
	p, err := orcsv.Open(dir, orcsv.Options{Strict: true})
	require.NoError(t, err)
	defer p.Close()
	rep, err := orcsv.Import(context.Background(), memstore.New(), p, orcsv.ImportOptions{Tenant: "t"})
	require.NoError(t, err)
	assert.Empty(t, rep.Rejects)
	assert.Equal(t, 50+120+3+1+2+3+12, rep.AppliedRows())
}
