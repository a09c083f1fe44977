package rostersync

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/oneroster"
	orcsv "github.com/passportbridge/passport/oneroster/csv"
)

// SnapshotImporter applies pulled rosters through the OneRoster CSV import
// pipeline: the snapshot is written as a OneRoster 1.1 package (in memory)
// and imported with the same validation, dependency checks and deletion
// guard as `passport oneroster import`.
type SnapshotImporter struct {
	Store orcsv.Target
	Clock func() time.Time
}

var _ RosterImporter = SnapshotImporter{}

// ImportSnapshot applies s to the tenant. With bulk the files the snapshot
// fills are declared bulk: stored records of those kinds it lacks are
// removed (the deletion guard refuses a pull that would remove too much);
// otherwise they are declared delta (upserts only).
func (im SnapshotImporter) ImportSnapshot(ctx context.Context, tenant, source string, s oneroster.Snapshot, opt ImportOptions) (connectors.Report, error) {
	var rep connectors.Report
	now := time.Now
	if im.Clock != nil {
		now = im.Clock
	}
	fsys, err := SnapshotPackage(s, opt.Bulk, now().UTC())
	if err != nil {
		return rep, err
	}
	pkg, err := orcsv.OpenFS(fsys, orcsv.Options{})
	if err != nil {
		return rep, fmt.Errorf("pulled roster from %s: %w", source, err)
	}
	guard := oneroster.Guard{MaxShare: opt.MaxDeleteShare}
	res, err := orcsv.Import(ctx, im.Store, pkg, orcsv.ImportOptions{Tenant: tenant, DryRun: opt.DryRun, Guard: guard, Now: now})
	for _, is := range res.Rejects {
		rep.Add(fileKind(is.File), is.SourcedID, connectors.OutcomeFailed, is.String())
	}
	if err != nil {
		var de *oneroster.DeletionError
		if errors.As(err, &de) {
			return rep, fmt.Errorf("pulled roster refused: %w", de)
		}
		return rep, err
	}
	if opt.DryRun {
		for _, f := range res.Files {
			rep.Unchanged += f.Applied // validated; what would change is unknown before applying
		}
		return rep, nil
	}
	for _, c := range res.Applied.Counts {
		rep.Created += c.Created
		rep.Updated += c.Updated
		rep.Removed += c.Deleted
		rep.Unchanged += c.Unchanged + c.Stale
	}
	return rep, nil
}

func fileKind(file string) oneroster.Kind {
	return oneroster.Kind(strings.TrimSuffix(file, ".csv"))
}

// ImportOptions tune one ImportSnapshot.
type ImportOptions struct {
	DryRun bool
	Bulk   bool
	// MaxDeleteShare is the deletion guard's share (0: the default).
	MaxDeleteShare float64
}

type table struct {
	name   string
	header []string
	rows   [][]string
}

// SnapshotPackage renders a snapshot as a OneRoster 1.1 CSV package.
// Kinds the snapshot has no records of are declared absent. In delta mode
// every row carries status active and dateLastModified now.
func SnapshotPackage(s oneroster.Snapshot, bulk bool, now time.Time) (fstest.MapFS, error) {
	status, modified := "", ""
	if !bulk {
		status, modified = string(oneroster.StatusActive), now.Format(time.RFC3339)
	}
	row := func(id string, rest ...string) []string {
		return append([]string{id, status, modified}, rest...)
	}
	join := func(xs []string) string { return strings.Join(xs, ",") }
	tables := []*table{
		{name: "orgs", header: []string{"name", "type", "identifier", "parentSourcedId"}},
		{name: "academicSessions", header: []string{"title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"}},
		{name: "courses", header: []string{"schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"}},
		{name: "classes", header: []string{"title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"}},
		{name: "users", header: []string{"enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password"}},
		{name: "enrollments", header: []string{"classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"}},
		{name: "demographics", header: []string{"birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus"}},
	}
	t := map[string]*table{}
	for _, x := range tables {
		t[x.name] = x
	}
	for _, o := range s.Orgs {
		t["orgs"].rows = append(t["orgs"].rows, row(o.SourcedID, o.Name, o.Type, o.Identifier, o.Parent))
	}
	for _, a := range s.AcademicSessions {
		t["academicSessions"].rows = append(t["academicSessions"].rows, row(a.SourcedID, a.Title, a.Type, a.StartDate, a.EndDate, a.Parent, a.SchoolYear))
	}
	for _, c := range s.Courses {
		t["courses"].rows = append(t["courses"].rows, row(c.SourcedID, c.SchoolYear, c.Title, c.CourseCode, join(c.Grades), c.Org, join(c.Subjects), join(c.SubjectCodes)))
	}
	for _, c := range s.Classes {
		t["classes"].rows = append(t["classes"].rows, row(c.SourcedID, c.Title, join(c.Grades), c.Course, c.ClassCode, c.ClassType, c.Location, c.School, join(c.Terms), join(c.Subjects), join(c.SubjectCodes), join(c.Periods)))
	}
	for _, u := range s.Users {
		ids := make([]string, len(u.UserIDs))
		for i, x := range u.UserIDs {
			ids[i] = "{" + x.Type + ":" + x.Identifier + "}"
		}
		t["users"].rows = append(t["users"].rows, row(u.SourcedID, strconv.FormatBool(u.EnabledUser), join(u.Orgs), u.Role, u.Username, join(ids),
			u.GivenName, u.FamilyName, u.MiddleName, u.Identifier, u.Email, u.SMS, u.Phone, join(u.Agents), join(u.Grades), ""))
	}
	for _, e := range s.Enrollments {
		t["enrollments"].rows = append(t["enrollments"].rows, row(e.SourcedID, e.Class, e.School, e.User, e.Role, strconv.FormatBool(e.Primary), e.BeginDate, e.EndDate))
	}
	for _, d := range s.Demographics {
		t["demographics"].rows = append(t["demographics"].rows, row(d.SourcedID, d.BirthDate, d.Sex, "", "", "", "", "", "", "", d.CountryOfBirth, d.StateOfBirthAbbr, d.CityOfBirth, ""))
	}
	fsys := fstest.MapFS{}
	manifest := [][]string{{"propertyName", "value"}, {"manifest.version", "1.0"}, {"oneroster.version", "1.1"}}
	for _, x := range tables {
		mode := "absent"
		if len(x.rows) > 0 {
			mode = "delta"
			if bulk {
				mode = "bulk"
			}
			b, err := encodeCSV(append([][]string{append([]string{"sourcedId", "status", "dateLastModified"}, x.header...)}, x.rows...))
			if err != nil {
				return nil, err
			}
			fsys[x.name+".csv"] = &fstest.MapFile{Data: b}
		}
		manifest = append(manifest, []string{"file." + x.name, mode})
	}
	for _, f := range []string{"resources", "classResources", "courseResources", "categories", "lineItems", "results"} {
		manifest = append(manifest, []string{"file." + f, "absent"})
	}
	b, err := encodeCSV(manifest)
	if err != nil {
		return nil, err
	}
	fsys["manifest.csv"] = &fstest.MapFile{Data: b}
	return fsys, nil
}

func encodeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("encode csv: %w", err)
	}
	return buf.Bytes(), nil
}
