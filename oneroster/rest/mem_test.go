package rest

import (
	"context"
	"os"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster"
	orcsv "github.com/passportbridge/passport/oneroster/csv"
	"github.com/passportbridge/passport/oneroster/memstore"
	"github.com/passportbridge/passport/oneroster/rostergen"
)

// TestViewMemory reports the heap a 100,000-user view holds (PASSPORT_MEM=1).
func TestViewMemory(t *testing.T) {
	if os.Getenv("PASSPORT_MEM") == "" {
		t.Skip("set PASSPORT_MEM=1")
	}
	dir := t.TempDir()
	require.NoError(t, rostergen.Write(dir, rostergen.Size{Schools: 200, Users: 100000, Enrollments: 1000, ClassesPer: 5}))
	st := memstore.New()
	p, err := orcsv.Open(dir, orcsv.Options{})
	require.NoError(t, err)
	_, err = orcsv.Import(context.Background(), st, p, orcsv.ImportOptions{Tenant: "t"})
	require.NoError(t, err)
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	v, err := build(context.Background(), st, v11, "t", oneroster.KindUser, 1)
	require.NoError(t, err)
	runtime.GC()
	runtime.ReadMemStats(&b)
	mib := float64(b.HeapAlloc-a.HeapAlloc) / (1 << 20)
	t.Logf("view of %d users: %.1f MiB", len(v.ents), mib)
	require.Less(t, mib, 150.0, "a view must stay small enough for a camp server")
}
