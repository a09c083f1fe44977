package connectortest

import (
	"fmt"

	"github.com/passportbridge/passport/oneroster"
)

// BigRoster is a benchmark roster: students learners in 20 schools, each
// in 4 of their school's 20 classes (one course per class), with one
// teacher per class.
func BigRoster(students int) oneroster.Snapshot {
	const schools, classesPerSchool, perStudent = 20, 20, 4
	var s oneroster.Snapshot
	s.AcademicSessions = []oneroster.AcademicSession{{
		Base:  oneroster.Base{SourcedID: "term-1", Status: oneroster.StatusActive},
		Title: "2026", Type: "schoolYear", StartDate: "2026-01-01", EndDate: "2026-12-31", SchoolYear: "2026",
	}}
	b := func(id string) oneroster.Base { return oneroster.Base{SourcedID: id, Status: oneroster.StatusActive} }
	for i := range schools {
		org := fmt.Sprintf("school-%02d", i)
		s.Orgs = append(s.Orgs, oneroster.Org{Base: b(org), Name: "School " + org, Type: "school"})
		for j := range classesPerSchool {
			cl := fmt.Sprintf("class-%02d-%02d", i, j)
			s.Courses = append(s.Courses, oneroster.Course{Base: b("course-" + cl), Title: "Course " + cl, Org: org})
			s.Classes = append(s.Classes, oneroster.Class{Base: b(cl), Title: "Class " + cl, Course: "course-" + cl, School: org, ClassType: "scheduled", Terms: []string{"term-1"}})
			t := "tea-" + cl
			s.Users = append(s.Users, oneroster.User{Base: b(t), EnabledUser: true, Username: t, GivenName: "T", FamilyName: cl, Role: "teacher", Orgs: []string{org}})
			s.Enrollments = append(s.Enrollments, oneroster.Enrollment{Base: b("enr-" + t), User: t, Class: cl, School: org, Role: "teacher"})
		}
	}
	for n := range students {
		i := n % schools
		org := fmt.Sprintf("school-%02d", i)
		u := fmt.Sprintf("stu-%05d", n)
		s.Users = append(s.Users, oneroster.User{Base: b(u), EnabledUser: true, Username: u, GivenName: "Learner", FamilyName: u, Role: "student", Orgs: []string{org}})
		for k := range perStudent {
			cl := fmt.Sprintf("class-%02d-%02d", i, (n/schools+k*5)%classesPerSchool)
			s.Enrollments = append(s.Enrollments, oneroster.Enrollment{Base: b("enr-" + u + "-" + cl), User: u, Class: cl, School: org, Role: "student"})
		}
	}
	return s
}
