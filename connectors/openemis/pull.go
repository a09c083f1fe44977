package openemis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/passportbridge/passport/oneroster"
)

// OpenEMIS status ids the pull keeps.
const (
	studentCurrent = "1" // student_status_id: Current
	staffAssigned  = "1" // staff_status_id: Assigned
	genderMale     = 1
	genderFemale   = 2
)

func active(id string) oneroster.Base {
	return oneroster.Base{SourcedID: id, Status: oneroster.StatusActive}
}

// Pull reads the current (or configured) academic period's institutions,
// their current students and assigned staff, classes and class members,
// and maps them to OneRoster: institution → school org, academic period →
// schoolYear session, (institution, grade) → course, class → class,
// security user → user (sourcedId = prefix + OpenEMIS number) with
// demographics, class membership → enrollment (the class's staff member as
// its teacher).
func (c *Connector) Pull(ctx context.Context) (oneroster.Snapshot, error) {
	var s oneroster.Snapshot
	p := c.cfg.Prefix
	period, err := c.period(ctx)
	if err != nil {
		return s, err
	}
	apID := str(period, "id")
	year := str(period, "end_date")
	if len(year) >= 4 {
		year = year[:4]
	}
	term := p + "ap-" + apID
	s.AcademicSessions = append(s.AcademicSessions, oneroster.AcademicSession{
		Base: active(term), Title: cmpOr(str(period, "name"), apID), Type: "schoolYear",
		StartDate: str(period, "start_date"), EndDate: str(period, "end_date"), SchoolYear: year,
	})
	grades := map[string]string{}
	gs, err := c.list(ctx, "education-grades", nil)
	if err != nil {
		return s, err
	}
	for _, g := range gs {
		grades[str(g, "id")] = cmpOr(str(g, "name"), str(g, "code"))
	}
	insts, err := c.list(ctx, "institutions", nil)
	if err != nil {
		return s, err
	}
	people := map[string]string{} // security user id -> role
	orgsOf := map[string][]string{}
	courses := map[string]bool{}
	var enrolls []oneroster.Enrollment
	for _, in := range insts {
		id := num(in, "id")
		if len(c.cfg.Institutions) > 0 && !slices.Contains(c.cfg.Institutions, id) {
			continue
		}
		iid := str(in, "id")
		org := p + "inst-" + iid
		s.Orgs = append(s.Orgs, oneroster.Org{Base: active(org), Name: cmpOr(str(in, "name"), iid), Type: "school", Identifier: str(in, "code")})

		students, err := c.list(ctx, "institution-students", map[string]string{"institution_id": iid, "academic_period_id": apID, "student_status_id": studentCurrent})
		if err != nil {
			return s, err
		}
		for _, st := range students {
			uid := str(st, "student_id")
			people[uid] = "student"
			orgsOf[uid] = appendNew(orgsOf[uid], org)
		}
		staff, err := c.list(ctx, "institution-staff", map[string]string{"institution_id": iid, "staff_status_id": staffAssigned})
		if err != nil {
			return s, err
		}
		for _, st := range staff {
			uid := str(st, "staff_id")
			if people[uid] == "" {
				people[uid] = "teacher"
			}
			orgsOf[uid] = appendNew(orgsOf[uid], org)
		}
		classes, err := c.list(ctx, "institution-classes", map[string]string{"institution_id": iid, "academic_period_id": apID})
		if err != nil {
			return s, err
		}
		for _, cl := range classes {
			cid := str(cl, "id")
			class := p + "class-" + cid
			gid := str(cl, "education_grade_id")
			course := p + "course-" + iid + "-" + cmpOr(gid, "0")
			if !courses[course] {
				courses[course] = true
				s.Courses = append(s.Courses, oneroster.Course{
					Base: active(course), Title: cmpOr(grades[gid], "Grade "+gid),
					SchoolYear: term, Org: org, CourseCode: gid,
				})
			}
			var gradeList []string
			if gid != "" {
				gradeList = []string{gid}
			}
			s.Classes = append(s.Classes, oneroster.Class{
				Base: active(class), Title: cmpOr(str(cl, "name"), cid), Course: course,
				ClassCode: str(cl, "code"), ClassType: "homeroom", School: org, Terms: []string{term}, Grades: gradeList,
			})
			if t := str(cl, "staff_id"); t != "" && t != "0" {
				enrolls = append(enrolls, oneroster.Enrollment{
					Base: active(p + "enr-" + cid + "-t" + t), Class: class, School: org,
					User: t, Role: "teacher", Primary: true,
				})
				if people[t] == "" {
					people[t] = "teacher"
				}
				orgsOf[t] = appendNew(orgsOf[t], org)
			}
			members, err := c.list(ctx, "institution-class-students", map[string]string{"institution_class_id": cid, "student_status_id": studentCurrent})
			if err != nil {
				return s, err
			}
			for _, m := range members {
				uid := str(m, "student_id")
				enrolls = append(enrolls, oneroster.Enrollment{
					Base: active(p + "enr-" + cid + "-s" + uid), Class: class, School: org,
					User: uid, Role: "student",
				})
			}
		}
	}
	ids := make([]string, 0, len(people))
	for id := range people {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, _ := strconv.Atoi(ids[i])
		b, _ := strconv.Atoi(ids[j])
		return a < b
	})
	sourced := map[string]string{}
	for _, id := range ids {
		data, err := c.get(ctx, "/api/v5/security-users/"+id)
		if err != nil {
			return s, err
		}
		rows, err := decodeOne(data)
		if err != nil {
			return s, fmt.Errorf("openemis security-users/%s: %w", id, err)
		}
		no := str(rows, "openemis_no")
		if no == "" {
			c.logger.WarnContext(ctx, "openemis user without openemis_no skipped", "connector", c.id, "user_id", id)
			continue
		}
		sid := p + no
		sourced[id] = sid
		u := oneroster.User{
			Base: active(sid), EnabledUser: str(rows, "status") != "0", Username: cmpOr(str(rows, "username"), no),
			UserIDs: []oneroster.UserID{{Type: "OpenEMIS", Identifier: no}}, GivenName: str(rows, "first_name"),
			MiddleName: strings.TrimSpace(str(rows, "middle_name") + " " + str(rows, "third_name")), FamilyName: str(rows, "last_name"),
			PreferredGivenName: str(rows, "preferred_name"), Identifier: no, Email: str(rows, "email"),
			Role: people[id], Orgs: orgsOf[id],
		}
		s.Users = append(s.Users, u)
		d := oneroster.Demographics{Base: active(sid), BirthDate: str(rows, "date_of_birth")}
		switch num(rows, "gender_id") {
		case genderMale:
			d.Sex = "male"
		case genderFemale:
			d.Sex = "female"
		}
		if d.BirthDate != "" || d.Sex != "" {
			s.Demographics = append(s.Demographics, d)
		}
	}
	for _, e := range enrolls {
		sid, ok := sourced[e.User]
		if !ok {
			continue // a user the pull could not identify
		}
		e.User = sid
		s.Enrollments = append(s.Enrollments, e)
	}
	return s, nil
}

func decodeOne(data []byte) (map[string]any, error) {
	var env struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	if env.Data == nil {
		return nil, errors.New("decode record: no data")
	}
	return env.Data, nil
}

func appendNew(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
