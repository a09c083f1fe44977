package mapping_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster"
	orcsv "github.com/passportbridge/passport/oneroster/csv"
	"github.com/passportbridge/passport/oneroster/mapping"
	"github.com/passportbridge/passport/oneroster/memstore"
)

func importMapped(t *testing.T, mappingFile, dir string) (*memstore.Store, orcsv.Report) {
	t.Helper()
	m, err := mapping.Load(mappingFile)
	require.NoError(t, err)
	res, err := m.Build(os.DirFS(dir))
	require.NoError(t, err)
	assert.Empty(t, res.Issues)
	p, err := orcsv.OpenFS(res.FS, orcsv.Options{})
	require.NoError(t, err)
	st := memstore.New()
	rep, err := orcsv.Import(context.Background(), st, p, orcsv.ImportOptions{Tenant: "t", Now: func() time.Time { return time.Unix(0, 0) }})
	require.NoError(t, err)
	for i, is := range rep.Rejects {
		rep.Rejects[i] = res.Explain(is)
	}
	return st, rep
}

func user(t *testing.T, st *memstore.Store, id string) *oneroster.User {
	t.Helper()
	r, err := st.Record(context.Background(), "t", oneroster.KindUser, id)
	require.NoError(t, err)
	e, err := oneroster.Decode(r)
	require.NoError(t, err)
	return e.(*oneroster.User)
}

func TestMinistrySpreadsheet(t *testing.T) {
	t.Parallel()
	st, rep := importMapped(t, "testdata/ministry.yaml", "testdata")
	var rejects []string
	for _, is := range rep.Rejects {
		rejects = append(rejects, is.String())
	}
	assert.Equal(t, []string{`demographics.csv:5: birthDate must be a date YYYY-MM-DD, got "30/01/2016" (from learners.csv:5)`}, rejects)
	counts := map[string]int{}
	for _, f := range rep.Files {
		counts[f.File] = f.Applied
	}
	assert.Equal(t, map[string]int{"orgs.csv": 3, "academicSessions.csv": 1, "courses.csv": 3, "classes.csv": 3, "users.csv": 7, "demographics.csv": 3, "enrollments.csv": 4}, counts)

	amina := user(t, st, "lrn-L001")
	assert.Equal(t, "student", amina.Role)
	assert.Equal(t, []string{"04"}, amina.Grades, "value map")
	assert.Equal(t, []oneroster.UserID{{Type: "UNHCR", Identifier: "123-45"}}, amina.UserIDs)
	assert.Equal(t, []string{"grd-254700001"}, amina.Agents)
	assert.Equal(t, map[string]string{"camp": "Block A"}, amina.Metadata)
	assert.Empty(t, user(t, st, "lrn-L002").UserIDs, "a template whose placeholders are all empty is empty")
	g := user(t, st, "grd-254700003")
	assert.Equal(t, "guardian", g.Role)
	assert.Equal(t, "Grace", g.GivenName[:5])
	r, err := st.Record(context.Background(), "t", oneroster.KindOrg, "sch-S02")
	require.NoError(t, err)
	o, err := oneroster.Decode(r)
	require.NoError(t, err)
	assert.Equal(t, "Hope School, East", o.(*oneroster.Org).Name)
}

func TestSDSClassic(t *testing.T) {
	t.Parallel()
	st, rep := importMapped(t, "testdata/sds-classic.yaml", "testdata/sds")
	assert.Empty(t, rep.Rejects)
	r, err := st.Record(context.Background(), "t", oneroster.KindEnrollment, "se-SEC1-ST2")
	require.NoError(t, err)
	e, err := oneroster.Decode(r)
	require.NoError(t, err)
	assert.Equal(t, "SCH1", e.(*oneroster.Enrollment).School, "joined through the section")
	assert.Equal(t, "teacher", user(t, st, "T1").Role)
	assert.Equal(t, "t1@school.org", user(t, st, "T1").Email)
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"unknown key":       "sources: [{file: a.csv}]\nbogus: 1\n",
		"bad version":       "oneroster: \"2.0\"\nsources: [{file: a.csv}]\n",
		"bad mode":          "mode: sometimes\nsources: [{file: a.csv}]\n",
		"no sources":        "mode: bulk\n",
		"path in file":      "sources: [{file: ../a.csv}]\n",
		"unknown target":    "sources: [{file: a.csv, emit: {pupils: [{sourcedId: x}]}}]\n",
		"unknown column":    "sources: [{file: a.csv, emit: {users: [{shoeSize: x}]}}]\n",
		"unknown value map": "sources: [{file: a.csv, emit: {users: [{sourcedId: \"{A|nope}\"}]}}]\n",
		"unknown lookup":    "sources: [{file: a.csv, emit: {users: [{sourcedId: \"{A@pupils.x}\"}]}}]\n",
		"long delimiter":    "sources: [{file: a.csv, delimiter: ';;'}]\n",
	}
	for name, y := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := mapping.Parse([]byte(y))
			require.Error(t, err)
		})
	}
}

func TestMissingSourceColumn(t *testing.T) {
	t.Parallel()
	m, err := mapping.Parse([]byte("sources: [{file: learners.csv, emit: {orgs: [{sourcedId: \"{Nope}\", name: x, type: school}]}}]\n"))
	require.NoError(t, err)
	res, err := m.Build(os.DirFS("testdata"))
	require.NoError(t, err)
	require.NotEmpty(t, res.Issues)
	assert.Equal(t, `learners.csv:2: no column "Nope"`, res.Issues[0].String())
	assert.Equal(t, "Nope", res.Issues[0].Field, "C44: the issue names its column")
}
