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

func open(t testing.TB, url string, hc *retryablehttp.Client) connectors.Connector {
	t.Helper()
	c, err := (&openemis.Config{
		URL: url, Username: openemisfake.Username, Password: openemisfake.Password,
		APIKey: openemisfake.APIKey, Institutions: []int{1}, PageSize: 1,
	}).Open("emis", slog.New(slog.DiscardHandler), hc)
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
		openemisfake.Seed(f)
		return suiteFake{f}
	}, check)
}

func TestCheckBadKey(t *testing.T) {
	t.Parallel()
	f := openemisfake.New()
	openemisfake.Seed(f)
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
