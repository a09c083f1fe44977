package moodle_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/connectortest"
	"github.com/passportbridge/passport/connectors/moodle"
	"github.com/passportbridge/passport/connectors/moodle/moodlefake"
	"github.com/passportbridge/passport/oneroster"
)

// suiteFake adapts moodlefake to the connectortest contract.
type suiteFake struct{ *moodlefake.Server }

func (f suiteFake) UserCount() int {
	n := 0
	for _, u := range f.Users() {
		if u.IDNumber != "" && !u.Suspended {
			n++
		}
	}
	return n
}

func (f suiteFake) HasUser(id string) bool {
	u, ok := f.UserByIDNumber(id)
	return ok && !u.Suspended
}

func (f suiteFake) Member(user, class string) bool {
	_, ok := f.Enrolment(class, user)
	return ok
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func open(t testing.TB, url string, hc *retryablehttp.Client, mod ...func(*moodle.Config)) connectors.Connector {
	t.Helper()
	cfg := &moodle.Config{URL: url, Token: moodlefake.Token}
	for _, m := range mod {
		m(cfg)
	}
	c, err := cfg.Open("moodle-test", discard(), hc)
	require.NoError(t, err)
	return c
}

func TestContract(t *testing.T) {
	t.Parallel()
	connectortest.Run(t, func(t *testing.T, url string, hc *retryablehttp.Client) connectors.Connector {
		return open(t, url, hc)
	}, func(*testing.T) connectortest.Fake {
		// Debugging on, so refused rows carry Moodle's detail (the suite
		// checks the target's own message reaches the report).
		f := moodlefake.New()
		f.SetDebug(true)
		return suiteFake{f}
	})
}

type fixture struct {
	fake *moodlefake.Server
	conn connectors.Connector
	url  string
}

func newFixture(t *testing.T, mod ...func(*moodle.Config)) fixture {
	t.Helper()
	f := moodlefake.New()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return fixture{fake: f, conn: open(t, srv.URL, connectortest.Client(t), mod...), url: srv.URL}
}

func (f fixture) push(t *testing.T, d oneroster.Delta) connectors.Report {
	t.Helper()
	rep, err := f.conn.(connectors.Pusher).Push(t.Context(), d, connectors.PushOptions{})
	require.NoError(t, err)
	return rep
}

func TestPushMapsRoster(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rep := f.push(t, oneroster.Delta{Upserts: connectortest.Roster()})
	require.Zero(t, rep.Failed, "%v", rep.Items)

	cat, ok := f.fake.CategoryByIDNumber("school-north")
	require.True(t, ok)
	assert.Equal(t, "North Camp School", cat.Name)

	course, ok := f.fake.CourseByIDNumber("class-math-a")
	require.True(t, ok)
	assert.Equal(t, "Mathematics A", course.Fullname)
	assert.Equal(t, "MATH-A", course.Shortname)
	assert.Equal(t, cat.ID, course.CategoryID)

	u, ok := f.fake.UserByIDNumber("stu-1")
	require.True(t, ok)
	assert.Equal(t, "alihassan", u.Username, "username lowercased and cleaned")
	assert.Equal(t, "alihassan@example.invalid", u.Email, "placeholder email")

	roles, ok := f.fake.Enrolment("class-math-a", "tea-1")
	require.True(t, ok)
	assert.Equal(t, []int{3}, roles, "teacher mapped to editingteacher")
	roles, ok = f.fake.Enrolment("class-math-a", "stu-1")
	require.True(t, ok)
	assert.Equal(t, []int{5}, roles)

	assert.Equal(t, []string{"stu-1", "stu-2", "stu-3", "tea-1"}, f.fake.CohortMembers("school-north"))
	assert.Equal(t, []string{"stu-4", "stu-5"}, f.fake.CohortMembers("school-south"))
}

func TestBatchesStayUnderMaxInputVars(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *moodle.Config) { c.MaxInputVars = 60; c.BatchSize = 50 })
	f.fake.SetMaxInputVars(60)
	var users []oneroster.User
	for i := range 40 {
		u := connectortest.Roster().Users[1]
		u.SourcedID = "bulk-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		u.Username = u.SourcedID
		users = append(users, u)
	}
	rep := f.push(t, oneroster.Delta{Upserts: oneroster.Snapshot{Users: users}})
	assert.Zero(t, rep.Failed, "%v", rep.Items)
	assert.Equal(t, 40, rep.Created)
	assert.LessOrEqual(t, f.fake.MaxVarsSeen(), 60)
}

