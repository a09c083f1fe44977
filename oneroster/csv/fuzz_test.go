package csv

import (
	"context"
	"os"
	"testing"
	"testing/fstest"

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
