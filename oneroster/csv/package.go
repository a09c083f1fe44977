package csv

import (
	"archive/zip"
	"bufio"
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
)

// Issue is one problem found in a package, reported as "file:line: reason"
// (line 0 means the whole file, and an empty file the whole package).
type Issue struct {
	File      string
	Line      int
	SourcedID string
	Field     string
	Reason    string
}

// String renders the issue as "file:line: reason".
func (i Issue) String() string {
	switch {
	case i.File == "":
		return i.Reason
	case i.Line == 0:
		return i.File + ": " + i.Reason
	}
	return fmt.Sprintf("%s:%d: %s", i.File, i.Line, i.Reason)
}

// StructureError is a package refused whole: no manifest, an unknown version,
// missing or misspelt headers, an unreadable file.
type StructureError struct {
	Issues []Issue
}

// Error lists the reasons the package was refused.
func (e *StructureError) Error() string {
	parts := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		parts[i] = is.String()
	}
	return "package refused: " + strings.Join(parts, "; ")
}

// Options tune how strictly a package is read.
type Options struct {
	// Strict turns lenient parses (TRUE booleans, date-only datetimes, grade
	// 9 for 09, status inactive, columns out of order, undeclared files,
	// empty list items, sourcedIds outside the GUID characters, status or
	// dateLastModified in a bulk file) into rejections, and makes any
	// rejected row refuse the package.
	Strict bool
}

// Package is an opened OneRoster CSV package whose structure is valid.
type Package struct {
	// Version is the declared oneroster.version, "1.1" or "1.2".
	Version string
	// Modes maps each declared file (without .csv) to its mode.
	Modes map[string]Mode
	// Source holds the optional source.* manifest properties.
	Source map[string]string
	// Warnings are non-fatal observations about the package.
	Warnings []Issue

	opts    Options
	fsys    fs.FS
	closer  io.Closer
	headers map[string][]int // file → spec column index → CSV column index
	meta    map[string]map[int]string
}

// Close releases the package's zip file, if any.
func (p *Package) Close() error {
	if p.closer != nil {
		return p.closer.Close()
	}
	return nil
}

// Open opens a package from a zip file or a folder and checks its structure:
// the manifest, each declared file's presence and header. A broken structure
// is a *StructureError.
func Open(name string, opts Options) (*Package, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, &StructureError{Issues: []Issue{{Reason: "cannot open package: " + errText(err)}}}
	}
	if fi.IsDir() {
		return openFS(os.DirFS(name), nil, opts)
	}
	zr, err := zip.OpenReader(name)
	if err != nil {
		return nil, &StructureError{Issues: []Issue{{Reason: "not a zip file or folder"}}}
	}
	p, err := openFS(zr, zr, opts)
	if err != nil {
		_ = zr.Close()
		return nil, err
	}
	return p, nil
}