func TestBisectIsolatesBadRow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.fake.SetDebug(true)
	r := connectortest.Roster()
	dup := r.Users[2]
	dup.SourcedID = "stu-dup"
	dup.Email = "dup@example.org"
	dup.Username = "dup"
	r.Users[2].Email = "dup@example.org" // Moodle refuses a second account with the same email
	r.Users = append(r.Users, dup)
	rep := f.push(t, oneroster.Delta{Upserts: r})
	require.Equal(t, 1, rep.Failed, "%v", rep.Items)
	assert.Equal(t, "stu-dup", rep.Items[0].SourcedID)
	assert.Contains(t, rep.Items[0].Reason, "Email address already exists")
	assert.Len(t, f.fake.Users(), len(r.Users)-1, "the rest of the batch was applied")

	// Production sites run without debugging: the row is still isolated
	// and listed, with Moodle's generic message.
	g := newFixture(t)
	rep = g.push(t, oneroster.Delta{Upserts: r})
	require.Equal(t, 1, rep.Failed, "%v", rep.Items)
	assert.Equal(t, "stu-dup", rep.Items[0].SourcedID)
	assert.Equal(t, "invalidparameter: Invalid parameter value detected", rep.Items[0].Reason)
}

func TestDeletionGuard(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *moodle.Config) { c.MaxDeletes = 2 })
	f.push(t, oneroster.Delta{Upserts: connectortest.Roster()})
	d := oneroster.Delta{Deletes: []oneroster.Ref{
		{Kind: oneroster.KindUser, SourcedID: "stu-1"},
		{Kind: oneroster.KindUser, SourcedID: "stu-2"},
		{Kind: oneroster.KindUser, SourcedID: "stu-3"},
	}}
	rep := f.push(t, d)
	assert.Equal(t, 3, rep.Failed)
	assert.Contains(t, rep.Items[0].Reason, "deletion guard")
	assert.Zero(t, rep.Writes)

	d.Deletes = d.Deletes[:2]
	rep = f.push(t, d)
	assert.Equal(t, 2, rep.Removed)
	u, ok := f.fake.UserByIDNumber("stu-1")
	require.True(t, ok)
	assert.True(t, u.Suspended, "removed users are suspended by default")
}

