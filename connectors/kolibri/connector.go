package kolibri

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/oneroster"
)

// Connector pushes a tenant's roster into a Kolibri server: a facility per
// school, a classroom per class, learners as classroom members and
// teachers as classroom coaches.
type Connector struct {
	id              string
	cfg             Config
	root            string
	home            string
	learnerPassword string
	logger          *slog.Logger
	cl              *client
}

var (
	_ connectors.Connector      = (*Connector)(nil)
	_ connectors.Pusher         = (*Connector)(nil)
	_ connectors.Checker        = (*Connector)(nil)
	_ connectors.Exporter       = (*Connector)(nil)
	_ connectors.ProgressPuller = (*Connector)(nil)
)

// ID returns the instance id.
func (c *Connector) ID() string { return c.id }

// Supports says which runs the config allows: push needs a url, progress
// a logs_dir.
func (c *Connector) Supports(op string) bool {
	switch op {
	case "push":
		return c.root != ""
	case "progress":
		return c.cfg.LogsDir != ""
	}
	return true
}

var errOffline = errors.New("kolibri: no url configured (offline facility: use --export)")

// Check logs in and confirms the account may manage facilities.
func (c *Connector) Check(ctx context.Context) error {
	if c.root == "" {
		return errOffline
	}
	if err := c.cl.login(ctx); err != nil {
		return err
	}
	var facs []kFacility
	if err := c.cl.do(ctx, "GET", "/api/auth/facility/", nil, &facs); err != nil {
		return err
	}
	return nil
}

type kFacility struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type kUser struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	FullName string `json:"full_name"`
	Facility string `json:"facility"`
	IDNumber string `json:"id_number"`
}

type kCollection struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Parent string `json:"parent"`
}

type kMembership struct {
	ID         string `json:"id,omitempty"`
	Collection string `json:"collection"`
	User       string `json:"user"`
}

type kRole struct {
	ID         string `json:"id,omitempty"`
	Kind       string `json:"kind"`
	Collection string `json:"collection"`
	User       string `json:"user"`
}

// Role kinds.
const (
	roleCoach           = "coach"
	roleAssignableCoach = "classroom assignable coach"
)

type push struct {
	c   *Connector
	dry bool
	rep *connectors.Report
	n   int

	orgs        map[string]oneroster.Org
	facByName   map[string]string
	facOfOrg    map[string]string
	noPassword  map[string]bool
	usersByFac  map[string]map[string]kUser // facility -> id_number -> user
	users       map[string]kUser            // sourcedId -> user
	classes     map[string]oneroster.Class
	names       map[string]string            // class sourcedId -> classroom name
	rooms       map[string]map[string]string // facility -> name -> classroom id
	members     map[string]map[string]bool   // classroom -> user ids
	coaches     map[string]map[string]bool   // classroom -> user ids
	assignable  map[string]map[string]bool   // facility -> user ids
	titles      map[string]string            // course sourcedId -> title
	lgroups     map[string]map[string]string // classroom -> group name -> id
	lgMembers   map[string]map[string]bool   // learner group -> user ids
	loadedRooms map[string]bool
}

func (p *push) fakeID() string {
	p.n++
	return fmt.Sprintf("dry-run-%d", p.n)
}

// Push applies the delta to Kolibri.
func (c *Connector) Push(ctx context.Context, d oneroster.Delta, opt connectors.PushOptions) (connectors.Report, error) {
	var rep connectors.Report
	if c.root == "" {
		return rep, errOffline
	}
	p := &push{
		c: c, dry: opt.DryRun, rep: &rep,
		orgs: map[string]oneroster.Org{}, facByName: map[string]string{}, facOfOrg: map[string]string{},
		noPassword: map[string]bool{}, usersByFac: map[string]map[string]kUser{}, users: map[string]kUser{},
		classes: map[string]oneroster.Class{}, rooms: map[string]map[string]string{},
		members: map[string]map[string]bool{}, coaches: map[string]map[string]bool{},
		assignable: map[string]map[string]bool{}, loadedRooms: map[string]bool{},
		titles: map[string]string{}, lgroups: map[string]map[string]string{}, lgMembers: map[string]map[string]bool{},
	}
	start := c.cl.writes.Load()
	err := p.run(ctx, d)
	rep.Writes = int(c.cl.writes.Load() - start)
	return rep, err
}

