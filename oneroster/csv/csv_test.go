package csv

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/oneroster/memstore"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// fixture loads a testdata package folder into a MapFS with overrides; an
// override "-" removes the file.
func fixture(t testing.TB, dir string, overrides map[string]string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	ents, err := os.ReadDir(filepath.Join("testdata", dir))
	require.NoError(t, err)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("testdata", dir, e.Name()))
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

func importFS(t *testing.T, st *memstore.Store, fsys fstest.MapFS, opts Options, io ImportOptions) (Report, error) {
	t.Helper()
	p, err := OpenFS(fsys, opts)
	if err != nil {
		return Report{}, err
	}
	if io.Tenant == "" {
		io.Tenant = "t1"
	}
	if io.Now == nil {
		io.Now = func() time.Time { return t0 }
	}
	return Import(context.Background(), st, p, io)
}

func issues(r Report) []string {
	var out []string
	for _, is := range r.Rejects {
		out = append(out, is.String())
	}
	return out
}

func TestImportGolden(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"v11", "v12"} {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			st := memstore.New()
			rep, err := importFS(t, st, fixture(t, dir, nil), Options{}, ImportOptions{})
			require.NoError(t, err)
			assert.Empty(t, rep.Rejects)
			assert.True(t, rep.Changed())
			d, err := st.Changes(context.Background(), "t1", 0)
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, rep.Write(&buf))
			got, err := json.MarshalIndent(map[string]any{"delta": d, "report": strings.Split(buf.String(), "\n")}, "", "  ")
			require.NoError(t, err)
			golden := filepath.Join("testdata", dir+".golden.json")
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o600))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got))
		})
	}
}

func TestImportIdempotent(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	rep, err := importFS(t, st, fixture(t, "v11", nil), Options{}, ImportOptions{})
	require.NoError(t, err)
	require.True(t, rep.Changed())
	c1, _ := st.Cursor(context.Background(), "t1")
	rep, err = importFS(t, st, fixture(t, "v11", nil), Options{}, ImportOptions{Now: func() time.Time { return t0.Add(time.Hour) }})
	require.NoError(t, err)
	assert.False(t, rep.Changed())
	c2, _ := st.Cursor(context.Background(), "t1")
	assert.Equal(t, c1, c2)
	assert.Equal(t, 4, rep.Applied.Counts[oneroster.KindUser].Unchanged)
}

func TestStructureErrors(t *testing.T) {
	t.Parallel()
	manifest := func(old, repl string) string {
		b, err := os.ReadFile("testdata/v11/manifest.csv")
		require.NoError(t, err)
		return strings.Replace(string(b), old, repl, 1)
	}
	cases := []struct {
		name      string
		overrides map[string]string
		strict    bool
		want      string
	}{
		{"C2 no manifest", map[string]string{"manifest.csv": "-"}, false, "manifest.csv: missing manifest.csv"},
		{"C3 manifest header", map[string]string{"manifest.csv": manifest("propertyName,value", "property,value")}, false, "header must be exactly propertyName,value"},
		{"C4 manifest version", map[string]string{"manifest.csv": manifest("manifest.version,1.0", "manifest.version,2.0")}, false, "manifest.version must be 1.0"},
		{"C4 manifest version missing", map[string]string{"manifest.csv": manifest("manifest.version,1.0\n", "")}, false, "missing manifest.version"},
		{"C5 oneroster version", map[string]string{"manifest.csv": manifest("oneroster.version,1.1", "oneroster.version,1.0")}, false, "oneroster.version must be 1.1 or 1.2"},
		{"C6 blank mode", map[string]string{"manifest.csv": manifest("file.users,bulk", "file.users,")}, false, "file.users must be absent, bulk or delta"},
		{"C7 declared but missing", map[string]string{"users.csv": "-"}, false, "users.csv: declared bulk but missing"},
		{"C8 present but absent strict", map[string]string{"resources.csv": "x"}, true, "resources.csv: present but declared absent"},
		{"C9 unknown file entry", map[string]string{"manifest.csv": manifest("file.users,bulk", "file.users,bulk\nfile.pupils,bulk")}, false, `unknown file "pupils"`},
		{"C11 roles in 1.1", map[string]string{"roles.csv": "sourcedId\n1"}, false, "OneRoster 1.2 file in a 1.1 package"},
		{"C16 header case", map[string]string{"orgs.csv": "Sourcedid,status,dateLastModified,name,type,identifier,parentSourcedId\nx,,,X,school,,\n"}, false, `orgs.csv:1: missing header "sourcedId" (found "Sourcedid"`},
		{"C17 order strict", map[string]string{"orgs.csv": "sourcedId,status,dateLastModified,type,name,identifier,parentSourcedId\nx,,,school,X,,\n"}, true, "orgs.csv:1: columns are not in spec order"},
		{"C18 duplicate header", map[string]string{"orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId,name\nx,,,X,school,,,\n"}, false, `duplicate header "name"`},
		{"C20 no rows", map[string]string{"orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"}, false, "orgs.csv: no data rows"},
		{"C22 misspelt header", map[string]string{"users.csv": "sourcedId,status,datLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"}, false, `users.csv:1: missing header "dateLastModified" (found "datLastModified"`},
		{"C23 file name case", map[string]string{"Users.csv": "x"}, true, "Users.csv: unknown file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := importFS(t, memstore.New(), fixture(t, "v11", tc.overrides), Options{Strict: tc.strict}, ImportOptions{})
			var se *StructureError
			require.ErrorAs(t, err, &se)
			assert.Contains(t, se.Error(), tc.want)
		})
	}
}

