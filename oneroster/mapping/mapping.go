package mapping

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	orcsv "github.com/passportbridge/passport/oneroster/csv"
)

// Mapping is a declarative mapping file: which source CSV files to read
// and, for each of their rows, which OneRoster rows to emit.
//
//	oneroster: "1.1"           # the version of the package produced
//	mode: bulk                 # bulk or delta, for every produced file
//	values:                    # named value maps, used as {column|name}
//	  sex: {M: male, F: female}
//	sources:
//	  - file: learners.csv
//	    emit:
//	      users:
//	        - sourcedId: "learner-{Learner ID}"
//	          role: student
//	          sex: "{Sex|sex}"
//
// A template is literal text with {column} or {column|map} placeholders; a
// map may list a "*" default. {column@file.field} looks the column's value
// up as a sourcedId among the rows already emitted into file (an earlier
// source) and takes that row's field: a join, e.g. a section's school. A
// template whose placeholders all come out empty is empty as a whole (so
// "{UNHCR:{Case}}" is blank when Case is). Rows whose sourcedId comes out
// empty are skipped; a sourcedId already emitted for a file keeps its first row (a
// school repeated on every learner's row is one org). Columns not given
// are blank; status and dateLastModified follow the mode.
type Mapping struct {
	OneRoster string                       `yaml:"oneroster"`
	Mode      string                       `yaml:"mode"`
	Values    map[string]map[string]string `yaml:"values"`
	Sources   []Source                     `yaml:"sources"`
}

// Source is one input CSV file and what each of its rows emits.
type Source struct {
	File      string `yaml:"file"`
	Delimiter string `yaml:"delimiter"`
	// Emit maps a OneRoster file name (users, orgs, ...) to the rows each
	// source row emits into it.
	Emit map[string][]map[string]string `yaml:"emit"`
}

// Load reads and checks a mapping file.
func Load(path string) (*Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load mapping: %w", err)
	}
	return Parse(b)
}

