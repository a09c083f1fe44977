package moodle

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/oneroster"
)

// Connector pushes a tenant's roster into one Moodle site.
type Connector struct {
	id     string
	cfg    Config
	root   string
	logger *slog.Logger
	cl     *client
}

var (
	_ connectors.Connector      = (*Connector)(nil)
	_ connectors.Pusher         = (*Connector)(nil)
	_ connectors.Checker        = (*Connector)(nil)
	_ connectors.ProgressPuller = (*Connector)(nil)
)

// ID returns the instance id.
func (c *Connector) ID() string { return c.id }

// Supports turns progress runs off when the config lists no progress.
func (c *Connector) Supports(op string) bool {
	return op != "progress" || len(*c.cfg.Progress) > 0
}

func (c *Connector) pulls(what string) bool { return slices.Contains(*c.cfg.Progress, what) }

// requiredFunctions are the web service functions a push needs.
func (c *Connector) requiredFunctions() []string {
	fs := []string{
		"core_webservice_get_site_info",
		"core_user_get_users_by_field", "core_user_create_users", "core_user_update_users",
		"core_course_get_categories", "core_course_create_categories", "core_course_update_categories",
		"core_course_get_courses_by_field", "core_course_create_courses", "core_course_update_courses",
		"core_enrol_get_enrolled_users", "enrol_manual_enrol_users", "enrol_manual_unenrol_users",
	}
	if *c.cfg.Cohorts {
		fs = append(fs, "core_cohort_get_cohorts", "core_cohort_create_cohorts", "core_cohort_get_cohort_members",
			"core_cohort_add_cohort_members", "core_cohort_delete_cohort_members")
	}
	if c.cfg.Groups {
		fs = append(fs, "core_group_get_course_groups", "core_group_create_groups", "core_group_get_group_members",
			"core_group_add_group_members", "core_group_delete_group_members")
	}
	if c.cfg.Deletes == "delete" {
		fs = append(fs, "core_user_delete_users")
	}
	return fs
}

