package lti

import (
	"context"
	"encoding/json"
	"net/url"
	"time"
)

// LaunchInfo is what the LRS side needs to know about a launch of a
// catalogue item: who, what, from where, and where scores go back.
type LaunchInfo struct {
	Tenant         string
	RegistrationID string // the LTI platform registration
	DeploymentID   string
	Issuer         string
	Learner        LTIUser
	Content        Content
	// Attempt is the xAPI registration (a UUID) of this launch: every
	// statement of the attempt carries it, and scores for it go back to
	// the platform.
	Attempt        string
	ResourceLinkID string
	ContextID      string
	Roles          []Role
	// AGS is the launch's grade service claim (nil if none).
	AGS        *AGSEndpoint
	LaunchedAt time.Time
}

// Actor is the xAPI agent of a learner: an account on the passport home
// page named by the learner id (no name or email, so no personal data).
func (t *Tool) Actor(learnerID string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"objectType": "Agent",
		"account":    map[string]string{"homePage": t.URL(""), "name": learnerID},
	})
	return b
}

// XAPICredentials issues what content needs to report to the LRS: the
// endpoint and an Authorization value limited to the learner's statements
// of this attempt. It is implemented by the LRS side and wired by the lead.
type XAPICredentials interface {
	XAPICredentials(ctx context.Context, li LaunchInfo) (endpoint, authorization string, expires time.Time, err error)
}

// LaunchRecorder records a launch as an xAPI statement (verb "launched").
// It is implemented by the LRS side and wired by the lead.
type LaunchRecorder interface {
	RecordLaunch(ctx context.Context, li LaunchInfo) error
}

// XAPILaunchURL is the content's launch URL with the xAPI launch parameters
// (endpoint, auth, actor, registration, activity_id) added to its query.
func (t *Tool) XAPILaunchURL(li LaunchInfo, endpoint, authorization string) (string, error) {
	return AppendQuery(li.Content.LaunchURL, url.Values{
		"endpoint":     {endpoint},
		"auth":         {authorization},
		"actor":        {string(t.Actor(li.Learner.LearnerID))},
		"registration": {li.Attempt},
		"activity_id":  {li.Content.ActivityID},
	})
}

// VerbLaunched is the ADL verb the launch statement uses.
const VerbLaunched = "http://adlnet.gov/expapi/verbs/launched"

// LaunchStatement is the xAPI statement recording a launch: the learner
// (by account, no personal data) launched the catalogue activity, in the
// attempt's registration, from the platform's context.
func (t *Tool) LaunchStatement(li LaunchInfo) ([]byte, error) {
	ext := func(name string) string { return t.URL("/xapi/extensions/" + name) }
	ctxExt := map[string]any{
		ext("lti-issuer"):          li.Issuer,
		ext("lti-deployment"):      li.DeploymentID,
		ext("lti-resource-link"):   li.ResourceLinkID,
		ext("lti-context"):         li.ContextID,
		ext("lti-registration-id"): li.RegistrationID,
	}
	for k, v := range ctxExt {
		if v == "" {
			delete(ctxExt, k)
		}
	}
	stmt := map[string]any{
		"actor":     json.RawMessage(t.Actor(li.Learner.LearnerID)),
		"verb":      map[string]any{"id": VerbLaunched, "display": map[string]string{"en-US": "launched"}},
		"object":    map[string]any{"objectType": "Activity", "id": li.Content.ActivityID, "definition": map[string]any{"name": map[string]string{"en": li.Content.Title}}},
		"timestamp": li.LaunchedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		"context": map[string]any{
			"registration": li.Attempt,
			"platform":     "LTI 1.3",
			"extensions":   ctxExt,
		},
	}
	return json.Marshal(stmt)
}

// OutcomeFromStatement reads what Grader.Report needs from a stored xAPI
// statement: its context.registration (the attempt) and its result, at its
// timestamp (or stored, the time the LRS gives it, when it has none). ok is
// false when the statement has no registration or no result worth sending
// (neither a score nor a completion).
func OutcomeFromStatement(stmt []byte, stored time.Time) (attempt string, o Outcome, ok bool) {
	var s struct {
		Timestamp string `json:"timestamp"`
		Stored    string `json:"stored"`
		Context   *struct {
			Registration string `json:"registration"`
		} `json:"context"`
		Result *struct {
			Completion *bool `json:"completion"`
			Success    *bool `json:"success"`
			Score      *struct {
				Scaled *float64 `json:"scaled"`
				Raw    *float64 `json:"raw"`
				Max    *float64 `json:"max"`
			} `json:"score"`
		} `json:"result"`
	}
	if err := json.Unmarshal(stmt, &s); err != nil || s.Context == nil || s.Context.Registration == "" || s.Result == nil {
		return "", Outcome{}, false
	}
	when := stored
	ts := s.Timestamp
	if ts == "" {
		ts = s.Stored
	}
	if ts != "" {
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return "", Outcome{}, false
		}
		when = t
	}
	if when.IsZero() {
		return "", Outcome{}, false
	}
	o = Outcome{Timestamp: when.UTC(), Completed: s.Result.Completion != nil && *s.Result.Completion}
	if sc := s.Result.Score; sc != nil {
		o.ScoreScaled, o.ScoreRaw, o.ScoreMax = sc.Scaled, sc.Raw, sc.Max
	}
	if !o.Completed && o.ScoreScaled == nil && o.ScoreRaw == nil {
		return "", Outcome{}, false
	}
	return s.Context.Registration, o, true
}