// Parse decodes a mapping strictly (unknown keys are errors) and checks it.
func Parse(b []byte) (*Mapping, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("parse mapping: %w", err)
	}
	if m.OneRoster == "" {
		m.OneRoster = orcsv.V11
	}
	if m.OneRoster != orcsv.V11 && m.OneRoster != orcsv.V12 {
		return nil, fmt.Errorf("parse mapping: oneroster must be 1.1 or 1.2, got %q", m.OneRoster)
	}
	if m.Mode == "" {
		m.Mode = string(orcsv.Bulk)
	}
	if m.Mode != string(orcsv.Bulk) && m.Mode != string(orcsv.Delta) {
		return nil, fmt.Errorf("parse mapping: mode must be bulk or delta, got %q", m.Mode)
	}
	if len(m.Sources) == 0 {
		return nil, errors.New("parse mapping: no sources")
	}
	for i, s := range m.Sources {
		if s.File == "" || strings.ContainsAny(s.File, `/\`) {
			return nil, fmt.Errorf("parse mapping: source %d: file must be a plain file name", i+1)
		}
		if len([]rune(s.Delimiter)) > 1 {
			return nil, fmt.Errorf("parse mapping: source %s: delimiter must be one character", s.File)
		}
		for file, rows := range s.Emit {
			cols := orcsv.Columns(m.OneRoster, file)
			if cols == nil {
				return nil, fmt.Errorf("parse mapping: source %s: unknown OneRoster file %q", s.File, file)
			}
			for _, row := range rows {
				for col, tmpl := range row {
					if !slices.Contains(cols, col) && !strings.HasPrefix(col, "metadata.") {
						return nil, fmt.Errorf("parse mapping: source %s: %s has no column %q", s.File, file, col)
					}
					for _, ph := range placeholder.FindAllStringSubmatch(tmpl, -1) {
						if ph[6] != "" {
							if _, ok := m.Values[ph[6]]; !ok {
								return nil, fmt.Errorf("parse mapping: source %s: unknown value map %q", s.File, ph[6])
							}
						}
						if ph[3] != "" && orcsv.Columns(m.OneRoster, ph[3]) == nil {
							return nil, fmt.Errorf("parse mapping: source %s: unknown OneRoster file %q in a lookup", s.File, ph[3])
						}
					}
				}
			}
		}
	}
	return &m, nil
}

// placeholder is {column[@file.field][|map]}.
var placeholder = regexp.MustCompile(`\{([^{}|@]+)(@([A-Za-z]+)\.([A-Za-z.]+))?(\|([^{}]+))?\}`)

// Issue is a source row the mapping could not use.
type Issue = orcsv.Issue

// Result is a built package with the way back to the source rows.
type Result struct {
	// FS holds the package's files (manifest.csv and one file per target).
	FS fs.FS
	// Issues are the source rows that could not be mapped.
	Issues []Issue
	origin map[string][]srcPos
}

type srcPos struct {
	file string
	line int
}

// Source names the source row ("learners.csv:12") a package row (a file
// such as "users.csv" and its line) came from; "" when unknown.
func (r *Result) Source(file string, line int) string {
	pos := r.origin[strings.TrimSuffix(file, ".csv")]
	if line < 2 || line-2 >= len(pos) {
		return ""
	}
	return fmt.Sprintf("%s:%d", pos[line-2].file, pos[line-2].line)
}

// Explain rewrites a package issue to name its source row too.
func (r *Result) Explain(is Issue) Issue {
	if src := r.Source(is.File, is.Line); src != "" {
		is.Reason = is.Reason + " (from " + src + ")"
	}
	return is
}

// Build reads the sources from dir and returns the OneRoster package they
// map to (in memory) and the source rows that could not be mapped. The
// package then goes through csv.OpenFS and csv.Import like any other.
func (m *Mapping) Build(dir fs.FS) (*Result, error) {
	out := map[string]*fileOut{}
	var issues []Issue
	for _, s := range m.Sources {
		is, err := m.readSource(dir, s, out)
		if err != nil {
			return nil, err
		}
		issues = append(issues, is...)
	}
	pkg := fstest.MapFS{}
	var manifest bytes.Buffer
	manifest.WriteString("propertyName,value\r\nmanifest.version,1.0\r\noneroster.version," + m.OneRoster + "\r\nsource.systemName,mapped CSV\r\n")
	for _, f := range orcsv.Files(m.OneRoster) {
		fo := out[f]
		if fo == nil || len(fo.rows) == 0 {
			fmt.Fprintf(&manifest, "file.%s,absent\r\n", f)
			continue
		}
		fmt.Fprintf(&manifest, "file.%s,%s\r\n", f, m.Mode)
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.UseCRLF = true
		cols := append(slices.Clone(orcsv.Columns(m.OneRoster, f)), fo.meta...)
		if err := w.Write(cols); err != nil {
			return nil, err
		}
		for _, r := range fo.rows {
			rec := make([]string, len(cols))
			for i, c := range cols {
				rec[i] = r[c]
			}
			if err := w.Write(rec); err != nil {
				return nil, err
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return nil, err
		}
		pkg[f+".csv"] = &fstest.MapFile{Data: b.Bytes()}
	}
	pkg["manifest.csv"] = &fstest.MapFile{Data: manifest.Bytes()}
	res := &Result{FS: pkg, Issues: issues, origin: map[string][]srcPos{}}
	for f, fo := range out {
		res.origin[f] = fo.origin
	}
	return res, nil
}

type fileOut struct {
	seen   map[string]int // sourcedId → index in rows
	rows   []map[string]string
	origin []srcPos
	meta   []string
}

func (m *Mapping) readSource(dir fs.FS, s Source, out map[string]*fileOut) ([]Issue, error) {
	f, err := dir.Open(s.File)
	if err != nil {
		return nil, fmt.Errorf("open source %s: %w", s.File, err)
	}
	defer func() { _ = f.Close() }()
	br := bufio.NewReader(f)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	if s.Delimiter != "" {
		r.Comma = []rune(s.Delimiter)[0]
	}
	hdr, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read source %s header: %w", s.File, err)
	}
	col := map[string]int{}
	for i, h := range hdr {
		col[strings.TrimSpace(h)] = i
	}
	var issues []Issue
	files := make([]string, 0, len(s.Emit))
	for f := range s.Emit {
		files = append(files, f)
	}
	slices.Sort(files)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return issues, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			issues = append(issues, Issue{File: s.File, Line: pe.StartLine, Field: orcsv.WholeRow, Reason: "malformed CSV: " + pe.Err.Error()})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read source %s: %w", s.File, err)
		}
		line, _ := r.FieldPos(0)
		for _, file := range files {
			for _, tmpl := range s.Emit[file] {
				row, missing := m.fill(tmpl, col, rec, out)
				if missing != "" {
					issues = append(issues, Issue{File: s.File, Line: line, Field: missing, Reason: fmt.Sprintf("no column %q", missing)})
					continue
				}
				id := row["sourcedId"]
				if id == "" {
					continue
				}
				fo := out[file]
				if fo == nil {
					fo = &fileOut{seen: map[string]int{}}
					out[file] = fo
				}
				if _, dup := fo.seen[id]; dup {
					continue
				}
				fo.seen[id] = len(fo.rows)
				if m.Mode == string(orcsv.Delta) {
					if row["status"] == "" {
						row["status"] = "active"
					}
				}
				for c := range row {
					if strings.HasPrefix(c, "metadata.") && !slices.Contains(fo.meta, c) {
						fo.meta = append(fo.meta, c)
					}
				}
				fo.rows = append(fo.rows, row)
				fo.origin = append(fo.origin, srcPos{file: s.File, line: line})
			}
		}
	}
}

// fill expands one emitted row's templates against a source record; it
// returns the name of a source column that does not exist, if any.
func (m *Mapping) fill(tmpl map[string]string, col map[string]int, rec []string, out map[string]*fileOut) (map[string]string, string) {
	row := make(map[string]string, len(tmpl))
	missing := ""
	for c, t := range tmpl {
		filled := 0
		v := placeholder.ReplaceAllStringFunc(t, func(ph string) string {
			p := placeholder.FindStringSubmatch(ph)
			i, ok := col[p[1]]
			if !ok {
				missing = p[1]
				return ""
			}
			v := ""
			if i < len(rec) {
				v = strings.TrimSpace(rec[i])
			}
			if p[3] != "" { // lookup in an emitted file
				got := ""
				if fo := out[p[3]]; fo != nil {
					if k, ok := fo.seen[v]; ok {
						got = fo.rows[k][p[4]]
					}
				}
				v = got
			}
			if p[6] != "" {
				vm := m.Values[p[6]]
				if mv, ok := vm[v]; ok {
					v = mv
				} else if def, ok := vm["*"]; ok && v != "" {
					v = def
				}
			}
			if v != "" {
				filled++
			}
			return v
		})
		if filled == 0 && placeholder.MatchString(t) {
			v = ""
		}
		row[c] = strings.TrimSpace(v)
	}
	return row, missing
}

// Dir is a source directory: the folder holding the mapping's source files.
func Dir(path string) fs.FS { return os.DirFS(filepath.Clean(path)) }
