package csv

import (
	"context"
	stdcsv "encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/passportbridge/passport/oneroster"
)

// Source is what an export reads.
type Source interface {
	Records(ctx context.Context, tenant string, kind oneroster.Kind) ([]oneroster.Record, error)
}

// Export writes the tenant's active records as a bulk OneRoster package of
// the given version into dir: manifest.csv and one file per non-empty
// collection, in spec column order with CRLF line ends. A 1.1 roster
// exported as 1.2 gets roles.csv rows from each user's role and orgs (the
// first org primary); a 1.2 roster exported as 1.1 keeps each user's primary
// role, mapped with oneroster.Role11, ext: org and session types are
// lowered to the nearest 1.1 value (oneroster.LowerExt), and a missing username
// becomes the identifier or, failing that, the sourcedId.
func Export(ctx context.Context, st Source, tenant, version, dir string) error {
	if version != V11 && version != V12 {
		return fmt.Errorf("export: version must be 1.1 or 1.2, got %q", version)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	rows := map[string][][]string{}
	for _, k := range oneroster.AllKinds() {
		recs, err := st.Records(ctx, tenant, k)
		if err != nil {
			return fmt.Errorf("export %s: %w", k, err)
		}
		file := kindFile[k]
		for _, r := range recs {
			if r.Status == oneroster.StatusToBeDeleted {
				continue
			}
			e, err := oneroster.Decode(r)
			if err != nil {
				return err
			}
			for f, row := range exportRows(version, file, e) {
				rows[f] = append(rows[f], row...)
			}
		}
	}
	var manifest strings.Builder
	manifest.WriteString("propertyName,value\r\nmanifest.version,1.0\r\noneroster.version," + version + "\r\nsource.systemName,Passport Bridge\r\n")
	for _, f := range Files(version) {
		mode := Absent
		if len(rows[f]) > 0 {
			mode = Bulk
			if err := writeCSV(filepath.Join(dir, f+".csv"), columnsFor(version, f), rows[f]); err != nil {
				return err
			}
		}
		fmt.Fprintf(&manifest, "file.%s,%s\r\n", f, mode)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.csv"), []byte(manifest.String()), 0o600); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

func writeCSV(path string, header []string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w := stdcsv.NewWriter(f)
	w.UseCRLF = true
	if err := w.Write(header); err != nil {
		_ = f.Close()
		return fmt.Errorf("export: %w", err)
	}
	if err := w.WriteAll(rows); err != nil {
		_ = f.Close()
		return fmt.Errorf("export: %w", err)
	}
	return f.Close()
}

func join(v []string) string { return strings.Join(v, ",") }

func num(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// exportRows returns the rows a record becomes, by file (a 1.2 user also
// yields roles and userProfiles rows). Metadata is not exported.
func exportRows(version, file string, e oneroster.Entity) map[string][][]string {
	b := oneroster.BaseOf(e)
	base := []string{b.SourcedID, "", ""}
	one := func(rest ...string) map[string][][]string {
		return map[string][][]string{file: {append(base, rest...)}}
	}
	switch r := e.(type) {
	case *oneroster.Org:
		typ := r.Type
		if version == V11 {
			typ = oneroster.LowerExt(typ, oneroster.OrgTypes11, "local")
		}
		return one(r.Name, typ, r.Identifier, r.Parent)
	case *oneroster.AcademicSession:
		typ := r.Type
		if version == V11 {
			typ = oneroster.LowerExt(typ, oneroster.SessionTypes11, "term")
		}
		return one(r.Title, typ, r.StartDate, r.EndDate, r.Parent, r.SchoolYear)
	case *oneroster.Course:
		return one(r.SchoolYear, r.Title, r.CourseCode, join(r.Grades), r.Org, join(r.Subjects), join(r.SubjectCodes))
	case *oneroster.Class:
		return one(r.Title, join(r.Grades), r.Course, r.ClassCode, r.ClassType, r.Location, r.School, join(r.Terms), join(r.Subjects), join(r.SubjectCodes), join(r.Periods))
	case *oneroster.Enrollment:
		return one(r.Class, r.School, r.User, r.Role, strconv.FormatBool(r.Primary), r.BeginDate, r.EndDate)
	case *oneroster.Demographics:
		return one(r.BirthDate, r.Sex, r.AmericanIndianOrAlaskaNative, r.Asian, r.BlackOrAfricanAmerican, r.NativeHawaiianOrOtherPacificIslander,
			r.White, r.DemographicRaceTwoOrMoreRaces, r.HispanicOrLatinoEthnicity, r.CountryOfBirth, r.StateOfBirthAbbr, r.CityOfBirth, r.PublicSchoolResidenceStatus)
	case *oneroster.Category:
		if version == V12 {
			return one(r.Title, num(r.Weight))
		}
		return one(r.Title)
	case *oneroster.LineItem:
		if version == V12 {
			return one(r.Title, r.Description, r.AssignDate, r.DueDate, r.Class, r.Category, r.Session, num(r.ResultValueMin), num(r.ResultValueMax), r.School)
		}
		return one(r.Title, r.Description, r.AssignDate, r.DueDate, r.Class, r.Category, r.Session, num(r.ResultValueMin), num(r.ResultValueMax))
	case *oneroster.Result:
		if version == V12 {
			return one(r.LineItem, r.Student, r.ScoreStatus, num(r.Score), r.ScoreDate, r.Comment, r.TextScore, r.Class, "", "", "", "")
		}
		return one(r.LineItem, r.Student, r.ScoreStatus, num(r.Score), r.ScoreDate, r.Comment)
	case *oneroster.ScoreScale:
		if version != V12 {
			return nil
		}
		vals := make([]string, len(r.Values))
		for i, v := range r.Values {
			vals[i] = "{" + v.ItemValueLHS + ":" + v.ItemValueRHS + "}"
		}
		return one(r.Title, r.Type, r.Org, r.Course, r.Class, join(vals))
	case *oneroster.LineItemScoreScale:
		if version != V12 {
			return nil
		}
		return one(r.Title, r.LineItem, r.ScoreScale)
	case *oneroster.ResultScoreScale:
		if version != V12 {
			return nil
		}
		return one(r.Title, r.Result, r.ScoreScale)
	case *oneroster.Resource:
		roles := r.Roles
		if version == V11 {
			roles = make([]string, len(r.Roles))
			for i, role := range r.Roles {
				roles[i] = oneroster.Role11(role)
			}
		}
		return one(r.VendorResourceID, r.Title, join(roles), r.Importance, r.VendorID, r.ApplicationID)
	case *oneroster.ClassResource:
		return one(r.Title, r.Class, r.Resource)
	case *oneroster.CourseResource:
		return one(r.Title, r.Course, r.Resource)
	case *oneroster.UserResource:
		if version != V12 {
			return nil
		}
		return one(r.User, r.Org, r.Class, r.Resource)
	case *oneroster.User:
		ids := make([]string, len(r.UserIDs))
		for i, id := range r.UserIDs {
			ids[i] = "{" + id.Type + ":" + id.Identifier + "}"
		}
		if version == V11 {
			username := r.Username // 1.1 requires one: fall back to identifier, then sourcedId
			if username == "" {
				username = r.Identifier
			}
			if username == "" {
				username = r.SourcedID
			}
			return one(strconv.FormatBool(r.EnabledUser), join(r.Orgs), oneroster.Role11(r.Role), username, join(ids), r.GivenName, r.FamilyName,
				r.MiddleName, r.Identifier, r.Email, r.SMS, r.Phone, join(r.Agents), join(r.Grades), "")
		}
		out := one(strconv.FormatBool(r.EnabledUser), r.Username, join(ids), r.GivenName, r.FamilyName, r.MiddleName, r.Identifier, r.Email,
			r.SMS, r.Phone, join(r.Agents), join(r.Grades), "", r.MasterIdentifier, r.PreferredGivenName, r.PreferredMiddleName,
			r.PreferredFamilyName, r.PrimaryOrg, r.Pronouns)
		roles := r.Roles
		if len(roles) == 0 && r.Role != "" {
			for i, org := range r.Orgs {
				rt := "secondary"
				if i == 0 {
					rt = "primary"
				}
				roles = append(roles, oneroster.RoleAssignment{RoleType: rt, Role: r.Role, Org: org})
			}
		}
		for i, ra := range roles {
			id := ra.SourcedID
			if id == "" {
				id = fmt.Sprintf("%s-role-%d", r.SourcedID, i)
			}
			out["roles"] = append(out["roles"], []string{id, "", "", r.SourcedID, ra.RoleType, ra.Role, ra.BeginDate, ra.EndDate, ra.Org, ra.UserProfile})
		}
		for _, p := range r.Profiles {
			out["userProfiles"] = append(out["userProfiles"], []string{
				p.SourcedID, "", "", r.SourcedID, p.ProfileType, p.VendorID, p.ApplicationID,
				p.Description, p.CredentialType, p.Username, "",
			})
		}
		return out
	}
	return nil
}
