// Command rostergen writes a synthetic OneRoster 1.1 CSV package for benchmarks:
//
//	go run ./oneroster/rostergen/cmd/rostergen -out /tmp/roster -users 100000 -enrollments 400000
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/passportbridge/passport/oneroster/rostergen"
)

func main() {
	s := rostergen.Default
	out := flag.String("out", "", "directory to write the package into")
	flag.IntVar(&s.Users, "users", s.Users, "number of users")
	flag.IntVar(&s.Enrollments, "enrollments", s.Enrollments, "number of enrollments")
	flag.IntVar(&s.Schools, "schools", s.Schools, "number of schools")
	flag.IntVar(&s.ClassesPer, "classes", s.ClassesPer, "classes per school")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "rostergen: -out is required")
		os.Exit(2)
	}
	if err := rostergen.Write(*out, s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
