package csv

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/oneroster/memstore"
)

func importDir(t *testing.T, dir string) *memstore.Store {
	t.Helper()
	p, err := Open(dir, Options{})
	require.NoError(t, err)
	defer p.Close()
	st := memstore.New()
	rep, err := Import(context.Background(), st, p, ImportOptions{Tenant: "t", Now: func() time.Time { return t0 }})
	require.NoError(t, err)
	require.Empty(t, rep.Rejects)
	return st
}

func users(t *testing.T, st *memstore.Store) map[string]*oneroster.User {
	t.Helper()
	recs, err := st.Records(context.Background(), "t", oneroster.KindUser)
	require.NoError(t, err)
	out := map[string]*oneroster.User{}
	for _, r := range recs {
		e, err := oneroster.Decode(r)
		require.NoError(t, err)
		out[r.SourcedID] = e.(*oneroster.User)
	}
	return out
}

func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, from, version string }{
		{"C39 1.1", "testdata/v11", V11},
		{"C40 1.2", "testdata/v12", V12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := importDir(t, tc.from)
			out := t.TempDir()
			require.NoError(t, Export(ctx, st, "t", tc.version, out))
			b, err := os.ReadFile(filepath.Join(out, "users.csv"))
			require.NoError(t, err)
			assert.True(t, bytes.Contains(b, []byte("\r\n")), "C13 CRLF output")
			p, err := Open(out, Options{Strict: true})
			require.NoError(t, err, "our export passes our strict reader")
			again := memstore.New()
			rep, err := Import(ctx, again, p, ImportOptions{Tenant: "t", Now: func() time.Time { return t0 }})
			require.NoError(t, err)
			assert.Empty(t, rep.Rejects)
			for _, k := range oneroster.AllKinds() {
				want, err := st.Records(ctx, "t", k)
				require.NoError(t, err)
				got, err := again.Records(ctx, "t", k)
				require.NoError(t, err)
				require.Len(t, got, len(want), k)
				for i := range want {
					we, _ := oneroster.Decode(want[i])
					ge, _ := oneroster.Decode(got[i])
					clearMeta(we)
					clearMeta(ge)
					assert.Equal(t, we, ge, "%s %s", k, want[i].SourcedID)
				}
			}
		})
	}
}

func clearMeta(e oneroster.Entity) {
	if u, ok := e.(*oneroster.User); ok {
		u.Metadata = nil
	}
}

func TestExportConversions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// C41 1.1 → 1.2: role and orgs become roles rows, the first org primary.
	out := t.TempDir()
	require.NoError(t, Export(ctx, importDir(t, "testdata/v11"), "t", V12, out))
	u := users(t, importDir(t, out))["u-2"]
	assert.Equal(t, []oneroster.RoleAssignment{
		{RoleType: "primary", Role: "teacher", Org: "sch-1", SourcedID: "u-2-role-0"},
		{RoleType: "secondary", Role: "teacher", Org: "sch-2", SourcedID: "u-2-role-1"},
	}, u.Roles)
	// C42 1.2 → 1.1: the primary role, and 1.2-only roles mapped.
	out = t.TempDir()
	require.NoError(t, Export(ctx, importDir(t, "testdata/v12"), "t", V11, out))
	us := users(t, importDir(t, out))
	assert.Equal(t, "teacher", us["u-2"].Role)
	assert.Equal(t, []string{"sch-1", "sch-2"}, us["u-2"].Orgs)
	assert.Equal(t, "guardian", us["u-3"].Role)
	assert.Equal(t, "FH01", us["u-3"].Username, "1.1 needs a username: the identifier")
	assert.Equal(t, "aide", oneroster.Role11("counselor"))
	o, err := importDir(t, out).Record(ctx, "t", oneroster.KindOrg, "sch-2")
	require.NoError(t, err)
	e, err := oneroster.Decode(o)
	require.NoError(t, err)
	assert.Equal(t, "school", e.(*oneroster.Org).Type, "ext:camp-school lowered for 1.1")
}
