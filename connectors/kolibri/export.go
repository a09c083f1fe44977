package kolibri

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/passportbridge/passport/oneroster"
)

// BulkImportHeader is the header bulkexportusers writes and
// bulkimportusers reads: all ten columns, labels with the code in
// parentheses.
var BulkImportHeader = []string{
	"Database ID (UUID)", "Username (USERNAME)", "Password (PASSWORD)", "Full name (FULL_NAME)",
	"User type (USER_TYPE)", "Identifier (IDENTIFIER)", "Birth year (BIRTH_YEAR)", "Gender (GENDER)",
	"Learner enrollment (ENROLLED_IN)", "Coach assignment (ASSIGNED_TO)",
}

var fileSafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Export writes one bulkimportusers CSV per school of s into dir
// (bulkimportusers-<school>.csv), for `kolibri manage bulkimportusers
// FILE --facility <facility>` on a device with no network. Passwords are
// written as "*" (keep the existing one / none for new learners).
func (c *Connector) Export(ctx context.Context, s oneroster.Snapshot, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	files := BulkImport(s)
	schools := make([]string, 0, len(files))
	for k := range files {
		schools = append(schools, k)
	}
	sort.Strings(schools)
	var paths []string
	for _, school := range schools {
		if err := ctx.Err(); err != nil {
			return paths, err
		}
		p := filepath.Join(dir, "bulkimportusers-"+fileSafe.ReplaceAllString(school, "_")+".csv")
		if err := os.WriteFile(p, files[school], 0o600); err != nil {
			return paths, fmt.Errorf("export: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// BulkImport renders the roster as bulkimportusers CSV files, one per
// school (keyed by the school's sourcedId).
func BulkImport(s oneroster.Snapshot) map[string][]byte {
	schools := map[string]bool{}
	for _, o := range s.Orgs {
		if o.Status != oneroster.StatusToBeDeleted && (o.Type == "" || o.Type == "school") {
			schools[o.SourcedID] = true
		}
	}
	var classes []oneroster.Class
	classSchool := map[string]string{}
	for _, c := range s.Classes {
		if c.Status == oneroster.StatusToBeDeleted {
			continue
		}
		classes = append(classes, c)
		classSchool[c.SourcedID] = c.School
		schools[c.School] = true
	}
	names := classroomNames(classes)
	enrolled := map[string][]string{}
	assigned := map[string][]string{}
	for _, e := range s.Enrollments {
		n, ok := names[e.Class]
		if !ok || e.Status == oneroster.StatusToBeDeleted {
			continue
		}
		if isCoach(e.Role) {
			assigned[e.User] = append(assigned[e.User], n)
		} else if e.Role == "student" {
			enrolled[e.User] = append(enrolled[e.User], n)
		}
	}
	demo := map[string]oneroster.Demographics{}
	for _, d := range s.Demographics {
		demo[d.SourcedID] = d
	}
	rows := map[string][][]string{}
	taken := map[string]map[string]bool{}
	users := append([]oneroster.User(nil), s.Users...)
	sort.Slice(users, func(i, j int) bool { return users[i].SourcedID < users[j].SourcedID })
	for _, u := range users {
		if u.Status == oneroster.StatusToBeDeleted || !u.EnabledUser {
			continue
		}
		school := ""
		for _, o := range append([]string{u.PrimaryOrg}, u.Orgs...) {
			if schools[o] {
				school = o
				break
			}
		}
		if school == "" {
			continue
		}
		var typ string
		switch {
		case u.Role == "student":
			typ = "LEARNER"
		case u.Role == "administrator":
			typ = "ADMIN"
		case isCoach(u.Role) || u.Role == "teacher":
			typ = "FACILITY_COACH"
			if len(assigned[u.SourcedID]) > 0 {
				typ = "CLASS_COACH"
			}
		default:
			continue
		}
		if taken[school] == nil {
			taken[school] = map[string]bool{}
		}
		name := Username(u)
		if taken[school][strings.ToLower(name)] {
			name = withSuffix(name, u.SourcedID)
		}
		taken[school][strings.ToLower(name)] = true
		birth, gender := "NOT_SPECIFIED", "NOT_SPECIFIED"
		if d, ok := demo[u.SourcedID]; ok {
			if y, err := strconv.Atoi(strings.SplitN(d.BirthDate, "-", 2)[0]); err == nil && y >= 1900 {
				birth = strconv.Itoa(y)
			}
			switch strings.ToLower(d.Sex) {
			case "male":
				gender = "MALE"
			case "female":
				gender = "FEMALE"
			}
		}
		rows[school] = append(rows[school], []string{
			"", name, "*", fullName(u), typ, u.SourcedID, birth, gender,
			joinSorted(enrolled[u.SourcedID]), joinSorted(assigned[u.SourcedID]),
		})
	}
	out := map[string][]byte{}
	for school, rs := range rows {
		var b strings.Builder
		w := csv.NewWriter(&b)
		_ = w.Write(BulkImportHeader)
		_ = w.WriteAll(rs)
		out[school] = []byte(b.String())
	}
	return out
}

func joinSorted(xs []string) string {
	xs = append([]string(nil), xs...)
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return strings.Join(out, ",")
}
