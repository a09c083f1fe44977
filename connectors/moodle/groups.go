package moodle

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/oneroster"
)

// courseGroups returns a course's groups by idnumber (cached for the push).
func (p *push) courseGroups(ctx context.Context, course int) (map[string]int, map[string]bool, error) {
	names := map[string]bool{}
	if m, ok := p.groups[course]; ok {
		return m, names, nil
	}
	m := map[string]int{}
	p.groups[course] = m
	if course < 0 { // created by this dry run
		return m, names, nil
	}
	f := newForm()
	f.set("courseid", strconv.Itoa(course))
	var out []struct {
		ID       int    `json:"id"`
		Name     string `json:"name"`
		IDNumber string `json:"idnumber"`
	}
	if err := p.c.cl.call(ctx, "core_group_get_course_groups", false, f, &out); err != nil {
		return nil, nil, err
	}
	for _, g := range out {
		names[g.Name] = true
		if g.IDNumber != "" {
			m[g.IDNumber] = g.ID
		}
	}
	return m, names, nil
}

type groupRow struct {
	class  string
	course int
	name   string
}

// ensureGroups gives each class a group (idnumber = the class's sourcedId)
// in its shared course. Group names must be unique in a course: a title
// another group already has gets the class code or sourcedId appended.
func (p *push) ensureGroups(ctx context.Context, classes []oneroster.Class) error {
	var create []groupRow
	taken := map[int]map[string]bool{}
	for _, cl := range classes {
		course, ok := p.courses[p.classKey[cl.SourcedID]]
		if !ok || course == 0 {
			continue // the course failed; already reported
		}
		groups, names, err := p.courseGroups(ctx, course)
		if err != nil {
			return err
		}
		if _, ok := groups[cl.SourcedID]; ok {
			continue
		}
		if taken[course] == nil {
			taken[course] = names
		}
		name := cmpOr(strings.TrimSpace(cl.Title), cl.SourcedID)
		if taken[course][name] {
			name += " (" + cmpOr(cl.ClassCode, cl.SourcedID) + ")"
		}
		taken[course][name] = true
		create = append(create, groupRow{class: cl.SourcedID, course: course, name: name})
	}
	if p.dry {
		for _, g := range create {
			p.groups[g.course][g.class] = p.fakeID()
		}
		return nil
	}
	return bisect(ctx, create, p.rowsPerCall(4), func(ctx context.Context, rs []groupRow) error {
		f := newForm()
		for i, g := range rs {
			f.row("groups", i, "courseid", strconv.Itoa(g.course))
			f.row("groups", i, "name", g.name)
			f.row("groups", i, "description", "")
			f.row("groups", i, "idnumber", g.class)
		}
		var out []struct {
			ID       int    `json:"id"`
			CourseID int    `json:"courseid"`
			IDNumber string `json:"idnumber"`
		}
		if err := p.c.cl.call(ctx, "core_group_create_groups", true, f, &out); err != nil {
			return err
		}
		for _, g := range out {
			p.groups[g.CourseID][g.IDNumber] = g.ID
			p.members[g.ID] = map[int]bool{}
		}
		return nil
	}, func(g groupRow, e *Exception) {
		p.rep.Add(oneroster.KindClass, g.class, connectors.OutcomeFailed, "group: "+e.Error())
	})
}

