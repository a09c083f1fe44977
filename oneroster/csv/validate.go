package csv

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/passportbridge/passport/oneroster"
)

// fileOrder is the order files are validated and applied in: a file only
// refers to files before it (or to itself).
var fileOrder = []string{
	"orgs", "academicSessions", "courses", "classes", "users", "roles", "userProfiles", "demographics", "enrollments",
	"categories", "scoreScales", "lineItems", "results", "lineItemScoreScales", "resultScoreScales",
	"resources", "classResources", "courseResources", "userResources",
}

var fileKind = map[string]oneroster.Kind{
	"orgs": oneroster.KindOrg, "academicSessions": oneroster.KindAcademicSession, "courses": oneroster.KindCourse,
	"classes": oneroster.KindClass, "users": oneroster.KindUser, "demographics": oneroster.KindDemographics,
	"enrollments": oneroster.KindEnrollment, "categories": oneroster.KindCategory, "lineItems": oneroster.KindLineItem,
	"results": oneroster.KindResult, "scoreScales": oneroster.KindScoreScale,
	"lineItemScoreScales": oneroster.KindLineItemScoreScale, "resultScoreScales": oneroster.KindResultScoreScale,
	"resources": oneroster.KindResource, "classResources": oneroster.KindClassResource,
	"courseResources": oneroster.KindCourseResource, "userResources": oneroster.KindUserResource,
}

var kindFile = map[oneroster.Kind]string{
	oneroster.KindOrg: "orgs", oneroster.KindAcademicSession: "academicSessions", oneroster.KindCourse: "courses",
	oneroster.KindClass: "classes", oneroster.KindUser: "users", oneroster.KindDemographics: "demographics",
	oneroster.KindEnrollment: "enrollments", oneroster.KindCategory: "categories", oneroster.KindLineItem: "lineItems",
	oneroster.KindResult: "results", oneroster.KindScoreScale: "scoreScales",
	oneroster.KindLineItemScoreScale: "lineItemScoreScales", oneroster.KindResultScoreScale: "resultScoreScales",
	oneroster.KindResource: "resources", oneroster.KindClassResource: "classResources",
	oneroster.KindCourseResource: "courseResources", oneroster.KindUserResource: "userResources",
}

// Existing returns the sourcedIds of the tenant's stored, not deleted
// records of a kind; delta references and the deletion guard use it.
type Existing func(ctx context.Context, kind oneroster.Kind) (map[string]bool, error)

// entry is what validation remembers of one row with a sourcedId.
type entry struct {
	line    int32
	deleted bool
}

// Plan is a validated package: which rows are applied and which rejected.
type Plan struct {
	pkg      *Package
	existing Existing
	cache    map[oneroster.Kind]map[string]bool

	ok       map[string]map[string]entry // file → sourcedId → accepted row
	rejLines map[string]map[int]string   // file → line → reason
	rejIDs   map[string]map[string]int   // file → sourcedId → rejected line
	parents  map[string]map[string]string
	cascade  []string // stored enrollments ended by deleted classes or users
	// cascadeCats are the stored default categories of deleted classes.
	cascadeCats []string
	roles       map[string][]oneroster.RoleAssignment
	profiles    map[string][]oneroster.UserProfile
	rows        map[string]int // file → data rows seen

	// 1.2 role and profile deltas for stored users (see roles.go).
	roleOnly  map[string]bool // stored users whose roles/profiles rows come without their users.csv row
	roleDel   map[string]bool // roles.csv sourcedIds deleted by the package
	profDel   map[string]bool // userProfiles.csv sourcedIds deleted by the package
	roleTime  map[string]time.Time
	storedUsr map[string]storedUser

	// Rejects lists every rejected row as file:line: reason, in file order.
	Rejects []Issue
	// Warnings lists lenient parses and other non-fatal findings.
	Warnings []Issue
}

