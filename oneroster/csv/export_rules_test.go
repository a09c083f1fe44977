package csv

// C46: our CSV exports checked against the rules of two independent readers,
// restated here (no code copied, and none of our own decoder used):
//
//   - Moodle's CSV client (catalyst/moodle-enrol_oneroster,
//     classes/local/v1p1/csv_client_const_helper.php and csv_client_helper.php):
//     the five files it requires, exact headers, and a data type per column
//     (GUID, status, datetime, date, year, enumerations, grade codes,
//     {type:id} userIds, e-mail, integer periods, human-readable strings).
//   - LongsightGroup/oneroster's validator (src/one-roster-csv-record-field-parsers.ts
//     and its conformance scenarios): manifest shape, spec column order,
//     blank status and dateLastModified in bulk files, GUIDs of 1-255 of
//     0-9 A-Z a-z . - _ / @, YYYY-MM-DD dates, YYYY years, true/false,
//     {type:id} items, subjects and subjectCodes of equal length, no empty list
//     items, no file with a header and no rows.
//
// Not mirrored: Moodle's validate_user_data wants every user to carry an
// identifier and a password; we never export passwords (users are told
// theirs by the tenant, not by a file), so Moodle's CSV mode would have to
// create its users with its own auth plugin. Moodle's human-readable string
// rule (letters, digits, spaces and . , - only) refuses legitimate names with
// quotes, apostrophes or parentheses; we export names as given, so the Moodle
// checks run on a roster whose names fit that rule (testdata/moodle11).

import (
	"bytes"
	"context"
	stdcsv "encoding/csv"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/oneroster/memstore"
)

// exported imports a fixture and exports it as version; it returns the
// files' raw bytes by name.
func exported(t *testing.T, dir, version string) map[string][]byte {
	t.Helper()
	st := memstore.New()
	fsys := fixture(t, dir, nil)
	if dir == "v12extra" {
		fsys = extraFixture(t, nil)
	}
	rep, err := importFS(t, st, fsys, Options{}, ImportOptions{})
	require.NoError(t, err)
	require.Empty(t, rep.Rejects)
	out := t.TempDir()
	require.NoError(t, Export(context.Background(), st, "t1", version, out))
	ents, err := os.ReadDir(out)
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(out, e.Name()))
		require.NoError(t, err)
		files[e.Name()] = b
	}
	return files
}

// table reads an exported CSV: header and rows.
func table(t *testing.T, raw []byte) ([]string, [][]string) {
	t.Helper()
	recs, err := stdcsv.NewReader(bytes.NewReader(raw)).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	return recs[0], recs[1:]
}

var (
	guidRule     = regexp.MustCompile(`^[0-9A-Za-z._/@-]{1,255}$`)
	dateRule     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	datetimeRule = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
	yearRule     = regexp.MustCompile(`^\d{4}$`)
	// moodleUserID is Moodle's {type:id} item: letters and digits only.
	moodleUserID = regexp.MustCompile(`^\{[a-zA-Z0-9]+:[a-zA-Z0-9]+\}$`)
	humanRule    = regexp.MustCompile(`^[\p{L}\p{N}\s.,-]+$`)
	ceds         = map[string]bool{"IT": true, "PR": true, "PK": true, "TK": true, "KG": true, "01": true, "02": true, "03": true, "04": true, "05": true, "06": true, "07": true, "08": true, "09": true, "10": true, "11": true, "12": true, "13": true, "PS": true, "UG": true, "Other": true}
)