func TestAdoptsExistingUsername(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// An account made by hand before the bridge, with no idnumber.
	f.fake.AddUser(moodlefake.User{Username: "fatima.o", Firstname: "F", Lastname: "O", Email: "fo@example.org", Auth: "manual"})
	r := oneroster.Snapshot{Users: connectortest.Roster().Users[2:3]}
	rep := f.push(t, oneroster.Delta{Upserts: r})
	assert.Zero(t, rep.Created)
	assert.Equal(t, 1, rep.Updated)
	require.Len(t, f.fake.Users(), 1)
	assert.Equal(t, "stu-2", f.fake.Users()[0].IDNumber)

	// One with another idnumber is not taken over.
	f.fake.AddUser(moodlefake.User{Username: "yonas.t", Firstname: "Y", Lastname: "T", Email: "yt@example.org", IDNumber: "other-system-7", Auth: "manual"})
	r.Users = connectortest.Roster().Users[3:4]
	rep = f.push(t, oneroster.Delta{Upserts: r})
	require.Equal(t, 1, rep.Failed)
	assert.Contains(t, rep.Items[0].Reason, "belongs to another moodle user")
}

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		token   string
		funcs   []string
		wantErr string
	}{
		{"ok", moodlefake.Token, nil, ""},
		{"bad token", "nope", nil, "invalidtoken"},
		{"missing functions", moodlefake.Token, []string{"core_webservice_get_site_info"}, "lacks functions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := moodlefake.New()
			if tc.funcs != nil {
				fake.SetFunctions(tc.funcs...)
			}
			srv := httptest.NewServer(fake)
			t.Cleanup(srv.Close)
			c, err := (&moodle.Config{URL: srv.URL, Token: tc.token}).Open("m", discard(), connectortest.Client(t))
			require.NoError(t, err)
			err = c.(connectors.Checker).Check(t.Context())
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

type sink struct{ got []connectors.Statement }

func (s *sink) SaveStatements(_ context.Context, st []connectors.Statement) error {
	s.got = append(s.got, st...)
	return nil
}

func TestPullProgress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.push(t, oneroster.Delta{Upserts: connectortest.Roster()})
	raw := 8.0
	require.NoError(t, f.fake.AddGrade("class-math-a", "stu-1", moodlefake.GradeItem{ID: 7, ItemName: "Quiz 1", ItemType: "mod", ItemModule: "quiz", CMID: 21, GradeRaw: &raw, GradeMax: 10, GradeDateGraded: 1_790_000_000}))
	require.NoError(t, f.fake.AddCompletion("class-math-a", "stu-2", moodlefake.Completion{CMID: 21, Modname: "quiz", State: 2, TimeCompleted: 1_790_000_100}))

	var s sink
	cur, err := f.conn.(connectors.ProgressPuller).PullProgress(t.Context(), "", &s)
	require.NoError(t, err)
	assert.Equal(t, "1790000100", cur)
	require.Len(t, s.got, 2)
	byVerb := map[string]connectors.Statement{}
	for _, st := range s.got {
		byVerb[st.Verb.ID] = st
	}
	scored := byVerb[connectors.VerbScored.ID]
	assert.Equal(t, "stu-1", scored.Actor.Account.Name)
	require.NotNil(t, scored.Result.Score.Scaled)
	assert.InDelta(t, 0.8, *scored.Result.Score.Scaled, 1e-9)
	assert.Contains(t, scored.Object.ID, "/mod/quiz/view.php?id=21")
	passed := byVerb[connectors.VerbPassed.ID]
	assert.Equal(t, "stu-2", passed.Actor.Account.Name)
	assert.True(t, *passed.Result.Success)

	// Grades only.
	g := open(t, f.url, connectortest.Client(t), func(c *moodle.Config) { c.Progress = &[]string{"grades"} })
	var grades sink
	_, err = g.(connectors.ProgressPuller).PullProgress(t.Context(), "", &grades)
	require.NoError(t, err)
	require.Len(t, grades.got, 1)
	assert.Equal(t, connectors.VerbScored.ID, grades.got[0].Verb.ID)

	// Pulling again from the cursor yields the same statements (same ids).
	var again sink
	_, err = f.conn.(connectors.ProgressPuller).PullProgress(t.Context(), cur, &again)
	require.NoError(t, err)
	require.Len(t, again.got, 1)
	assert.Equal(t, passed.ID, again.got[0].ID)
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		raw  map[string]any
		want string
	}{
		{"unknown key", map[string]any{"url": "https://m.example", "tokn": "x"}, `unknown key "tokn"`},
		{"bad url", map[string]any{"url": "ftp://x", "token_env": "X"}, "url"},
		{"no token", map[string]any{"url": "https://m.example"}, "token_env or token_file"},
		{"bad deletes", map[string]any{"url": "https://m.example", "token_env": "PATH", "deletes": "purge"}, "deletes"},
		{"bad progress", map[string]any{"url": "https://m.example", "token_env": "PATH", "progress": []any{"badges"}}, `progress: "badges"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var cfg moodle.Config
			err := connectors.DecodeConfig(tc.raw, &cfg)
			if err == nil {
				_, err = cfg.Open("m", discard(), retryablehttp.NewClient())
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestGroupsModeSharesCourses(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *moodle.Config) { c.Groups = true })
	r := connectortest.Roster()
	r.Courses = []oneroster.Course{{Base: oneroster.Base{SourcedID: "course-math", Status: oneroster.StatusActive}, Title: "Mathematics", Org: "school-north"}}
	mathB := r.Classes[0]
	mathB.SourcedID, mathB.Title, mathB.ClassCode = "class-math-b", "Mathematics A", "MATH-B" // same title: the group name gets the code
	r.Classes = append(r.Classes, mathB)
	e := r.Enrollments[2] // stu-2 also in math B
	e.SourcedID, e.Class = "enr-stu-2-class-math-b", "class-math-b"
	r.Enrollments = append(r.Enrollments, e)
	rep := f.push(t, oneroster.Delta{Upserts: r})
	require.Zero(t, rep.Failed, "%v", rep.Items)

	math, ok := f.fake.CourseByIDNumber("course-math")
	require.True(t, ok, "one Moodle course for the OneRoster course")
	assert.Equal(t, "Mathematics", math.Fullname)
	_, ok = f.fake.CourseByIDNumber("class-math-a")
	assert.False(t, ok)
	_, ok = f.fake.CourseByIDNumber("course-read")
	assert.True(t, ok, "a class alone in its course is keyed by the course too")
	assert.Equal(t, []string{"stu-1", "stu-2", "stu-3", "tea-1"}, f.fake.GroupMembers("class-math-a"))
	assert.Equal(t, []string{"stu-4", "stu-5"}, f.fake.GroupMembers("class-math-s"))
	assert.Equal(t, []string{"stu-2"}, f.fake.GroupMembers("class-math-b"))

	writes := f.fake.Writes()
	rep = f.push(t, oneroster.Delta{Upserts: r})
	assert.Equal(t, writes, f.fake.Writes(), "unchanged: no writes")
	assert.Zero(t, rep.Failed)

	// stu-2 leaves math A but stays in math B: out of the group, still in
	// the course. stu-3 leaves math A, their only math class: out of the course.
	leave := func(i int) oneroster.Enrollment {
		x := r.Enrollments[i]
		x.Status = oneroster.StatusToBeDeleted
		return x
	}
	d := oneroster.Delta{Upserts: oneroster.Snapshot{Classes: r.Classes[:1], Orgs: r.Orgs[:1], Enrollments: []oneroster.Enrollment{leave(2), leave(3)}}}
	rep = f.push(t, d)
	require.Zero(t, rep.Failed, "%v", rep.Items)
	assert.Equal(t, []string{"stu-1", "tea-1"}, f.fake.GroupMembers("class-math-a"))
	_, in := f.fake.Enrolment("course-math", "stu-2")
	assert.True(t, in)
	_, in = f.fake.Enrolment("course-math", "stu-3")
	assert.False(t, in)
}

func TestRemovals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *moodle.Config) { c.Deletes = "delete" })
	f.push(t, oneroster.Delta{Upserts: connectortest.Roster()})
	rep := f.push(t, oneroster.Delta{Deletes: []oneroster.Ref{
		{Kind: oneroster.KindUser, SourcedID: "stu-5"},
		{Kind: oneroster.KindClass, SourcedID: "class-read-a"},
		{Kind: oneroster.KindUser, SourcedID: "never-pushed"},
		{Kind: oneroster.KindEnrollment, SourcedID: "enr-x"},
	}})
	assert.Zero(t, rep.Failed, "%v", rep.Items)
	assert.Equal(t, 2, rep.Removed)
	assert.Equal(t, 1, rep.Skipped, "an enrollment ref without its record")
	_, ok := f.fake.UserByIDNumber("stu-5")
	assert.False(t, ok, "deleted (Moodle clears the idnumber)")
	c, ok := f.fake.CourseByIDNumber("class-read-a")
	require.True(t, ok)
	assert.Equal(t, 0, c.Visible, "a removed class's course is hidden, not deleted")

	rep = f.push(t, oneroster.Delta{Deletes: []oneroster.Ref{{Kind: oneroster.KindClass, SourcedID: "class-read-a"}}})
	assert.Zero(t, rep.Writes, "already hidden")
}

func TestRateLimitSpacesCalls(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *moodle.Config) { c.RateLimit = 1 })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := f.conn.(connectors.Pusher).Push(ctx, oneroster.Delta{Upserts: connectortest.Roster()}, connectors.PushOptions{})
	require.ErrorIs(t, err, context.Canceled)

	// One call per second: a push needing several calls is still waiting
	// when its context ends, and made at most one call by then.
	ctx, cancel = context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err = f.conn.(connectors.Pusher).Push(ctx, oneroster.Delta{Upserts: connectortest.Roster()}, connectors.PushOptions{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	total := 0
	for _, n := range f.fake.Calls() {
		total += n
	}
	assert.LessOrEqual(t, total, 1)
}

func TestDisabledUsersAreSuspended(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := oneroster.Snapshot{Users: connectortest.Roster().Users[1:4]}
	r.Users[1].EnabledUser = false
	rep := f.push(t, oneroster.Delta{Upserts: r})
	require.Zero(t, rep.Failed, "%v", rep.Items)
	assert.Equal(t, 3, rep.Created)
	u, ok := f.fake.UserByIDNumber(r.Users[1].SourcedID)
	require.True(t, ok)
	assert.True(t, u.Suspended)
	u, _ = f.fake.UserByIDNumber(r.Users[0].SourcedID)
	assert.False(t, u.Suspended)
	rep = f.push(t, oneroster.Delta{Upserts: r})
	assert.Zero(t, rep.Writes)
}
