package csv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster/memstore"
)

// conformanceCase is one row of testdata/conformance/cases.json: the intent
// of a CSV conformance case (the file it touches, the defect, ok or error)
// and the edits that put that defect into our 1.2 fixture.
type conformanceCase struct {
	Name     string            `json:"name"`
	Source   string            `json:"source"`
	File     string            `json:"file"`
	Defect   string            `json:"defect"`
	Expect   string            `json:"expect"`
	Reason   string            `json:"reason"`
	Remove   []string          `json:"remove"`
	Only     []string          `json:"only"`
	Set      map[string]string `json:"set"`
	Manifest map[string]string `json:"manifest"`
	Replace  []struct {
		File string `json:"file"`
		Old  string `json:"old"`
		New  string `json:"new"`
	} `json:"replace"`
	Pad *struct {
		File  string `json:"file"`
		Cells int    `json:"cells"`
	} `json:"pad"`
}

// build applies the case's edits to the full 1.2 fixture.
func (c conformanceCase) build(t *testing.T) fstest.MapFS {
	t.Helper()
	m := extraFixture(t, nil)
	edit := func(file string, fn func(string) string) {
		f, ok := m[file]
		require.True(t, ok, "%s: no %s in the fixture", c.Name, file)
		m[file] = &fstest.MapFile{Data: []byte(fn(string(f.Data)))}
	}
	if len(c.Only) > 0 {
		keep := map[string]bool{}
		for _, f := range c.Only {
			keep[f] = true
		}
		modes := map[string]string{}
		for name := range m {
			if name != "manifest.csv" && !keep[name] {
				delete(m, name)
			}
		}
		for _, f := range Files(V12) {
			modes[f] = string(Absent)
			if keep[f+".csv"] {
				modes[f] = string(Bulk)
			}
		}
		c.Manifest = modes
	}
	for _, f := range c.Remove {
		delete(m, f)
	}
	for f, mode := range c.Manifest {
		edit("manifest.csv", func(s string) string {
			lines := strings.Split(s, "\n")
			for i, l := range lines {
				if strings.HasPrefix(l, "file."+f+",") {
					lines[i] = "file." + f + "," + mode
				}
			}
			return strings.Join(lines, "\n")
		})
	}
	for _, r := range c.Replace {
		edit(r.File, func(s string) string {
			require.Contains(t, s, r.Old, "%s: %s", c.Name, r.File)
			return strings.Replace(s, r.Old, r.New, 1)
		})
	}
	if c.Pad != nil {
		edit(c.Pad.File, func(s string) string {
			lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
			for i := 1; i < len(lines); i++ {
				lines[i] = strings.TrimRight(lines[i], "\r") + strings.Repeat(",x", c.Pad.Cells)
			}
			return strings.Join(lines, "\n") + "\n"
		})
	}
	for f, data := range c.Set {
		m[f] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}

// TestConformanceCases runs the table of conformance-case intents (C45):
// each case, read strictly, is accepted clean or refused as its row says.
func TestConformanceCases(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("testdata", "conformance", "cases.json"))
	require.NoError(t, err)
	var table struct {
		Cases []conformanceCase `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &table))
	require.NotEmpty(t, table.Cases)
	names := map[string]bool{}
	for _, c := range table.Cases {
		require.False(t, names[c.Name], "case names are unique: %s", c.Name)
		names[c.Name] = true
		require.Contains(t, []string{"ok", "error"}, c.Expect, c.Name)
		require.NotEmpty(t, c.Source, c.Name)
		require.Equal(t, c.Expect == "error", c.Reason != "", "%s: an error case names the reason it is refused for", c.Name)
	}
	for _, c := range table.Cases {
		t.Run("C45/"+c.File+": "+c.Name, func(t *testing.T) {
			t.Parallel()
			rep, err := importFS(t, memstore.New(), c.build(t), Options{Strict: true}, ImportOptions{})
			got := "ok"
			var why []string
			if err != nil {
				got, why = "error", []string{err.Error()}
			}
			if len(rep.Rejects) > 0 {
				got, why = "error", issues(rep)
			}
			sort.Strings(why)
			t.Logf("%s: %v", got, why)
			require.Equal(t, c.Expect, got, "%s (%s): %s; got %v", c.Defect, c.Source, c.File, why)
			if c.Reason != "" {
				assert.Contains(t, strings.Join(why, "\n"), c.Reason, "refused for the intended defect")
			}
		})
	}
}