// Validate checks every row of the package and every reference, without
// changing anything. existing may be nil (an empty store).
func Validate(ctx context.Context, p *Package, existing Existing) (*Plan, error) {
	pl := &Plan{
		pkg: p, existing: existing, cache: map[oneroster.Kind]map[string]bool{},
		ok: map[string]map[string]entry{}, rejLines: map[string]map[int]string{}, rejIDs: map[string]map[string]int{},
		parents: map[string]map[string]string{}, roles: map[string][]oneroster.RoleAssignment{},
		profiles: map[string][]oneroster.UserProfile{}, rows: map[string]int{},
		roleOnly: map[string]bool{}, roleDel: map[string]bool{}, profDel: map[string]bool{}, roleTime: map[string]time.Time{},
	}
	pl.Warnings = append(pl.Warnings, p.Warnings...)
	for _, f := range p.nonRosterFiles() {
		pl.Warnings = append(pl.Warnings, Issue{File: f + ".csv", Reason: "not imported: learning-objective files are checked for structure only"})
	}
	for _, f := range fileOrder {
		if m, ok := p.Modes[f]; !ok || m == Absent {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := pl.check(ctx, f); err != nil {
			return nil, err
		}
		if f == "orgs" || f == "academicSessions" {
			pl.rejectCycles(f)
		}
	}
	rank := map[string]int{}
	for i, f := range fileOrder {
		rank[f+".csv"] = i
	}
	slices.SortStableFunc(pl.Rejects, func(a, b Issue) int {
		if d := rank[a.File] - rank[b.File]; d != 0 {
			return d
		}
		return a.Line - b.Line
	})
	return pl, nil
}

func (p *Package) nonRosterFiles() []string {
	var out []string
	for _, f := range sortedKeys(p.Modes) {
		if p.Modes[f] != Absent && !rosterFiles[f] {
			out = append(out, f)
		}
	}
	return out
}

func (pl *Plan) newRow(f string) *row {
	spec := columnsFor(pl.pkg.Version, f)
	cols := make(map[string]int, len(spec))
	for i, c := range spec {
		cols[c] = i
	}
	return &row{version: pl.pkg.Version, file: f, mode: pl.pkg.Modes[f], strict: pl.pkg.opts.Strict, cols: cols}
}

// reject records a rejected row with the column the reason is about
// (WholeRow when it is about the row as a whole), so every report row
// carries file, line, sourcedId, field and message (C44).
func (pl *Plan) reject(f string, line int, id, field, reason string) {
	if field == "" {
		field = WholeRow
	}
	if pl.rejLines[f] == nil {
		pl.rejLines[f] = map[int]string{}
		pl.rejIDs[f] = map[string]int{}
	}
	if _, done := pl.rejLines[f][line]; done {
		return
	}
	pl.rejLines[f][line] = reason
	if id != "" {
		if _, ok := pl.rejIDs[f][id]; !ok {
			pl.rejIDs[f][id] = line
		}
		if e, ok := pl.ok[f][id]; ok && int(e.line) == line {
			delete(pl.ok[f], id)
		}
	}
	pl.Rejects = append(pl.Rejects, Issue{File: f + ".csv", Line: line, SourcedID: id, Field: field, Reason: reason})
}

// check reads a file once: it decodes every row, rejects bad rows and
// duplicate sourcedIds, and checks references to earlier files (and to the
// store). References to rows of the same file (parents, agents) are checked
// after the pass, in memory, until no more rows fall.
func (pl *Plan) check(ctx context.Context, f string) error {
	r := pl.newRow(f)
	ok := map[string]entry{}
	pl.ok[f] = ok
	parents := map[string]string{}
	pl.parents[f] = parents
	self := map[string][]ref{} // sourcedId → its references into its own file
	err := pl.pkg.rows(f, func(line int, fields []string, _ map[string]string, err error) error {
		pl.rows[f]++
		if err != nil {
			id := ""
			if len(fields) > 0 {
				id = fields[0]
			}
			field := WholeRow
			var fe *fieldError
			if errors.As(err, &fe) {
				field = fe.field
			}
			pl.reject(f, line, id, field, err.Error())
			return nil
		}
		r.fields, r.errs, r.warns = fields, r.errs[:0], r.warns[:0]
		d := r.decode()
		id := r.get("sourcedId")
		for _, w := range r.warns {
			pl.Warnings = append(pl.Warnings, Issue{File: f + ".csv", Line: line, SourcedID: id, Reason: w})
		}
		if len(r.errs) > 0 {
			pl.reject(f, line, id, r.field(r.errs[0]), strings.Join(r.errs, "; "))
			return nil
		}
		if prev, dup := ok[id]; dup {
			pl.reject(f, line, id, "sourcedId", fmt.Sprintf("duplicate sourcedId %q (first at line %d)", id, prev.line))
			return nil
		}
		if prev, dup := pl.rejIDs[f][id]; dup {
			pl.reject(f, line, id, "sourcedId", fmt.Sprintf("duplicate sourcedId %q (first at line %d)", id, prev))
			return nil
		}
		deleted := r.get("status") == string(oneroster.StatusToBeDeleted)
		e := entry{line: int32(line), deleted: deleted} //nolint:gosec // line numbers fit
		ok[id] = e
		switch x := d.entity.(type) {
		case *oneroster.Org:
			parents[id] = x.Parent
		case *oneroster.AcademicSession:
			parents[id] = x.Parent
		}
		if d.role != nil || d.prof != nil {
			user := r.get("userSourcedId")
			if e.deleted {
				pl.noteRoleDelete(f, id, user, r.datetime("dateLastModified", false))
				return nil
			}
			if reason, bad := pl.userInFile(user); bad {
				stored, err := pl.roleOnlyUser(ctx, f, user)
				if err != nil {
					return err
				}
				if !stored {
					pl.reject(f, line, id, "userSourcedId", reason)
					return nil
				}
				pl.roleOnly[user] = true
			}
			if t := r.datetime("dateLastModified", false); t.After(pl.roleTime[user]) {
				pl.roleTime[user] = t
			}
		}
		if e.deleted && f != "demographics" {
			return nil
		}
		for _, rf := range d.refs {
			if fileKind[f] == rf.kind && f != "demographics" {
				self[id] = append(self[id], rf)
				continue
			}
			reason, err := pl.resolve(ctx, rf)
			if err != nil {
				return err
			}
			if reason != "" && (!e.deleted || f != "demographics") {
				pl.reject(f, line, id, rf.column, reason)
				return nil
			}
		}
		if d.role != nil && !d.role.deleted {
			pl.roles[d.role.user] = append(pl.roles[d.role.user], d.role.ra)
		}
		if d.prof != nil && !d.prof.deleted {
			pl.profiles[d.prof.user] = append(pl.profiles[d.prof.user], d.prof.up)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for changed := true; changed; {
		changed = false
		for _, id := range sortedKeys(self) {
			e, ok := pl.ok[f][id]
			if !ok {
				delete(self, id)
				continue
			}
			for _, rf := range self[id] {
				reason, err := pl.resolve(ctx, rf)
				if err != nil {
					return err
				}
				if reason != "" {
					pl.reject(f, int(e.line), id, rf.column, reason)
					delete(self, id)
					changed = true
					break
				}
			}
		}
	}
	return nil
}

// userInFile checks that a roles/userProfiles row's user is an accepted row
// of users.csv: those rows are applied with their user.
func (pl *Plan) userInFile(user string) (string, bool) {
	if user == "" {
		return "userSourcedId is required", true
	}
	if e, ok := pl.ok["users"][user]; ok && !e.deleted {
		return "", false
	}
	if line, ok := pl.rejIDs["users"][user]; ok {
		return fmt.Sprintf("depends on rejected users.csv:%d", line), true
	}
	return fmt.Sprintf("user %q is neither an active row of users.csv nor, in a delta file, a stored user", user), true
}

// resolve checks one reference and returns why it fails ("" when it holds).
func (pl *Plan) resolve(ctx context.Context, rf ref) (string, error) {
	f := kindFile[rf.kind]
	if e, ok := pl.ok[f][rf.id]; ok {
		if e.deleted {
			return fmt.Sprintf("%s %q refers to a %s record deleted in this package", rf.column, rf.id, f), nil
		}
		return "", nil
	}
	if line, ok := pl.rejIDs[f][rf.id]; ok {
		return fmt.Sprintf("depends on rejected %s.csv:%d (%s %q)", f, line, rf.column, rf.id), nil
	}
	if pl.pkg.Modes[f] == Bulk {
		return fmt.Sprintf("%s %q refers to a missing %s record", rf.column, rf.id, f), nil
	}
	have, err := pl.stored(ctx, rf.kind)
	if err != nil {
		return "", err
	}
	if have[rf.id] {
		return "", nil
	}
	return fmt.Sprintf("%s %q refers to a %s record that is neither in the package nor stored", rf.column, rf.id, f), nil
}

func (pl *Plan) stored(ctx context.Context, k oneroster.Kind) (map[string]bool, error) {
	if m, ok := pl.cache[k]; ok {
		return m, nil
	}
	m := map[string]bool{}
	if pl.existing != nil {
		var err error
		if m, err = pl.existing(ctx, k); err != nil {
			return nil, fmt.Errorf("look up stored %s: %w", k, err)
		}
	}
	pl.cache[k] = m
	return m, nil
}

// rejectCycles rejects the org or session rows whose parent chain loops.
func (pl *Plan) rejectCycles(f string) {
	parents := pl.parents[f]
	state := map[string]int{} // 0 new, 1 on path, 2 done
	for _, id := range sortedKeys(pl.ok[f]) {
		var path []string
		cur := id
		for cur != "" && state[cur] == 0 {
			if _, ok := pl.ok[f][cur]; !ok {
				break
			}
			state[cur] = 1
			path = append(path, cur)
			cur = parents[cur]
		}
		if cur != "" && state[cur] == 1 {
			// cur is on the current path: the cycle is path from cur on.
			in := false
			for _, p := range path {
				if p == cur {
					in = true
				}
				if in {
					pl.reject(f, int(pl.ok[f][p].line), p, "parentSourcedId", fmt.Sprintf("parentSourcedId cycle through %q", cur))
				}
			}
		}
		for _, p := range path {
			state[p] = 2
		}
	}
}

// Rejected reports whether any row was rejected.
func (pl *Plan) Rejected() bool { return len(pl.Rejects) > 0 }

// FileCount is one file's line in the import report.
type FileCount struct {
	File     string
	Mode     Mode
	Applied  int
	Rejected int
}

// Counts returns a count per imported file, in file order.
func (pl *Plan) Counts() []FileCount {
	var out []FileCount
	for _, f := range fileOrder {
		m, ok := pl.pkg.Modes[f]
		if !ok || m == Absent {
			continue
		}
		rej := len(pl.rejLines[f])
		out = append(out, FileCount{File: f + ".csv", Mode: m, Applied: pl.rows[f] - rej, Rejected: rej})
	}
	return out
}

// Deletions counts, for each kind the package carries in bulk, the stored
// active records the import would remove (implicitly or by tobedeleted rows),
// and how many active records are stored. Delta files are not counted: their
// deletions are explicit, row by row.
func (pl *Plan) Deletions(ctx context.Context) (map[oneroster.Kind][2]int, error) {
	out := map[oneroster.Kind][2]int{}
	for f, k := range fileKind {
		m := pl.pkg.Modes[f]
		if m != Bulk {
			continue
		}
		have, err := pl.stored(ctx, k)
		if err != nil {
			return nil, err
		}
		n := 0
		for id := range have {
			e, ok := pl.ok[f][id]
			_, rej := pl.rejIDs[f][id]
			switch {
			case ok && e.deleted:
				n++
			case !ok && !rej && m == Bulk:
				n++
			}
		}
		out[k] = [2]int{n, len(have)}
	}
	return out, nil
}

// keep returns the Keep function of a bulk kind: ids present in the file
// (accepted or rejected) are kept, so a rejected row never deletes a record.
func (pl *Plan) keep(f string) func(string) bool {
	return func(id string) bool {
		if _, ok := pl.ok[f][id]; ok {
			return true
		}
		_, rej := pl.rejIDs[f][id]
		return rej
	}
}

// Changes streams the accepted rows as store changes, in dependency order.
// gone returns the sourcedIds of a kind the import deletes: tobedeleted rows,
// and for a bulk file the stored records it no longer lists.
func (pl *Plan) gone(ctx context.Context, k oneroster.Kind) (map[string]bool, error) {
	f := kindFile[k]
	out := map[string]bool{}
	for id, e := range pl.ok[f] {
		if e.deleted {
			out[id] = true
		}
	}
	if pl.pkg.Modes[f] == Bulk {
		have, err := pl.stored(ctx, k)
		if err != nil {
			return nil, err
		}
		keep := pl.keep(f)
		for id := range have {
			if !keep(id) {
				out[id] = true
			}
		}
	}
	return out, nil
}

// planCascade finds the stored enrollments of classes or users this import
// deletes (D2: deleting a class ends its enrollments) that the package does
// not itself carry; they are deleted with the import. A bulk enrollments
// file already says which enrollments remain, so it needs no cascade.
func (pl *Plan) planCascade(ctx context.Context, st Cascader, tenant string) error {
	classes, err := pl.gone(ctx, oneroster.KindClass)
	if err != nil {
		return err
	}
	if err := pl.planDefaultCategories(ctx, classes); err != nil {
		return err
	}
	if m := pl.pkg.Modes["enrollments"]; m == Bulk {
		return nil
	}
	users, err := pl.gone(ctx, oneroster.KindUser)
	if err != nil {
		return err
	}
	if len(classes)+len(users) == 0 {
		return nil
	}
	recs, err := st.Records(ctx, tenant, oneroster.KindEnrollment)
	if err != nil {
		return fmt.Errorf("read stored enrollments: %w", err)
	}
	for _, r := range recs {
		if r.Status == oneroster.StatusToBeDeleted {
			continue
		}
		if _, inPkg := pl.ok["enrollments"][r.SourcedID]; inPkg {
			continue
		}
		e, err := oneroster.Decode(r)
		if err != nil {
			return err
		}
		if en := e.(*oneroster.Enrollment); classes[en.Class] || users[en.User] {
			pl.cascade = append(pl.cascade, r.SourcedID)
		}
	}
	return nil
}

// planDefaultCategories finds the default categories (created for 1.1 line
// items written without a category, see oneroster.DefaultCategoryID) of the
// classes this import deletes; they are deleted with their class. A bulk
// categories file already says which categories remain.
func (pl *Plan) planDefaultCategories(ctx context.Context, classes map[string]bool) error {
	if len(classes) == 0 || pl.pkg.Modes["categories"] == Bulk {
		return nil
	}
	have, err := pl.stored(ctx, oneroster.KindCategory)
	if err != nil {
		return err
	}
	for _, class := range sortedKeys(classes) {
		id := oneroster.DefaultCategoryID(class)
		if _, inPkg := pl.ok["categories"][id]; have[id] && !inPkg {
			pl.cascadeCats = append(pl.cascadeCats, id)
		}
	}
	return nil
}

// Cascaded lists the stored enrollments the import ends because their class
// or user is deleted.
func (pl *Plan) Cascaded() []string { return pl.cascade }

func (pl *Plan) changes(yield func(oneroster.Change) error) error {
	if err := pl.rowChanges(yield); err != nil {
		return err
	}
	for _, id := range pl.cascade {
		if err := yield(oneroster.Change{Kind: oneroster.KindEnrollment, SourcedID: id, Status: oneroster.StatusToBeDeleted}); err != nil {
			return err
		}
	}
	for _, id := range pl.cascadeCats {
		if err := yield(oneroster.Change{Kind: oneroster.KindCategory, SourcedID: id, Status: oneroster.StatusToBeDeleted}); err != nil {
			return err
		}
	}
	return nil
}

func (pl *Plan) rowChanges(yield func(oneroster.Change) error) error {
	for _, f := range fileOrder {
		if f == "roles" {
			// Stored users whose roles or profiles change without their
			// users.csv row follow the users file.
			if err := pl.roleOnlyChanges(yield); err != nil {
				return err
			}
		}
		k, isKind := fileKind[f]
		if m, ok := pl.pkg.Modes[f]; !ok || m == Absent || !isKind {
			continue
		}
		r := pl.newRow(f)
		err := pl.pkg.rows(f, func(line int, fields []string, meta map[string]string, err error) error {
			if err != nil {
				return nil
			}
			r.fields, r.errs, r.warns = fields, r.errs[:0], r.warns[:0]
			id := r.get("sourcedId")
			e, ok := pl.ok[f][id]
			if !ok || int(e.line) != line {
				return nil
			}
			d := r.decode()
			if len(r.errs) > 0 || d.entity == nil {
				return errors.New("package changed while it was imported")
			}
			if u, isUser := d.entity.(*oneroster.User); isUser && pl.pkg.Version == V12 {
				roles, profs := pl.mergedRoles(id)
				attachRoles(u, roles, profs)
			}
			if len(meta) > 0 {
				setMeta(d.entity, meta)
			}
			c, err := oneroster.ChangeOf(d.entity)
			if err != nil {
				return err
			}
			c.Kind = k
			return yield(c)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func setMeta(e oneroster.Entity, meta map[string]string) {
	m := make(map[string]string, len(meta))
	for k, v := range meta {
		m[k] = v
	}
	oneroster.SetMetadata(e, m)
}

// attachRoles folds 1.2 roles.csv and userProfiles.csv rows into the user,
// deriving the 1.1 view (role, orgs) from the primary role.
func attachRoles(u *oneroster.User, roles []oneroster.RoleAssignment, profs []oneroster.UserProfile) {
	u.Roles = roles
	u.Profiles = profs
	seen := map[string]bool{}
	for _, r := range roles {
		if r.RoleType == "primary" && u.Role == "" {
			u.Role = r.Role
			if u.PrimaryOrg == "" {
				u.PrimaryOrg = r.Org
			}
		}
	}
	if u.PrimaryOrg != "" {
		u.Orgs = append(u.Orgs, u.PrimaryOrg)
		seen[u.PrimaryOrg] = true
	}
	for _, r := range roles {
		if !seen[r.Org] {
			seen[r.Org] = true
			u.Orgs = append(u.Orgs, r.Org)
		}
	}
	if u.Role == "" && len(roles) > 0 {
		u.Role = roles[0].Role
	}
}
