package lti

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/store"
)

// LaunchParams is what the platform form-POSTs to the launch endpoint, plus
// what the browser brings back to bind the state.
type LaunchParams struct {
	IDToken string // id_token
	State   string // state
	// Error and ErrorDescription are set when the platform answered the
	// authentication request with an error (login_required, …).
	Error            string
	ErrorDescription string
	// CookieState is the value of the StateCookieName(State) cookie ("" if
	// the browser sent none).
	CookieState string
	// StorageValue is the value the launch page read back from platform
	// storage ("" on the first POST).
	StorageValue string
}

// LaunchParamsFrom reads LaunchParams from a POSTed form.
func LaunchParamsFrom(v url.Values) LaunchParams {
	return LaunchParams{
		IDToken:          v.Get("id_token"),
		State:            v.Get("state"),
		Error:            v.Get("error"),
		ErrorDescription: v.Get("error_description"),
		StorageValue:     v.Get("lti_storage_value"),
	}
}

// StorageCheck asks the HTTP layer to render a page that reads the login
// secret from platform storage and POSTs the launch again with it.
type StorageCheck struct {
	Target string `json:"target"`
	Origin string `json:"origin"`
	Key    string `json:"key"`
}

// Launch is a validated LTI launch.
type Launch struct {
	Registration Registration
	Claims       *Claims
	MessageType  string
	DeploymentID string
	// Subject is the platform's user id; "" for an anonymous launch.
	Subject string
	Roles   []Role
	// TargetLinkURI is the claim's target (or the login's, when a deep
	// linking request carries none).
	TargetLinkURI string
	Custom        map[string]string
}

// Anonymous reports whether the launch carries no user.
func (l *Launch) Anonymous() bool { return l.Subject == "" }

// Launch validates an authentication response (Security Framework
// §5.1.1.3–5.1.3 and LTI Core 1.3). It returns a *StorageCheck instead of a
// launch when the state cookie is missing but the login stored the state in
// platform storage; the HTTP layer then renders the check page. An accepted
// launch has consumed its state and nonce.
func (t *Tool) Launch(ctx context.Context, p LaunchParams) (*Launch, *StorageCheck, error) {
	return t.LaunchWith(ctx, p, nil)
}

// LaunchWrites are the records an accepted launch stores in the same write
// that consumes its login state and nonce (see LaunchCommit).
type LaunchWrites struct {
	User   *LTIUser
	Record *LaunchRecord
	Token  *auth.Token
}

// LaunchPrepare reads what an accepted launch needs and returns the records
// to store with it. It runs after every check has passed and before the
// state is consumed, so it must only read (it may run twice when a first
// launch of a user races another). An error refuses the launch (its state
// is consumed all the same).
type LaunchPrepare func(ctx context.Context, l *Launch) (LaunchWrites, error)

