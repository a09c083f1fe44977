package oneroster_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	orcsv "github.com/passportbridge/passport/oneroster/csv"
)

// writeDelta writes a 1.1 package whose only present file is a delta
// users.csv with rows.
func writeDelta(t *testing.T, rows ...string) string {
	t.Helper()
	dir := t.TempDir()
	var m strings.Builder
	m.WriteString("propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n")
	for _, f := range orcsv.Files(orcsv.V11) {
		mode := "absent"
		if f == "users" {
			mode = "delta"
		}
		m.WriteString("file." + f + "," + mode + "\n")
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.csv"), []byte(m.String()), 0o600))
	users := strings.Join(orcsv.Columns(orcsv.V11, "users"), ",") + "\n" + strings.Join(rows, "\n") + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users.csv"), []byte(users), 0o600))
	return dir
}

// TestPagingStableDuringImport (R9): a client paging through users sees
// every user of the roster as it was at its first page exactly once, even
// though an import adds users that sort before the rest between its pages;
// its next first page, and other clients, see the new roster.
func TestPagingStableDuringImport(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, open(t), false)
			e.importDir(t, "default", "../../oneroster/csv/testdata/v11")
			tok := e.token(t, "default", "roster.readonly")
			before := ids(t, e.get(t, tok, b11+"/users"), "users")
			require.GreaterOrEqual(t, len(before), 3)

			var seen []string
			r := e.get(t, tok, b11+"/users?limit=1&offset=0")
			seen = append(seen, ids(t, r, "users")...)
			// The import lands between the first page and the rest.
			e.importDir(t, "default", writeDelta(t,
				"a-0,active,2026-01-16T00:00:00.000Z,true,sch-1,student,a0,,Ada,Zero,,A0,,,,,,",
				"a-00,active,2026-01-16T00:00:00.000Z,true,sch-1,student,a00,,Abe,Zero,,A00,,,,,,"))
			for off := 1; off < len(before)+2; off++ {
				r = e.get(t, tok, b11+"/users?limit=1&offset="+strconv.Itoa(off))
				require.Equal(t, http.StatusOK, r.status)
				assert.Equal(t, strconv.Itoa(len(before)), r.header.Get("X-Total-Count"), "the snapshot's total")
				seen = append(seen, ids(t, r, "users")...)
			}
			assert.Equal(t, before, seen, "each user exactly once, in order")

			// A new first page starts a new snapshot; another client is not pinned.
			assert.Equal(t, []string{"a-0"}, ids(t, e.get(t, tok, b11+"/users?limit=1&offset=0"), "users"))
			other := e.token(t, "default", "roster.readonly")
			assert.Equal(t, []string{"a-00"}, ids(t, e.get(t, other, b11+"/users?limit=1&offset=1"), "users"))
		})
	}
}

// TestPagingTwoPullsOneCredential (R9): two pulls with the same credential
// and query but their own tokens keep their own snapshots: a second pull
// starting after an import does not move the first one's later pages.
func TestPagingTwoPullsOneCredential(t *testing.T) {
	t.Parallel()
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, open(t), false)
			e.importDir(t, "default", "../../oneroster/csv/testdata/v11")
			ctx := context.Background()
			cred, err := e.auth.CreateCredential(ctx, "default", "sis pull", []string{"roster.readonly"})
			require.NoError(t, err)
			tokA, _, err := e.auth.IssueToken(ctx, cred.Key, cred.Secret, []string{"roster.readonly"})
			require.NoError(t, err)
			tokB, _, err := e.auth.IssueToken(ctx, cred.Key, cred.Secret, []string{"roster.readonly"})
			require.NoError(t, err)
			require.NotEqual(t, tokA, tokB)
			before := ids(t, e.get(t, tokA, b11+"/users"), "users")
			require.GreaterOrEqual(t, len(before), 3)

			seenA := ids(t, e.get(t, tokA, b11+"/users?limit=1&offset=0"), "users")
			e.importDir(t, "default", writeDelta(t,
				"a-0,active,2026-01-16T00:00:00.000Z,true,sch-1,student,a0,,Ada,Zero,,A0,,,,,,"))
			// Pull B starts after the import: its own snapshot, with a-0 first.
			assert.Equal(t, []string{"a-0"}, ids(t, e.get(t, tokB, b11+"/users?limit=1&offset=0"), "users"))
			for off := 1; off < len(before)+1; off++ {
				seenA = append(seenA, ids(t, e.get(t, tokA, b11+"/users?limit=1&offset="+strconv.Itoa(off)), "users")...)
			}
			assert.Equal(t, before, seenA, "pull A sees its roster exactly once, in order")
			r := e.get(t, tokB, b11+"/users?limit=1&offset=1")
			assert.Equal(t, []string{before[0]}, ids(t, r, "users"), "pull B pages its own snapshot")
			assert.Equal(t, strconv.Itoa(len(before)+1), r.header.Get("X-Total-Count"))
		})
	}
}