// Check calls core_webservice_get_site_info: it fails on a wrong URL or
// token, and names the functions the token's service lacks.
func (c *Connector) Check(ctx context.Context) error {
	var info struct {
		Functions []struct {
			Name string `json:"name"`
		} `json:"functions"`
	}
	if err := c.cl.call(ctx, "core_webservice_get_site_info", false, newForm(), &info); err != nil {
		return err
	}
	have := map[string]bool{}
	for _, f := range info.Functions {
		have[f.Name] = true
	}
	var missing []string
	for _, f := range c.requiredFunctions() {
		if !have[f] {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("moodle: the token's external service lacks functions: %s", strings.Join(missing, ", "))
	}
	return nil
}

// mUser is a Moodle user as get_users_by_field returns it.
type mUser struct {
	ID        int    `json:"id"`
	Username  string `json:"username"`
	Firstname string `json:"firstname"`
	Lastname  string `json:"lastname"`
	Email     string `json:"email"`
	IDNumber  string `json:"idnumber"`
	Suspended bool   `json:"suspended"`
}

// push is the state of one Push.
type push struct {
	c      *Connector
	dry    bool
	rep    *connectors.Report
	nextID int // synthetic ids for records a dry run would create

	orgNames map[string]string
	cats     map[string]int // org sourcedId -> category id
	catNames map[int]string
	cohorts  map[string]int // org sourcedId -> cohort id
	users    map[string]mUser
	courses  map[string]int // course idnumber -> id (0 = absent)
	// classKey maps a class sourcedId to its Moodle course idnumber (the
	// class itself, or its OneRoster course in groups mode).
	classKey map[string]string
	classes  map[string]oneroster.Class
	titles   map[string]string      // OneRoster course sourcedId -> title
	groups   map[int]map[string]int // course id -> group idnumber -> group id
	members  map[int]map[int]bool   // group id -> user ids
	enrolled map[int]map[int]map[int]bool
}

func (p *push) fakeID() int {
	p.nextID--
	return p.nextID
}

// Push applies the delta to Moodle.
func (c *Connector) Push(ctx context.Context, d oneroster.Delta, opt connectors.PushOptions) (connectors.Report, error) {
	rep := connectors.Report{}
	p := &push{
		c: c, dry: opt.DryRun, rep: &rep,
		orgNames: map[string]string{}, cats: map[string]int{}, catNames: map[int]string{},
		cohorts: map[string]int{}, users: map[string]mUser{}, courses: map[string]int{},
		classKey: map[string]string{}, classes: map[string]oneroster.Class{}, titles: map[string]string{},
		groups: map[int]map[string]int{}, members: map[int]map[int]bool{},
		enrolled: map[int]map[int]map[int]bool{},
	}
	start := c.cl.writes.Load()
	err := p.run(ctx, d)
	rep.Writes = int(c.cl.writes.Load() - start)
	return rep, err
}

func (p *push) run(ctx context.Context, d oneroster.Delta) error {
	var (
		orgs       []oneroster.Org
		users      []oneroster.User
		classes    []oneroster.Class
		enrols     []oneroster.Enrollment
		unenrols   []oneroster.Enrollment
		delUsers   []string
		delClasses []string
	)
	for _, o := range d.Upserts.Orgs {
		if o.Status == oneroster.StatusToBeDeleted {
			p.rep.Add(oneroster.KindOrg, o.SourcedID, connectors.OutcomeSkipped, "school categories are never deleted")
			continue
		}
		orgs = append(orgs, o)
		p.orgNames[o.SourcedID] = o.Name
	}
	for _, u := range d.Upserts.Users {
		if u.Status == oneroster.StatusToBeDeleted {
			delUsers = append(delUsers, u.SourcedID)
			continue
		}
		users = append(users, u)
	}
	for _, cl := range d.Upserts.Classes {
		if cl.Status == oneroster.StatusToBeDeleted {
			delClasses = append(delClasses, cl.SourcedID)
			continue
		}
		classes = append(classes, cl)
	}
	for _, e := range d.Upserts.Enrollments {
		if e.Status == oneroster.StatusToBeDeleted {
			unenrols = append(unenrols, e)
			continue
		}
		enrols = append(enrols, e)
	}
	for _, r := range d.Deletes {
		switch r.Kind {
		case oneroster.KindUser:
			delUsers = append(delUsers, r.SourcedID)
		case oneroster.KindClass:
			delClasses = append(delClasses, r.SourcedID)
		case oneroster.KindEnrollment:
			p.rep.Add(r.Kind, r.SourcedID, connectors.OutcomeSkipped, "enrollment removed without its record: its user and class are unknown")
		default:
			p.rep.Add(r.Kind, r.SourcedID, connectors.OutcomeSkipped, "not kept in moodle")
		}
	}
	for _, x := range d.Upserts.AcademicSessions {
		p.rep.Add(oneroster.KindAcademicSession, x.SourcedID, connectors.OutcomeSkipped, "not kept in moodle")
	}
	for _, x := range d.Upserts.Demographics {
		p.rep.Add(oneroster.KindDemographics, x.SourcedID, connectors.OutcomeSkipped, "not kept in moodle")
	}
	for _, x := range d.Upserts.Courses {
		p.titles[x.SourcedID] = x.Title
		if !p.c.cfg.Groups {
			p.rep.Add(oneroster.KindCourse, x.SourcedID, connectors.OutcomeSkipped, "moodle courses are made from classes")
		}
	}
	for _, cl := range d.Upserts.Classes {
		p.classes[cl.SourcedID] = cl
		p.classKey[cl.SourcedID] = p.courseKey(cl)
	}

	if err := p.loadCategories(ctx); err != nil {
		return err
	}
	if err := p.pushOrgs(ctx, orgs); err != nil {
		return err
	}
	if err := p.pushUsers(ctx, users); err != nil {
		return err
	}
	if err := p.pushClasses(ctx, classes); err != nil {
		return err
	}
	if err := p.pushEnrollments(ctx, enrols, unenrols); err != nil {
		return err
	}
	return p.pushDeletes(ctx, delUsers, delClasses)
}

// rowsPerCall is how many rows of fields variables fit one call.
func (p *push) rowsPerCall(fields int) int {
	return max(1, min(p.c.cfg.BatchSize, (p.c.cfg.MaxInputVars-10)/fields))
}

// lookupsPerCall is how many scalar values fit one read call.
func (p *push) lookupsPerCall() int {
	return max(1, min(500, p.c.cfg.MaxInputVars-10))
}

func (p *push) loadCategories(ctx context.Context) error {
	var cats []struct {
		ID       int    `json:"id"`
		Name     string `json:"name"`
		IDNumber string `json:"idnumber"`
	}
	if err := p.c.cl.call(ctx, "core_course_get_categories", false, newForm(), &cats); err != nil {
		return err
	}
	for _, c := range cats {
		p.catNames[c.ID] = c.Name
		if c.IDNumber != "" {
			p.cats[c.IDNumber] = c.ID
		}
	}
	if !*p.c.cfg.Cohorts {
		return nil
	}
	var cohorts []struct {
		ID       int    `json:"id"`
		IDNumber string `json:"idnumber"`
	}
	if err := p.c.cl.call(ctx, "core_cohort_get_cohorts", false, newForm(), &cohorts); err != nil {
		return err
	}
	for _, c := range cohorts {
		if c.IDNumber != "" {
			p.cohorts[c.IDNumber] = c.ID
		}
	}
	return nil
}

type catRow struct {
	org  string
	name string
	id   int
}

// ensureCategories creates the categories of the orgs that have none.
func (p *push) ensureCategories(ctx context.Context, rows []catRow, onCreated func(catRow), onFail func(catRow, *connectors.Item)) error {
	if p.dry {
		for _, r := range rows {
			p.cats[r.org] = p.fakeID()
			onCreated(r)
		}
		return nil
	}
	return bisect(ctx, rows, p.rowsPerCall(3), func(ctx context.Context, rs []catRow) error {
		f := newForm()
		for i, r := range rs {
			f.row("categories", i, "name", r.name)
			f.row("categories", i, "parent", strconv.Itoa(p.c.cfg.CategoryParent))
			f.row("categories", i, "idnumber", r.org)
		}
		var out []struct {
			ID int `json:"id"`
		}
		if err := p.c.cl.call(ctx, "core_course_create_categories", true, f, &out); err != nil {
			return err
		}
		if len(out) != len(rs) {
			return fmt.Errorf("moodle core_course_create_categories: %d results for %d rows", len(out), len(rs))
		}
		for i, r := range rs {
			p.cats[r.org] = out[i].ID
			p.catNames[out[i].ID] = r.name
			onCreated(r)
		}
		return nil
	}, func(r catRow, e *Exception) {
		onFail(r, &connectors.Item{Reason: e.Error()})
	})
}

func (p *push) pushOrgs(ctx context.Context, orgs []oneroster.Org) error {
	var create, rename []catRow
	for _, o := range orgs {
		id, ok := p.cats[o.SourcedID]
		switch {
		case !ok:
			create = append(create, catRow{org: o.SourcedID, name: orgName(o)})
		case p.catNames[id] != orgName(o):
			rename = append(rename, catRow{org: o.SourcedID, name: orgName(o), id: id})
		default:
			p.rep.Add(oneroster.KindOrg, o.SourcedID, connectors.OutcomeUnchanged, "")
		}
	}
	err := p.ensureCategories(ctx, create, func(r catRow) {
		p.rep.Add(oneroster.KindOrg, r.org, connectors.OutcomeCreated, "")
	}, func(r catRow, it *connectors.Item) {
		p.rep.Add(oneroster.KindOrg, r.org, connectors.OutcomeFailed, it.Reason)
	})
	if err != nil {
		return err
	}
	if p.dry {
		for _, r := range rename {
			p.rep.Add(oneroster.KindOrg, r.org, connectors.OutcomeUpdated, "")
		}
	} else if err := bisect(ctx, rename, p.rowsPerCall(2), func(ctx context.Context, rs []catRow) error {
		f := newForm()
		for i, r := range rs {
			f.row("categories", i, "id", strconv.Itoa(r.id))
			f.row("categories", i, "name", r.name)
		}
		if err := p.c.cl.call(ctx, "core_course_update_categories", true, f, nil); err != nil {
			return err
		}
		for _, r := range rs {
			p.catNames[r.id] = r.name
			p.rep.Add(oneroster.KindOrg, r.org, connectors.OutcomeUpdated, "")
		}
		return nil
	}, func(r catRow, e *Exception) {
		p.rep.Add(oneroster.KindOrg, r.org, connectors.OutcomeFailed, e.Error())
	}); err != nil {
		return err
	}
	if !*p.c.cfg.Cohorts {
		return nil
	}
	var missing []string
	for _, o := range orgs {
		if _, ok := p.cohorts[o.SourcedID]; !ok {
			missing = append(missing, o.SourcedID)
		}
	}
	return p.ensureCohorts(ctx, missing)
}

func orgName(o oneroster.Org) string {
	if strings.TrimSpace(o.Name) != "" {
		return o.Name
	}
	return o.SourcedID
}

// ensureCohorts creates a system cohort (idnumber = the org's sourcedId)
// for each org that has none. A refused cohort is logged; the memberships
// that need it fail later with a reason.
func (p *push) ensureCohorts(ctx context.Context, orgs []string) error {
	if len(orgs) == 0 {
		return nil
	}
	if p.dry {
		for _, o := range orgs {
			p.cohorts[o] = p.fakeID()
		}
		return nil
	}
	return bisect(ctx, orgs, p.rowsPerCall(4), func(ctx context.Context, rs []string) error {
		f := newForm()
		for i, o := range rs {
			name := p.orgNames[o]
			if name == "" {
				name = p.catNames[p.cats[o]]
			}
			if name == "" {
				name = o
			}
			f.row("cohorts", i, "categorytype][type", "system")
			f.row("cohorts", i, "categorytype][value", "")
			f.row("cohorts", i, "name", name)
			f.row("cohorts", i, "idnumber", o)
		}
		var out []struct {
			ID       int    `json:"id"`
			IDNumber string `json:"idnumber"`
		}
		if err := p.c.cl.call(ctx, "core_cohort_create_cohorts", true, f, &out); err != nil {
			return err
		}
		for _, c := range out {
			p.cohorts[c.IDNumber] = c.ID
		}
		return nil
	}, func(o string, e *Exception) {
		p.c.logger.WarnContext(ctx, "moodle refused cohort", "connector", p.c.id, "org", o, "error", e.Error())
	})
}

var usernameBad = regexp.MustCompile(`[^-.@_a-z0-9]`)

// Username returns the Moodle username for a roster user: the lowercased
// username (or sourcedId) without the characters Moodle's PARAM_USERNAME
// removes.
func Username(u oneroster.User) string {
	n := u.Username
	if strings.TrimSpace(n) == "" {
		n = u.SourcedID
	}
	return usernameBad.ReplaceAllString(strings.ToLower(strings.TrimSpace(n)), "")
}

var emailOK = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// desired is the Moodle user a roster user should be.
func (p *push) desired(u oneroster.User) mUser {
	m := mUser{
		Username:  Username(u),
		Firstname: strings.TrimSpace(u.GivenName),
		Lastname:  strings.TrimSpace(u.FamilyName),
		Email:     strings.TrimSpace(u.Email),
		IDNumber:  u.SourcedID,
		Suspended: !u.EnabledUser,
	}
	if m.Firstname == "" {
		m.Firstname = "-"
	}
	if m.Lastname == "" {
		m.Lastname = "-"
	}
	if !emailOK.MatchString(m.Email) {
		m.Email = strings.ReplaceAll(m.Username, "@", ".") + "@" + p.c.cfg.EmailDomain
	}
	return m
}

func differs(have, want mUser) bool {
	return have.Username != want.Username || have.Firstname != want.Firstname || have.Lastname != want.Lastname ||
		!strings.EqualFold(have.Email, want.Email) || have.IDNumber != want.IDNumber || have.Suspended != want.Suspended
}

// lookupUsers fetches users by field (idnumber or username) into a map by
// that field's value.
func (p *push) lookupUsers(ctx context.Context, field string, values []string) (map[string]mUser, error) {
	out := map[string]mUser{}
	n := p.lookupsPerCall()
	for len(values) > 0 {
		k := min(n, len(values))
		f := newForm()
		f.set("field", field)
		for i, v := range values[:k] {
			f.set("values["+strconv.Itoa(i)+"]", v)
		}
		var us []mUser
		if err := p.c.cl.call(ctx, "core_user_get_users_by_field", false, f, &us); err != nil {
			return nil, err
		}
		for _, u := range us {
			if field == "idnumber" {
				out[u.IDNumber] = u
			} else {
				out[u.Username] = u
			}
		}
		values = values[k:]
	}
	return out, nil
}

// resolveUsers makes sure p.users holds every sourcedId that exists in
// Moodle.
func (p *push) resolveUsers(ctx context.Context, ids []string) error {
	var need []string
	seen := map[string]bool{}
	for _, id := range ids {
		if _, ok := p.users[id]; !ok && !seen[id] {
			need = append(need, id)
			seen[id] = true
		}
	}
	found, err := p.lookupUsers(ctx, "idnumber", need)
	if err != nil {
		return err
	}
	for id, u := range found {
		p.users[id] = u
	}
	return nil
}

type userRow struct {
	src  oneroster.User
	want mUser
	id   int
}

func (p *push) pushUsers(ctx context.Context, users []oneroster.User) error {
	// Later records win when a delta names a user twice.
	idx := map[string]int{}
	var uniq []oneroster.User
	for _, u := range users {
		if i, ok := idx[u.SourcedID]; ok {
			uniq[i] = u
			continue
		}
		idx[u.SourcedID] = len(uniq)
		uniq = append(uniq, u)
	}
	ids := make([]string, len(uniq))
	for i, u := range uniq {
		ids[i] = u.SourcedID
	}
	if err := p.resolveUsers(ctx, ids); err != nil {
		return err
	}
	var create, update []userRow
	var byName []string
	for _, u := range uniq {
		want := p.desired(u)
		if want.Username == "" {
			p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeFailed, "no username usable in moodle")
			continue
		}
		have, ok := p.users[u.SourcedID]
		switch {
		case !ok:
			create = append(create, userRow{src: u, want: want})
			byName = append(byName, want.Username)
		case differs(have, want):
			update = append(update, userRow{src: u, want: want, id: have.ID})
		default:
			p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeUnchanged, "")
		}
	}
	// A Moodle account with the same username and no idnumber is adopted
	// rather than duplicated; one with another idnumber is a conflict.
	if len(create) > 0 {
		taken, err := p.lookupUsers(ctx, "username", byName)
		if err != nil {
			return err
		}
		kept := create[:0]
		for _, r := range create {
			t, ok := taken[r.want.Username]
			switch {
			case !ok:
				kept = append(kept, r)
			case t.IDNumber == "":
				r.id = t.ID
				update = append(update, r)
			default:
				p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeFailed,
					"username "+r.want.Username+" belongs to another moodle user")
			}
		}
		create = kept
	}
	if err := p.createUsers(ctx, create); err != nil {
		return err
	}
	if err := p.updateUsers(ctx, update); err != nil {
		return err
	}
	if *p.c.cfg.Cohorts {
		return p.pushCohortMembers(ctx, uniq)
	}
	return nil
}

