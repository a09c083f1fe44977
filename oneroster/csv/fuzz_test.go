package csv

import (
	"context"
	"os"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/oneroster/memstore"
)

// FuzzPackage feeds arbitrary bytes as users.csv or enrollments.csv of an
// otherwise valid package (lenient and strict): reading and importing must
// never panic, and every reject names its file and reason.
func FuzzPackage(f *testing.F) {
	for _, s := range []string{"testdata/v11/users.csv", "testdata/v11/enrollments.csv", "testdata/v11/orgs.csv"} {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(usersHdr + "\"unterminated,\n"))
	f.Add([]byte(usersHdr + "a,b\"c,,\n\xff\xfe"))
	f.Add([]byte("password,sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,metadata.x\nx,u-1,,,true\n"))
	base := fixture(f, "v11", nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		for i, name := range []string{"users.csv", "enrollments.csv"} {
			fsys := fstest.MapFS{}
			for k, v := range base {
				fsys[k] = v
			}
			fsys[name] = &fstest.MapFile{Data: data}
			p, err := OpenFS(fsys, Options{Strict: i == 1})
			if err != nil {
				continue
			}
			rep, err := Import(context.Background(), memstore.New(), p, ImportOptions{Tenant: "t", DryRun: true})
			if err != nil {
				continue
			}
			for _, is := range rep.Rejects {
				if is.File == "" || is.Reason == "" || is.Field == "" {
					t.Fatalf("reject without file, reason or field: %+v", is)
				}
			}
		}
	})
}

// FuzzExtraFiles feeds arbitrary bytes as each 1.2 score scale or resources
// file of an otherwise valid package: importing must never panic, and every
// reject names its file, reason and field.
func FuzzExtraFiles(f *testing.F) {
	files := []string{"scoreScales.csv", "resources.csv", "userResources.csv", "lineItemScoreScales.csv", "classResources.csv"}
	for _, s := range files {
		b, err := os.ReadFile("testdata/v12extra/" + s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(0), b)
	}
	f.Add(uint8(0), []byte("sourcedId,status,dateLastModified,title,type,orgSourcedId,courseSourcedId,classSourcedId,scoreScaleValue\nss,,,t,l,sch-1,,,\"{:},{a:\"\n"))
	base := extraFixture(f, nil)
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		name := files[int(which)%len(files)]
		fsys[name] = &fstest.MapFile{Data: data}
		p, err := OpenFS(fsys, Options{})
		if err != nil {
			return
		}
		rep, err := Import(context.Background(), memstore.New(), p, ImportOptions{Tenant: "t"})
		if err != nil {
			return
		}
		for _, is := range rep.Rejects {
			if is.File == "" || is.Reason == "" || is.Field == "" {
				t.Fatalf("reject without file, reason or field: %+v", is)
			}
		}
	})
}

// FuzzRoleDelta feeds arbitrary bytes as a delta roles.csv of a 1.2 package
// applied to a stored roster: rows for stored users without their users.csv
// row must never panic, every reject names its field, and every stored user
// keeps a consistent 1.1 view (its role among its roles).
func FuzzRoleDelta(f *testing.F) {
	hdr := "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n"
	f.Add([]byte(hdr + "r-9,active,2026-01-16T00:00:00.000Z,u-1,secondary,student,,,sch-2,\n"))
	f.Add([]byte(hdr + "r-2,tobedeleted,2026-01-16T00:00:00.000Z,u-2,,,,,,\nr-1,active,2026-01-16T00:00:00.000Z,u-1,primary,ext:x,,,sch-1,\n"))
	f.Add([]byte(hdr + "r-1,tobedeleted,,,,,,,,\n"))
	base := fixture(f, "v12", nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		st := memstore.New()
		p, err := OpenFS(base, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Import(context.Background(), st, p, ImportOptions{Tenant: "t"}); err != nil {
			t.Fatal(err)
		}
		delta := fstest.MapFS{
			"manifest.csv": {Data: []byte(manifest12("roles"))},
			"roles.csv":    {Data: data},
		}
		p, err = OpenFS(delta, Options{})
		if err != nil {
			return
		}
		rep, err := Import(context.Background(), st, p, ImportOptions{Tenant: "t"})
		if err != nil {
			return
		}
		for _, is := range rep.Rejects {
			if is.File == "" || is.Reason == "" || is.Field == "" {
				t.Fatalf("reject without file, reason or field: %+v", is)
			}
		}
		recs, err := st.Records(context.Background(), "t", "users")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			e, err := oneroster.Decode(r)
			if err != nil {
				t.Fatal(err)
			}
			u := e.(*oneroster.User)
			if len(u.Roles) > 0 && !slices.ContainsFunc(u.Roles, func(ra oneroster.RoleAssignment) bool { return ra.Role == u.Role }) {
				t.Fatalf("user %s: role %q not among its roles %+v", u.SourcedID, u.Role, u.Roles)
			}
		}
	})
}
