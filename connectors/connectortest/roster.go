package connectortest

import (
	"time"

	"github.com/passportbridge/passport/oneroster"
)

var modified = time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)

func base(id string) oneroster.Base {
	return oneroster.Base{SourcedID: id, Status: oneroster.StatusActive, DateLastModified: modified}
}

func user(id, username, given, family, role string, orgs ...string) oneroster.User {
	return oneroster.User{
		Base: base(id), EnabledUser: true, Username: username, GivenName: given,
		FamilyName: family, Role: role, Orgs: orgs,
	}
}

func enrol(user, class, school, role string) oneroster.Enrollment {
	return oneroster.Enrollment{Base: base("enr-" + user + "-" + class), User: user, Class: class, School: school, Role: role}
}

// Roster is the suite's roster: two schools, three classes, a teacher and
// five students (one disabled, one with a name needing cleaning).
func Roster() oneroster.Snapshot {
	return oneroster.Snapshot{
		Orgs: []oneroster.Org{
			{Base: base("school-north"), Name: "North Camp School", Type: "school"},
			{Base: base("school-south"), Name: "South Camp School", Type: "school"},
		},
		Classes: []oneroster.Class{
			{Base: base("class-math-a"), Title: "Mathematics A", ClassCode: "MATH-A", School: "school-north", Course: "course-math", ClassType: "scheduled"},
			{Base: base("class-read-a"), Title: "Reading A", ClassCode: "READ-A", School: "school-north", Course: "course-read", ClassType: "scheduled"},
			{Base: base("class-math-s"), Title: "Mathematics S", ClassCode: "MATH-S", School: "school-south", Course: "course-math", ClassType: "scheduled"},
		},
		Users: []oneroster.User{
			user("tea-1", "amina.teacher", "Amina", "Yusuf", "teacher", "school-north"),
			user("stu-1", "Ali Hassan", "Ali", "Hassan", "student", "school-north"),
			user("stu-2", "fatima.o", "Fatima", "Omar", "student", "school-north"),
			user("stu-3", "yonas.t", "Yonas", "Tesfaye", "student", "school-north"),
			user("stu-4", "grace.n", "Grace", "Nkurunziza", "student", "school-south"),
			user("stu-5", "samir.k", "Samir", "Khalil", "student", "school-south"),
		},
		Enrollments: []oneroster.Enrollment{
			enrol("tea-1", "class-math-a", "school-north", "teacher"),
			enrol("stu-1", "class-math-a", "school-north", "student"),
			enrol("stu-2", "class-math-a", "school-north", "student"),
			enrol("stu-3", "class-math-a", "school-north", "student"),
			enrol("stu-1", "class-read-a", "school-north", "student"),
			enrol("stu-2", "class-read-a", "school-north", "student"),
			enrol("stu-4", "class-math-s", "school-south", "student"),
			enrol("stu-5", "class-math-s", "school-south", "student"),
		},
	}
}

func activeUsers() []oneroster.User {
	var out []oneroster.User
	for _, u := range Roster().Users {
		if u.EnabledUser {
			out = append(out, u)
		}
	}
	return out
}

// Change is a delta after Roster: stu-1 renamed, a new student enrolled in
// class-math-a, and stu-2's enrollment in class-math-a removed. Like the
// deltas the runner builds, it carries the class and school the changed
// records refer to (unchanged) as context.
func Change() oneroster.Delta {
	r := Roster()
	renamed := r.Users[1]
	renamed.FamilyName = "Hassan-Ali"
	gone := r.Enrollments[2]
	gone.Status = oneroster.StatusToBeDeleted
	return oneroster.Delta{
		Upserts: oneroster.Snapshot{
			Orgs:    r.Orgs[:1],
			Classes: r.Classes[:1],
			Users:   []oneroster.User{renamed, user("stu-new", "new.student", "Nadia", "Ahmed", "student", "school-north")},
			Enrollments: []oneroster.Enrollment{
				enrol("stu-new", "class-math-a", "school-north", "student"),
				gone,
			},
		},
		Cursor: 2,
	}
}
