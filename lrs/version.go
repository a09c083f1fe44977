package lrs

import (
	"regexp"
)

// Version is the xAPI version family a request speaks.
type Version int

const (
	// V1 is xAPI 1.0.x (1.0.0 to 1.0.3), served by the 1.0.3 rules.
	V1 Version = 1
	// V2 is xAPI 2.0.x (IEEE 9274.1.1).
	V2 Version = 2
)

// String returns the full version the LRS answers with for v.
func (v Version) String() string {
	if v == V2 {
		return "2.0.0"
	}
	return "1.0.3"
}

// StatementVersion returns the version the LRS stores on a statement that
// arrives without one.
func (v Version) StatementVersion() string {
	if v == V2 {
		return "2.0.0"
	}
	return "1.0.0"
}

// SupportedVersions returns the versions listed by the About resource.
func SupportedVersions() []string { return []string{"1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"} }

// AboutVersions returns the versions the About resource lists to a client
// speaking v (0 when the request named no version). A 1.0.x client is
// shown the 1.0.x versions only: 1.0.3 (Comm 2.8, ADL XAPI-00316) allows
// no other values there, so a 1.0.3 client would reject "2.0.0". A 2.0
// client, or one that named no version, sees every version.
func AboutVersions(v Version) []string {
	all := SupportedVersions()
	if v != V1 {
		return all
	}
	out := make([]string, 0, len(all))
	for _, s := range all {
		if reHeaderV1.MatchString(s) {
			out = append(out, s)
		}
	}
	return out
}

var (
	reHeaderV1 = regexp.MustCompile(`^1\.0(\.[0-9]+)?$`)
	reHeaderV2 = regexp.MustCompile(`^2\.0(\.[0-9]+)?$`)
)

// ParseVersion maps an X-Experience-API-Version header value to its version
// family. Every 1.0.x and 2.0.x is accepted; anything else (including an
// empty header) is a 400.
func ParseVersion(h string) (Version, error) {
	switch {
	case reHeaderV1.MatchString(h):
		return V1, nil
	case reHeaderV2.MatchString(h):
		return V2, nil
	case h == "":
		return 0, invalid("X-Experience-API-Version", "header is required")
	default:
		return 0, invalid("X-Experience-API-Version", "version %q is not supported (1.0.x or 2.0.x)", h)
	}
}