func (p *push) run(ctx context.Context, d oneroster.Delta) error {
	var users []oneroster.User
	var delUsers []string
	var enrols, unenrols []oneroster.Enrollment
	for _, o := range d.Upserts.Orgs {
		p.orgs[o.SourcedID] = o
	}
	var classes []oneroster.Class
	for _, c := range d.Upserts.Classes {
		if c.Status == oneroster.StatusToBeDeleted {
			p.rep.Add(oneroster.KindClass, c.SourcedID, connectors.OutcomeSkipped, "classrooms are kept in kolibri")
			continue
		}
		p.classes[c.SourcedID] = c
		classes = append(classes, c)
	}
	p.names = classroomNames(classes)
	for _, u := range d.Upserts.Users {
		if u.Status == oneroster.StatusToBeDeleted {
			delUsers = append(delUsers, u.SourcedID)
			continue
		}
		users = append(users, u)
	}
	for _, e := range d.Upserts.Enrollments {
		if e.Status == oneroster.StatusToBeDeleted {
			unenrols = append(unenrols, e)
		} else {
			enrols = append(enrols, e)
		}
	}
	for _, r := range d.Deletes {
		switch r.Kind {
		case oneroster.KindUser:
			delUsers = append(delUsers, r.SourcedID)
		default:
			p.rep.Add(r.Kind, r.SourcedID, connectors.OutcomeSkipped, "not removed from kolibri without its record")
		}
	}
	for _, x := range d.Upserts.AcademicSessions {
		p.rep.Add(oneroster.KindAcademicSession, x.SourcedID, connectors.OutcomeSkipped, "not kept in kolibri")
	}
	for _, x := range d.Upserts.Courses {
		p.titles[x.SourcedID] = x.Title
		if !p.c.cfg.LearnerGroups {
			p.rep.Add(oneroster.KindCourse, x.SourcedID, connectors.OutcomeSkipped, "not kept in kolibri")
		}
	}
	for _, x := range d.Upserts.Demographics {
		p.rep.Add(oneroster.KindDemographics, x.SourcedID, connectors.OutcomeSkipped, "not kept in kolibri")
	}

	var facs []kFacility
	if err := p.c.cl.do(ctx, "GET", "/api/auth/facility/", nil, &facs); err != nil {
		return err
	}
	for _, f := range facs {
		p.facByName[f.Name] = f.ID
	}
	if err := p.pushOrgs(ctx, d.Upserts.Orgs); err != nil {
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
	return p.deleteUsers(ctx, delUsers)
}

func facilityName(o oneroster.Org) string {
	n := strings.TrimSpace(o.Name)
	if n == "" {
		n = o.SourcedID
	}
	if r := []rune(n); len(r) > 100 {
		n = string(r[:100])
	}
	return n
}

// facility returns the facility of a school, creating it when the school
// is known to this push; "" with a reason when it cannot.
func (p *push) facility(ctx context.Context, school string) (string, string, error) {
	if id, ok := p.facOfOrg[school]; ok {
		return id, "", nil
	}
	o, ok := p.orgs[school]
	if !ok {
		return "", "school " + school + " is not in this push, so its facility is unknown", nil
	}
	name := facilityName(o)
	if id, ok := p.facByName[name]; ok {
		p.facOfOrg[school] = id
		return id, "", nil
	}
	if p.dry {
		id := p.fakeID()
		p.facByName[name], p.facOfOrg[school] = id, id
		p.noPassword[id] = p.c.cfg.Preset == "informal"
		p.rep.Add(oneroster.KindOrg, school, connectors.OutcomeCreated, "")
		return id, "", nil
	}
	var f kFacility
	err := p.c.cl.do(ctx, "POST", "/api/auth/facility/create_facility/", map[string]string{"name": name, "preset": p.c.cfg.Preset}, &f)
	if msg, ok := refused(err); ok {
		p.rep.Add(oneroster.KindOrg, school, connectors.OutcomeFailed, msg)
		return "", "facility: " + msg, nil
	}
	if err != nil {
		return "", "", err
	}
	if f.ID == "" {
		// Some versions answer without the new facility: look it up.
		var facs []kFacility
		if err := p.c.cl.do(ctx, "GET", "/api/auth/facility/", nil, &facs); err != nil {
			return "", "", err
		}
		for _, x := range facs {
			if x.Name == name {
				f = x
			}
		}
	}
	p.facByName[name], p.facOfOrg[school] = f.ID, f.ID
	p.rep.Add(oneroster.KindOrg, school, connectors.OutcomeCreated, "")
	return f.ID, "", nil
}

func (p *push) pushOrgs(ctx context.Context, orgs []oneroster.Org) error {
	for _, o := range orgs {
		if o.Status == oneroster.StatusToBeDeleted {
			p.rep.Add(oneroster.KindOrg, o.SourcedID, connectors.OutcomeSkipped, "facilities are kept in kolibri")
			continue
		}
		if o.Type != "" && o.Type != "school" {
			p.rep.Add(oneroster.KindOrg, o.SourcedID, connectors.OutcomeSkipped, "only schools become facilities")
			continue
		}
		if _, ok := p.facByName[facilityName(o)]; ok {
			p.facOfOrg[o.SourcedID] = p.facByName[facilityName(o)]
			p.rep.Add(oneroster.KindOrg, o.SourcedID, connectors.OutcomeUnchanged, "")
			continue
		}
		if _, _, err := p.facility(ctx, o.SourcedID); err != nil {
			return err
		}
	}
	return nil
}

// loadFacility reads a facility's users and dataset once.
func (p *push) loadFacility(ctx context.Context, fac string) error {
	if _, ok := p.usersByFac[fac]; ok {
		return nil
	}
	m := map[string]kUser{}
	p.usersByFac[fac] = m
	if strings.HasPrefix(fac, "dry-run-") {
		return nil
	}
	var us []kUser
	if err := p.c.cl.do(ctx, "GET", "/api/auth/facilityuser/?member_of="+url.QueryEscape(fac), nil, &us); err != nil {
		return err
	}
	for _, u := range us {
		if u.IDNumber != "" {
			m[u.IDNumber] = u
		}
		m["\x00name:"+strings.ToLower(u.Username)] = u
	}
	var ds []struct {
		NoPassword bool `json:"learner_can_login_with_no_password"`
	}
	if err := p.c.cl.do(ctx, "GET", "/api/auth/facilitydataset/?facility_id="+url.QueryEscape(fac), nil, &ds); err != nil {
		return err
	}
	p.noPassword[fac] = len(ds) > 0 && ds[0].NoPassword
	return nil
}

// userFacility is the facility a user belongs to: their primary org's, or
// the first of their orgs that is a school in this push.
func (p *push) userFacility(ctx context.Context, u oneroster.User) (string, string, error) {
	cands := slices.Clone(u.Orgs)
	if u.PrimaryOrg != "" {
		cands = append([]string{u.PrimaryOrg}, cands...)
	}
	reason := "user has no school"
	for _, o := range cands {
		if org, ok := p.orgs[o]; ok && org.Type != "" && org.Type != "school" {
			continue
		}
		id, why, err := p.facility(ctx, o)
		if err != nil || id != "" {
			return id, "", err
		}
		reason = why
	}
	return "", reason, nil
}

// lookupUser finds a user by sourcedId across the facilities loaded so far.
func (p *push) lookupUser(ctx context.Context, id string, fac string) (kUser, bool, error) {
	if u, ok := p.users[id]; ok {
		return u, true, nil
	}
	if fac != "" {
		if err := p.loadFacility(ctx, fac); err != nil {
			return kUser{}, false, err
		}
	}
	for _, m := range p.usersByFac {
		if u, ok := m[id]; ok {
			p.users[id] = u
			return u, true, nil
		}
	}
	return kUser{}, false, nil
}

func (p *push) pushUsers(ctx context.Context, users []oneroster.User) error {
	for _, u := range users {
		fac, why, err := p.userFacility(ctx, u)
		if err != nil {
			return err
		}
		if fac == "" {
			p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeFailed, why)
			continue
		}
		if len(u.SourcedID) > 64 {
			p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeFailed, "sourcedId longer than kolibri's 64-character id_number")
			continue
		}
		if err := p.loadFacility(ctx, fac); err != nil {
			return err
		}
		have, exists := p.usersByFac[fac][u.SourcedID]
		if !exists {
			if other, ok, err := p.lookupUser(ctx, u.SourcedID, ""); err != nil {
				return err
			} else if ok && other.Facility != fac {
				p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeSkipped, "user changed school: kolibri cannot move users between facilities")
				continue
			}
		}
		name := Username(u)
		if name == "" {
			p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeFailed, "no username usable in kolibri")
			continue
		}
		if o, taken := p.usersByFac[fac]["\x00name:"+strings.ToLower(name)]; taken && o.IDNumber != u.SourcedID {
			name = withSuffix(name, u.SourcedID)
		}
		want := map[string]any{"username": name, "full_name": fullName(u)}
		if exists {
			if have.Username == name && have.FullName == fullName(u) {
				p.users[u.SourcedID] = have
				p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeUnchanged, "")
				continue
			}
			if p.dry {
				p.users[u.SourcedID] = have
				p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeUpdated, "")
				continue
			}
			var got kUser
			err := p.c.cl.do(ctx, "PATCH", "/api/auth/facilityuser/"+have.ID+"/", want, &got)
			if msg, ok := refused(err); ok {
				p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeFailed, msg)
				continue
			}
			if err != nil {
				return err
			}
			p.index(fac, got)
			p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeUpdated, "")
			continue
		}
		want["facility"] = fac
		want["id_number"] = u.SourcedID
		switch {
		case p.noPassword[fac]:
			want["password"] = "NOT_SPECIFIED"
		case p.c.learnerPassword != "":
			want["password"] = p.c.learnerPassword
		default:
			p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeFailed,
				"the facility requires passwords: allow learners to sign in without one, or set learner_password_env")
			continue
		}
		if p.dry {
			ku := kUser{ID: p.fakeID(), Username: name, FullName: fullName(u), Facility: fac, IDNumber: u.SourcedID}
			p.index(fac, ku)
			p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeCreated, "")
			continue
		}
		var got kUser
		err = p.c.cl.do(ctx, "POST", "/api/auth/facilityuser/", want, &got)
		if msg, ok := refused(err); ok {
			p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeFailed, msg)
			continue
		}
		if err != nil {
			return err
		}
		p.index(fac, got)
		p.rep.Add(oneroster.KindUser, u.SourcedID, connectors.OutcomeCreated, "")
	}
	return nil
}