func TestLenientStructure(t *testing.T) {
	t.Parallel()
	// Out-of-order columns and an undeclared file are warnings when not strict.
	p, err := OpenFS(fixture(t, "v11", map[string]string{
		"orgs.csv":      "sourcedId,status,dateLastModified,type,name,identifier,parentSourcedId\nmin-1,,,national,MoE,,\ndist-1,,,district,D,,min-1\nsch-1,,,school,S1,,dist-1\nsch-2,,,school,S2,,dist-1\n",
		"resources.csv": "x",
	}), Options{})
	require.NoError(t, err)
	var ws []string
	for _, w := range p.Warnings {
		ws = append(ws, w.String())
	}
	assert.Contains(t, ws, "orgs.csv:1: columns are not in spec order; read by name")
	assert.Contains(t, ws, "resources.csv: present but declared absent; ignored")
	rep, err := Import(context.Background(), memstore.New(), p, ImportOptions{Tenant: "t", Now: func() time.Time { return t0 }})
	require.NoError(t, err)
	assert.Empty(t, rep.Rejects)
}

const usersHdr = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"

func TestRowRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		overrides map[string]string
		want      []string
	}{
		{
			"C15 newline in field",
			map[string]string{"users.csv": usersHdr +
				"u-1,,,true,sch-1,student,a,,\"Ami\nna\",H,,,,,,,,\nu-2,,,true,sch-1,teacher,b,,J,O,,,,,,,,\nu-3,,,true,sch-1,guardian,c,,F,H,,,,,,,,\nu-4,,,true,sch-2,student,d,,Y,A,,,,,,,,\n"},
			[]string{"users.csv:2: field givenName contains a line break", "enrollments.csv:2: depends on rejected users.csv:2 (userSourcedId \"u-1\")", "demographics.csv:2: depends on rejected users.csv:2 (sourcedId \"u-1\")"},
		},
		{
			"C21 blank required and C24 bad date",
			map[string]string{"academicSessions.csv": "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\nsy-2025,,,SY,schoolYear,2024-09-01,2025-06-30,,2025\nterm-1,,,,term,1/05/2023,2025-01-31T00:00:00Z,sy-2025,25\nterm-2,,,T2,term,2025-02-01,2025-06-30,sy-2025,2025\n"},
			[]string{
				`academicSessions.csv:3: title is required; startDate must be a date YYYY-MM-DD, got "1/05/2023"; endDate must be a date YYYY-MM-DD, got "2025-01-31T00:00:00Z"; schoolYear must be a 4-digit year, got "25"`,
				`classes.csv:2: depends on rejected academicSessions.csv:3 (termSourcedIds "term-1")`, `classes.csv:3: depends on rejected academicSessions.csv:3 (termSourcedIds "term-1")`,
				`enrollments.csv:2: depends on rejected classes.csv:2 (classSourcedId "cls-1")`, `enrollments.csv:3: depends on rejected classes.csv:2 (classSourcedId "cls-1")`,
				`enrollments.csv:4: depends on rejected classes.csv:3 (classSourcedId "cls-2")`, `enrollments.csv:5: depends on rejected classes.csv:3 (classSourcedId "cls-2")`,
			},
		},
		{
			"C25 bad datetime, C27 bool, C32 status, C33 vocab",
			map[string]string{"users.csv": usersHdr +
				"u-1,active,2024-13-01T00:00:00Z,1,sch-1,pupil,a,,A,H,,,,,,,,\nu-2,deleted,,true,sch-1,teacher,b,,J,O,,,,,,,,\nu-3,,,true,sch-1,guardian,c,,F,H,,,,,,,,\nu-4,,,true,sch-2,student,d,,Y,A,,,,,,,,\n"},
			[]string{
				`users.csv:2: dateLastModified must be an ISO 8601 datetime like 2024-01-31T10:00:00.000Z, got "2024-13-01T00:00:00Z"; enabledUser must be true or false, got "1"; role "pupil" is not in the vocabulary`,
				`users.csv:3: status "deleted" must be active or tobedeleted`,
			},
		},
		{
			"C29 userIds, C30 grades",
			map[string]string{"users.csv": usersHdr +
				"u-1,,,true,sch-1,student,a,LTI:1,A,H,,,,,,,4th,\nu-2,,,true,sch-1,teacher,b,,J,O,,,,,,,,\nu-3,,,true,sch-1,guardian,c,,F,H,,,,,,,,\nu-4,,,true,sch-2,student,d,,Y,A,,,,,,,,\n"},
			[]string{`users.csv:2: userIds item "LTI:1" must look like {type:identifier}; grades "4th" is not a CEDS grade code`},
		},
		{
			"C34 duplicate sourcedId",
			map[string]string{"orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nmin-1,,,M,national,,\ndist-1,,,D,district,,min-1\nsch-1,,,S1,school,,dist-1\nsch-2,,,S2,school,,dist-1\nsch-1,,,S1 again,school,,dist-1\n"},
			[]string{`orgs.csv:6: duplicate sourcedId "sch-1" (first at line 4)`},
		},
		{
			"C35 missing reference in bulk",
			map[string]string{"enrollments.csv": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\ne-1,,,cls-1,sch-1,u-1,student,false,,\ne-9,,,cls-1,sch-1,u-99,student,false,,\n"},
			[]string{`enrollments.csv:3: userSourcedId "u-99" refers to a missing users record`},
		},
		{
			"C37 parent cycle",
			map[string]string{"orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nmin-1,,,M,national,,\ndist-1,,,D,district,,min-1\nsch-1,,,S1,school,,dist-1\nsch-2,,,S2,school,,dist-1\nx,,,X,local,,y\ny,,,Y,local,,x\n"},
			[]string{`orgs.csv:6: parentSourcedId cycle through "x"`, `orgs.csv:7: parentSourcedId cycle through "x"`},
		},
		{
			"C38 demographics of unknown user",
			map[string]string{"demographics.csv": "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus\nu-77,,,2015-01-01,female,,,,,,,,,,,\n"},
			[]string{`demographics.csv:2: sourcedId "u-77" refers to a missing users record`},
		},
		{
			"C31 decimals and C33 scoreStatus",
			map[string]string{"results.csv": "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score,scoreDate,comment\nres-1,,,li-1,u-1,graded,ten,2024-10-09,\nres-2,,,li-9,u-1,exempt,1e3,2024-10-09,\n"},
			[]string{`results.csv:2: scoreStatus "graded" is not in the vocabulary; score must be a decimal number, got "ten"`, `results.csv:3: score must be a decimal number, got "1e3"`},
		},
		{
			"C35 gradebook references",
			map[string]string{"results.csv": "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score,scoreDate,comment\nres-1,,,li-9,u-1,exempt,1.5,2024-10-09,\n"},
			[]string{`results.csv:2: lineItemSourcedId "li-9" refers to a missing lineItems record`},
		},
		{
			"C33 ext token only in 1.2",
			map[string]string{"orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nmin-1,,,M,national,,\ndist-1,,,D,district,,min-1\nsch-1,,,S1,school,,dist-1\nsch-2,,,S2,ext:camp,,dist-1\n"},
			[]string{`orgs.csv:5: type "ext:camp" is not in the vocabulary`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := memstore.New()
			rep, err := importFS(t, st, fixture(t, "v11", tc.overrides), Options{}, ImportOptions{})
			require.NoError(t, err)
			got := issues(rep)
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
			// C44: every reject names its column (or the whole row), and the
			// column is the one the message is about.
			for _, is := range rep.Rejects {
				require.NotEmpty(t, is.Field, "%s", is)
				if is.Field != WholeRow && !strings.HasPrefix(is.Reason, "depends on") && !strings.HasPrefix(is.Reason, "duplicate") {
					assert.Contains(t, is.Reason, is.Field, "%s", is)
				}
			}
			// Rejected rows are never applied.
			for _, is := range rep.Rejects {
				if is.SourcedID == "" || is.File == "enrollments.csv" && is.SourcedID == "e-1" {
					continue
				}
				k := fileKind[strings.TrimSuffix(is.File, ".csv")]
				r, err := st.Record(context.Background(), "t1", k, is.SourcedID)
				if err == nil {
					assert.NotEqual(t, -1, is.Line, r.SourcedID)
				}
			}
		})
	}
}