// OpenFS opens a package held in a file system whose root holds the CSVs.
func OpenFS(fsys fs.FS, opts Options) (*Package, error) { return openFS(fsys, nil, opts) }

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func openFS(fsys fs.FS, closer io.Closer, opts Options) (*Package, error) {
	p := &Package{
		opts: opts, fsys: fsys, closer: closer, Modes: map[string]Mode{}, Source: map[string]string{},
		headers: map[string][]int{}, meta: map[string]map[int]string{},
	}
	var issues []Issue
	bad := func(file string, line int, f string, a ...any) {
		issues = append(issues, Issue{File: file, Line: line, Reason: fmt.Sprintf(f, a...)})
	}

	// Files at the root and in sub-folders.
	present := map[string]bool{}
	err := fs.WalkDir(fsys, ".", func(pth string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(path.Base(pth), ".") || strings.HasPrefix(pth, "__MACOSX/") {
			return nil
		}
		if strings.Contains(pth, "/") {
			if strings.HasSuffix(pth, ".csv") {
				bad(pth, 0, "file is in a sub-folder; CSV files must sit at the package root")
			}
			return nil
		}
		present[pth] = true
		return nil
	})
	if err != nil {
		return nil, &StructureError{Issues: []Issue{{Reason: "cannot read package: " + errText(err)}}}
	}
	if !present["manifest.csv"] {
		bad("manifest.csv", 0, "missing manifest.csv")
		return nil, &StructureError{Issues: issues}
	}
	props, mIssues := readManifest(fsys)
	issues = append(issues, mIssues...)
	if len(mIssues) > 0 {
		return nil, &StructureError{Issues: issues}
	}
	if v, ok := props["manifest.version"]; !ok {
		bad("manifest.csv", 0, "missing manifest.version")
	} else if v.value != "1.0" {
		bad("manifest.csv", v.line, "manifest.version must be 1.0, got %q", v.value)
	}
	ver, ok := props["oneroster.version"]
	switch {
	case !ok:
		bad("manifest.csv", 0, "missing oneroster.version")
	case ver.value != V11 && ver.value != V12:
		bad("manifest.csv", ver.line, "oneroster.version must be 1.1 or 1.2, got %q", ver.value)
	default:
		p.Version = ver.value
	}
	if p.Version == "" {
		return nil, &StructureError{Issues: issues}
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		pv := props[k]
		switch {
		case k == "manifest.version" || k == "oneroster.version":
		case strings.HasPrefix(k, "source."):
			p.Source[strings.TrimPrefix(k, "source.")] = pv.value
		case strings.HasPrefix(k, "file."):
			f := strings.TrimPrefix(k, "file.")
			if columnsFor(p.Version, f) == nil {
				if p.Version == V11 && columns12[f] != nil {
					bad("manifest.csv", pv.line, "file %s is a OneRoster 1.2 file in a 1.1 package", f)
				} else {
					bad("manifest.csv", pv.line, "unknown file %q", f)
				}
				continue
			}
			m := Mode(pv.value)
			if m != Absent && m != Bulk && m != Delta {
				bad("manifest.csv", pv.line, "file.%s must be absent, bulk or delta, got %q", f, pv.value)
				continue
			}
			p.Modes[f] = m
		default:
			p.Warnings = append(p.Warnings, Issue{File: "manifest.csv", Line: pv.line, Reason: fmt.Sprintf("unknown property %q ignored", k)})
		}
	}
	// Every spec file must be declared.
	all := columns11
	if p.Version == V12 {
		all = columns12
	}
	for _, f := range sortedKeys(all) {
		if _, ok := p.Modes[f]; !ok {
			bad("manifest.csv", 0, "file.%s is not declared", f)
		}
	}
	for f, m := range p.Modes {
		name := f + ".csv"
		switch {
		case m != Absent && !present[name]:
			bad(name, 0, "declared %s but missing from the package", m)
		case m == Absent && present[name]:
			p.undeclared(&issues, name, "present but declared absent")
		}
	}
	for name := range present {
		f := strings.TrimSuffix(name, ".csv")
		if name == "manifest.csv" || !strings.HasSuffix(name, ".csv") {
			continue
		}
		if _, ok := p.Modes[f]; !ok && columnsFor(p.Version, f) == nil {
			if p.Version == V11 && columns12[f] != nil {
				bad(name, 0, "OneRoster 1.2 file in a 1.1 package")
			} else {
				p.undeclared(&issues, name, "unknown file (file names are case-sensitive)")
			}
		}
	}
	if p.Version == V12 && p.Modes["roles"] != p.Modes["users"] && p.Modes["users"] != Absent && p.Modes["roles"] != Absent {
		bad("manifest.csv", 0, "users and roles must have the same mode")
	}
	if len(issues) > 0 {
		return nil, &StructureError{Issues: sortIssues(issues)}
	}
	for _, f := range sortedKeys(p.Modes) {
		if p.Modes[f] == Absent {
			continue
		}
		issues = append(issues, p.checkHeader(f)...)
	}
	if len(issues) > 0 {
		return nil, &StructureError{Issues: sortIssues(issues)}
	}
	return p, nil
}