func (p *push) index(fac string, u kUser) {
	p.usersByFac[fac][u.IDNumber] = u
	p.usersByFac[fac]["\x00name:"+strings.ToLower(u.Username)] = u
	p.users[u.IDNumber] = u
}

// loadRooms reads a facility's classrooms once.
func (p *push) loadRooms(ctx context.Context, fac string) error {
	if _, ok := p.rooms[fac]; ok {
		return nil
	}
	m := map[string]string{}
	p.rooms[fac] = m
	if strings.HasPrefix(fac, "dry-run-") {
		return nil
	}
	var cs []kCollection
	if err := p.c.cl.do(ctx, "GET", "/api/auth/classroom/?parent="+url.QueryEscape(fac), nil, &cs); err != nil {
		return err
	}
	for _, c := range cs {
		m[c.Name] = c.ID
	}
	return nil
}

// classroom returns the classroom of a class known to this push, creating
// it when missing; "" with a reason when it cannot.
func (p *push) classroom(ctx context.Context, classID string, report bool) (string, string, error) {
	cl, ok := p.classes[classID]
	if !ok {
		return "", "class " + classID + " is not in this push, so its classroom is unknown", nil
	}
	fac, why, err := p.facility(ctx, cl.School)
	if err != nil || fac == "" {
		return "", why, err
	}
	if err := p.loadRooms(ctx, fac); err != nil {
		return "", "", err
	}
	name := p.roomName(cl)
	if id, ok := p.rooms[fac][name]; ok {
		if report {
			p.rep.Add(oneroster.KindClass, classID, connectors.OutcomeUnchanged, "")
		}
		return id, "", nil
	}
	if p.dry {
		id := p.fakeID()
		p.rooms[fac][name] = id
		if report {
			p.rep.Add(oneroster.KindClass, classID, connectors.OutcomeCreated, "")
		}
		return id, "", nil
	}
	var c kCollection
	err = p.c.cl.do(ctx, "POST", "/api/auth/classroom/", map[string]string{"name": name, "parent": fac}, &c)
	if msg, ok := refused(err); ok {
		p.rep.Add(oneroster.KindClass, classID, connectors.OutcomeFailed, msg)
		return "", "classroom: " + msg, nil
	}
	if err != nil {
		return "", "", err
	}
	p.rooms[fac][name] = c.ID
	p.members[c.ID], p.coaches[c.ID] = map[string]bool{}, map[string]bool{}
	p.loadedRooms[c.ID] = true
	if report {
		p.rep.Add(oneroster.KindClass, classID, connectors.OutcomeCreated, "")
	}
	return c.ID, "", nil
}