func TestRejectedRowsNotApplied(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	rep, err := importFS(t, st, fixture(t, "v11", map[string]string{"users.csv": usersHdr +
		"u-1,,,true,sch-1,pupil,a,,A,H,,,,,,,,\nu-2,,,true,sch-1,teacher,b,,J,O,,,,,,,,\nu-3,,,true,sch-1,guardian,c,,F,H,,,,,,,,\nu-4,,,true,sch-2,student,d,,Y,A,,,,,,,,\n"}), Options{}, ImportOptions{})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = st.Record(ctx, "t1", oneroster.KindUser, "u-1")
	require.Error(t, err)
	_, err = st.Record(ctx, "t1", oneroster.KindEnrollment, "e-1")
	require.Error(t, err, "an enrollment of a rejected user is rejected too")
	_, err = st.Record(ctx, "t1", oneroster.KindEnrollment, "e-2")
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, rep.Write(&buf))
	assert.Contains(t, buf.String(), "users.csv: 3 applied, 1 rejected\n")
	assert.Contains(t, buf.String(), "enrollments.csv: 3 applied, 1 rejected\n")
	buf.Reset()
	require.NoError(t, rep.WriteCSV(&buf))
	assert.Equal(t, "file,rowNumber,sourcedId,field,status,message\n"+
		"users.csv,2,u-1,role,rejected,\"role \"\"pupil\"\" is not in the vocabulary\"\n"+
		"demographics.csv,2,u-1,sourcedId,rejected,\"depends on rejected users.csv:2 (sourcedId \"\"u-1\"\")\"\n"+
		"enrollments.csv,2,e-1,userSourcedId,rejected,\"depends on rejected users.csv:2 (userSourcedId \"\"u-1\"\")\"\n"+
		"results.csv,2,res-1,studentSourcedId,rejected,\"depends on rejected users.csv:2 (studentSourcedId \"\"u-1\"\")\"\n", buf.String(), "C44")
}