func (p *push) createUsers(ctx context.Context, rows []userRow) error {
	if p.dry {
		for _, r := range rows {
			w := r.want
			w.ID = p.fakeID()
			p.users[r.src.SourcedID] = w
			p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeCreated, "")
		}
		return nil
	}
	manual := p.c.cfg.Auth == "manual"
	fields := 7
	var suspend []userRow
	err := bisect(ctx, rows, p.rowsPerCall(fields), func(ctx context.Context, rs []userRow) error {
		f := newForm()
		for i, r := range rs {
			f.row("users", i, "username", r.want.Username)
			f.row("users", i, "firstname", r.want.Firstname)
			f.row("users", i, "lastname", r.want.Lastname)
			f.row("users", i, "email", r.want.Email)
			f.row("users", i, "idnumber", r.want.IDNumber)
			f.row("users", i, "auth", p.c.cfg.Auth)
			if manual {
				f.row("users", i, "createpassword", "1")
			}
		}
		var out []struct {
			ID       int    `json:"id"`
			Username string `json:"username"`
		}
		if err := p.c.cl.call(ctx, "core_user_create_users", true, f, &out); err != nil {
			return err
		}
		ids := map[string]int{}
		for _, o := range out {
			ids[o.Username] = o.ID
		}
		for _, r := range rs {
			w := r.want
			w.ID = ids[w.Username]
			if w.ID == 0 {
				return fmt.Errorf("moodle core_user_create_users: no id returned for a created user")
			}
			if w.Suspended {
				suspend = append(suspend, userRow{src: r.src, want: w, id: w.ID})
				w.Suspended = false
			}
			p.users[r.src.SourcedID] = w
			p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeCreated, "")
		}
		return nil
	}, func(r userRow, e *Exception) {
		p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeFailed, e.Error())
	})
	if err != nil || len(suspend) == 0 {
		return err
	}
	// create_users has no suspended field: disabled users are suspended
	// right after, outside the create batches (a refused suspension must
	// not split and re-send a batch that was created).
	return p.writeUserUpdates(ctx, suspend, func(r userRow, ok bool, reason string) {
		if !ok {
			p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeFailed, "created but not suspended: "+reason)
		}
	})
}

