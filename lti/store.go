package lti

import (
	"context"
	"errors"
	"time"

	"github.com/passportbridge/passport/internal/auth"
)

// Store is everything the LTI tool keeps: registrations with their
// deployments, tool keys, login state and nonces. Backends implement it and
// pass store/storetest's lti cases.
type Store interface {
	RegistrationStore
	LoginStore
	KeyStore
	ContentStore
	IdentityStore
	GradeStore
	LaunchCommitter
	NRPSMarkStore
}

// LaunchCommit is everything an accepted launch stores, written at once:
// the login state is consumed and the nonce recorded in the same durable
// write as the records the launch creates, so a launch whose state or
// nonce was already used leaves none of them behind.
type LaunchCommit struct {
	// State is the login state to consume; Tenant, Nonce and NonceExp
	// record the nonce as used (as LoginStore.ConsumeLogin does).
	State    string
	Tenant   string
	Nonce    string
	NonceExp time.Time
	// RegistrationID and NewDeploymentID, when the latter is set, record a
	// deployment first seen in this launch (as AddDeployment does).
	RegistrationID  string
	NewDeploymentID string
	// User is a learner link first made by this launch (as CreateLTIUser
	// does); nil when the user is known already.
	User *LTIUser
	// Record is the launch record of a scored item (as SaveLaunchRecord
	// does); nil when grades do not go back for this launch.
	Record *LaunchRecord
	// Token is the launch's xAPI bearer token, with only the SHA-256 hash
	// of its secret (as auth.Store's SaveToken stores it); nil for none.
	Token *auth.Token
}

// ErrUserLinked is returned (wrapped) by CommitLaunch when LaunchCommit.User
// was linked concurrently by another launch; nothing was written, so the
// launch may resolve the learner again and retry.
var ErrUserLinked = errors.New("lti user linked concurrently")

// LaunchCommitter stores an accepted launch in one write.
type LaunchCommitter interface {
	// CommitLaunch consumes c.State and records c.Nonce, then stores
	// c's deployment, user, launch record and token. store.ErrNotFound if
	// the state was consumed already, store.ErrConflict if the nonce (or
	// the token hash or the attempt) was used, ErrUserLinked as documented
	// there. Backends with transactions write all of it or nothing; others
	// store a new learner link first, then consume the state and nonce, then
	// the rest, so no launch record or token is written for a refused launch.
	CommitLaunch(ctx context.Context, c LaunchCommit) error
}

// RegistrationStore keeps platform registrations and their deployments.
// A registration belongs to one tenant, but its (issuer, client id) pair is
// unique across the whole installation, because the login endpoint is shared
// and must find the tenant from the platform's identity alone.
type RegistrationStore interface {
	// CreateRegistration adds r with r.Deployments; store.ErrConflict if its
	// id or its (issuer, client id) is taken in any tenant.
	CreateRegistration(ctx context.Context, r Registration) error
	// RegistrationByClient returns the registration for (issuer, client id),
	// in any tenant; store.ErrNotFound if absent.
	RegistrationByClient(ctx context.Context, issuer, clientID string) (Registration, error)
	// RegistrationsByIssuer returns up to limit registrations with that issuer,
	// in any tenant, ordered by tenant then id.
	RegistrationsByIssuer(ctx context.Context, issuer string, limit int) ([]Registration, error)
	// Registration returns one of a tenant's registrations by id;
	// store.ErrNotFound if the tenant has none with that id.
	Registration(ctx context.Context, tenant, id string) (Registration, error)
	// Registrations lists a tenant's registrations ordered by id.
	Registrations(ctx context.Context, tenant string) ([]Registration, error)
	// SetRegistrationDisabled switches a tenant's registration off or on;
	// store.ErrNotFound if the tenant has none with that id.
	SetRegistrationDisabled(ctx context.Context, tenant, id string, disabled bool) error
	// AddDeployment records a deployment id for a tenant's registration. It is
	// idempotent; store.ErrNotFound if the registration does not exist.
	AddDeployment(ctx context.Context, tenant, registrationID, deploymentID string) error
}

// LoginStore keeps OIDC login state between login initiation and launch, and
// the nonces already used. Expiry is a field plus a periodic sweep.
type LoginStore interface {
	// SaveLoginState stores s; store.ErrConflict if its state value exists.
	SaveLoginState(ctx context.Context, s LoginState) error
	// LoginState returns the login state with that value if it has not
	// expired at now; store.ErrNotFound otherwise. It does not consume it.
	LoginState(ctx context.Context, state string, now time.Time) (LoginState, error)
	// ConsumeLogin consumes the state and records its nonce as used in
	// tenant until nonceExp, atomically where the backend can: store.
	// ErrNotFound if the state was already consumed (so of two concurrent
	// launches only one wins), store.ErrConflict if the nonce was used.
	ConsumeLogin(ctx context.Context, state, tenant, nonce string, nonceExp time.Time) error
	// UseNonce records that nonce was used in tenant until exp;
	// store.ErrConflict if it was already used and has not expired.
	UseNonce(ctx context.Context, tenant, nonce string, exp time.Time) error
	// SweepLTI deletes login states and nonces expired before now and says
	// how many records it removed.
	SweepLTI(ctx context.Context, now time.Time) (int, error)
}

// KeyStore keeps the tool's signing keys. Keys are kept per key-ring scope
// (stored in the tenant column); the tool uses the installation-wide scope
// InstallationKeys, because its JWKS URL is shared by every tenant.
type KeyStore interface {
	// ToolKeys lists the scope's keys, newest first (by Created).
	ToolKeys(ctx context.Context, scope string) ([]ToolKey, error)
	// PutToolKey inserts k, or replaces the key with the same (scope, kid).
	PutToolKey(ctx context.Context, k ToolKey) error
	// DeleteToolKey removes a key; store.ErrNotFound if absent.
	DeleteToolKey(ctx context.Context, scope, kid string) error
}

// InstallationKeys is the key-ring scope of the tool's own signing keys.
const InstallationKeys = "_installation"
