package auth

import (
	"fmt"
	"slices"
	"strings"
)

// The scopes a credential may hold (product.md). xAPI's are as the xAPI
// specification names them; OneRoster's are their short forms.
const (
	ScopeStatementsWrite    = "statements/write"
	ScopeStatementsRead     = "statements/read"
	ScopeStatementsReadMine = "statements/read/mine"
	ScopeState              = "state"
	ScopeDefine             = "define"
	ScopeProfile            = "profile"
	ScopeAllRead            = "all/read"
	ScopeAll                = "all"

	ScopeRosterCore         = "roster-core.readonly"
	ScopeRoster             = "roster.readonly"
	ScopeRosterDemographics = "roster-demographics.readonly"
	ScopeGradebookRead      = "gradebook.readonly"
	ScopeGradebookWrite     = "gradebook.createput"
	ScopeGradebookDelete    = "gradebook.delete"
	ScopeGradebookCoreRead  = "gradebook-core.readonly"
	ScopeGradebookPost      = "gradebook.createpost"
	ScopeResourceCore       = "resource-core.readonly"
	ScopeResource           = "resource.readonly"
	ScopeAssessmentRead     = "assessment.readonly"
	ScopeAssessmentWrite    = "assessment.createput"
	ScopeAssessmentDelete   = "assessment.delete"

	ScopeAdmin = "admin"
)

// KnownScopes lists every scope in a stable order.
var KnownScopes = []string{
	ScopeStatementsWrite, ScopeStatementsRead, ScopeStatementsReadMine, ScopeState,
	ScopeDefine, ScopeProfile, ScopeAllRead, ScopeAll,
	ScopeRosterCore, ScopeRoster, ScopeRosterDemographics,
	ScopeGradebookRead, ScopeGradebookWrite, ScopeGradebookDelete,
	ScopeGradebookCoreRead, ScopeGradebookPost, ScopeResourceCore, ScopeResource,
	ScopeAssessmentRead, ScopeAssessmentWrite, ScopeAssessmentDelete,
	ScopeAdmin,
}

// oneRosterScopePrefixes are the URL forms OneRoster clients send.
var oneRosterScopePrefixes = []string{
	"https://purl.imsglobal.org/spec/or/v1p2/scope/",
	"https://purl.imsglobal.org/spec/or/v1p1/scope/",
}

// NormalizeScope returns a scope's short form: OneRoster scopes given with
// their purl.imsglobal.org prefix lose it.
func NormalizeScope(s string) string {
	for _, p := range oneRosterScopePrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest
		}
	}
	return s
}

// ParseScopes splits a comma- or space-separated scope list, normalises each
// scope and refuses unknown ones. Duplicates are dropped.
func ParseScopes(list string) ([]string, error) {
	var out []string
	for _, s := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		s = NormalizeScope(s)
		if !slices.Contains(KnownScopes, s) {
			return nil, fmt.Errorf("unknown scope %q", s)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}