// roomName is the classroom a class lives in: its own, or in learner
// groups mode its course's (named by the course title).
func (p *push) roomName(cl oneroster.Class) string {
	if p.c.cfg.LearnerGroups && cl.Course != "" {
		return classroomName(oneroster.Class{Title: cmpOr(p.titles[cl.Course], cl.Title)})
	}
	return p.names[cl.SourcedID]
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (p *push) pushClasses(ctx context.Context, classes []oneroster.Class) error {
	for _, cl := range classes {
		room, why, err := p.classroom(ctx, cl.SourcedID, !p.c.cfg.LearnerGroups)
		if err != nil {
			return err
		}
		if room != "" && p.c.cfg.LearnerGroups {
			if _, err := p.learnerGroup(ctx, room, cl.SourcedID, true); err != nil {
				return err
			}
		}
		if why != "" && !strings.HasPrefix(why, "classroom: ") && !strings.HasPrefix(why, "facility: ") {
			p.rep.Add(oneroster.KindClass, cl.SourcedID, connectors.OutcomeFailed, why)
		}
	}
	return nil
}

// loadMembers reads a classroom's members and coaches once.
func (p *push) loadMembers(ctx context.Context, room string) error {
	if p.loadedRooms[room] {
		return nil
	}
	p.loadedRooms[room] = true
	p.members[room], p.coaches[room] = map[string]bool{}, map[string]bool{}
	if strings.HasPrefix(room, "dry-run-") {
		return nil
	}
	var ms []kMembership
	if err := p.c.cl.do(ctx, "GET", "/api/auth/membership/?collection="+url.QueryEscape(room), nil, &ms); err != nil {
		return err
	}
	for _, m := range ms {
		p.members[room][m.User] = true
	}
	var rs []kRole
	if err := p.c.cl.do(ctx, "GET", "/api/auth/role/?collection="+url.QueryEscape(room)+"&kind="+url.QueryEscape(roleCoach), nil, &rs); err != nil {
		return err
	}
	for _, r := range rs {
		p.coaches[room][r.User] = true
	}
	return nil
}

func (p *push) loadAssignable(ctx context.Context, fac string) error {
	if _, ok := p.assignable[fac]; ok {
		return nil
	}
	m := map[string]bool{}
	p.assignable[fac] = m
	if strings.HasPrefix(fac, "dry-run-") {
		return nil
	}
	var rs []kRole
	if err := p.c.cl.do(ctx, "GET", "/api/auth/role/?collection="+url.QueryEscape(fac)+"&kind="+url.QueryEscape(roleAssignableCoach), nil, &rs); err != nil {
		return err
	}
	for _, r := range rs {
		m[r.User] = true
	}
	return nil
}

type enrolRow struct {
	src  oneroster.Enrollment
	user string
	room string
	fac  string
}

func isCoach(role string) bool {
	return role == "teacher" || role == "aide" || role == "proctor"
}

func (p *push) resolve(ctx context.Context, e oneroster.Enrollment) (enrolRow, bool, error) {
	room, why, err := p.classroom(ctx, e.Class, false)
	if err != nil {
		return enrolRow{}, false, err
	}
	if room == "" {
		p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeFailed, why)
		return enrolRow{}, false, nil
	}
	fac := p.facOfOrg[p.classes[e.Class].School]
	u, ok, err := p.lookupUser(ctx, e.User, fac)
	if err != nil {
		return enrolRow{}, false, err
	}
	if !ok {
		p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeFailed, "user "+e.User+" is not in kolibri")
		return enrolRow{}, false, nil
	}
	if u.Facility != fac {
		p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeFailed, "user "+e.User+" belongs to another facility")
		return enrolRow{}, false, nil
	}
	if err := p.loadMembers(ctx, room); err != nil {
		return enrolRow{}, false, err
	}
	return enrolRow{src: e, user: u.ID, room: room, fac: fac}, true, nil
}