func items(v string) []string {
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func oneOf(vals ...string) func(string) bool {
	return func(v string) bool {
		for _, x := range vals {
			if strings.EqualFold(v, x) { // Moodle lower-cases before comparing
				return true
			}
		}
		return false
	}
}

// moodleTypes are Moodle's per-column checks for its five 1.1 files; a
// column's value must pass, or be blank when nullable.
type moodleType struct {
	nullable bool
	ok       func(string) bool
}

func all(ok func(string) bool) func(string) bool {
	return func(v string) bool {
		for _, it := range items(v) {
			if !ok(it) {
				return false
			}
		}
		return true
	}
}

var (
	mGUID     = moodleType{ok: guidRule.MatchString}
	mGUIDNull = moodleType{nullable: true, ok: guidRule.MatchString}
	mStatus   = moodleType{nullable: true, ok: oneOf("active", "tobedeleted", "inactive")}
	mDateTime = moodleType{nullable: true, ok: func(v string) bool { return datetimeRule.MatchString(v) || dateRule.MatchString(v) }}
	mDate     = moodleType{ok: dateRule.MatchString}
	mDateNull = moodleType{nullable: true, ok: dateRule.MatchString}
	mString   = moodleType{ok: humanRule.MatchString}
	mStrNull  = moodleType{nullable: true, ok: humanRule.MatchString}
	mBool     = moodleType{ok: oneOf("true", "false")}
	mGrades   = moodleType{nullable: true, ok: all(func(g string) bool { return ceds[g] })}
	mPeriods  = moodleType{nullable: true, ok: all(func(p string) bool { _, err := strconv.Atoi(p); return err == nil })}
	mList     = moodleType{nullable: true, ok: func(string) bool { return true }}
	mEmail    = moodleType{nullable: true, ok: func(v string) bool { a, err := mail.ParseAddress(v); return err == nil && a.Address == v }}
)

var moodleFiles = map[string]struct {
	header []string
	types  []moodleType
}{
	"academicSessions.csv": {
		[]string{"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"},
		[]moodleType{mGUID, mStatus, mDateTime, mString, {ok: oneOf("gradingPeriod", "semester", "schoolYear", "term")}, mDate, mDate, mGUIDNull, {ok: yearRule.MatchString}},
	},
	"classes.csv": {
		[]string{"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"},
		[]moodleType{mGUID, mStatus, mDateTime, mString, mGrades, mGUID, mStrNull, {ok: oneOf("homeroom", "scheduled")}, mStrNull, mGUID, {ok: all(guidRule.MatchString)}, mList, mList, mPeriods},
	},
	"enrollments.csv": {
		[]string{"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"},
		[]moodleType{mGUID, mStatus, mDateTime, mGUID, mGUID, mGUID, {ok: oneOf("administrator", "proctor", "student", "teacher")}, {nullable: true, ok: oneOf("true", "false")}, mDateNull, mDateNull},
	},
	"orgs.csv": {
		[]string{"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"},
		[]moodleType{mGUID, mStatus, mDateTime, mString, {ok: oneOf("department", "school", "district", "local", "state", "national")}, mStrNull, mGUIDNull},
	},
	"users.csv": {
		[]string{"sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password"},
		[]moodleType{
			mGUID, mStatus, mDateTime, mBool,
			{ok: all(guidRule.MatchString)},
			{ok: oneOf("administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher")},
			mString,
			{nullable: true, ok: all(moodleUserID.MatchString)},
			mString, mString, mStrNull, mStrNull, mEmail,
			mStrNull, mStrNull,
			{nullable: true, ok: all(guidRule.MatchString)},
			mGrades,
			{nullable: true, ok: func(string) bool { return true }},
		},
	},
}

func TestExportPassesMoodleCSVRules(t *testing.T) {
	t.Parallel()
	files := exported(t, "moodle11", V11)
	for name, want := range moodleFiles {
		t.Run("C46/moodle11/"+name, func(t *testing.T) {
			t.Parallel()
			raw, ok := files[name]
			require.True(t, ok, "Moodle requires %s", name)
			assert.False(t, bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")), "no BOM: Moodle compares the first header name exactly")
			header, rows := table(t, raw)
			require.Equal(t, want.header, header, "Moodle compares headers exactly")
			require.NotEmpty(t, rows)
			for i, row := range rows {
				for c, typ := range want.types {
					v := row[c]
					if strings.TrimSpace(v) == "" {
						assert.True(t, typ.nullable, "%s:%d %s is required by Moodle", name, i+2, header[c])
						continue
					}
					assert.True(t, typ.ok(v), "%s:%d %s %q fails Moodle's check", name, i+2, header[c], v)
				}
			}
		})
	}
	t.Run("C46/moodle11/manifest.csv: every bulk or delta file is present", func(t *testing.T) {
		t.Parallel()
		_, rows := table(t, files["manifest.csv"])
		for _, r := range rows {
			if r[1] == "bulk" || r[1] == "delta" {
				assert.Contains(t, files, strings.TrimPrefix(r[0], "file.")+".csv")
			}
		}
	})
}

// specHeaders are the spec column orders of oneroster.md §1.3, which were
// cross-checked against LongsightGroup's schema files.
var specHeaders = map[string]map[string]string{
	V11: {
		"academicSessions": "title,type,startDate,endDate,parentSourcedId,schoolYear",
		"orgs":             "name,type,identifier,parentSourcedId",
		"courses":          "schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes",
		"classes":          "title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
		"enrollments":      "classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate",
		"users":            "enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password",
		"demographics":     "birthDate,sex,americanIndianOrAlaskaNative,asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus",
		"categories":       "title",
		"lineItems":        "title,description,assignDate,dueDate,classSourcedId,categorySourcedId,gradingPeriodSourcedId,resultValueMin,resultValueMax",
		"results":          "lineItemSourcedId,studentSourcedId,scoreStatus,score,scoreDate,comment",
		"resources":        "vendorResourceId,title,roles,importance,vendorId,applicationId",
		"classResources":   "title,classSourcedId,resourceSourcedId",
		"courseResources":  "title,courseSourcedId,resourceSourcedId",
	},
	V12: {
		"users":               "enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns",
		"roles":               "userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId",
		"userProfiles":        "userSourcedId,profileType,vendorId,applicationId,description,credentialType,username,password",
		"categories":          "title,weight",
		"lineItems":           "title,description,assignDate,dueDate,classSourcedId,categorySourcedId,academicSessionSourcedId,resultValueMin,resultValueMax,schoolSourcedId",
		"results":             "lineItemSourcedId,studentSourcedId,scoreStatus,score,scoreDate,comment,textScore,classSourcedId,inProgress,incomplete,late,missing",
		"scoreScales":         "title,type,orgSourcedId,courseSourcedId,classSourcedId,scoreScaleValue",
		"lineItemScoreScales": "title,lineItemSourcedId,scoreScaleSourcedId",
		"resultScoreScales":   "title,resultSourcedId,scoreScaleSourcedId",
		"userResources":       "userSourcedId,orgSourcedId,classSourcedId,resourceSourcedId",
	},
}

func specHeader(version, file string) string {
	if h, ok := specHeaders[version][file]; ok {
		return "sourcedId,status,dateLastModified," + h
	}
	return "sourcedId,status,dateLastModified," + specHeaders[V11][file] // unchanged in 1.2
}

// columnRule is LongsightGroup's check for a column, chosen by its name.
func columnRule(col string) (string, func(string) bool) {
	switch {
	case col == "sourcedId" || strings.HasSuffix(col, "SourcedId"):
		return "GUID", guidRule.MatchString
	case strings.HasSuffix(col, "SourcedIds"):
		return "GUID list", all(guidRule.MatchString)
	case col == "schoolYear":
		return "year", yearRule.MatchString
	case strings.HasSuffix(col, "Date"):
		return "date", dateRule.MatchString
	case oneOf("enabledUser", "primary", "inProgress", "incomplete", "late", "missing", "americanIndianOrAlaskaNative", "asian",
		"blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity")(col):
		return "true/false", func(v string) bool { return v == "true" || v == "false" }
	case col == "userIds":
		return "{type:id} items", all(func(it string) bool {
			if !strings.HasPrefix(it, "{") || !strings.HasSuffix(it, "}") {
				return false
			}
			in := it[1 : len(it)-1]
			i := strings.Index(in, ":")
			return i > 0 && i == strings.LastIndex(in, ":") && i < len(in)-1
		})
	case oneOf("grades", "subjects", "subjectCodes", "periods", "roles", "scoreScaleValue")(col):
		return "no empty list item", all(func(it string) bool { return it != "" })
	}
	return "", nil
}

func TestExportPassesLongsightRules(t *testing.T) {
	t.Parallel()
	for _, src := range []struct{ dir, version string }{
		{"v11", V11}, {"v11", V12}, {"v12extra", V12}, {"v12extra", V11}, {"moodle11", V11}, {"moodle11", V12},
	} {
		t.Run("C46/longsight/"+src.dir+" as "+src.version, func(t *testing.T) {
			t.Parallel()
			files := exported(t, src.dir, src.version)
			header, rows := table(t, files["manifest.csv"])
			require.Equal(t, []string{"propertyName", "value"}, header, "manifest header")
			props := map[string]string{}
			for _, r := range rows {
				props[r[0]] = r[1]
			}
			assert.Equal(t, "1.0", props["manifest.version"])
			assert.Equal(t, src.version, props["oneroster.version"])
			for p, mode := range props {
				name, ok := strings.CutPrefix(p, "file.")
				if !ok {
					continue
				}
				_, present := files[name+".csv"]
				assert.Equal(t, mode != "absent", present, "%s is %s", name, mode)
			}
			for name, raw := range files {
				if name == "manifest.csv" {
					continue
				}
				file := strings.TrimSuffix(name, ".csv")
				assert.Contains(t, []string{"bulk", "delta"}, props["file."+file], "%s is declared", name)
				assert.True(t, bytes.Contains(raw, []byte("\r\n")), "%s uses CRLF (C13)", name)
				header, rows := table(t, raw)
				assert.Equal(t, specHeader(src.version, file), strings.Join(header, ","), "%s columns in spec order", name)
				assert.NotEmpty(t, rows, "%s: a file with no rows must be absent", name)
				for i, row := range rows {
					assert.Empty(t, row[1]+row[2], "%s:%d status and dateLastModified blank in bulk", name, i+2)
					for c, col := range header {
						what, ok := columnRule(col)
						if ok == nil || row[c] == "" {
							continue
						}
						assert.True(t, ok(row[c]), "%s:%d %s %q is not a valid %s", name, i+2, col, row[c], what)
					}
					if s, sc := indexOf(header, "subjects"), indexOf(header, "subjectCodes"); s >= 0 && row[sc] != "" {
						assert.Len(t, items(row[sc]), len(items(row[s])), "%s:%d subjects and subjectCodes pair up", name, i+2)
					}
				}
			}
		})
	}
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// Keep the dates honest: an exported date is a real calendar date.
func TestExportDatesAreCalendarDates(t *testing.T) {
	t.Parallel()
	files := exported(t, "v12extra", V12)
	for name, raw := range files {
		if name == "manifest.csv" {
			continue
		}
		header, rows := table(t, raw)
		for c, col := range header {
			if !strings.HasSuffix(col, "Date") {
				continue
			}
			for i, row := range rows {
				if row[c] == "" {
					continue
				}
				_, err := time.Parse(time.DateOnly, row[c])
				assert.NoError(t, err, "C46/%s:%d %s", name, i+2, col)
			}
		}
	}
}
