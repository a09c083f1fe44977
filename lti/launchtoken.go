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

// PreparedXAPI is an xAPI launch credential whose token is not stored
// yet: the launch stores Token with its other records (LaunchWrites), and
// the credential works once that write is durable.
type PreparedXAPI struct {
	Endpoint      string
	Authorization string
	Expires       time.Time
	Token         *auth.Token
}

// XAPICredentialPreparer is an XAPICredentials whose token can be written
// with the launch instead of on its own.
type XAPICredentialPreparer interface {
	PrepareXAPICredentials(ctx context.Context, li LaunchInfo) (PreparedXAPI, error)
}

// LaunchTokenPreparer prepares launch tokens without storing them
// (auth.Authenticator does).
type LaunchTokenPreparer interface {
	PrepareLaunchToken(ctx context.Context, g auth.LaunchGrant) (string, auth.Token, error)
}

var (
	_ LaunchTokenPreparer    = (*auth.Authenticator)(nil)
	_ XAPICredentialPreparer = (*LaunchCredentials)(nil)
)

// XAPICredentials issues the launch's token, bound to the learner's actor
// (the one XAPILaunchURL gives content) and the attempt's registration.
func (c *LaunchCredentials) XAPICredentials(ctx context.Context, li LaunchInfo) (endpoint, authorization string, expires time.Time, err error) {
	g, err := c.grant(li)
	if err != nil {
		return "", "", time.Time{}, err
	}
	raw, tok, err := c.Issuer.IssueLaunchToken(ctx, g)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("xapi launch credential: %w", err)
	}
	return c.endpoint(), "Bearer " + raw, tok.Expires, nil
}

// PrepareXAPICredentials is XAPICredentials with the token record returned
// for the launch to store, when the issuer can prepare tokens; otherwise
// the token is issued (stored) here and Token is nil.
func (c *LaunchCredentials) PrepareXAPICredentials(ctx context.Context, li LaunchInfo) (PreparedXAPI, error) {
	p, ok := c.Issuer.(LaunchTokenPreparer)
	if !ok {
		e, a, exp, err := c.XAPICredentials(ctx, li)
		return PreparedXAPI{Endpoint: e, Authorization: a, Expires: exp}, err
	}
	g, err := c.grant(li)
	if err != nil {
		return PreparedXAPI{}, err
	}
	raw, tok, err := p.PrepareLaunchToken(ctx, g)
	if err != nil {
		return PreparedXAPI{}, fmt.Errorf("xapi launch credential: %w", err)
	}
	return PreparedXAPI{Endpoint: c.endpoint(), Authorization: "Bearer " + raw, Expires: tok.Expires, Token: &tok}, nil
}

// grant is the launch token's binding: the learner's actor as content gets
// it and the attempt's registration.
func (c *LaunchCredentials) grant(li LaunchInfo) (auth.LaunchGrant, error) {
	if li.Learner.LearnerID == "" {
		return auth.LaunchGrant{}, errors.New("xapi launch credential: the launch has no learner")
	}
	var actor map[string]any
	if err := json.Unmarshal(c.Tool.Actor(li.Learner.LearnerID), &actor); err != nil {
		return auth.LaunchGrant{}, fmt.Errorf("xapi launch credential: %w", err)
	}
	return auth.LaunchGrant{Tenant: li.Tenant, Agent: lrs.AgentKey(actor), Registration: li.Attempt, TTL: c.TTL}, nil
}

func (c *LaunchCredentials) endpoint() string {
	if c.Endpoint == "" {
		return c.Tool.URL("/xapi/")
	}
	return c.Endpoint
}
