package kolibri_test

import (
	"context"
	"flag"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/connectortest"
	"github.com/passportbridge/passport/connectors/kolibri"
	"github.com/passportbridge/passport/connectors/kolibri/kolibrifake"
	"github.com/passportbridge/passport/oneroster"
)

var update = flag.Bool("update", false, "rewrite golden files")

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// suiteFake adapts kolibrifake to the connectortest contract, naming
// classrooms and facilities as the connector does for the suite roster.
type suiteFake struct{ *kolibrifake.Server }

func (f suiteFake) HasUser(id string) bool {
	_, ok := f.UserByIDNumber(id)
	return ok
}

func (f suiteFake) Member(user, class string) bool {
	var title string
	for _, c := range connectortest.Roster().Classes {
		if c.SourcedID == class {
			title = c.Title
		}
	}
	member, coach := f.MemberOf(user)
	return slices.Contains(member, title) || slices.Contains(coach, title)
}

func (f suiteFake) Refuse(user, msg string) { f.Server.Refuse(user, msg) }

func open(t testing.TB, url string, hc *retryablehttp.Client, mod ...func(*kolibri.Config)) connectors.Connector {
	t.Helper()
	cfg := &kolibri.Config{URL: url, Username: kolibrifake.AdminUsername, Password: kolibrifake.AdminPassword}
	for _, m := range mod {
		m(cfg)
	}
	c, err := cfg.Open("kolibri-test", discard(), hc)
	require.NoError(t, err)
	return c
}

func TestContract(t *testing.T) {
	t.Parallel()
	connectortest.Run(t, func(t *testing.T, url string, hc *retryablehttp.Client) connectors.Connector {
		return open(t, url, hc)
	}, func(*testing.T) connectortest.Fake { return suiteFake{kolibrifake.New()} })
}

type fixture struct {
	fake *kolibrifake.Server
	conn connectors.Connector
}

func newFixture(t *testing.T, mod ...func(*kolibri.Config)) fixture {
	t.Helper()
	f := kolibrifake.New()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return fixture{fake: f, conn: open(t, srv.URL, connectortest.Client(t), mod...)}
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

	facs := f.fake.Facilities()
	require.Contains(t, facs, "North Camp School")
	require.Contains(t, facs, "South Camp School")
	_, ok := f.fake.Classroom("North Camp School", "Mathematics A")
	assert.True(t, ok)

	u, ok := f.fake.UserByIDNumber("stu-1")
	require.True(t, ok)
	assert.Equal(t, "Ali_Hassan", u.Username, "space replaced")
	assert.Equal(t, "Ali Hassan", u.FullName)
	assert.Equal(t, facs["North Camp School"].ID, u.Facility)
	u, _ = f.fake.UserByIDNumber("stu-2")
	assert.Equal(t, "fatima_o", u.Username, "punctuation replaced")

	member, coach := f.fake.MemberOf("tea-1")
	assert.Empty(t, member)
	assert.Equal(t, []string{"Mathematics A"}, coach)
	member, _ = f.fake.MemberOf("stu-1")
	assert.Equal(t, []string{"Mathematics A", "Reading A"}, member)
}

func TestSessionExpiryRelogs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.push(t, oneroster.Delta{Upserts: connectortest.Roster()})
	f.fake.ExpireSessions()
	rep := f.push(t, connectortest.Change())
	assert.Zero(t, rep.Failed, "%v", rep.Items)
	assert.True(t, suiteFake{f.fake}.HasUser("stu-new"))
}

func TestCheck(t *testing.T) {
	t.Parallel()
	fake := kolibrifake.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c := open(t, srv.URL, connectortest.Client(t), func(c *kolibri.Config) { c.Password = "wrong" })
	err := c.(connectors.Checker).Check(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "INVALID_CREDENTIALS")

	ok := open(t, srv.URL, connectortest.Client(t))
	require.NoError(t, ok.(connectors.Checker).Check(t.Context()))
}