// LaunchWith is Launch with the records of the launch (learner link, grade
// record, xAPI launch token) written in the one durable write that consumes
// the state and records the nonce: a replayed or concurrent second POST of
// the same response is refused and leaves none of them behind. prepare may
// be nil.
func (t *Tool) LaunchWith(ctx context.Context, p LaunchParams, prepare LaunchPrepare) (*Launch, *StorageCheck, error) {
	if p.Error != "" {
		return nil, nil, refuse(400, ReasonPlatformError, "platform returned error %q: %s", truncate(p.Error, 64), truncate(p.ErrorDescription, 200))
	}
	if p.State == "" || p.IDToken == "" {
		return nil, nil, refuse(400, ReasonBadRequest, "launch: id_token or state missing")
	}
	if len(p.IDToken) > 64<<10 {
		return nil, nil, refuse(400, ReasonMalformedToken, "id_token too large")
	}
	now := t.now()
	st, err := t.Store.LoginState(ctx, p.State, now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, refuse(401, ReasonStateMismatch, "unknown or expired state")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("launch: load state: %w", err)
	}
	switch {
	case p.CookieState != "" && equal(p.CookieState, st.State):
	case st.StorageSecret != "" && p.StorageValue == "" && p.CookieState == "":
		return nil, &StorageCheck{Target: st.StorageTarget, Origin: st.StorageOrigin, Key: StorageKey(st.State)}, nil
	case st.StorageSecret != "" && p.StorageValue != "" && equal(p.StorageValue, st.StorageSecret):
	default:
		return nil, nil, refuse(401, ReasonStateMismatch, "state is not bound to this browser (cookie missing or different)")
	}
	reg, err := t.registration(ctx, st.Tenant, st.RegistrationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, refuse(400, ReasonUnknownPlatform, "registration %s vanished", st.RegistrationID)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("launch: load registration: %w", err)
	}
	if reg.Disabled {
		return nil, nil, refuse(403, ReasonRegistrationOff, "registration %s is disabled", reg.ID)
	}
	c, err := t.verifyIDToken(ctx, reg, p.IDToken, st.Nonce)
	if err != nil {
		return nil, nil, err
	}
	if err := c.ValidateMessage(); err != nil {
		return nil, nil, err
	}
	// From here on the response is authentic: whatever the outcome, its
	// state and nonce are used up (single use), and every write of an
	// accepted launch happens in the one commit that uses them up.
	commit := LaunchCommit{State: st.State, Tenant: reg.Tenant, Nonce: *c.Nonce, NonceExp: now.Add(t.maxAge() + 2*t.skew()), RegistrationID: reg.ID}
	dep := *c.DeploymentID
	newDeployment := false
	if !reg.HasDeployment(dep) {
		if !reg.AcceptNewDeployments {
			return nil, nil, t.consumeRefused(ctx, commit, refuse(403, ReasonDeployment, "deployment %q is not registered", truncate(dep, 255)))
		}
		newDeployment = true
		commit.NewDeploymentID = dep
		reg.Deployments = append(slices.Clip(reg.Deployments), dep)
	}
	target := c.TargetLinkURI
	if target == "" {
		target = st.TargetLinkURI
	}
	if *c.MessageType == MessageResourceLink && !t.targetAllowed(reg, target) {
		return nil, nil, t.consumeRefused(ctx, commit, refuse(400, ReasonTargetNotAllowed, "target_link_uri host %q is not the tool's", hostOf(target)))
	}
	l := &Launch{
		Registration:  reg,
		Claims:        c,
		MessageType:   *c.MessageType,
		DeploymentID:  dep,
		Roles:         MapRoles(*c.Roles),
		TargetLinkURI: target,
		Custom:        c.CustomStrings(),
	}
	if c.Subject != nil {
		l.Subject = *c.Subject
	}
	for try := 0; ; try++ {
		if prepare != nil {
			w, err := prepare(ctx, l)
			if err != nil {
				return nil, nil, t.consumeRefused(ctx, commit, err)
			}
			commit.User, commit.Record, commit.Token = w.User, w.Record, w.Token
		}
		err := t.Store.CommitLaunch(ctx, commit)
		switch {
		case err == nil:
		case errors.Is(err, store.ErrNotFound):
			return nil, nil, refuse(401, ReasonReplay, "state already used")
		case errors.Is(err, ErrUserLinked) && try == 0:
			continue // a concurrent first launch linked the user: resolve again
		case errors.Is(err, store.ErrConflict):
			return nil, nil, refuse(401, ReasonReplay, "nonce already used")
		default:
			return nil, nil, fmt.Errorf("launch: commit: %w", err)
		}
		break
	}
	if newDeployment {
		t.regs.forget(reg)
		t.logger().InfoContext(ctx, "lti deployment recorded", "tenant", reg.Tenant, "registration", reg.ID, "deployment_id", dep)
	}
	return l, nil, nil
}

// consumeRefused uses up the state and nonce of an authentic response that
// is refused all the same, and returns the refusal (or the replay refusal,
// when the state or nonce was used already).
func (t *Tool) consumeRefused(ctx context.Context, c LaunchCommit, refusal error) error {
	switch err := t.Store.ConsumeLogin(ctx, c.State, c.Tenant, c.Nonce, c.NonceExp); {
	case errors.Is(err, store.ErrNotFound):
		return refuse(401, ReasonReplay, "state already used")
	case errors.Is(err, store.ErrConflict):
		return refuse(401, ReasonReplay, "nonce already used")
	case err != nil:
		return fmt.Errorf("launch: consume login: %w", err)
	}
	return refusal
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
