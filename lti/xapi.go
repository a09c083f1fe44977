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
