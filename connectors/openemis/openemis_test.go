package openemis_test

import (
	"log/slog"
	"slices"
	"testing"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/connectors/connectortest"
	"github.com/passportbridge/passport/connectors/openemis"
	"github.com/passportbridge/passport/connectors/openemis/openemisfake"
	"github.com/passportbridge/passport/oneroster"
)

type suiteFake struct{ *openemisfake.Server }

func (f suiteFake) ExpireAuth() { f.ExpireTokens() }

// Seed fills a fake with one ministry's data: two schools, one of them out
// of scope, a teacher, three students (one transferred out), one class.
func Seed(f *openemisfake.Server) {
	f.Add("academic-periods",
		openemisfake.Row{"id": 10, "code": "2025", "name": "2025-2026", "start_date": "2025-09-01", "end_date": "2026-06-30", "current": 1},
		openemisfake.Row{"id": 9, "code": "2024", "name": "2024-2025", "start_date": "2024-09-01", "end_date": "2025-06-30", "current": 0})
	f.Add("education-grades", openemisfake.Row{"id": 4, "code": "G4", "name": "Grade 4"})
	f.Add("institutions",
		openemisfake.Row{"id": 1, "code": "KAK-01", "name": "Kakuma Primary 1"},
		openemisfake.Row{"id": 2, "code": "KAK-02", "name": "Kakuma Primary 2"})
	f.Add("security-users",
		openemisfake.Row{"id": 100, "openemis_no": "1520000100", "first_name": "Amina", "last_name": "Hassan", "gender_id": 2, "date_of_birth": "2015-03-02", "username": "", "status": 1},
		openemisfake.Row{"id": 101, "openemis_no": "1520000101", "first_name": "Deng", "middle_name": "Garang", "last_name": "Mayen", "gender_id": 1, "date_of_birth": "2014-07-19", "status": 1},
		openemisfake.Row{"id": 102, "openemis_no": "1520000102", "first_name": "Nyakim", "last_name": "Gatluak", "gender_id": 2, "status": 1},
		openemisfake.Row{"id": 200, "openemis_no": "1520000200", "first_name": "John", "last_name": "Okello", "gender_id": 1, "email": "j.okello@example.org", "username": "j.okello", "status": 1})
	f.Add("institution-students",
		openemisfake.Row{"id": 1, "student_id": 100, "institution_id": 1, "education_grade_id": 4, "academic_period_id": 10, "student_status_id": 1},
		openemisfake.Row{"id": 2, "student_id": 101, "institution_id": 1, "education_grade_id": 4, "academic_period_id": 10, "student_status_id": 1},
		openemisfake.Row{"id": 3, "student_id": 102, "institution_id": 1, "education_grade_id": 4, "academic_period_id": 10, "student_status_id": 3})
	f.Add("institution-staff", openemisfake.Row{"id": 1, "staff_id": 200, "institution_id": 1, "staff_status_id": 1})
	f.Add("institution-classes", openemisfake.Row{"id": 50, "name": "4 Blue", "institution_id": 1, "academic_period_id": 10, "education_grade_id": 4, "staff_id": 200})
	f.Add("institution-class-students",
		openemisfake.Row{"id": 1, "student_id": 100, "institution_class_id": 50, "student_status_id": 1},
		openemisfake.Row{"id": 2, "student_id": 101, "institution_class_id": 50, "student_status_id": 1})
}

func open(t testing.TB, url string, hc *retryablehttp.Client) connectors.Connector {
	t.Helper()
	c, err := (&openemis.Config{URL: url, Username: openemisfake.Username, Password: openemisfake.Password,
		APIKey: openemisfake.APIKey, Institutions: []int{1}, PageSize: 1}).Open("emis", slog.New(slog.DiscardHandler), hc)
	require.NoError(t, err)
	return c
}

func check(t *testing.T, s oneroster.Snapshot) {
	t.Helper()
	require.Len(t, s.Orgs, 1, "institution 2 is out of scope")
	assert.Equal(t, oneroster.Org{Base: oneroster.Base{SourcedID: "openemis-inst-1", Status: oneroster.StatusActive}, Name: "Kakuma Primary 1", Type: "school", Identifier: "KAK-01"}, s.Orgs[0])
	require.Len(t, s.AcademicSessions, 1)
	assert.Equal(t, "2026", s.AcademicSessions[0].SchoolYear)
	require.Len(t, s.Classes, 1)
	assert.Equal(t, "4 Blue", s.Classes[0].Title)
	assert.Equal(t, "openemis-course-1-4", s.Classes[0].Course)
	require.Len(t, s.Courses, 1)
	assert.Equal(t, "Grade 4", s.Courses[0].Title)

	ids := make([]string, 0, len(s.Users))
	for _, u := range s.Users {
		ids = append(ids, u.SourcedID)
	}
	assert.Equal(t, []string{"openemis-1520000100", "openemis-1520000101", "openemis-1520000200"}, ids, "the transferred student is not current")
	amina := s.Users[0]
	assert.Equal(t, "student", amina.Role)
	assert.Equal(t, "1520000100", amina.Username, "no username: the OpenEMIS number")
	assert.Equal(t, []string{"openemis-inst-1"}, amina.Orgs)
	assert.Equal(t, "teacher", s.Users[2].Role)
	assert.Equal(t, "Garang", s.Users[1].MiddleName)

	require.Len(t, s.Enrollments, 3)
	roles := map[string]string{}
	for _, e := range s.Enrollments {
		assert.Equal(t, "openemis-class-50", e.Class)
		roles[e.User] = e.Role
	}
	assert.Equal(t, map[string]string{"openemis-1520000100": "student", "openemis-1520000101": "student", "openemis-1520000200": "teacher"}, roles)
	i := slices.IndexFunc(s.Demographics, func(d oneroster.Demographics) bool { return d.SourcedID == "openemis-1520000100" })
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, "female", s.Demographics[i].Sex)
	assert.Equal(t, "2015-03-02", s.Demographics[i].BirthDate)
}

func TestContract(t *testing.T) {
	t.Parallel()
	connectortest.RunPuller(t, func(t *testing.T, url string, hc *retryablehttp.Client) connectors.Connector {
		return open(t, url, hc)
	}, func(*testing.T) connectortest.PullFake {
		f := openemisfake.New()
		Seed(f)
		return suiteFake{f}
	}, check)
}

func TestCheckBadKey(t *testing.T) {
	t.Parallel()
	f := openemisfake.New()
	Seed(f)
	srv := newServer(t, f)
	c, err := (&openemis.Config{URL: srv, Username: openemisfake.Username, Password: openemisfake.Password, APIKey: "wrong"}).
		Open("emis", slog.New(slog.DiscardHandler), connectortest.Client(t))
	require.NoError(t, err)
	err = c.(connectors.Checker).Check(t.Context())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Invalid login credentials")
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		raw  map[string]any
		want string
	}{
		{"unknown key", map[string]any{"url": "https://e.example", "usrname": "x"}, `unknown key "usrname"`},
		{"mode", map[string]any{"url": "https://e.example", "username": "u", "mode": "mirror", "password_env": "PATH", "api_key_env": "PATH"}, "mode"},
		{"no key", map[string]any{"url": "https://e.example", "username": "u", "password_env": "PATH"}, "api_key_env or api_key_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var cfg openemis.Config
			err := connectors.DecodeConfig(tc.raw, &cfg)
			if err == nil {
				_, err = cfg.Open("e", slog.New(slog.DiscardHandler), retryablehttp.NewClient())
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