func TestStrict(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	// The v11 fixture has TRUE and grade 9: lenient parses become rejects.
	rep, err := importFS(t, st, fixture(t, "v11", nil), Options{Strict: true}, ImportOptions{})
	var re *RefusedError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, issues(rep), `users.csv:5: enabledUser must be true or false, got "TRUE"; grades "9" is not a CEDS grade code (use 09)`)
	c, _ := st.Cursor(context.Background(), "t1")
	assert.Zero(t, c, "nothing applied")
}

const enrHdr = "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n"

func deltaManifest(files ...string) string {
	var b strings.Builder
	b.WriteString("propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n")
	for f := range columns11 {
		mode := "absent"
		for _, x := range files {
			if x == f {
				mode = "delta"
			}
		}
		b.WriteString("file." + f + "," + mode + "\n")
	}
	return b.String()
}

func TestDelta(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memstore.New()
	_, err := importFS(t, st, fixture(t, "v11", nil), Options{}, ImportOptions{})
	require.NoError(t, err)
	c1, _ := st.Cursor(ctx, "t1")

	delta := fstest.MapFS{
		"manifest.csv": {Data: []byte(deltaManifest("enrollments"))},
		"enrollments.csv": {Data: []byte(enrHdr +
			"e-5,active,2026-01-16T00:00:00.000Z,cls-2,sch-2,u-1,student,false,,\n" + // C36 stored refs ok
			"e-6,active,2026-01-16T00:00:00.000Z,cls-2,sch-2,u-404,student,false,,\n" + // C36 unknown
			"e-1,tobedeleted,2026-01-16T00:00:00.000Z,,,,,,,\n" + // D2
			"e-404,tobedeleted,2026-01-16T00:00:00.000Z,,,,,,,\n" + // D3 no-op
			"e-2,active,,cls-1,sch-1,u-2,teacher,true,,\n")}, // delta needs status and dlm
	}
	rep, err := importFS(t, st, delta, Options{}, ImportOptions{Now: func() time.Time { return t0.Add(time.Hour) }})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		`enrollments.csv:3: userSourcedId "u-404" refers to a users record that is neither in the package nor stored`,
		`enrollments.csv:6: dateLastModified is required`,
	}, issues(rep))
	cnt := rep.Applied.Counts[oneroster.KindEnrollment]
	assert.Equal(t, oneroster.Counts{Created: 1, Deleted: 1, Unchanged: 1}, cnt)
	e1, err := st.Record(ctx, "t1", oneroster.KindEnrollment, "e-1")
	require.NoError(t, err)
	assert.Equal(t, oneroster.StatusToBeDeleted, e1.Status, "D7 deletions stay as tobedeleted")
	d, err := st.Changes(ctx, "t1", c1)
	require.NoError(t, err)
	assert.Equal(t, []oneroster.Ref{{Kind: oneroster.KindEnrollment, SourcedID: "e-1"}}, d.Deletes)
	require.Len(t, d.Upserts.Enrollments, 1)
	assert.Equal(t, "e-5", d.Upserts.Enrollments[0].SourcedID)

	// D4 replay is idempotent; D5 an older row does not overwrite.
	rep, err = importFS(t, st, delta, Options{}, ImportOptions{Now: func() time.Time { return t0.Add(2 * time.Hour) }})
	require.NoError(t, err)
	assert.False(t, rep.Changed())
	old := fstest.MapFS{
		"manifest.csv":    {Data: []byte(deltaManifest("enrollments"))},
		"enrollments.csv": {Data: []byte(enrHdr + "e-5,active,2026-01-10T00:00:00.000Z,cls-2,sch-2,u-1,teacher,false,,\n")},
	}
	rep, err = importFS(t, st, old, Options{}, ImportOptions{Now: func() time.Time { return t0.Add(3 * time.Hour) }})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Applied.Counts[oneroster.KindEnrollment].Stale)
}