// loadMembers reads the members of a course's groups once.
func (p *push) loadMembers(ctx context.Context, course int) error {
	groups, _, err := p.courseGroups(ctx, course)
	if err != nil {
		return err
	}
	var ids []string
	for _, gid := range groups {
		if _, ok := p.members[gid]; !ok && gid > 0 {
			ids = append(ids, strconv.Itoa(gid))
		}
		if _, ok := p.members[gid]; !ok {
			p.members[gid] = map[int]bool{}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Strings(ids)
	f := newForm()
	for i, id := range ids {
		f.set("groupids["+strconv.Itoa(i)+"]", id)
	}
	var out []struct {
		GroupID int   `json:"groupid"`
		UserIDs []int `json:"userids"`
	}
	if err := p.c.cl.call(ctx, "core_group_get_group_members", false, f, &out); err != nil {
		return err
	}
	for _, g := range out {
		for _, u := range g.UserIDs {
			p.members[g.GroupID][u] = true
		}
	}
	return nil
}

type memberRow struct {
	enr   string
	group int
	user  int
}

// pushGroupMembers puts enrolled users in their class's group and takes
// removed ones out. It returns the removed enrollments whose user is then
// in no group of the shared course: those leave the course too.
func (p *push) pushGroupMembers(ctx context.Context, enrols, unenrols []oneroster.Enrollment) ([]oneroster.Enrollment, error) {
	resolve := func(e oneroster.Enrollment) (memberRow, int, bool, error) {
		u, ok := p.users[e.User]
		if !ok {
			return memberRow{}, 0, false, nil
		}
		course, ok := p.courses[p.classKey[e.Class]]
		if !ok || course == 0 {
			return memberRow{}, 0, false, nil
		}
		if err := p.loadMembers(ctx, course); err != nil {
			return memberRow{}, 0, false, err
		}
		gid, ok := p.groups[course][e.Class]
		if !ok {
			return memberRow{}, 0, false, nil
		}
		return memberRow{enr: e.SourcedID, group: gid, user: u.ID}, course, true, nil
	}
	var add, del []memberRow
	for _, e := range enrols {
		if _, ok := p.c.cfg.RoleMap[e.Role]; !ok {
			continue
		}
		r, _, ok, err := resolve(e)
		if err != nil {
			return nil, err
		}
		if !ok || p.members[r.group][r.user] {
			continue
		}
		if _, enrolled := p.enrolled[p.courses[p.classKey[e.Class]]][r.user]; !enrolled && !p.dry {
			continue // the enrolment failed; already reported
		}
		p.members[r.group][r.user] = true
		add = append(add, r)
	}
	var leave []oneroster.Enrollment
	for _, e := range unenrols {
		r, course, ok, err := resolve(e)
		if err != nil {
			return nil, err
		}
		if !ok {
			leave = append(leave, e)
			continue
		}
		if p.members[r.group][r.user] {
			delete(p.members[r.group], r.user)
			del = append(del, r)
		}
		other := false
		for _, gid := range p.groups[course] {
			if p.members[gid][r.user] {
				other = true
			}
		}
		if !other {
			leave = append(leave, e)
		} else {
			p.rep.Add(oneroster.KindEnrollment, e.SourcedID, connectors.OutcomeRemoved, "")
		}
	}
	if p.dry {
		return leave, nil
	}
	err := bisect(ctx, add, p.rowsPerCall(2), func(ctx context.Context, rs []memberRow) error {
		f := newForm()
		for i, r := range rs {
			f.row("members", i, "groupid", strconv.Itoa(r.group))
			f.row("members", i, "userid", strconv.Itoa(r.user))
		}
		return p.c.cl.call(ctx, "core_group_add_group_members", true, f, nil)
	}, func(r memberRow, e *Exception) {
		p.rep.Add(oneroster.KindEnrollment, r.enr, connectors.OutcomeFailed, "group: "+e.Error())
	})
	if err != nil {
		return nil, err
	}
	err = bisect(ctx, del, p.rowsPerCall(2), func(ctx context.Context, rs []memberRow) error {
		f := newForm()
		for i, r := range rs {
			f.row("members", i, "groupid", strconv.Itoa(r.group))
			f.row("members", i, "userid", strconv.Itoa(r.user))
		}
		return p.c.cl.call(ctx, "core_group_delete_group_members", true, f, nil)
	}, func(r memberRow, e *Exception) {
		p.rep.Add(oneroster.KindEnrollment, r.enr, connectors.OutcomeFailed, "group: "+e.Error())
	})
	return leave, err
}
