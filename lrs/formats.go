package lrs

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	reScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:`)
	reUUID   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)
	reSHA1   = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
	reSHA2   = regexp.MustCompile(`^[0-9a-fA-F]{56}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{96}$|^[0-9a-fA-F]{128}$`)
	reMailto = regexp.MustCompile(`^mailto:[^@\s<>"]+@[^@\s<>"]+$`)
	// ISO 8601 extended and basic date-time forms.
	reTimestampExt   = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})([.,][0-9]+)?)?(Z|[+\-][0-9]{2}(?::?[0-9]{2})?)?$`)
	reTimestampBasic = regexp.MustCompile(`^([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})(?:([0-9]{2})([.,][0-9]+)?)?(Z|[+\-][0-9]{2}(?:[0-9]{2})?)?$`)
	reDuration       = regexp.MustCompile(`^P(?:([0-9]+(?:[.,][0-9]+)?)Y)?(?:([0-9]+(?:[.,][0-9]+)?)M)?(?:([0-9]+(?:[.,][0-9]+)?)D)?(?:T(?:([0-9]+(?:[.,][0-9]+)?)H)?(?:([0-9]+(?:[.,][0-9]+)?)M)?(?:([0-9]+(?:[.,][0-9]+)?)S)?)?$`)
	reWeeks          = regexp.MustCompile(`^P[0-9]+(?:[.,][0-9]+)?W$`)
	reMediaType      = regexp.MustCompile(`^[A-Za-z0-9!#$&\-^_.+]+/[A-Za-z0-9!#$&\-^_.+]+(\s*;.*)?$`)
)

// IsIRI reports whether s is a best-effort valid IRI: it has a scheme and
// holds no whitespace, control characters or characters RFC 3987 excludes.
func IsIRI(s string) bool {
	if !reScheme.MatchString(s) {
		return false
	}
	for _, r := range s {
		if r <= 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return false
		}
		switch r {
		case '<', '>', '"', '{', '}', '|', '\\', '^', '`':
			return false
		}
	}
	return true
}

// IsUUID reports whether s is a UUID in standard string form of the
// RFC 4122 variant.
func IsUUID(s string) bool { return reUUID.MatchString(s) }

// ParseTimestamp parses an ISO 8601 date-time (extended or basic form).
// A missing offset means UTC; the offsets -00, -0000 and -00:00 are refused
// as ISO 8601 does not allow them.
func ParseTimestamp(s string) (time.Time, bool) {
	m := reTimestampExt.FindStringSubmatch(s)
	if m == nil {
		m = reTimestampBasic.FindStringSubmatch(s)
	}
	if m == nil {
		return time.Time{}, false
	}
	num := func(x string) int { n, _ := strconv.Atoi(x); return n }
	year, mon, day := num(m[1]), num(m[2]), num(m[3])
	hh, mm, ss := num(m[4]), num(m[5]), num(m[6])
	if mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, false
	}
	if ss == 60 { // leap second: fold into the last second of the minute
		ss = 59
	}
	nanos := 0
	if f := m[7]; f != "" {
		digits := f[1:]
		if len(digits) > 9 {
			digits = digits[:9]
		}
		for len(digits) < 9 {
			digits += "0"
		}
		nanos = num(digits)
	}
	loc := time.UTC
	if z := m[8]; z != "" && z != "Z" {
		rest := strings.ReplaceAll(z[1:], ":", "")
		oh, om := num(rest[:2]), 0
		if len(rest) == 4 {
			om = num(rest[2:])
		}
		if oh > 23 || om > 59 || (z[0] == '-' && oh == 0 && om == 0) {
			return time.Time{}, false
		}
		off := oh*3600 + om*60
		if z[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	}
	t := time.Date(year, time.Month(mon), day, hh, mm, ss, nanos, loc)
	if t.Day() != day || t.Month() != time.Month(mon) {
		return time.Time{}, false // e.g. 2015-02-30
	}
	return t, true
}

// FormatTime renders t in UTC as RFC 3339 with at least millisecond
// precision, as the LRS returns every timestamp.
func FormatTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()%int(time.Millisecond) == 0 {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	s := t.Format("2006-01-02T15:04:05.000000000")
	s = strings.TrimRight(s, "0")
	return s + "Z"
}

// IsDuration reports whether s is an ISO 8601 duration (PnYnMnDTnHnMnS or PnW).
func IsDuration(s string) bool {
	if reWeeks.MatchString(s) {
		return true
	}
	m := reDuration.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return false
	}
	// Only the smallest given component may carry a fraction.
	seenFrac := false
	for _, c := range m[1:] {
		if c == "" {
			continue
		}
		if seenFrac {
			return false
		}
		if strings.ContainsAny(c, ".,") {
			seenFrac = true
		}
	}
	return true
}

// IsLanguageTag reports whether s is a well-formed RFC 5646 language tag.
func IsLanguageTag(s string) bool {
	if s == "" {
		return false
	}
	if irregularTag(strings.ToLower(s)) {
		return true
	}
	parts := strings.Split(s, "-")
	i := 0
	isAlpha := func(p string) bool {
		for _, r := range p {
			if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
				return false
			}
		}
		return p != ""
	}
	isDigit := func(p string) bool {
		for _, r := range p {
			if r < '0' || r > '9' {
				return false
			}
		}
		return p != ""
	}
	isAlnum := func(p string) bool {
		for _, r := range p {
			if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
				return false
			}
		}
		return p != ""
	}
	privateUse := func(from int) bool {
		if from+1 >= len(parts) {
			return false
		}
		for _, p := range parts[from+1:] {
			if !isAlnum(p) || len(p) > 8 {
				return false
			}
		}
		return true
	}
	if strings.EqualFold(parts[0], "x") {
		return privateUse(0)
	}
	// language
	p := parts[0]
	if !isAlpha(p) || len(p) < 2 || len(p) > 8 {
		return false
	}
	i = 1
	if len(p) <= 3 {
		// up to three extlang subtags
		for n := 0; n < 3 && i < len(parts) && len(parts[i]) == 3 && isAlpha(parts[i]); n++ {
			i++
		}
	}
	if i < len(parts) && len(parts[i]) == 4 && isAlpha(parts[i]) { // script
		i++
	}
	if i < len(parts) && ((len(parts[i]) == 2 && isAlpha(parts[i])) || (len(parts[i]) == 3 && isDigit(parts[i]))) { // region
		i++
	}
	seenVariant := map[string]bool{}
	for i < len(parts) { // variants
		v := parts[i]
		long := len(v) >= 5 && len(v) <= 8
		digitLed := len(v) == 4 && v[0] >= '0' && v[0] <= '9'
		if !isAlnum(v) || (!long && !digitLed) {
			break
		}
		if seenVariant[strings.ToLower(v)] {
			return false
		}
		seenVariant[strings.ToLower(v)] = true
		i++
	}
	seenExt := map[string]bool{}
	for i < len(parts) { // extensions
		s := strings.ToLower(parts[i])
		if len(s) != 1 || s == "x" || !isAlnum(s) {
			break
		}
		if seenExt[s] {
			return false
		}
		seenExt[s] = true
		i++
		n := 0
		for i < len(parts) && len(parts[i]) >= 2 && len(parts[i]) <= 8 && isAlnum(parts[i]) {
			i++
			n++
		}
		if n == 0 {
			return false
		}
	}
	if i < len(parts) && strings.EqualFold(parts[i], "x") {
		return privateUse(i)
	}
	return i == len(parts)
}

func irregularTag(s string) bool {
	switch s {
	case "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux",
		"i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de",
		"art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan", "zh-xiang":
		return true
	}
	return false
}
