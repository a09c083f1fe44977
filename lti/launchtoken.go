package lti

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lrs"
)

// LaunchTokenIssuer issues bearer tokens bound to one learner and one xAPI
// registration (auth.Authenticator does).
type LaunchTokenIssuer interface {
	IssueLaunchToken(ctx context.Context, g auth.LaunchGrant) (string, auth.Token, error)
}

var _ LaunchTokenIssuer = (*auth.Authenticator)(nil)

// LaunchCredentials gives each launch of a catalogue item the xAPI launch
// credential of passport's own LRS: a fresh, short-lived bearer token that
// can write and read only the launched learner's statements (and State
// documents) in the attempt's registration. No long-lived secret is ever
// handed to content.
type LaunchCredentials struct {
	Tool   *Tool
	Issuer LaunchTokenIssuer
	// Endpoint is the LRS endpoint content reports to; default
	// PUBLIC_URL/xapi/.
	Endpoint string
	// TTL is each token's lifetime; default (and at most)
	// auth.LaunchTokenTTL.
	TTL time.Duration
}

var _ XAPICredentials = (*LaunchCredentials)(nil)

// XAPICredentials issues the launch's token, bound to the learner's actor
// (the one XAPILaunchURL gives content) and the attempt's registration.
func (c *LaunchCredentials) XAPICredentials(ctx context.Context, li LaunchInfo) (endpoint, authorization string, expires time.Time, err error) {
	if li.Learner.LearnerID == "" {
		return "", "", time.Time{}, errors.New("xapi launch credential: the launch has no learner")
	}
	var actor map[string]any
	if err := json.Unmarshal(c.Tool.Actor(li.Learner.LearnerID), &actor); err != nil {
		return "", "", time.Time{}, fmt.Errorf("xapi launch credential: %w", err)
	}
	raw, tok, err := c.Issuer.IssueLaunchToken(ctx, auth.LaunchGrant{
		Tenant: li.Tenant, Agent: lrs.AgentKey(actor), Registration: li.Attempt, TTL: c.TTL,
	})
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("xapi launch credential: %w", err)
	}
	endpoint = c.Endpoint
	if endpoint == "" {
		endpoint = c.Tool.URL("/xapi/")
	}
	return endpoint, "Bearer " + raw, tok.Expires, nil
}
