package kolibri

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"github.com/passportbridge/passport/oneroster"
)

// maxUsername is Kolibri's username length limit.
const maxUsername = 125

// Username makes a roster user's username valid for Kolibri: whitespace
// and punctuation (except _) become _, runs of _ collapse, at most 125
// characters; an empty result falls back to the sourcedId.
func Username(u oneroster.User) string {
	n := clean(u.Username)
	if n == "" {
		n = clean(u.SourcedID)
	}
	return n
}

func clean(s string) string {
	var b strings.Builder
	last := '_'
	for _, c := range strings.TrimSpace(s) {
		if unicode.IsSpace(c) || unicode.IsPunct(c) || unicode.IsSymbol(c) || !unicode.IsPrint(c) {
			c = '_'
		}
		if c == '_' && last == '_' {
			continue
		}
		b.WriteRune(c)
		last = c
	}
	out := strings.TrimRight(b.String(), "_")
	if r := []rune(out); len(r) > maxUsername {
		out = string(r[:maxUsername])
	}
	return out
}

// withSuffix disambiguates a username taken by someone else, stably: the
// same sourcedId always gets the same suffix.
func withSuffix(name, sourcedID string) string {
	h := sha256.Sum256([]byte(sourcedID))
	suf := "_" + hex.EncodeToString(h[:3])
	if r := []rune(name); len(r)+len(suf) > maxUsername {
		name = string(r[:maxUsername-len(suf)])
	}
	return name + suf
}

// fullName joins a user's names (Kolibri allows 120 characters).
func fullName(u oneroster.User) string {
	given := u.PreferredGivenName
	if given == "" {
		given = u.GivenName
	}
	n := strings.TrimSpace(strings.Join(strings.Fields(given+" "+u.MiddleName+" "+u.FamilyName), " "))
	if n == "" {
		n = Username(u)
	}
	if r := []rune(n); len(r) > 120 {
		n = string(r[:120])
	}
	return n
}

// maxClassroomName keeps classroom names usable in the bulk CSV's
// ENROLLED_IN column (50 characters each).
const maxClassroomName = 50

// classroomName is the classroom a class becomes: its title, or its code
// or sourcedId when it has no title.
func classroomName(c oneroster.Class) string {
	n := strings.TrimSpace(c.Title)
	if n == "" {
		n = strings.TrimSpace(c.ClassCode)
	}
	if n == "" {
		n = c.SourcedID
	}
	// Commas separate classroom names in the bulk CSV.
	n = strings.ReplaceAll(n, ",", " ")
	if r := []rune(n); len(r) > maxClassroomName {
		n = strings.TrimSpace(string(r[:maxClassroomName]))
	}
	return n
}

// classroomNames names each class, disambiguating classes of one school
// that share a title with their code (or sourcedId).
func classroomNames(classes []oneroster.Class) map[string]string {
	type key struct{ school, name string }
	count := map[key]int{}
	for _, c := range classes {
		count[key{c.School, classroomName(c)}]++
	}
	out := make(map[string]string, len(classes))
	for _, c := range classes {
		n := classroomName(c)
		if count[key{c.School, n}] > 1 {
			suffix := c.ClassCode
			if suffix == "" {
				suffix = c.SourcedID
			}
			n = classroomName(oneroster.Class{Title: n + " " + suffix})
		}
		out[c.SourcedID] = n
	}
	return out
}
