package connectors

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"
)

// statementNamespace is the UUID namespace of statement ids derived from
// source records (a fixed random UUID; never change it, ids depend on it).
var statementNamespace = uuid.MustParse("6f0c7c1e-5b8e-4f65-9a54-2a1d3e0b7c42")

// StatementID derives a statement id from the parts naming its source
// record, so that re-reading the same record yields the same id.
func StatementID(parts ...string) string {
	return uuid.NewSHA1(statementNamespace, []byte(strings.Join(parts, "\x00"))).String()
}

// Statement is an xAPI statement a connector produces: the subset of the
// xAPI 1.0.3 statement it fills in, marshalled to its JSON form.
type Statement struct {
	ID        string    `json:"id"`
	Actor     Agent     `json:"actor"`
	Verb      Verb      `json:"verb"`
	Object    Activity  `json:"object"`
	Result    *Result   `json:"result,omitempty"`
	Context   *Context  `json:"context,omitempty"`
	Timestamp time.Time `json:"timestamp"`
}

// Agent is the learner a statement is about, identified by an account.
type Agent struct {
	ObjectType string  `json:"objectType"`
	Account    Account `json:"account"`
}

// Account is an xAPI account IFI.
type Account struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

// LearnerAgent returns the Agent for the roster user with that sourcedId in
// the system at homePage.
func LearnerAgent(homePage, sourcedID string) Agent {
	return Agent{ObjectType: "Agent", Account: Account{HomePage: homePage, Name: sourcedID}}
}

// Verb is an xAPI verb.
type Verb struct {
	ID      string            `json:"id"`
	Display map[string]string `json:"display"`
}

// The ADL verbs connectors use.
var (
	VerbCompleted  = Verb{ID: "http://adlnet.gov/expapi/verbs/completed", Display: map[string]string{"en-US": "completed"}}
	VerbPassed     = Verb{ID: "http://adlnet.gov/expapi/verbs/passed", Display: map[string]string{"en-US": "passed"}}
	VerbFailed     = Verb{ID: "http://adlnet.gov/expapi/verbs/failed", Display: map[string]string{"en-US": "failed"}}
	VerbMastered   = Verb{ID: "http://adlnet.gov/expapi/verbs/mastered", Display: map[string]string{"en-US": "mastered"}}
	VerbScored     = Verb{ID: "http://adlnet.gov/expapi/verbs/scored", Display: map[string]string{"en-US": "scored"}}
	VerbProgressed = Verb{ID: "http://adlnet.gov/expapi/verbs/progressed", Display: map[string]string{"en-US": "progressed"}}
)

// Activity is the object of a statement.
type Activity struct {
	ObjectType string              `json:"objectType"`
	ID         string              `json:"id"`
	Definition *ActivityDefinition `json:"definition,omitempty"`
}

// ActivityDefinition names an activity and its type.
type ActivityDefinition struct {
	Name map[string]string `json:"name,omitempty"`
	Type string            `json:"type,omitempty"`
}

// Result is a statement's outcome.
type Result struct {
	Score      *Score         `json:"score,omitempty"`
	Success    *bool          `json:"success,omitempty"`
	Completion *bool          `json:"completion,omitempty"`
	Duration   string         `json:"duration,omitempty"`
	Response   string         `json:"response,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Score is a result's score.
type Score struct {
	Scaled *float64 `json:"scaled,omitempty"`
	Raw    *float64 `json:"raw,omitempty"`
	Min    *float64 `json:"min,omitempty"`
	Max    *float64 `json:"max,omitempty"`
}

// NewScore builds a score from raw, min and max, with scaled =
// (raw-min)/(max-min) clamped to [0,1] when the range is positive.
func NewScore(raw, lo, hi float64) *Score {
	s := &Score{Raw: &raw, Min: &lo, Max: &hi}
	if hi > lo && raw >= lo && raw <= hi {
		v := math.Round((raw-lo)/(hi-lo)*10000) / 10000
		s.Scaled = &v
	}
	return s
}

// Context carries the platform a statement comes from.
type Context struct {
	Platform   string         `json:"platform,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Duration formats seconds as an ISO 8601 duration (PT12.5S).
func Duration(seconds float64) string {
	if seconds < 0 {
		seconds = 0
	}
	return fmt.Sprintf("PT%sS", strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", seconds), "0"), "."))
}