func TestDeletionGuard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memstore.New()
	_, err := importFS(t, st, fixture(t, "v11", nil), Options{}, ImportOptions{})
	require.NoError(t, err)
	// A bulk enrollments file that drops 3 of 4 enrollments (and u-4's).
	shrunk := map[string]string{"enrollments.csv": enrHdr + "e-1,,,cls-1,sch-1,u-1,student,false,2024-09-01,2025-06-30\n"}
	rep, err := importFS(t, st, fixture(t, "v11", shrunk), Options{}, ImportOptions{})
	var de *oneroster.DeletionError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, [2]int{3, 4}, de.Over[oneroster.KindEnrollment])
	assert.Contains(t, err.Error(), "3 of 4 enrollments")
	assert.Equal(t, [2]int{3, 4}, rep.Deletions[oneroster.KindEnrollment])
	e2, _ := st.Record(ctx, "t1", oneroster.KindEnrollment, "e-2")
	assert.Equal(t, oneroster.StatusActive, e2.Status, "nothing applied")

	// A share above the configured one passes; --allow-deletions passes.
	for _, g := range []oneroster.Guard{{MaxShare: 0.8}, {Allow: true}} {
		s2 := memstore.New()
		_, err := importFS(t, s2, fixture(t, "v11", nil), Options{}, ImportOptions{})
		require.NoError(t, err)
		rep, err = importFS(t, s2, fixture(t, "v11", shrunk), Options{}, ImportOptions{Guard: g})
		require.NoError(t, err)
		assert.Equal(t, 3, rep.Applied.Counts[oneroster.KindEnrollment].Deleted)
		e2, _ = s2.Record(ctx, "t1", oneroster.KindEnrollment, "e-2")
		assert.Equal(t, oneroster.StatusToBeDeleted, e2.Status, "D1 bulk implies deletion")
	}
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	rep, err := importFS(t, st, fixture(t, "v11", nil), Options{}, ImportOptions{DryRun: true})
	require.NoError(t, err)
	assert.Equal(t, FileCount{File: "users.csv", Mode: Bulk, Applied: 4}, rep.Files[4])
	assert.Zero(t, rep.Applied.Cursor)
	c, _ := st.Cursor(context.Background(), "t1")
	assert.Zero(t, c)
}

