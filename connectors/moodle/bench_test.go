package moodle_test

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/connectortest"
	"github.com/passportbridge/passport/connectors/moodle/moodlefake"
	"github.com/passportbridge/passport/oneroster"
)

// bigRoster is students learners in 20 schools, each in 4 of the school's
// 20 classes, with one teacher per class.
func bigRoster(students int) oneroster.Snapshot {
	const schools, classesPerSchool, perStudent = 20, 20, 4
	var s oneroster.Snapshot
	b := func(id string) oneroster.Base { return oneroster.Base{SourcedID: id, Status: oneroster.StatusActive} }
	for i := range schools {
		org := fmt.Sprintf("school-%02d", i)
		s.Orgs = append(s.Orgs, oneroster.Org{Base: b(org), Name: "School " + org, Type: "school"})
		for j := range classesPerSchool {
			cl := fmt.Sprintf("class-%02d-%02d", i, j)
			s.Classes = append(s.Classes, oneroster.Class{Base: b(cl), Title: "Class " + cl, School: org, ClassType: "scheduled"})
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

// BenchmarkPush10k pushes 10,000 students with 40,000 enrollments to the
// Moodle fake, then pushes the same delta again (which must write nothing).
// Run: go test -run '^$' -bench Push10k -benchtime 1x ./connectors/moodle/
func BenchmarkPush10k(b *testing.B) {
	roster := bigRoster(10_000)
	for b.Loop() {
		fake := moodlefake.New()
		srv := httptest.NewServer(fake)
		c := open(b, srv.URL, connectortest.Client(b))
		p := c.(connectors.Pusher)

		start := time.Now()
		rep, err := p.Push(b.Context(), oneroster.Delta{Upserts: roster}, connectors.PushOptions{})
		first := time.Since(start)
		require.NoError(b, err)
		require.Zero(b, rep.Failed, "%v", rep.Items)

		writes := fake.Writes()
		start = time.Now()
		rep2, err := p.Push(b.Context(), oneroster.Delta{Upserts: roster}, connectors.PushOptions{})
		second := time.Since(start)
		require.NoError(b, err)
		require.Equal(b, writes, fake.Writes(), "unchanged run wrote")

		b.ReportMetric(first.Seconds(), "first-push-s")
		b.ReportMetric(float64(rep.Writes), "first-writes")
		b.ReportMetric(second.Seconds(), "second-push-s")
		b.ReportMetric(float64(rep2.Writes), "second-writes")
		b.ReportMetric(float64(fake.EnrolmentCount()), "enrolments")
		srv.Close()
	}
}
