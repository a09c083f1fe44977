package rostergen

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// Size says how big a generated package is.
type Size struct {
	Schools     int
	Users       int // users; one in 20 is a teacher, the rest students
	Enrollments int // spread over the users, each in classes of their school
	ClassesPer  int // classes per school
}

// Default is the benchmark's package: 100,000 users and 400,000 enrollments.
var Default = Size{Schools: 200, Users: 100000, Enrollments: 400000, ClassesPer: 40}

// Write writes a deterministic bulk 1.1 package into dir (created if
// needed): every reference resolves, so every row imports.
func Write(dir string, s Size) error {
	if s.Schools < 1 || s.ClassesPer < 1 || s.Users < 1 {
		return fmt.Errorf("rostergen: size %+v needs at least one school, class and user", s)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("rostergen: %w", err)
	}
	files := map[string]func(w *bufio.Writer) error{
		"manifest.csv": func(w *bufio.Writer) error {
			w.WriteString("propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.1\r\n")
			for _, f := range []string{"academicSessions", "classes", "courses", "enrollments", "orgs", "users"} {
				fmt.Fprintf(w, "file.%s,bulk\r\n", f)
			}
			for _, f := range []string{"categories", "classResources", "courseResources", "demographics", "lineItems", "resources", "results"} {
				fmt.Fprintf(w, "file.%s,absent\r\n", f)
			}
			return nil
		},
		"orgs.csv": func(w *bufio.Writer) error {
			w.WriteString("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\nmoe,,,Ministry,national,MOE,\r\n")
			for i := range s.Schools {
				fmt.Fprintf(w, "sch-%d,,,School %d,school,S%05d,moe\r\n", i, i, i)
			}
			return nil
		},
		"academicSessions.csv": func(w *bufio.Writer) error {
			w.WriteString("sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\r\n" +
				"sy,,,2025-2026,schoolYear,2025-09-01,2026-06-30,,2026\r\nt1,,,Term 1,term,2025-09-01,2026-01-31,sy,2026\r\n")
			return nil
		},
		"courses.csv": func(w *bufio.Writer) error {
			w.WriteString("sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,subjectCodes\r\n")
			for i := range s.Schools {
				fmt.Fprintf(w, "crs-%d,,,sy,Core %d,C%d,\"04,05\",sch-%d,literacy,\r\n", i, i, i, i)
			}
			return nil
		},
		"classes.csv": func(w *bufio.Writer) error {
			w.WriteString("sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\r\n")
			for i := range s.Schools {
				for c := range s.ClassesPer {
					fmt.Fprintf(w, "cls-%d-%d,,,Class %d-%d,04,crs-%d,K%d,scheduled,Room %d,sch-%d,t1,,,1\r\n", i, c, i, c, i, c, c, i)
				}
			}
			return nil
		},
		"users.csv": func(w *bufio.Writer) error {
			w.WriteString("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\r\n")
			for u := range s.Users {
				role := "student"
				if u%20 == 0 {
					role = "teacher"
				}
				fmt.Fprintf(w, "u-%07d,,,true,sch-%d,%s,user%07d,{LTI:l-%d},Given%d,Family%d,,ID%07d,user%07d@example.org,,,,04,\r\n",
					u, u%s.Schools, role, u, u, u%997, u%1009, u, u)
			}
			return nil
		},
		"enrollments.csv": func(w *bufio.Writer) error {
			w.WriteString("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\r\n")
			for e := range s.Enrollments {
				u := e % s.Users
				k := e / s.Users // the user's k-th enrollment
				role, primary := "student", "false"
				if u%20 == 0 {
					role, primary = "teacher", "true"
				}
				fmt.Fprintf(w, "e-%08d,,,cls-%d-%d,sch-%d,u-%07d,%s,%s,2025-09-01,\r\n", e, u%s.Schools, (u/s.Schools+k)%s.ClassesPer, u%s.Schools, u, role, primary)
			}
			return nil
		},
	}
	for name, fn := range files {
		if err := writeFile(filepath.Join(dir, name), fn); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, fn func(w *bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("rostergen: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	if err := fn(w); err != nil {
		_ = f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return fmt.Errorf("rostergen: %w", err)
	}
	return f.Close()
}
