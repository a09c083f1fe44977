package lti

import "strings"

// Role is the tool's own coarse role, mapped from LIS role URIs.
type Role string

// The tool's roles.
const (
	RoleTeacher  Role = "teacher"
	RoleStudent  Role = "student"
	RoleAdmin    Role = "admin"
	RoleMentor   Role = "mentor"
	RoleTestUser Role = "test_user"
)

// Role vocabulary prefixes (LTI 1.3 Core, Appendix A).
const (
	roleContext     = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
	roleContextSub  = "http://purl.imsglobal.org/vocab/lis/v2/membership/"
	roleInstitution = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
	roleSystem      = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
	roleLTISystem   = "http://purl.imsglobal.org/vocab/lti/system/person#"
)

// ParsedRole is one role URI split into its vocabulary and names.
type ParsedRole struct {
	// Vocabulary is "context", "institution", "system", "lti-system" or
	// "short" (deprecated bare names such as "Instructor").
	Vocabulary string
	Name       string // the principal role, e.g. Instructor
	SubRole    string // for membership/<Role>#<SubRole>
}

// ParseRole splits a role URI; ok is false for roles outside the LIS/LTI
// vocabularies, which the tool ignores.
func ParseRole(uri string) (ParsedRole, bool) {
	switch {
	case strings.HasPrefix(uri, roleContext):
		return ParsedRole{Vocabulary: "context", Name: uri[len(roleContext):]}, uri != roleContext
	case strings.HasPrefix(uri, roleContextSub):
		rest := uri[len(roleContextSub):]
		principal, sub, found := strings.Cut(rest, "#")
		if !found || principal == "" || sub == "" {
			return ParsedRole{}, false
		}
		return ParsedRole{Vocabulary: "context", Name: principal, SubRole: sub}, true
	case strings.HasPrefix(uri, roleInstitution):
		return ParsedRole{Vocabulary: "institution", Name: uri[len(roleInstitution):]}, uri != roleInstitution
	case strings.HasPrefix(uri, roleSystem):
		return ParsedRole{Vocabulary: "system", Name: uri[len(roleSystem):]}, uri != roleSystem
	case strings.HasPrefix(uri, roleLTISystem):
		return ParsedRole{Vocabulary: "lti-system", Name: uri[len(roleLTISystem):]}, uri != roleLTISystem
	case uri != "" && !strings.ContainsAny(uri, ":/#"):
		return ParsedRole{Vocabulary: "short", Name: uri}, true
	}
	return ParsedRole{}, false
}

// MapRoles maps role URIs to the tool's roles, without duplicates, in a
// stable order. Unknown roles are ignored.
func MapRoles(uris []string) []Role {
	seen := map[Role]bool{}
	for _, u := range uris {
		p, ok := ParseRole(u)
		if !ok {
			continue
		}
		for _, r := range p.roles() {
			seen[r] = true
		}
	}
	var out []Role
	for _, r := range []Role{RoleAdmin, RoleTeacher, RoleStudent, RoleMentor, RoleTestUser} {
		if seen[r] {
			out = append(out, r)
		}
	}
	return out
}

func (p ParsedRole) roles() []Role {
	switch p.Vocabulary {
	case "lti-system":
		if p.Name == "TestUser" {
			return []Role{RoleTestUser}
		}
		return nil
	case "system":
		switch p.Name {
		case "Administrator", "SysAdmin", "AccountAdmin":
			return []Role{RoleAdmin}
		}
		return nil
	case "institution":
		switch p.Name {
		case "Administrator":
			return []Role{RoleAdmin}
		case "Instructor", "Faculty":
			return []Role{RoleTeacher}
		case "Student", "Learner":
			return []Role{RoleStudent}
		case "Mentor":
			return []Role{RoleMentor}
		}
		return nil
	}
	// context and short names
	switch p.Name {
	case "Instructor", "ContentDeveloper", "TeachingAssistant":
		return []Role{RoleTeacher}
	case "Learner":
		return []Role{RoleStudent}
	case "Administrator":
		return []Role{RoleAdmin}
	case "Mentor":
		return []Role{RoleMentor}
	}
	return nil
}