func zipDir(t *testing.T, dir, prefix string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "p.zip")
	f, err := os.Create(out)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		w, err := zw.Create(prefix + e.Name())
		require.NoError(t, err)
		_, err = w.Write(b)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	return out
}

func TestOpenZipAndFolder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, path string
		wantErr    string
	}{
		{"C1 zip at root", zipDir(t, "testdata/v12", ""), ""},
		{"folder", "testdata/v11", ""},
		{"C1 zip in sub-folder", zipDir(t, "testdata/v11", "export/"), "file is in a sub-folder"},
		{"not a package", "csv_test.go", "not a zip file or folder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Open(tc.path, Options{})
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			defer func() { require.NoError(t, p.Close()) }()
			rep, err := Import(context.Background(), memstore.New(), p, ImportOptions{Tenant: "t"})
			require.NoError(t, err)
			assert.Empty(t, rep.Rejects)
		})
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	_, err := importFS(t, st, fixture(t, "v11", nil), Options{}, ImportOptions{Tenant: "a"})
	require.NoError(t, err)
	// A delta in tenant b cannot refer to tenant a's records.
	delta := fstest.MapFS{
		"manifest.csv":    {Data: []byte(deltaManifest("enrollments"))},
		"enrollments.csv": {Data: []byte(enrHdr + "e-5,active,2026-01-16T00:00:00.000Z,cls-2,sch-2,u-1,student,false,,\n")},
	}
	rep, err := importFS(t, st, delta, Options{}, ImportOptions{Tenant: "b"})
	require.NoError(t, err)
	assert.Len(t, rep.Rejects, 1)
	recs, _ := st.Records(context.Background(), "b", oneroster.KindUser)
	assert.Empty(t, recs)
}

func TestMetadataColumns(t *testing.T) {
	t.Parallel()
	st := memstore.New()
	_, err := importFS(t, st, fixture(t, "v11", nil), Options{}, ImportOptions{})
	require.NoError(t, err)
	r, err := st.Record(context.Background(), "t1", oneroster.KindUser, "u-1")
	require.NoError(t, err)
	e, err := oneroster.Decode(r)
	require.NoError(t, err)
	u := e.(*oneroster.User)
	assert.Equal(t, map[string]string{"camp": "Block A"}, u.Metadata, "C19")
	assert.Equal(t, []oneroster.UserID{{Type: "LTI", Identifier: "lti-1"}, {Type: "UNHCR", Identifier: "123-45"}}, u.UserIDs, "C29")
	assert.Empty(t, u.Password)
}

func TestErrorsAreTyped(t *testing.T) {
	t.Parallel()
	_, err := Open(filepath.Join(t.TempDir(), "nope.zip"), Options{})
	var se *StructureError
	assert.ErrorAs(t, err, &se)
}

func TestCascadeDeletes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memstore.New()
	_, err := importFS(t, st, fixture(t, "v11", nil), Options{}, ImportOptions{})
	require.NoError(t, err)
	delta := fstest.MapFS{
		"manifest.csv": {Data: []byte(deltaManifest("classes"))},
		"classes.csv": {Data: []byte("sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n" +
			"cls-1,tobedeleted,2026-01-16T00:00:00.000Z,,,,,,,,,,,\n")},
	}
	// D10: ending half the enrollments trips the guard.
	_, err = importFS(t, st, delta, Options{}, ImportOptions{})
	var de *oneroster.DeletionError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, [2]int{2, 4}, de.Over[oneroster.KindEnrollment])

	rep, err := importFS(t, st, delta, Options{}, ImportOptions{Guard: oneroster.Guard{Allow: true}})
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Applied.Counts[oneroster.KindEnrollment].Deleted, "D2 deleting a class ends its enrollments")
	for id, want := range map[string]oneroster.Status{"e-1": oneroster.StatusToBeDeleted, "e-2": oneroster.StatusToBeDeleted, "e-3": oneroster.StatusActive} {
		r, err := st.Record(ctx, "t1", oneroster.KindEnrollment, id)
		require.NoError(t, err)
		assert.Equal(t, want, r.Status, id)
	}
}