func (p *Package) undeclared(issues *[]Issue, name, reason string) {
	if p.opts.Strict {
		*issues = append(*issues, Issue{File: name, Reason: reason})
		return
	}
	p.Warnings = append(p.Warnings, Issue{File: name, Reason: reason + "; ignored"})
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sortIssues(is []Issue) []Issue {
	slices.SortStableFunc(is, func(a, b Issue) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return is
}

type propValue struct {
	value string
	line  int
}

func readManifest(fsys fs.FS) (map[string]propValue, []Issue) {
	props := map[string]propValue{}
	var issues []Issue
	f, err := fsys.Open("manifest.csv")
	if err != nil {
		return nil, []Issue{{File: "manifest.csv", Reason: "unreadable: " + errText(err)}}
	}
	defer func() { _ = f.Close() }()
	r := newReader(f)
	first := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			issues = append(issues, Issue{File: "manifest.csv", Line: lineOf(err, 0), Reason: csvErrReason(err)})
			if !isRecoverable(err) {
				break
			}
			continue
		}
		line, _ := r.FieldPos(0)
		if first {
			first = false
			if len(rec) != 2 || rec[0] != "propertyName" || rec[1] != "value" {
				return nil, []Issue{{File: "manifest.csv", Line: line, Reason: "header must be exactly propertyName,value"}}
			}
			continue
		}
		if len(rec) != 2 {
			issues = append(issues, Issue{File: "manifest.csv", Line: line, Reason: fmt.Sprintf("expected 2 fields, got %d", len(rec))})
			continue
		}
		k, v := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		if _, dup := props[k]; dup {
			issues = append(issues, Issue{File: "manifest.csv", Line: line, Reason: fmt.Sprintf("duplicate property %q", k)})
			continue
		}
		props[k] = propValue{value: v, line: line}
	}
	if first && len(issues) == 0 {
		issues = append(issues, Issue{File: "manifest.csv", Reason: "empty manifest"})
	}
	return props, issues
}

// newReader returns a CSV reader over r with any UTF-8 BOM removed.
func newReader(r io.Reader) *stdcsv.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := stdcsv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr
}

func lineOf(err error, fallback int) int {
	var pe *stdcsv.ParseError
	if errors.As(err, &pe) {
		return pe.StartLine
	}
	return fallback
}

func csvErrReason(err error) string {
	var pe *stdcsv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	return "unreadable: " + err.Error()
}

// isRecoverable reports whether reading may go on after err.
func isRecoverable(err error) bool {
	var pe *stdcsv.ParseError
	return errors.As(err, &pe)
}

// checkHeader reads a file's header and maps the spec columns onto it.
func (p *Package) checkHeader(file string) []Issue {
	name := file + ".csv"
	spec := columnsFor(p.Version, file)
	f, err := p.fsys.Open(name)
	if err != nil {
		return []Issue{{File: name, Reason: "unreadable: " + errText(err)}}
	}
	defer func() { _ = f.Close() }()
	r := newReader(f)
	hdr, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return []Issue{{File: name, Reason: "empty file: a declared file needs a header and at least one row"}}
		}
		return []Issue{{File: name, Line: 1, Reason: csvErrReason(err)}}
	}
	var issues []Issue
	pos := map[string]int{}
	for i, h := range hdr {
		h = strings.TrimSpace(h)
		if _, dup := pos[h]; dup {
			issues = append(issues, Issue{File: name, Line: 1, Field: h, Reason: fmt.Sprintf("duplicate header %q", h)})
			continue
		}
		pos[h] = i
	}
	idx := make([]int, len(spec))
	inOrder := true
	for i, c := range spec {
		j, ok := pos[c]
		if !ok {
			reason := fmt.Sprintf("missing header %q", c)
			if near := nearHeader(c, hdr); near != "" {
				reason += fmt.Sprintf(" (found %q; headers are case-sensitive and spelt as in the spec)", near)
			}
			issues = append(issues, Issue{File: name, Line: 1, Field: c, Reason: reason})
			continue
		}
		idx[i] = j
		if j != i {
			inOrder = false
		}
	}
	specSet := set(spec...)
	meta := map[int]string{}
	for i, h := range hdr {
		h = strings.TrimSpace(h)
		if specSet[h] {
			continue
		}
		switch {
		case strings.HasPrefix(h, "metadata.") || strings.HasPrefix(h, "ext_") || strings.HasPrefix(h, "ext:"):
			if i < len(spec) {
				inOrder = false
			}
			meta[i] = strings.TrimPrefix(h, "metadata.")
		default:
			if nearHeader(h, spec) == "" {
				issues = append(issues, Issue{File: name, Line: 1, Field: h, Reason: fmt.Sprintf("unknown header %q (extension columns are named metadata.*)", h)})
			}
		}
	}
	if len(issues) == 0 && !inOrder {
		if p.opts.Strict {
			issues = append(issues, Issue{File: name, Line: 1, Reason: "columns are not in spec order: " + strings.Join(spec, ",")})
		} else {
			p.Warnings = append(p.Warnings, Issue{File: name, Line: 1, Reason: "columns are not in spec order; read by name"})
		}
	}
	if len(issues) > 0 {
		return issues
	}
	// At least one data row.
	if _, err := r.Read(); errors.Is(err, io.EOF) {
		return []Issue{{File: name, Reason: "no data rows: a file with no data must be declared absent"}}
	}
	p.headers[file] = idx
	p.meta[file] = meta
	return nil
}

