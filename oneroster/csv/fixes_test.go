package csv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster/memstore"
)

// TestDecodeChecksFromConformanceCases covers the row checks the conformance
// cases (C45) showed missing: empty list items, an inverted score range, the
// 1.2 result flags, GUID characters and lifecycle fields in bulk files.
func TestDecodeChecksFromConformanceCases(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		dir       string
		overrides map[string]string
		strict    bool
		reject    string // a reject that must appear ("" for none)
		warn      string // a warning that must appear ("" for none)
	}{
		{
			name: "empty list item is a reject when strict", dir: "v11", strict: true,
			overrides: map[string]string{"classes.csv": strings.Replace(readFixture(t, "v11", "classes.csv"), `"term-1,term-2"`, `"term-1,,term-2"`, 1)},
			reject:    `termSourcedIds "term-1,,term-2" has an empty item`,
		},
		{
			name: "empty list item is a warning when lenient", dir: "v11",
			overrides: map[string]string{"classes.csv": strings.Replace(readFixture(t, "v11", "classes.csv"), `"term-1,term-2"`, `"term-1,term-2,"`, 1)},
			warn:      "empty items dropped",
		},
		{
			name: "resultValueMin above resultValueMax", dir: "v11",
			overrides: map[string]string{"lineItems.csv": strings.Replace(readFixture(t, "v11", "lineItems.csv"), "term-1,0,100", "term-1,100,0", 1)},
			reject:    "resultValueMin 100 is above resultValueMax 0",
		},
		{
			name: "1.2 result flags must be booleans", dir: "v12extra",
			overrides: map[string]string{"results.csv": strings.Replace(readFixture(t, "v12extra", "results.csv"), "cls-1,,,,", "cls-1,,yes,,", 1)},
			reject:    `incomplete must be true or false, got "yes"`,
		},
		{
			name: "a sourcedId with a space is a reject when strict", dir: "v11", strict: true,
			overrides: map[string]string{"categories.csv": "sourcedId,status,dateLastModified,title\ncat hw,,,Homework\ncat-hw,,,Homework\n"},
			reject:    `sourcedId "cat hw" is not a OneRoster GUID`,
		},
		{
			name: "a sourcedId with a space is a warning when lenient", dir: "v11",
			overrides: map[string]string{"categories.csv": "sourcedId,status,dateLastModified,title\ncat-hw,,,Homework\ncat 2,,,Other\n"},
			warn:      `sourcedId "cat 2" is not a OneRoster GUID`,
		},
		{
			name: "status in a bulk file is a reject when strict", dir: "v11", strict: true,
			overrides: map[string]string{"categories.csv": "sourcedId,status,dateLastModified,title\ncat-hw,active,2026-01-01T00:00:00.000Z,Homework\n"},
			reject:    "status and dateLastModified must be blank in a bulk file",
		},
		{
			name: "status in a bulk file is accepted when lenient", dir: "v11",
			overrides: map[string]string{"categories.csv": "sourcedId,status,dateLastModified,title\ncat-hw,active,2026-01-01T00:00:00.000Z,Homework\n"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fsys := fixture(t, tc.dir, tc.overrides)
			if tc.dir == "v12extra" {
				fsys = extraFixture(t, tc.overrides)
			}
			rep, err := importFS(t, memstore.New(), fsys, Options{Strict: tc.strict}, ImportOptions{DryRun: true})
			if tc.strict && tc.reject != "" {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			rejects := strings.Join(issues(rep), "\n")
			if tc.reject != "" {
				assert.Contains(t, rejects, tc.reject)
			} else {
				assert.Empty(t, rejects)
			}
			if tc.warn != "" {
				var ws []string
				for _, w := range rep.Warnings {
					ws = append(ws, w.String())
				}
				assert.Contains(t, strings.Join(ws, "\n"), tc.warn)
			}
		})
	}
}

// readFixture returns one file of a testdata fixture.
func readFixture(t *testing.T, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", dir, file))
	require.NoError(t, err)
	return string(b)
}