func (p *push) updateUsers(ctx context.Context, rows []userRow) error {
	if p.dry {
		for _, r := range rows {
			w := r.want
			w.ID = r.id
			p.users[r.src.SourcedID] = w
			p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeUpdated, "")
		}
		return nil
	}
	return p.writeUserUpdates(ctx, rows, func(r userRow, ok bool, reason string) {
		if ok {
			p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeUpdated, "")
		} else {
			p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeFailed, reason)
		}
	})
}

// writeUserUpdates sends update_users in batches and, since Moodle skips
// some users silently, reads them back to confirm. done (when not nil) is
// called per row.
func (p *push) writeUserUpdates(ctx context.Context, rows []userRow, done func(r userRow, ok bool, reason string)) error {
	if done == nil {
		done = func(userRow, bool, string) {}
	}
	return bisect(ctx, rows, p.rowsPerCall(8), func(ctx context.Context, rs []userRow) error {
		f := newForm()
		for i, r := range rs {
			f.row("users", i, "id", strconv.Itoa(r.id))
			f.row("users", i, "username", r.want.Username)
			f.row("users", i, "firstname", r.want.Firstname)
			f.row("users", i, "lastname", r.want.Lastname)
			f.row("users", i, "email", r.want.Email)
			f.row("users", i, "idnumber", r.want.IDNumber)
			f.row("users", i, "suspended", boolStr(r.want.Suspended))
		}
		if err := p.c.cl.call(ctx, "core_user_update_users", true, f, nil); err != nil {
			return err
		}
		ids := make([]string, len(rs))
		for i, r := range rs {
			ids[i] = strconv.Itoa(r.id)
		}
		back, err := p.lookupUsers(ctx, "id", ids)
		if err != nil {
			return err
		}
		byID := map[int]mUser{}
		for _, u := range back {
			byID[u.ID] = u
		}
		for _, r := range rs {
			got, ok := byID[r.id]
			want := r.want
			want.ID = r.id
			if !ok || differs(got, want) {
				done(r, false, "moodle skipped the update (duplicate email or username, or the account is protected)")
				if ok {
					p.users[r.src.SourcedID] = got
				}
				continue
			}
			p.users[r.src.SourcedID] = got
			done(r, true, "")
		}
		return nil
	}, func(r userRow, e *Exception) {
		done(r, false, e.Error())
	})
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// pushCohortMembers puts each user in the cohorts of their orgs and takes
// them out of the other school cohorts this push manages.
func (p *push) pushCohortMembers(ctx context.Context, users []oneroster.User) error {
	var needCohort []string
	wantOrgs := map[string]bool{}
	for _, u := range users {
		for _, o := range u.Orgs {
			if !wantOrgs[o] {
				wantOrgs[o] = true
				if _, ok := p.cohorts[o]; !ok {
					needCohort = append(needCohort, o)
				}
			}
		}
	}
	sort.Strings(needCohort)
	if err := p.ensureCohorts(ctx, needCohort); err != nil {
		return err
	}
	// Current members of every managed cohort.
	managed := map[int]string{}
	var ids []string
	for o := range wantOrgs {
		if id, ok := p.cohorts[o]; ok && id > 0 {
			managed[id] = o
			ids = append(ids, strconv.Itoa(id))
		}
	}
	for o := range p.orgNames {
		if id, ok := p.cohorts[o]; ok && id > 0 && managed[id] == "" {
			managed[id] = o
			ids = append(ids, strconv.Itoa(id))
		}
	}
	sort.Strings(ids)
	members := map[int]map[int]bool{}
	for len(ids) > 0 {
		k := min(p.lookupsPerCall(), len(ids))
		f := newForm()
		for i, id := range ids[:k] {
			f.set("cohortids["+strconv.Itoa(i)+"]", id)
		}
		var out []struct {
			CohortID int   `json:"cohortid"`
			UserIDs  []int `json:"userids"`
		}
		if err := p.c.cl.call(ctx, "core_cohort_get_cohort_members", false, f, &out); err != nil {
			return err
		}
		for _, c := range out {
			m := map[int]bool{}
			for _, u := range c.UserIDs {
				m[u] = true
			}
			members[c.CohortID] = m
		}
		ids = ids[k:]
	}
	type cm struct {
		user   string
		cohort int
		uid    int
	}
	var add, del []cm
	for _, u := range users {
		mu, ok := p.users[u.SourcedID]
		if !ok {
			continue // the user failed; already reported
		}
		want := map[int]bool{}
		for _, o := range u.Orgs {
			cid, ok := p.cohorts[o]
			if !ok {
				p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeFailed, "no moodle cohort for org "+o)
				continue
			}
			want[cid] = true
			if !members[cid][mu.ID] {
				add = append(add, cm{u.SourcedID, cid, mu.ID})
			}
		}
		for cid := range managed {
			if members[cid][mu.ID] && !want[cid] {
				del = append(del, cm{u.SourcedID, cid, mu.ID})
			}
		}
	}
	if p.dry || (len(add) == 0 && len(del) == 0) {
		return nil
	}
	err := bisect(ctx, add, p.rowsPerCall(4), func(ctx context.Context, rs []cm) error {
		f := newForm()
		for i, r := range rs {
			f.row("members", i, "cohorttype][type", "id")
			f.row("members", i, "cohorttype][value", strconv.Itoa(r.cohort))
			f.row("members", i, "usertype][type", "id")
			f.row("members", i, "usertype][value", strconv.Itoa(r.uid))
		}
		var out struct {
			Warnings []struct {
				Message string `json:"message"`
			} `json:"warnings"`
		}
		if err := p.c.cl.call(ctx, "core_cohort_add_cohort_members", true, f, &out); err != nil {
			return err
		}
		for _, w := range out.Warnings {
			p.c.logger.WarnContext(ctx, "moodle cohort member warning", "connector", p.c.id, "warning", w.Message)
		}
		return nil
	}, func(r cm, e *Exception) {
		p.rep.Add(oneroster.KindUser, r.user, connectors.OutcomeFailed, "cohort membership: "+e.Error())
	})
	if err != nil {
		return err
	}
	return bisect(ctx, del, p.rowsPerCall(2), func(ctx context.Context, rs []cm) error {
		f := newForm()
		for i, r := range rs {
			f.row("members", i, "cohortid", strconv.Itoa(r.cohort))
			f.row("members", i, "userid", strconv.Itoa(r.uid))
		}
		return p.c.cl.call(ctx, "core_cohort_delete_cohort_members", true, f, nil)
	}, func(r cm, e *Exception) {
		p.rep.Add(oneroster.KindUser, r.user, connectors.OutcomeFailed, "cohort membership: "+e.Error())
	})
}

