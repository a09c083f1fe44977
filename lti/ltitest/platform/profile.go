package platform

// Profile reproduces one LMS's launch quirks.
type Profile string

// The platform profiles.
const (
	Moodle      Profile = "moodle"
	Canvas      Profile = "canvas"
	Blackboard  Profile = "blackboard"
	Brightspace Profile = "brightspace"
)

// Profiles lists every profile, for table tests.
var Profiles = []Profile{Moodle, Canvas, Blackboard, Brightspace}

// BrightspaceAudience is the client-assertion aud Brightspace expects.
const BrightspaceAudience = "https://api.brightspace.com/auth/token"

// issuer returns the profile's fixed issuer, or "" to use the server URL.
func (p Profile) issuer() string {
	switch p {
	case Canvas:
		return "https://canvas.instructure.com"
	case Blackboard:
		return "https://blackboard.com"
	case Brightspace:
		return "https://partner.brightspace.com"
	}
	return ""
}

func (p Profile) familyCode() string {
	switch p {
	case Moodle:
		return "moodle"
	case Canvas:
		return "canvas"
	case Blackboard:
		return "BlackboardLearn"
	case Brightspace:
		return "desire2learn"
	}
	return string(p)
}

// sendsStorageTarget reports whether the profile sends lti_storage_target.
func (p Profile) sendsStorageTarget() bool { return p == Canvas || p == Brightspace }