// nearHeader finds a header in hs that differs from want only by case or a
// small misspelling, to explain a missing header.
func nearHeader(want string, hs []string) string {
	for _, h := range hs {
		h = strings.TrimSpace(h)
		if h == want {
			continue
		}
		if strings.EqualFold(h, want) || editDistance(strings.ToLower(h), strings.ToLower(want)) <= 2 {
			return h
		}
	}
	return ""
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// rows streams a file's data rows: fn gets the 1-based line, the fields in
// spec order and the metadata columns. A row that cannot be split into fields
// is passed with err set.
func (p *Package) rows(file string, fn func(line int, fields []string, meta map[string]string, err error) error) error {
	name := file + ".csv"
	f, err := p.fsys.Open(name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer func() { _ = f.Close() }()
	r := newReader(f)
	idx := p.headers[file]
	meta := p.meta[file]
	fields := make([]string, len(idx))
	need := slices.Max(idx) // the highest column a row must reach
	if _, err := r.Read(); err != nil {
		return fmt.Errorf("read %s header: %w", name, err)
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if cerr := fn(lineOf(err, 0), nil, nil, errors.New(csvErrReason(err))); cerr != nil {
				return cerr
			}
			if !isRecoverable(err) {
				return nil
			}
			continue
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && rec[0] == "" {
			continue // blank line
		}
		if len(rec) <= need {
			var id []string // the sourcedId, if the row reaches it
			if idx[0] < len(rec) {
				id = []string{strings.TrimSpace(rec[idx[0]])}
			}
			if cerr := fn(line, id, nil, fmt.Errorf("expected %d fields, got %d", need+1, len(rec))); cerr != nil {
				return cerr
			}
			continue
		}
		var bad error
		for i, j := range idx {
			v := rec[j]
			if bad == nil && strings.ContainsAny(v, "\r\n") {
				c := columnsFor(p.Version, file)[i]
				bad = &fieldError{field: c, msg: "field " + c + " contains a line break"}
			}
			fields[i] = strings.TrimSpace(v)
		}
		var md map[string]string
		if bad == nil && len(meta) > 0 {
			for j, k := range meta {
				if j < len(rec) && rec[j] != "" {
					if md == nil {
						md = map[string]string{}
					}
					md[k] = rec[j]
				}
			}
		}
		if cerr := fn(line, fields, md, bad); cerr != nil {
			return cerr
		}
	}
}

// fieldError is a row problem about one column.
type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.msg }

// WholeRow is the field of a reject about the row as a whole (a malformed
// CSV record, a short row) rather than one of its columns.
const WholeRow = "(row)"