func (p *push) pushEnrollments(ctx context.Context, enrols, unenrols []oneroster.Enrollment) error {
	var members, coaches []enrolRow
	var assign []kRole
	pending := map[[2]string]bool{}
	for _, e := range enrols {
		if e.Role != "student" && !isCoach(e.Role) {
			p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeSkipped, "role "+e.Role+" has no kolibri equivalent")
			continue
		}
		r, ok, err := p.resolve(ctx, e)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		k := [2]string{r.room, r.user}
		if isCoach(e.Role) {
			if err := p.loadAssignable(ctx, r.fac); err != nil {
				return err
			}
			if !p.assignable[r.fac][r.user] {
				p.assignable[r.fac][r.user] = true
				assign = append(assign, kRole{Kind: roleAssignableCoach, Collection: r.fac, User: r.user})
			}
			if p.coaches[r.room][r.user] || pending[k] {
				p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeUnchanged, "")
				continue
			}
			pending[k] = true
			coaches = append(coaches, r)
			continue
		}
		if p.members[r.room][r.user] || pending[k] {
			p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeUnchanged, "")
			continue
		}
		pending[k] = true
		members = append(members, r)
	}
	if p.dry {
		for _, r := range slices.Concat(members, coaches) {
			p.rep.Add(oneroster.KindEnrollment, r.src.SourcedID, connectors.OutcomeCreated, "")
		}
	} else {
		if err := connectors.Bisect(ctx, assign, p.c.cfg.BatchSize, func(ctx context.Context, rs []kRole) error {
			return p.c.cl.do(ctx, "POST", "/api/auth/role/", rs, nil)
		}, refused, func(r kRole, msg string) {
			p.c.logger.WarnContext(ctx, "kolibri refused a facility coach role", "connector", p.c.id, "error", msg)
		}); err != nil {
			return err
		}
		if err := p.bulk(ctx, "/api/auth/membership/", members, func(r enrolRow) any {
			return kMembership{Collection: r.room, User: r.user}
		}, p.members); err != nil {
			return err
		}
		if err := p.bulk(ctx, "/api/auth/role/", coaches, func(r enrolRow) any {
			return kRole{Kind: roleCoach, Collection: r.room, User: r.user}
		}, p.coaches); err != nil {
			return err
		}
	}
	if p.c.cfg.LearnerGroups {
		var err error
		if unenrols, err = p.pushGroupMembers(ctx, enrols, unenrols); err != nil {
			return err
		}
	}
	for _, e := range unenrols {
		r, ok, err := p.resolve(ctx, e)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		coach := isCoach(e.Role)
		set, path := p.members, "/api/auth/membership/"
		if coach {
			set, path = p.coaches, "/api/auth/role/"
		}
		if !set[r.room][r.user] {
			p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeUnchanged, "")
			continue
		}
		if !p.dry {
			q := url.Values{"user": {r.user}, "collection": {r.room}}
			if coach {
				q.Set("kind", roleCoach)
			}
			err := p.c.cl.do(ctx, "DELETE", path+"?"+q.Encode(), nil, nil)
			if msg, ok := refused(err); ok {
				p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeFailed, msg)
				continue
			}
			if err != nil {
				return err
			}
		}
		delete(set[r.room], r.user)
		p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeRemoved, "")
	}
	return nil
}