// mCourse is a Moodle course as get_courses_by_field returns it.
type mCourse struct {
	ID         int    `json:"id"`
	Fullname   string `json:"fullname"`
	Shortname  string `json:"shortname"`
	CategoryID int    `json:"categoryid"`
	IDNumber   string `json:"idnumber"`
	Visible    int    `json:"visible"`
}

// course looks a course up by idnumber (cached for the push).
func (p *push) course(ctx context.Context, idnumber string) (mCourse, bool, error) {
	f := newForm()
	f.set("field", "idnumber")
	f.set("value", idnumber)
	var out struct {
		Courses []mCourse `json:"courses"`
	}
	if err := p.c.cl.call(ctx, "core_course_get_courses_by_field", false, f, &out); err != nil {
		return mCourse{}, false, err
	}
	for _, c := range out.Courses {
		if c.IDNumber == idnumber {
			p.courses[idnumber] = c.ID
			return c, true, nil
		}
	}
	p.courses[idnumber] = 0
	return mCourse{}, false, nil
}

type courseRow struct {
	ref       string // the OneRoster record the outcome is reported on
	kind      oneroster.Kind
	idnumber  string
	fullname  string
	shortname string
	category  int
	id        int
}

func (p *push) schoolCategory(ctx context.Context, school string) (int, *connectors.Item, error) {
	if id, ok := p.cats[school]; ok {
		return id, nil, nil
	}
	if school == "" {
		return 0, &connectors.Item{Reason: "class has no school"}, nil
	}
	var failed *connectors.Item
	p.orgNames[school] = cmpOr(p.orgNames[school], school)
	err := p.ensureCategories(ctx, []catRow{{org: school, name: p.orgNames[school]}}, func(catRow) {}, func(_ catRow, it *connectors.Item) {
		failed = it
	})
	if err != nil || failed != nil {
		return 0, failed, err
	}
	return p.cats[school], nil, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (p *push) pushClasses(ctx context.Context, classes []oneroster.Class) error {
	var create, update []courseRow
	planned := map[string]bool{}
	for _, cl := range classes {
		key := p.courseKey(cl)
		cat, item, err := p.schoolCategory(ctx, cl.School)
		if err != nil {
			return err
		}
		if item != nil {
			p.rep.Add(oneroster.KindClass, cl.SourcedID, connectors.OutcomeFailed, "school category: "+item.Reason)
			continue
		}
		title, code := cl.Title, cl.ClassCode
		if key != cl.SourcedID {
			title, code = cmpOr(p.titles[key], cl.Title), ""
		}
		row := courseRow{
			ref: cl.SourcedID, kind: oneroster.KindClass, idnumber: key, fullname: cmpOr(strings.TrimSpace(title), key),
			shortname: cmpOr(strings.TrimSpace(code), key), category: cat,
		}
		if planned[key] {
			// Another class of the same shared course (groups mode), or the
			// delta naming the class twice: the course is handled once.
			p.rep.Add(oneroster.KindClass, cl.SourcedID, connectors.OutcomeUnchanged, "")
			continue
		}
		planned[key] = true
		have, ok, err := p.course(ctx, key)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			create = append(create, row)
		case have.Fullname != row.fullname || have.CategoryID != row.category || have.Visible != 1:
			row.id = have.ID
			update = append(update, row)
		default:
			p.rep.Add(oneroster.KindClass, cl.SourcedID, connectors.OutcomeUnchanged, "")
		}
	}
	// Short names must be unique; a second class with the same code in
	// this push uses its idnumber instead.
	short := map[string]bool{}
	for i := range create {
		if short[create[i].shortname] {
			create[i].shortname = create[i].idnumber
		}
		short[create[i].shortname] = true
	}
	if p.dry {
		for _, r := range create {
			p.courses[r.idnumber] = p.fakeID()
			p.rep.Add(r.kind, r.ref, connectors.OutcomeCreated, "")
		}
		for _, r := range update {
			p.rep.Add(r.kind, r.ref, connectors.OutcomeUpdated, "")
		}
	} else {
		var retry []courseRow
		err := p.createCourses(ctx, create, func(r courseRow, e *Exception) {
			if e.ErrorCode == "shortnametaken" && r.shortname != r.idnumber {
				// The class code is some other course's short name: use
				// the (unique) idnumber instead.
				r.shortname = r.idnumber
				retry = append(retry, r)
				return
			}
			p.rep.Add(r.kind, r.ref, connectors.OutcomeFailed, e.Error())
		})
		if err != nil {
			return err
		}
		if err := p.createCourses(ctx, retry, func(r courseRow, e *Exception) {
			p.rep.Add(r.kind, r.ref, connectors.OutcomeFailed, e.Error())
		}); err != nil {
			return err
		}
		if err := p.updateCourses(ctx, update, func(r courseRow, f *form, i int) {
			f.row("courses", i, "fullname", r.fullname)
			f.row("courses", i, "categoryid", strconv.Itoa(r.category))
			f.row("courses", i, "visible", "1")
		}, connectors.OutcomeUpdated); err != nil {
			return err
		}
	}
	if p.c.cfg.Groups {
		return p.ensureGroups(ctx, classes)
	}
	return nil
}