func TestFacilityRequiringPasswords(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *kolibri.Config) { c.Preset = "formal" })
	rep := f.push(t, oneroster.Delta{Upserts: connectortest.Roster()})
	require.Positive(t, rep.Failed)
	assert.Contains(t, rep.Items[0].Reason, "requires passwords")

	g := newFixture(t, func(c *kolibri.Config) { c.Preset = "formal"; c.LearnerPassword = "camp-2026" })
	rep = g.push(t, oneroster.Delta{Upserts: connectortest.Roster()})
	assert.Zero(t, rep.Failed, "%v", rep.Items)
}

func TestUsernameCollisionGetsStableSuffix(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := connectortest.Roster()
	twin := r.Users[2]
	twin.SourcedID = "stu-twin"
	twin.Username = "Fatima.O" // same Kolibri username, case-insensitively
	r.Users = append(r.Users, twin)
	rep := f.push(t, oneroster.Delta{Upserts: r})
	require.Zero(t, rep.Failed, "%v", rep.Items)
	u, ok := f.fake.UserByIDNumber("stu-twin")
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(u.Username, "Fatima_O_"), u.Username)
	rep = f.push(t, oneroster.Delta{Upserts: r})
	assert.Zero(t, rep.Writes, "stable on re-run")
}

func TestUsername(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"amina.teacher", "amina_teacher"},
		{"  Ali  Hassan ", "Ali_Hassan"},
		{"a-b-c", "a_b_c"},
		{"ናሆም", "ናሆም"},
		{"x!!", "x"},
		{strings.Repeat("a", 200), strings.Repeat("a", 125)},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, kolibri.Username(oneroster.User{Username: tc.in}))
		})
	}
	assert.Equal(t, "stu_9", kolibri.Username(oneroster.User{Base: oneroster.Base{SourcedID: "stu-9"}}))
}

func TestExportGolden(t *testing.T) {
	t.Parallel()
	c := open(t, "", nil)
	dir := t.TempDir()
	r := connectortest.Roster()
	r.Demographics = []oneroster.Demographics{{Base: oneroster.Base{SourcedID: "stu-1"}, BirthDate: "2014-03-02", Sex: "male"}}
	paths, err := c.(connectors.Exporter).Export(t.Context(), r, dir)
	require.NoError(t, err)
	require.Len(t, paths, 2)
	for _, p := range paths {
		got, err := os.ReadFile(p)
		require.NoError(t, err)
		golden := filepath.Join("testdata", filepath.Base(p)+".golden")
		if *update {
			require.NoError(t, os.WriteFile(golden, got, 0o600))
		}
		want, err := os.ReadFile(golden)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
		assert.True(t, strings.HasPrefix(string(got), strings.Join(kolibri.BulkImportHeader, ",")+"\n"))
	}
}

type sink struct{ got []connectors.Statement }

func (s *sink) SaveStatements(_ context.Context, st []connectors.Statement) error {
	s.got = append(s.got, st...)
	return nil
}

func TestProgressFromLogs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"summary_logs.csv", "users_north.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o600))
	}
	c := open(t, "", nil, func(c *kolibri.Config) { c.LogsDir = dir; c.ActorHomePage = "https://passport.example" })
	var s sink
	cur, err := c.(connectors.ProgressPuller).PullProgress(t.Context(), "", &s)
	require.NoError(t, err)
	require.Len(t, s.got, 3, "the row of an unknown user and the untouched row are skipped")
	assert.Equal(t, "2026-10-02T09:30:00Z", cur)

	byVerb := map[string]connectors.Statement{}
	for _, st := range s.got {
		byVerb[st.Verb.ID] = st
		assert.Equal(t, "https://passport.example", st.Actor.Account.HomePage)
	}
	done := byVerb[connectors.VerbCompleted.ID]
	assert.Equal(t, "stu-1", done.Actor.Account.Name)
	assert.Equal(t, "kolibri://c0ffee/5a1e", done.Object.ID)
	assert.Equal(t, "PT300S", done.Result.Duration)
	m := byVerb[connectors.VerbMastered.ID]
	assert.Equal(t, "stu-2", m.Actor.Account.Name)
	assert.True(t, *m.Result.Success)
	prog := byVerb[connectors.VerbProgressed.ID]
	assert.Equal(t, 40, prog.Result.Extensions["https://w3id.org/xapi/cmi5/result/extensions/progress"])

	var again sink
	_, err = c.(connectors.ProgressPuller).PullProgress(t.Context(), cur, &again)
	require.NoError(t, err)
	require.Len(t, again.got, 1, "only the newest row is re-sent")
	assert.Contains(t, []string{s.got[0].ID, s.got[1].ID, s.got[2].ID}, again.got[0].ID, "same id: idempotent in the LRS")
}

