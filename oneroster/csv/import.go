package csv

import (
	"context"
	stdcsv "encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/passportbridge/passport/oneroster"
)

// Cascader reads stored records, to find enrollments a deletion ends.
type Cascader interface {
	Records(ctx context.Context, tenant string, kind oneroster.Kind) ([]oneroster.Record, error)
}

// Target is the part of the roster store an import needs.
type Target interface {
	Cascader
	Apply(ctx context.Context, b oneroster.Batch) (oneroster.Applied, error)
	ActiveIDs(ctx context.Context, tenant string, kind oneroster.Kind) ([]string, error)
}

// ImportOptions say where and how a package is imported.
type ImportOptions struct {
	Tenant string
	// DryRun validates and reports without changing anything.
	DryRun bool
	// Guard is the deletion guard (Guard.Allow = --allow-deletions).
	Guard oneroster.Guard
	// Now is the clock.
	Now func() time.Time
}

// RefusedError is a package refused whole after validation: rejected rows
// under --strict, or the deletion guard.
type RefusedError struct {
	Reason string
	Err    error
}

// Error gives the reason the package was refused.
func (e *RefusedError) Error() string { return "package refused: " + e.Reason }

// Unwrap returns the underlying error, if any.
func (e *RefusedError) Unwrap() error { return e.Err }

// Report is the outcome of an import.
type Report struct {
	Version   string
	Files     []FileCount
	Rejects   []Issue
	Warnings  []Issue
	Deletions map[oneroster.Kind][2]int
	// Applied is what the store did (zero on a dry run or a refusal).
	Applied oneroster.Applied
	DryRun  bool
}

// Changed reports whether the import changed the roster.
func (r Report) Changed() bool {
	for _, c := range r.Applied.Counts {
		if c.Created+c.Updated+c.Deleted > 0 {
			return true
		}
	}
	return false
}

// AppliedRows is the number of rows accepted over all files.
func (r Report) AppliedRows() int {
	n := 0
	for _, f := range r.Files {
		n += f.Applied
	}
	return n
}

// Write prints the report: every rejected row as file:line: reason, the
// warnings, then one count line per file.
func (r Report) Write(w io.Writer) error {
	for _, is := range r.Rejects {
		if _, err := fmt.Fprintln(w, is.String()); err != nil {
			return err
		}
	}
	for _, is := range r.Warnings {
		if _, err := fmt.Fprintf(w, "warning: %s\n", is.String()); err != nil {
			return err
		}
	}
	verb := "applied"
	if r.DryRun {
		verb = "valid"
	}
	for _, f := range r.Files {
		if _, err := fmt.Fprintf(w, "%s: %d %s, %d rejected\n", f.File, f.Applied, verb, f.Rejected); err != nil {
			return err
		}
	}
	for _, k := range oneroster.AllKinds() {
		c, ok := r.Applied.Counts[k]
		if !ok {
			continue
		}
		if _, err := fmt.Fprintf(w, "%s: %d created, %d updated, %d deleted, %d unchanged, %d stale\n",
			k, c.Created, c.Updated, c.Deleted, c.Unchanged, c.Stale); err != nil {
			return err
		}
	}
	return nil
}

// WriteCSV writes every rejected row in the report shape SIS vendors use
// (file, rowNumber, sourcedId, field, status, message), with a header.
func (r Report) WriteCSV(w io.Writer) error {
	cw := stdcsv.NewWriter(w)
	if err := cw.Write([]string{"file", "rowNumber", "sourcedId", "field", "status", "message"}); err != nil {
		return err
	}
	for _, is := range r.Rejects {
		if err := cw.Write([]string{is.File, strconv.Itoa(is.Line), is.SourcedID, is.Field, "rejected", is.Reason}); err != nil {
			return err
		}
	}
	for _, is := range r.Warnings {
		if err := cw.Write([]string{is.File, strconv.Itoa(is.Line), is.SourcedID, is.Field, "warning", is.Reason}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Import validates the whole package against the tenant's stored roster,
// applies the deletion guard, and applies every accepted row in one atomic
// step. A refusal is a *RefusedError or *oneroster.DeletionError (wrapped),
// and nothing is changed; the report is filled as far as validation got.
func Import(ctx context.Context, st Target, p *Package, o ImportOptions) (Report, error) {
	rep := Report{Version: p.Version, DryRun: o.DryRun}
	existing := func(ctx context.Context, k oneroster.Kind) (map[string]bool, error) {
		ids, err := st.ActiveIDs(ctx, o.Tenant, k)
		if err != nil {
			return nil, err
		}
		m := make(map[string]bool, len(ids))
		for _, id := range ids {
			m[id] = true
		}
		return m, nil
	}
	pl, err := Validate(ctx, p, existing)
	if err != nil {
		return rep, fmt.Errorf("validate package: %w", err)
	}
	rep.Files, rep.Rejects, rep.Warnings = pl.Counts(), pl.Rejects, pl.Warnings
	if p.opts.Strict && pl.Rejected() {
		return rep, &RefusedError{Reason: fmt.Sprintf("%d rejected rows under --strict", len(pl.Rejects))}
	}
	if rep.Deletions, err = pl.Deletions(ctx); err != nil {
		return rep, fmt.Errorf("count deletions: %w", err)
	}
	if err := pl.planCascade(ctx, st, o.Tenant); err != nil {
		return rep, fmt.Errorf("plan cascade: %w", err)
	}
	if err := pl.loadStoredUsers(ctx, st, o.Tenant); err != nil {
		return rep, err
	}
	n := len(pl.Rejects)
	pl.keepLastRoles()
	if len(pl.Rejects) > n {
		rep.Files, rep.Rejects = pl.Counts(), pl.Rejects
		if p.opts.Strict {
			return rep, &RefusedError{Reason: fmt.Sprintf("%d rejected rows under --strict", len(pl.Rejects))}
		}
	}
	if n := len(pl.cascade); n > 0 {
		have, err := pl.stored(ctx, oneroster.KindEnrollment)
		if err != nil {
			return rep, err
		}
		d := rep.Deletions[oneroster.KindEnrollment]
		rep.Deletions[oneroster.KindEnrollment] = [2]int{d[0] + n, len(have)}
		rep.Warnings = append(rep.Warnings, Issue{File: "enrollments.csv", Reason: fmt.Sprintf("%d stored enrollments end with their deleted class or user", n)})
	}
	if err := o.Guard.Check(rep.Deletions); err != nil {
		return rep, &RefusedError{Reason: err.Error(), Err: err}
	}
	if o.DryRun {
		return rep, nil
	}
	pl.cache = nil // the stored id sets are not needed any more
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	keep := map[oneroster.Kind]func(string) bool{}
	for f, k := range fileKind {
		if p.Modes[f] == Bulk {
			keep[k] = pl.keep(f)
		}
	}
	rep.Applied, err = st.Apply(ctx, oneroster.Batch{Tenant: o.Tenant, Now: now().UTC(), Rows: pl.changes, Keep: keep})
	if err != nil {
		return rep, fmt.Errorf("apply package: %w", err)
	}
	return rep, nil
}