// createCourses creates courses in batches, failing refused rows with fail.
func (p *push) createCourses(ctx context.Context, rows []courseRow, fail func(courseRow, *Exception)) error {
	return bisect(ctx, rows, p.rowsPerCall(6), func(ctx context.Context, rs []courseRow) error {
		f := newForm()
		for i, r := range rs {
			f.row("courses", i, "fullname", r.fullname)
			f.row("courses", i, "shortname", r.shortname)
			f.row("courses", i, "categoryid", strconv.Itoa(r.category))
			f.row("courses", i, "idnumber", r.idnumber)
			f.row("courses", i, "visible", "1")
			f.row("courses", i, "enablecompletion", "1")
		}
		var out []struct {
			ID int `json:"id"`
		}
		if err := p.c.cl.call(ctx, "core_course_create_courses", true, f, &out); err != nil {
			return err
		}
		if len(out) != len(rs) {
			return fmt.Errorf("moodle core_course_create_courses: %d results for %d rows", len(out), len(rs))
		}
		for i, r := range rs {
			p.courses[r.idnumber] = out[i].ID
			p.enrolled[out[i].ID] = map[int]map[int]bool{}
			p.rep.Add(r.kind, r.ref, connectors.OutcomeCreated, "")
		}
		return nil
	}, fail)
}

