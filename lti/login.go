package lti

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/passportbridge/passport/store"
)

// LoginParams are the OIDC third-party login initiation parameters, from the
// query (GET) or form (POST). Unknown extra parameters are ignored.
type LoginParams struct {
	Issuer           string // iss
	LoginHint        string // login_hint
	TargetLinkURI    string // target_link_uri
	LTIMessageHint   string // lti_message_hint (opaque, echoed unchanged)
	LTIDeploymentID  string // lti_deployment_id
	ClientID         string // client_id
	LTIStorageTarget string // lti_storage_target
}

// LoginParamsFrom reads LoginParams from url.Values.
func LoginParamsFrom(v url.Values) LoginParams {
	return LoginParams{
		Issuer:           v.Get("iss"),
		LoginHint:        v.Get("login_hint"),
		TargetLinkURI:    v.Get("target_link_uri"),
		LTIMessageHint:   v.Get("lti_message_hint"),
		LTIDeploymentID:  v.Get("lti_deployment_id"),
		ClientID:         v.Get("client_id"),
		LTIStorageTarget: v.Get("lti_storage_target"),
	}
}

// StorageData is what the login page puts into platform storage with
// lti.put_data before it goes on to the platform's authorization endpoint.
type StorageData struct {
	// Target is the lti_storage_target frame name; "" when the bridge page
	// must find the frame through lti.capabilities (Tool.ProbeStorage).
	Target string `json:"target"`
	Origin string `json:"origin"` // the platform origin messages go to
	Key    string `json:"key"`
	Value  string `json:"value"`
}

// LoginResult is where to send the browser and what to remember there.
type LoginResult struct {
	// RedirectURL is the platform's authorization endpoint with the OIDC
	// authentication request parameters.
	RedirectURL string
	// State is the login state value; the HTTP layer binds it to the
	// browser with a cookie named by StateCookieName.
	State   string
	Expires time.Time
	// Storage is set when the platform offered platform storage; the state
	// is then also kept there (for browsers that block third-party cookies).
	Storage *StorageData
}

// StateCookieName is the name of the cookie that binds a login state to the
// browser; each login gets its own, so parallel launches in one page do not
// overwrite each other.
func StateCookieName(state string) string {
	if len(state) > 16 {
		state = state[:16]
	}
	return "lti_state_" + state
}

// StorageKey is the platform-storage key under which a login's secret is kept.
func StorageKey(state string) string { return "lti_state_" + state }

// Login handles OIDC third-party login initiation (Security Framework
// §5.1.1.1–5.1.1.2): it finds the registration, checks target_link_uri,
// stores state and nonce server-side and returns the authentication request.
func (t *Tool) Login(ctx context.Context, p LoginParams) (*LoginResult, error) {
	switch {
	case p.Issuer == "":
		return nil, refuse(400, ReasonBadRequest, "login: iss missing")
	case p.LoginHint == "":
		return nil, refuse(400, ReasonBadRequest, "login: login_hint missing")
	case p.TargetLinkURI == "":
		return nil, refuse(400, ReasonBadRequest, "login: target_link_uri missing")
	}
	reg, err := t.findRegistration(ctx, p.Issuer, p.ClientID)
	if err != nil {
		return nil, err
	}
	if !t.targetAllowed(reg, p.TargetLinkURI) {
		return nil, refuse(400, ReasonTargetNotAllowed, "login: target_link_uri host %q not allowed", hostOf(p.TargetLinkURI))
	}
	state, err := t.randomToken(32)
	if err != nil {
		return nil, err
	}
	nonce, err := t.randomToken(32)
	if err != nil {
		return nil, err
	}
	now := t.now()
	st := LoginState{
		State:          state,
		Nonce:          nonce,
		Tenant:         reg.Tenant,
		RegistrationID: reg.ID,
		Issuer:         reg.Issuer,
		ClientID:       reg.ClientID,
		TargetLinkURI:  p.TargetLinkURI,
		Created:        now,
		Expires:        now.Add(t.stateTTL()),
	}
	var storage *StorageData
	if p.LTIStorageTarget != "" || t.ProbeStorage {
		origin, err := originOf(reg.AuthURL)
		if err != nil {
			return nil, fmt.Errorf("login: registration auth url: %w", err)
		}
		secret, err := t.randomToken(32)
		if err != nil {
			return nil, err
		}
		st.StorageTarget, st.StorageOrigin, st.StorageSecret = truncate(p.LTIStorageTarget, 128), origin, secret
		storage = &StorageData{Target: st.StorageTarget, Origin: origin, Key: StorageKey(state), Value: secret}
	}
	q := url.Values{
		"scope":         {"openid"},
		"response_type": {"id_token"},
		"response_mode": {"form_post"},
		"prompt":        {"none"},
		"client_id":     {reg.ClientID},
		"redirect_uri":  {t.URL(PathLaunch)},
		"login_hint":    {p.LoginHint},
		"state":         {state},
		"nonce":         {nonce},
	}
	if p.LTIMessageHint != "" {
		q.Set("lti_message_hint", p.LTIMessageHint)
	}
	redirect, err := AppendQuery(reg.AuthURL, q)
	if err != nil {
		return nil, fmt.Errorf("login: registration auth url: %w", err)
	}
	if err := t.Store.SaveLoginState(ctx, st); err != nil {
		return nil, fmt.Errorf("login: save state: %w", err)
	}
	return &LoginResult{RedirectURL: redirect, State: state, Expires: st.Expires, Storage: storage}, nil
}

// findRegistration looks a registration up by (iss, client_id), or by iss
// alone when exactly one registration has that issuer.
func (t *Tool) findRegistration(ctx context.Context, iss, clientID string) (Registration, error) {
	var reg Registration
	if clientID != "" {
		r, err := t.registrationByClient(ctx, iss, clientID)
		if errors.Is(err, store.ErrNotFound) {
			return reg, refuse(400, ReasonUnknownPlatform, "no registration for issuer %q and client id %q", truncate(iss, 200), truncate(clientID, 200))
		}
		if err != nil {
			return reg, fmt.Errorf("find registration: %w", err)
		}
		reg = r
	} else {
		rs, err := t.Store.RegistrationsByIssuer(ctx, iss, 2)
		if err != nil {
			return reg, fmt.Errorf("find registration: %w", err)
		}
		switch len(rs) {
		case 0:
			return reg, refuse(400, ReasonUnknownPlatform, "no registration for issuer %q", truncate(iss, 200))
		case 1:
			reg = rs[0]
		default:
			return reg, refuse(400, ReasonAmbiguousPlatform, "issuer %q has several registrations and no client_id was sent", truncate(iss, 200))
		}
	}
	if reg.Disabled {
		return reg, refuse(403, ReasonRegistrationOff, "registration %s is disabled", reg.ID)
	}
	return reg, nil
}

func originOf(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme == "" || u.Host == "" {
		return "", errors.New("not an absolute url")
	}
	return u.Scheme + "://" + u.Host, nil
}