func TestLenientValues(t *testing.T) {
	t.Parallel()
	orgs := "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n" +
		"min-1,inactive,2024-01-31,M,national,,\ndist-1,,,D,district,,min-1\nsch-1,,,S1,school,,dist-1\nsch-2,,,S2,school,,dist-1\n"
	for _, strict := range []bool{false, true} {
		p, err := OpenFS(fixture(t, "v11", map[string]string{"orgs.csv": orgs}), Options{Strict: strict})
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"systemName": "Ministry EMIS", "systemCode": "EMIS-1"}, p.Source, "C10")
		pl, err := Validate(context.Background(), p, nil)
		require.NoError(t, err)
		var rej, warn []string
		for _, is := range pl.Rejects {
			rej = append(rej, is.String())
		}
		for _, is := range pl.Warnings {
			warn = append(warn, is.String())
		}
		if strict {
			assert.Contains(t, rej, `orgs.csv:2: status "inactive" must be active or tobedeleted; dateLastModified must be a datetime like 2024-01-31T10:00:00.000Z, got date "2024-01-31"`)
			continue
		}
		assert.NotContains(t, strings.Join(rej, "\n"), "orgs.csv:2")
		assert.Contains(t, warn, "orgs.csv:2: status inactive read as active", "C32")
		assert.Contains(t, warn, "orgs.csv:2: dateLastModified is a date, read as midnight UTC", "C25")
	}
}

// D11: a bulk then a delta gives the same roster as one equivalent bulk.
func TestBulkThenDeltaEqualsFullSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := memstore.New()
	_, err := importFS(t, a, fixture(t, "v11", nil), Options{}, ImportOptions{})
	require.NoError(t, err)
	delta := fstest.MapFS{
		"manifest.csv": {Data: []byte(deltaManifest("enrollments"))},
		"enrollments.csv": {Data: []byte(enrHdr +
			"e-4,tobedeleted,2026-01-16T00:00:00.000Z,,,,,,,\n" +
			"e-5,active,2026-01-16T00:00:00.000Z,cls-2,sch-2,u-1,student,false,,\n")},
	}
	_, err = importFS(t, a, delta, Options{}, ImportOptions{Guard: oneroster.Guard{Allow: true}})
	require.NoError(t, err)

	b := memstore.New()
	full := fixture(t, "v11", map[string]string{"enrollments.csv": enrHdr +
		"e-1,,,cls-1,sch-1,u-1,student,false,2024-09-01,2025-06-30\ne-2,,,cls-1,sch-1,u-2,teacher,true,,\n" +
		"e-3,,,cls-2,sch-2,u-4,student,false,,\ne-5,,,cls-2,sch-2,u-1,student,false,,\n"})
	_, err = importFS(t, b, full, Options{}, ImportOptions{})
	require.NoError(t, err)

	for _, k := range oneroster.AllKinds() {
		ra, err := a.Records(ctx, "t1", k)
		require.NoError(t, err)
		rb, err := b.Records(ctx, "t1", k)
		require.NoError(t, err)
		var active []string
		for _, r := range ra {
			if r.Status == oneroster.StatusActive {
				active = append(active, r.SourcedID)
			}
		}
		var want []string
		for _, r := range rb {
			want = append(want, r.SourcedID)
		}
		assert.Equal(t, want, active, k)
		for i, r := range rb {
			for _, x := range ra {
				if x.SourcedID == r.SourcedID {
					assert.Equal(t, r.Hash, x.Hash, "%s %s", k, rb[i].SourcedID)
				}
			}
		}
	}
}

func TestShortRowsWithReorderedHeader(t *testing.T) {
	t.Parallel()
	// name is the last column: a row that stops before it is a reject, not
	// a crash.
	orgs := "sourcedId,status,dateLastModified,type,identifier,parentSourcedId,name\nmin-1,,,national,,,M\ndist-1,,,district,,min-1,D\nsch-1,,,school,,dist-1,S1\nsch-2,,,school,,dist-1\n"
	rep, err := importFS(t, memstore.New(), fixture(t, "v11", map[string]string{"orgs.csv": orgs}), Options{}, ImportOptions{})
	require.NoError(t, err)
	assert.Contains(t, issues(rep), "orgs.csv:5: expected 7 fields, got 6")
	assert.Equal(t, "sch-2", rep.Rejects[0].SourcedID, "a short row still names its record, so a bulk import keeps it")
}