// courseKey is the Moodle course idnumber of a class: the class's own
// sourcedId, or in groups mode its OneRoster course's.
func (p *push) courseKey(cl oneroster.Class) string {
	if p.c.cfg.Groups && cl.Course != "" {
		return cl.Course
	}
	return cl.SourcedID
}

// updateCourses sends update_courses; per-course failures come back as
// warnings, not exceptions.
func (p *push) updateCourses(ctx context.Context, rows []courseRow, fill func(courseRow, *form, int), ok connectors.Outcome) error {
	return bisect(ctx, rows, p.rowsPerCall(4), func(ctx context.Context, rs []courseRow) error {
		f := newForm()
		for i, r := range rs {
			f.row("courses", i, "id", strconv.Itoa(r.id))
			fill(r, &f, i)
		}
		var out struct {
			Warnings []struct {
				ItemID  int    `json:"itemid"`
				Message string `json:"message"`
			} `json:"warnings"`
		}
		if err := p.c.cl.call(ctx, "core_course_update_courses", true, f, &out); err != nil {
			return err
		}
		warned := map[int]string{}
		for _, w := range out.Warnings {
			warned[w.ItemID] = w.Message
		}
		for _, r := range rs {
			if msg, bad := warned[r.id]; bad {
				p.rep.Add(r.kind, r.ref, connectors.OutcomeFailed, msg)
				continue
			}
			p.rep.Add(r.kind, r.ref, ok, "")
		}
		return nil
	}, func(r courseRow, e *Exception) {
		p.rep.Add(r.kind, r.ref, connectors.OutcomeFailed, e.Error())
	})
}

// enrolledUsers returns the course's enrolled users and their roles.
func (p *push) enrolledUsers(ctx context.Context, courseID int) (map[int]map[int]bool, error) {
	if m, ok := p.enrolled[courseID]; ok {
		return m, nil
	}
	m := map[int]map[int]bool{}
	if courseID < 0 { // created by this dry run
		p.enrolled[courseID] = m
		return m, nil
	}
	f := newForm()
	f.set("courseid", strconv.Itoa(courseID))
	f.set("options[0][name]", "userfields")
	f.set("options[0][value]", "id,roles")
	var out []struct {
		ID    int `json:"id"`
		Roles []struct {
			RoleID int `json:"roleid"`
		} `json:"roles"`
	}
	if err := p.c.cl.call(ctx, "core_enrol_get_enrolled_users", false, f, &out); err != nil {
		return nil, err
	}
	for _, u := range out {
		rs := map[int]bool{}
		for _, r := range u.Roles {
			rs[r.RoleID] = true
		}
		m[u.ID] = rs
	}
	p.enrolled[courseID] = m
	return m, nil
}

type enrolRow struct {
	src    oneroster.Enrollment
	user   int
	course int
	role   int
}

// resolveEnrollment finds the Moodle user and course of e; ok is false when
// the outcome was already reported.
func (p *push) resolveEnrollment(ctx context.Context, e oneroster.Enrollment) (enrolRow, bool, error) {
	u, ok := p.users[e.User]
	if !ok {
		p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeFailed, "user "+e.User+" is not in moodle")
		return enrolRow{}, false, nil
	}
	key := e.Class
	if k, ok := p.classKey[e.Class]; ok {
		key = k
	} else if p.c.cfg.Groups {
		p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeFailed, "class "+e.Class+" is not in this push, so its shared course is unknown")
		return enrolRow{}, false, nil
	}
	cid, known := p.courses[key]
	if !known {
		_, _, err := p.course(ctx, key)
		if err != nil {
			return enrolRow{}, false, err
		}
		cid = p.courses[key]
	}
	if cid == 0 {
		p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeFailed, "class "+e.Class+" has no moodle course")
		return enrolRow{}, false, nil
	}
	return enrolRow{src: e, user: u.ID, course: cid}, true, nil
}