func FuzzParseSummaryLog(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "summary_logs.csv"))
	require.NoError(f, err)
	f.Add(string(b))
	f.Add("Facility name,Username\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, _, err := kolibri.ParseSummaryLog(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.Progress < 0 || r.Progress > 1 || r.Username == "" {
				t.Fatalf("invalid row accepted: %+v", r)
			}
			kolibri.Statement(r, "https://h.example", "x")
		}
	})
}

func TestLearnerGroups(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *kolibri.Config) { c.LearnerGroups = true })
	r := connectortest.Roster()
	r.Courses = []oneroster.Course{{Base: oneroster.Base{SourcedID: "course-math", Status: oneroster.StatusActive}, Title: "Mathematics", Org: "school-north"}}
	mathB := r.Classes[0]
	mathB.SourcedID, mathB.Title = "class-math-b", "Mathematics B"
	r.Classes = append(r.Classes, mathB)
	e := r.Enrollments[2] // stu-2 also in math B
	e.SourcedID, e.Class = "enr-stu-2-class-math-b", "class-math-b"
	r.Enrollments = append(r.Enrollments, e)
	rep := f.push(t, oneroster.Delta{Upserts: r})
	require.Zero(t, rep.Failed, "%v", rep.Items)

	_, ok := f.fake.Classroom("North Camp School", "Mathematics")
	require.True(t, ok, "one classroom for the course")
	member, _ := f.fake.MemberOf("stu-2")
	// Course "Mathematics" classroom with groups A and B; course-read has no
	// title here, so its classroom and group are both named after the class.
	assert.Equal(t, []string{"Mathematics", "Mathematics A", "Mathematics B", "Reading A", "Reading A"}, member)
	_, coach := f.fake.MemberOf("tea-1")
	assert.Equal(t, []string{"Mathematics"}, coach)

	rep = f.push(t, oneroster.Delta{Upserts: r})
	assert.Zero(t, rep.Writes, "unchanged: no writes")

	leave := func(i int) oneroster.Enrollment {
		x := r.Enrollments[i]
		x.Status = oneroster.StatusToBeDeleted
		return x
	}
	d := oneroster.Delta{Upserts: oneroster.Snapshot{Orgs: r.Orgs, Courses: r.Courses, Classes: r.Classes, Enrollments: []oneroster.Enrollment{leave(2), leave(3)}}}
	rep = f.push(t, d)
	require.Zero(t, rep.Failed, "%v", rep.Items)
	member, _ = f.fake.MemberOf("stu-2")
	assert.Equal(t, []string{"Mathematics", "Mathematics B", "Reading A", "Reading A"}, member, "left group A, still in the classroom")
	member, _ = f.fake.MemberOf("stu-3")
	assert.Empty(t, member, "left the only group: out of the classroom")
}

func TestRemovals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *kolibri.Config) { c.MaxDeletes = 1 })
	f.push(t, oneroster.Delta{Upserts: connectortest.Roster()})
	two := []oneroster.Ref{{Kind: oneroster.KindUser, SourcedID: "stu-4"}, {Kind: oneroster.KindUser, SourcedID: "stu-5"}}
	rep := f.push(t, oneroster.Delta{Deletes: two})
	assert.Equal(t, 2, rep.Failed)
	assert.Contains(t, rep.Items[0].Reason, "deletion guard")
	assert.Zero(t, rep.Writes)

	rep = f.push(t, oneroster.Delta{Deletes: two[:1]})
	assert.Equal(t, 1, rep.Removed)
	_, ok := f.fake.UserByIDNumber("stu-4")
	assert.False(t, ok)
	rep = f.push(t, oneroster.Delta{Deletes: two[:1]})
	assert.Zero(t, rep.Writes, "already gone")
}
