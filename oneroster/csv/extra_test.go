package csv

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/oneroster/memstore"
)

// extraFixture is the 1.2 fixture with the gradebook and resources files of
// testdata/v12extra added, with overrides ("-" removes a file).
func extraFixture(t testing.TB, overrides map[string]string) fstest.MapFS {
	t.Helper()
	m := fixture(t, "v12", nil)
	ents, err := os.ReadDir(filepath.Join("testdata", "v12extra"))
	require.NoError(t, err)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("testdata", "v12extra", e.Name()))
		require.NoError(t, err)
		m[e.Name()] = &fstest.MapFile{Data: b}
	}
	for k, v := range overrides {
		if v == "-" {
			delete(m, k)
			continue
		}
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

func decodeOne(t *testing.T, st *memstore.Store, k oneroster.Kind, id string) oneroster.Entity {
	t.Helper()
	r, err := st.Record(context.Background(), "t1", k, id)
	require.NoError(t, err)
	e, err := oneroster.Decode(r)
	require.NoError(t, err)
	return e
}

// TestImportScoreScalesAndResources12 imports a 1.2 package with every
// gradebook file (scoreScales, lineItemScoreScales, resultScoreScales) and
// every resources file (resources, classResources, courseResources,
// userResources), and exports it back.
func TestImportScoreScalesAndResources12(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	rep, err := importFS(t, st, extraFixture(t, nil), Options{}, ImportOptions{})
	require.NoError(t, err)
	assert.Empty(t, issues(rep))
	for _, w := range rep.Warnings {
		assert.NotContains(t, w.Reason, "not imported", "%s", w)
	}
	ss := decodeOne(t, st, oneroster.KindScoreScale, "ss-1").(*oneroster.ScoreScale)
	assert.Equal(t, "Letter grades", ss.Title)
	assert.Equal(t, "cls-1", ss.Class)
	assert.Equal(t, []oneroster.ScoreScaleValue{{ItemValueLHS: "A", ItemValueRHS: "90-100"}, {ItemValueLHS: "B", ItemValueRHS: "80-89"}, {ItemValueLHS: "C", ItemValueRHS: "0-79"}}, ss.Values)
	liss := decodeOne(t, st, oneroster.KindLineItemScoreScale, "liss-1").(*oneroster.LineItemScoreScale)
	assert.Equal(t, "li-1", liss.LineItem)
	assert.Equal(t, "ss-1", liss.ScoreScale)
	rss := decodeOne(t, st, oneroster.KindResultScoreScale, "rss-1").(*oneroster.ResultScoreScale)
	assert.Equal(t, "res-1", rss.Result)
	rsc := decodeOne(t, st, oneroster.KindResource, "rsc-1").(*oneroster.Resource)
	assert.Equal(t, []string{"student", "teacher"}, rsc.Roles)
	assert.Equal(t, "primary", rsc.Importance)
	assert.Equal(t, "cls-1", decodeOne(t, st, oneroster.KindClassResource, "cr-1").(*oneroster.ClassResource).Class)
	assert.Equal(t, "crs-lit", decodeOne(t, st, oneroster.KindCourseResource, "cor-1").(*oneroster.CourseResource).Course)
	ur := decodeOne(t, st, oneroster.KindUserResource, "ur-1").(*oneroster.UserResource)
	assert.Equal(t, "u-4", ur.User)
	assert.Equal(t, "rsc-2", ur.Resource)

	// Idempotent, and the export re-imports to the same records.
	rep, err = importFS(t, st, extraFixture(t, nil), Options{}, ImportOptions{})
	require.NoError(t, err)
	assert.False(t, rep.Changed())
	dir := t.TempDir()
	require.NoError(t, Export(context.Background(), st, "t1", V12, dir))
	for _, f := range []string{"scoreScales", "lineItemScoreScales", "resultScoreScales", "resources", "classResources", "courseResources", "userResources"} {
		b, err := os.ReadFile(filepath.Join(dir, f+".csv"))
		require.NoError(t, err, f)
		want, err := os.ReadFile(filepath.Join("testdata", "v12extra", f+".csv"))
		require.NoError(t, err)
		assert.Len(t, splitLines(string(b)), len(splitLines(string(want))), f)
	}
	st2 := memstore.New()
	p, err := Open(dir, Options{})
	require.NoError(t, err)
	defer p.Close()
	rep, err = Import(context.Background(), st2, p, ImportOptions{Tenant: "t1"})
	require.NoError(t, err)
	assert.Empty(t, issues(rep))
	assert.Equal(t, ss.Values, decodeOne(t, st2, oneroster.KindScoreScale, "ss-1").(*oneroster.ScoreScale).Values)
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSuffix(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestScoreScaleAndResourceRejects checks the row rules of the new files,
// each reject with its field (C44).
func TestScoreScaleAndResourceRejects(t *testing.T) {
	t.Parallel()
	const ssHdr = "sourcedId,status,dateLastModified,title,type,orgSourcedId,courseSourcedId,classSourcedId,scoreScaleValue\n"
	const rHdr = "sourcedId,status,dateLastModified,vendorResourceId,title,roles,importance,vendorId,applicationId\n"
	const urHdr = "sourcedId,status,dateLastModified,userSourcedId,orgSourcedId,classSourcedId,resourceSourcedId\n"
	for _, tc := range []struct {
		name, file, body string
		want             []string
		field            string
	}{
		{
			"scale value shape", "scoreScales.csv", ssHdr + "ss-1,,,T,letter,sch-1,,,A-90\nss-2,,,P,passfail,sch-2,,,{P:pass}\n",
			[]string{`scoreScales.csv:2: scoreScaleValue item "A-90" must look like {itemValueLHS:itemValueRHS}`},
			"scoreScaleValue",
		},
		{
			"scale value required", "scoreScales.csv", ssHdr + "ss-1,,,T,letter,sch-1,,,{A:1}\nss-2,,,P,passfail,sch-2,,,\n",
			[]string{`scoreScales.csv:3: scoreScaleValue is required`},
			"scoreScaleValue",
		},
		{
			"scale unknown class", "scoreScales.csv", ssHdr + "ss-1,,,T,letter,sch-1,,cls-404,{A:1}\nss-2,,,P,passfail,sch-2,,,{P:pass}\n",
			[]string{`scoreScales.csv:2: classSourcedId "cls-404" refers to a missing classes record`},
			"classSourcedId",
		},
		{
			"importance vocabulary", "resources.csv", rHdr + "rsc-1,,,k,,,urgent,,\nrsc-2,,,r,,,,,\n",
			[]string{`resources.csv:2: importance "urgent" is not in the vocabulary`},
			"importance",
		},
		{
			"resource roles vocabulary", "resources.csv", rHdr + "rsc-1,,,k,,\"student,wizard\",,,\nrsc-2,,,r,,,,,\n",
			[]string{`resources.csv:2: roles "wizard" is not in the vocabulary`},
			"roles",
		},
		{
			"user resource unknown resource", "userResources.csv", urHdr + "ur-1,,,u-4,,,rsc-404\n",
			[]string{`userResources.csv:2: resourceSourcedId "rsc-404" refers to a missing resources record`},
			"resourceSourcedId",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := importFS(t, memstore.New(), extraFixture(t, map[string]string{tc.file: tc.body}), Options{}, ImportOptions{DryRun: true})
			require.NoError(t, err)
			var got []string
			for _, is := range rep.Rejects {
				if is.File == tc.file {
					got = append(got, is.String())
					assert.Equal(t, tc.field, is.Field, "%s", is)
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestRejectFields checks the field of rejects that are about no single
// decoded value (C44): a short row, a line break, a duplicate, a dependent
// row, a parent cycle.
func TestRejectFields(t *testing.T) {
	t.Parallel()
	rep, err := importFS(t, memstore.New(), fixture(t, "v11", map[string]string{
		"orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nmin-1,,,M,national,,\ndist-1,,,D,district,,min-1\nsch-1,,,S1,school,,dist-1\nsch-2,,,S2,school,,dist-1\nsch-1,,,dup,school,,\nx,,,X,local,,y\ny,,,Y,local,,x\nshort,,\nz,,,\"Z\nZ\",local,,\n",
	}), Options{}, ImportOptions{DryRun: true})
	require.NoError(t, err)
	got := map[int]string{}
	for _, is := range rep.Rejects {
		if is.File == "orgs.csv" {
			got[is.Line] = is.Field
		}
	}
	assert.Equal(t, map[int]string{6: "sourcedId", 7: "parentSourcedId", 8: "parentSourcedId", 9: WholeRow, 10: "name"}, got)
	var b bytes.Buffer
	require.NoError(t, rep.WriteCSV(&b))
	assert.Contains(t, b.String(), "orgs.csv,6,sch-1,sourcedId,rejected,")
}