// bulk posts rows as one JSON list per batch (Kolibri creates a bulk list
// all or nothing), splitting a refused batch to isolate bad rows.
func (p *push) bulk(ctx context.Context, path string, rows []enrolRow, body func(enrolRow) any, set map[string]map[string]bool) error {
	return connectors.Bisect(ctx, rows, p.c.cfg.BatchSize, func(ctx context.Context, rs []enrolRow) error {
		list := make([]any, len(rs))
		for i, r := range rs {
			list[i] = body(r)
		}
		if err := p.c.cl.do(ctx, "POST", path, list, nil); err != nil {
			return err
		}
		for _, r := range rs {
			set[r.room][r.user] = true
			p.rep.Add(oneroster.KindEnrollment, r.src.SourcedID, connectors.OutcomeCreated, "")
		}
		return nil
	}, refused, func(r enrolRow, msg string) {
		p.rep.Add(oneroster.KindEnrollment, r.src.SourcedID, connectors.OutcomeFailed, msg)
	})
}

func (p *push) deleteUsers(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if p.c.cfg.Deletes == "ignore" {
		for _, id := range ids {
			p.rep.Add(oneroster.KindUser, id, connectors.OutcomeSkipped, "deletes: ignore")
		}
		return nil
	}
	if g := p.c.cfg.MaxDeletes; g >= 0 && len(ids) > g {
		reason := fmt.Sprintf("deletion guard: %d removals exceed max_deletes %d; raise max_deletes to apply them", len(ids), g)
		for _, id := range ids {
			p.rep.Add(oneroster.KindUser, id, connectors.OutcomeFailed, reason)
		}
		return nil
	}
	// Users are found by sourcedId across every facility.
	if len(p.usersByFac) == 0 || len(p.facByName) > len(p.usersByFac) {
		for _, fac := range p.facByName {
			if err := p.loadFacility(ctx, fac); err != nil {
				return err
			}
		}
	}
	for _, id := range ids {
		u, ok, err := p.lookupUser(ctx, id, "")
		if err != nil {
			return err
		}
		if !ok {
			p.rep.Add(oneroster.KindUser, id, connectors.OutcomeUnchanged, "")
			continue
		}
		if !p.dry {
			err := p.c.cl.do(ctx, "DELETE", "/api/auth/facilityuser/"+u.ID+"/", nil, nil)
			if msg, ok := refused(err); ok {
				p.rep.Add(oneroster.KindUser, id, connectors.OutcomeFailed, msg)
				continue
			}
			if err != nil {
				return err
			}
		}
		delete(p.users, id)
		delete(p.usersByFac[u.Facility], id)
		p.rep.Add(oneroster.KindUser, id, connectors.OutcomeRemoved, "")
	}
	return nil
}