func (p *push) pushEnrollments(ctx context.Context, enrols, unenrols []oneroster.Enrollment) error {
	if len(enrols) == 0 && len(unenrols) == 0 {
		return nil
	}
	ids := make([]string, 0, len(enrols)+len(unenrols))
	for _, e := range slices.Concat(enrols, unenrols) {
		ids = append(ids, e.User)
	}
	if err := p.resolveUsers(ctx, ids); err != nil {
		return err
	}
	var add []enrolRow
	pending := map[[3]int]bool{}
	for _, e := range enrols {
		role, ok := p.c.cfg.RoleMap[e.Role]
		if !ok {
			p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeSkipped, "role "+e.Role+" is not in role_map")
			continue
		}
		r, ok, err := p.resolveEnrollment(ctx, e)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		r.role = role
		cur, err := p.enrolledUsers(ctx, r.course)
		if err != nil {
			return err
		}
		k := [3]int{r.course, r.user, r.role}
		if cur[r.user][r.role] || pending[k] {
			p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeUnchanged, "")
			continue
		}
		pending[k] = true
		add = append(add, r)
	}
	if p.dry {
		for _, r := range add {
			p.rep.Add(oneroster.KindEnrollment, r.src.SourcedID, connectors.OutcomeCreated, "")
		}
	} else if err := bisect(ctx, add, p.rowsPerCall(3), func(ctx context.Context, rs []enrolRow) error {
		f := newForm()
		for i, r := range rs {
			f.row("enrolments", i, "roleid", strconv.Itoa(r.role))
			f.row("enrolments", i, "userid", strconv.Itoa(r.user))
			f.row("enrolments", i, "courseid", strconv.Itoa(r.course))
		}
		if err := p.c.cl.call(ctx, "enrol_manual_enrol_users", true, f, nil); err != nil {
			return err
		}
		for _, r := range rs {
			m := p.enrolled[r.course]
			if m[r.user] == nil {
				m[r.user] = map[int]bool{}
			}
			m[r.user][r.role] = true
			p.rep.Add(oneroster.KindEnrollment, r.src.SourcedID, connectors.OutcomeCreated, "")
		}
		return nil
	}, func(r enrolRow, e *Exception) {
		p.rep.Add(oneroster.KindEnrollment, r.src.SourcedID, connectors.OutcomeFailed, e.Error())
	}); err != nil {
		return err
	}
	if p.c.cfg.Groups {
		// Group members must be enrolled first (done above). A removed
		// enrollment leaves its class's group, and the shared course only
		// when the user is in no other group of it.
		var err error
		if unenrols, err = p.pushGroupMembers(ctx, enrols, unenrols); err != nil {
			return err
		}
	}
	var del []enrolRow
	for _, e := range unenrols {
		r, ok, err := p.resolveEnrollment(ctx, e)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		cur, err := p.enrolledUsers(ctx, r.course)
		if err != nil {
			return err
		}
		if _, in := cur[r.user]; !in {
			p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeUnchanged, "")
			continue
		}
		del = append(del, r)
	}
	if p.dry {
		for _, r := range del {
			p.rep.Add(oneroster.KindEnrollment, r.src.SourcedID, connectors.OutcomeRemoved, "")
		}
		return nil
	}
	return bisect(ctx, del, p.rowsPerCall(2), func(ctx context.Context, rs []enrolRow) error {
		f := newForm()
		for i, r := range rs {
			f.row("enrolments", i, "userid", strconv.Itoa(r.user))
			f.row("enrolments", i, "courseid", strconv.Itoa(r.course))
		}
		if err := p.c.cl.call(ctx, "enrol_manual_unenrol_users", true, f, nil); err != nil {
			return err
		}
		for _, r := range rs {
			delete(p.enrolled[r.course], r.user)
			p.rep.Add(oneroster.KindEnrollment, r.src.SourcedID, connectors.OutcomeRemoved, "")
		}
		return nil
	}, func(r enrolRow, e *Exception) {
		p.rep.Add(oneroster.KindEnrollment, r.src.SourcedID, connectors.OutcomeFailed, e.Error())
	})
}

func (p *push) pushDeletes(ctx context.Context, users, classes []string) error {
	if len(users) == 0 && len(classes) == 0 {
		return nil
	}
	guard := p.c.cfg.MaxDeletes
	if p.c.cfg.Deletes != "ignore" && guard >= 0 && len(users)+len(classes) > guard {
		reason := fmt.Sprintf("deletion guard: %d removals exceed max_deletes %d; raise max_deletes to apply them",
			len(users)+len(classes), guard)
		for _, u := range users {
			p.rep.Add(oneroster.KindUser, u, connectors.OutcomeFailed, reason)
		}
		for _, c := range classes {
			p.rep.Add(oneroster.KindClass, c, connectors.OutcomeFailed, reason)
		}
		return nil
	}
	if err := p.deleteUsers(ctx, users); err != nil {
		return err
	}
	var hide []courseRow
	for _, c := range classes {
		have, ok, err := p.course(ctx, c)
		if err != nil {
			return err
		}
		if !ok || have.Visible == 0 {
			p.rep.Add(oneroster.KindClass, c, connectors.OutcomeUnchanged, "")
			continue
		}
		hide = append(hide, courseRow{ref: c, kind: oneroster.KindClass, idnumber: c, id: have.ID})
	}
	if p.dry {
		for _, r := range hide {
			p.rep.Add(r.kind, r.ref, connectors.OutcomeRemoved, "")
		}
		return nil
	}
	return p.updateCourses(ctx, hide, func(_ courseRow, f *form, i int) {
		f.row("courses", i, "visible", "0")
	}, connectors.OutcomeRemoved)
}

func (p *push) deleteUsers(ctx context.Context, users []string) error {
	if len(users) == 0 {
		return nil
	}
	if p.c.cfg.Deletes == "ignore" {
		for _, u := range users {
			p.rep.Add(oneroster.KindUser, u, connectors.OutcomeSkipped, "deletes: ignore")
		}
		return nil
	}
	if err := p.resolveUsers(ctx, users); err != nil {
		return err
	}
	var rows []userRow
	for _, id := range users {
		u, ok := p.users[id]
		if !ok || (p.c.cfg.Deletes == "suspend" && u.Suspended) {
			p.rep.Add(oneroster.KindUser, id, connectors.OutcomeUnchanged, "")
			continue
		}
		w := u
		w.Suspended = true
		rows = append(rows, userRow{src: oneroster.User{Base: oneroster.Base{SourcedID: id}}, want: w, id: u.ID})
	}
	if p.dry {
		for _, r := range rows {
			p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeRemoved, "")
		}
		return nil
	}
	if p.c.cfg.Deletes == "suspend" {
		return p.writeUserUpdates(ctx, rows, func(r userRow, ok bool, reason string) {
			if ok {
				p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeRemoved, "")
			} else {
				p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeFailed, reason)
			}
		})
	}
	return bisect(ctx, rows, p.rowsPerCall(1), func(ctx context.Context, rs []userRow) error {
		f := newForm()
		for i, r := range rs {
			f.set("userids["+strconv.Itoa(i)+"]", strconv.Itoa(r.id))
		}
		if err := p.c.cl.call(ctx, "core_user_delete_users", true, f, nil); err != nil {
			return err
		}
		for _, r := range rs {
			delete(p.users, r.src.SourcedID)
			p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeRemoved, "")
		}
		return nil
	}, func(r userRow, e *Exception) {
		p.rep.Add(oneroster.KindUser, r.src.SourcedID, connectors.OutcomeFailed, e.Error())
	})
}
