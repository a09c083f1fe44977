package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/store"
	"github.com/passportbridge/passport/store/backend"
)

// ltiTests is the lti domain's part of the contract suite.
var ltiTests = []subTest{
	{"LTIRegistrationCRUD", testLTIRegistrationCRUD},
	{"LTIRegistrationConflict", testLTIRegistrationConflict},
	{"LTIRegistrationsByIssuer", testLTIRegistrationsByIssuer},
	{"LTIRegistrationTenantIsolation", testLTIRegistrationTenantIsolation},
	{"LTIDeployments", testLTIDeployments},
	{"LTILoginStateSingleUse", testLTILoginStateSingleUse},
	{"NonceReplay", testLTINonceReplay},
	{"LTISweep", testLTISweep},
	{"LTIToolKeyRotation", testLTIToolKeyRotation},
	{"LTIContentCRUD", testLTIContentCRUD},
	{"LTIUserLinks", testLTIUserLinks},
	{"LTIScoreOutbox", testLTIScoreOutbox},
	{"LTICommitLaunch", testLTICommitLaunch},
	{"LTINRPSMarks", testLTINRPSMarks},
}

func ltiReg(tenant, id, issuer, clientID string) lti.Registration {
	return lti.Registration{
		Tenant: tenant, ID: id, Issuer: issuer, ClientID: clientID,
		Deployments: []string{"dep-1"}, AuthURL: issuer + "/auth", TokenURL: issuer + "/token",
		TokenAudience: "https://api.brightspace.com/auth/token", JWKSURL: issuer + "/jwks",
		TargetHosts: []string{"content.example.org"}, ProductFamily: "moodle", Name: "Moodle",
		Source: "cli", Created: t0,
	}
}

func testLTIRegistrationCRUD(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.Registration(ctx, "camp-a", "r1")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.RegistrationByClient(ctx, "https://lms.example", "c1")
	require.ErrorIs(t, err, store.ErrNotFound)

	want := ltiReg("camp-a", "r1", "https://lms.example", "c1")
	want.AcceptNewDeployments = true
	want.PlatformKeyPEM = "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n"
	require.NoError(t, s.CreateRegistration(ctx, want))

	got, err := s.Registration(ctx, "camp-a", "r1")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	got, err = s.RegistrationByClient(ctx, "https://lms.example", "c1")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	_, err = s.RegistrationByClient(ctx, "https://lms.example/", "c1")
	require.ErrorIs(t, err, store.ErrNotFound, "issuers match exactly")

	require.NoError(t, s.SetRegistrationDisabled(ctx, "camp-a", "r1", true))
	got, err = s.Registration(ctx, "camp-a", "r1")
	require.NoError(t, err)
	assert.True(t, got.Disabled)
	require.ErrorIs(t, s.SetRegistrationDisabled(ctx, "camp-a", "nope", true), store.ErrNotFound)

	list, err := s.Registrations(ctx, "camp-a")
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "r1", list[0].ID)
}

func testLTIRegistrationConflict(t *testing.T, s backend.Store) {
	ctx := t.Context()
	require.NoError(t, s.CreateRegistration(ctx, ltiReg("camp-a", "r1", "https://lms.example", "c1")))
	err := s.CreateRegistration(ctx, ltiReg("camp-a", "r1", "https://lms.example", "c2"))
	require.ErrorIs(t, err, store.ErrConflict, "same id")
	err = s.CreateRegistration(ctx, ltiReg("camp-b", "r9", "https://lms.example", "c1"))
	require.ErrorIs(t, err, store.ErrConflict, "same issuer and client id in another tenant")
	require.NoError(t, s.CreateRegistration(ctx, ltiReg("camp-b", "r1", "https://lms.example", "c2")),
		"the same id in another tenant is free")
}

func testLTIRegistrationsByIssuer(t *testing.T, s backend.Store) {
	ctx := t.Context()
	canvas := "https://canvas.instructure.com"
	require.NoError(t, s.CreateRegistration(ctx, ltiReg("camp-b", "r2", canvas, "c2")))
	require.NoError(t, s.CreateRegistration(ctx, ltiReg("camp-a", "r1", canvas, "c1")))
	require.NoError(t, s.CreateRegistration(ctx, ltiReg("camp-a", "r3", "https://other.example", "c3")))
	rs, err := s.RegistrationsByIssuer(ctx, canvas, 2)
	require.NoError(t, err)
	require.Len(t, rs, 2)
	assert.Equal(t, []string{"camp-a", "camp-b"}, []string{rs[0].Tenant, rs[1].Tenant})
	rs, err = s.RegistrationsByIssuer(ctx, canvas, 1)
	require.NoError(t, err)
	assert.Len(t, rs, 1)
	rs, err = s.RegistrationsByIssuer(ctx, "https://none.example", 2)
	require.NoError(t, err)
	assert.Empty(t, rs)
}

func testLTIRegistrationTenantIsolation(t *testing.T, s backend.Store) {
	ctx := t.Context()
	require.NoError(t, s.CreateRegistration(ctx, ltiReg("camp-a", "r1", "https://lms.example", "c1")))
	_, err := s.Registration(ctx, "camp-b", "r1")
	require.ErrorIs(t, err, store.ErrNotFound)
	list, err := s.Registrations(ctx, "camp-b")
	require.NoError(t, err)
	assert.Empty(t, list)
	require.ErrorIs(t, s.SetRegistrationDisabled(ctx, "camp-b", "r1", true), store.ErrNotFound)
	require.ErrorIs(t, s.AddDeployment(ctx, "camp-b", "r1", "dep-x"), store.ErrNotFound)
	got, err := s.Registration(ctx, "camp-a", "r1")
	require.NoError(t, err)
	assert.False(t, got.Disabled)
	assert.Equal(t, []string{"dep-1"}, got.Deployments)
}

func testLTIDeployments(t *testing.T, s backend.Store) {
	ctx := t.Context()
	require.NoError(t, s.CreateRegistration(ctx, ltiReg("camp-a", "r1", "https://lms.example", "c1")))
	require.NoError(t, s.AddDeployment(ctx, "camp-a", "r1", "dep-2"))
	require.NoError(t, s.AddDeployment(ctx, "camp-a", "r1", "dep-2"), "idempotent")
	require.NoError(t, s.AddDeployment(ctx, "camp-a", "r1", "dep-0"))
	got, err := s.RegistrationByClient(ctx, "https://lms.example", "c1")
	require.NoError(t, err)
	assert.Equal(t, []string{"dep-1", "dep-2", "dep-0"}, got.Deployments)
	require.ErrorIs(t, s.AddDeployment(ctx, "camp-a", "nope", "dep-2"), store.ErrNotFound)
}

func testLTILoginStateSingleUse(t *testing.T, s backend.Store) {
	ctx := t.Context()
	st := lti.LoginState{
		State: "state-1", Nonce: "nonce-1", Tenant: "camp-a", RegistrationID: "r1",
		Issuer: "https://lms.example", ClientID: "c1", TargetLinkURI: "https://tool.example/lti/launch",
		StorageTarget: "post_message_forwarding", StorageOrigin: "https://lms.example", StorageSecret: "s3cret",
		Created: t0, Expires: t0.Add(10 * time.Minute),
	}
	require.NoError(t, s.SaveLoginState(ctx, st))
	require.ErrorIs(t, s.SaveLoginState(ctx, st), store.ErrConflict)
	got, err := s.LoginState(ctx, "state-1", t0.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, st, got)
	_, err = s.LoginState(ctx, "state-1", t0.Add(10*time.Minute))
	require.ErrorIs(t, err, store.ErrNotFound, "expired")
	require.NoError(t, s.SaveLoginState(ctx, lti.LoginState{State: "state-2", Tenant: "camp-a", Created: t0, Expires: t0.Add(time.Hour)}))
	require.NoError(t, s.ConsumeLogin(ctx, "state-1", "camp-a", "nonce-1", t0.Add(time.Hour)))
	require.ErrorIs(t, s.ConsumeLogin(ctx, "state-1", "camp-a", "nonce-9", t0.Add(time.Hour)), store.ErrNotFound, "single use")
	require.ErrorIs(t, s.ConsumeLogin(ctx, "state-2", "camp-a", "nonce-1", t0.Add(time.Hour)), store.ErrConflict, "nonce used")
	require.ErrorIs(t, s.UseNonce(ctx, "camp-a", "nonce-1", t0.Add(time.Hour)), store.ErrConflict, "consumed nonce recorded")
	_, err = s.LoginState(ctx, "state-1", t0)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testLTINonceReplay(t *testing.T, s backend.Store) {
	ctx := t.Context()
	exp := t0.Add(time.Hour)
	require.NoError(t, s.UseNonce(ctx, "camp-a", "n1", exp))
	require.ErrorIs(t, s.UseNonce(ctx, "camp-a", "n1", exp), store.ErrConflict)
	require.NoError(t, s.UseNonce(ctx, "camp-b", "n1", exp), "nonces are per tenant")
	require.NoError(t, s.UseNonce(ctx, "camp-a", "n2", exp))
}

func testLTISweep(t *testing.T, s backend.Store) {
	ctx := t.Context()
	for i, exp := range []time.Time{t0.Add(time.Minute), t0.Add(time.Hour)} {
		st := lti.LoginState{State: []string{"old", "new"}[i], Nonce: "n", Tenant: "camp-a", Created: t0, Expires: exp}
		require.NoError(t, s.SaveLoginState(ctx, st))
		require.NoError(t, s.UseNonce(ctx, "camp-a", st.State, exp))
	}
	n, err := s.SweepLTI(ctx, t0.Add(30*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	_, err = s.LoginState(ctx, "new", t0)
	require.NoError(t, err)
	require.NoError(t, s.UseNonce(ctx, "camp-a", "old", t0.Add(time.Hour)), "a swept nonce is free again")
	require.ErrorIs(t, s.UseNonce(ctx, "camp-a", "new", t0.Add(time.Hour)), store.ErrConflict)
}

func testLTIToolKeyRotation(t *testing.T, s backend.Store) {
	ctx := t.Context()
	cur := lti.ToolKey{Scope: lti.InstallationKeys, KID: "k1", PrivateDER: []byte{1, 2, 3}, Status: lti.KeyCurrent, Created: t0, Activated: t0}
	next := lti.ToolKey{Scope: lti.InstallationKeys, KID: "k2", PrivateDER: []byte{4, 5}, Status: lti.KeyNext, Created: t0.Add(time.Hour)}
	require.NoError(t, s.PutToolKey(ctx, cur))
	require.NoError(t, s.PutToolKey(ctx, next))
	require.NoError(t, s.PutToolKey(ctx, lti.ToolKey{Scope: "other", KID: "k9", PrivateDER: []byte{9}, Status: lti.KeyCurrent, Created: t0}))
	keys, err := s.ToolKeys(ctx, lti.InstallationKeys)
	require.NoError(t, err)
	assert.Equal(t, []lti.ToolKey{next, cur}, keys, "newest first, scoped")

	next.Status, next.Activated = lti.KeyCurrent, t0.Add(25*time.Hour)
	cur.Status, cur.Retired = lti.KeyRetired, t0.Add(25*time.Hour)
	require.NoError(t, s.PutToolKey(ctx, next))
	require.NoError(t, s.PutToolKey(ctx, cur))
	keys, err = s.ToolKeys(ctx, lti.InstallationKeys)
	require.NoError(t, err)
	assert.Equal(t, []lti.ToolKey{next, cur}, keys)

	require.NoError(t, s.DeleteToolKey(ctx, lti.InstallationKeys, "k1"))
	require.ErrorIs(t, s.DeleteToolKey(ctx, lti.InstallationKeys, "k1"), store.ErrNotFound)
	require.ErrorIs(t, s.DeleteToolKey(ctx, lti.InstallationKeys, "k9"), store.ErrNotFound, "scopes are isolated")
	keys, err = s.ToolKeys(ctx, lti.InstallationKeys)
	require.NoError(t, err)
	assert.Equal(t, []lti.ToolKey{next}, keys)
}

func ltiContent(tenant, id string) lti.Content {
	return lti.Content{
		Tenant: tenant, ID: id, Title: "Fractions " + id, Description: "Practise fractions.",
		LaunchURL: "https://content.example.org/" + id + "/index.html", ActivityID: "https://passport.example/activities/" + id,
		ScoreMaximum: 10, Tags: []string{"maths"}, Created: t0, Updated: t0.Add(time.Second),
	}
}

func testLTIContentCRUD(t *testing.T, s backend.Store) {
	ctx := t.Context()
	_, err := s.Content(ctx, "camp-a", "frac-1")
	require.ErrorIs(t, err, store.ErrNotFound)
	a, b := ltiContent("camp-a", "frac-2"), ltiContent("camp-a", "frac-1")
	require.NoError(t, s.PutContent(ctx, a))
	require.NoError(t, s.PutContent(ctx, b))
	require.NoError(t, s.PutContent(ctx, ltiContent("camp-b", "frac-3")))
	got, err := s.Content(ctx, "camp-a", "frac-2")
	require.NoError(t, err)
	assert.Equal(t, a, got)

	a.Title, a.Tags, a.Updated = "Fractions, again", []string{"maths", "literacy"}, t0.Add(time.Hour)
	require.NoError(t, s.PutContent(ctx, a), "replace")
	list, err := s.Contents(ctx, "camp-a")
	require.NoError(t, err)
	assert.Equal(t, []lti.Content{b, a}, list)

	_, err = s.Content(ctx, "camp-b", "frac-2")
	require.ErrorIs(t, err, store.ErrNotFound, "tenant isolation")
	require.ErrorIs(t, s.DeleteContent(ctx, "camp-b", "frac-2"), store.ErrNotFound)
	require.NoError(t, s.DeleteContent(ctx, "camp-a", "frac-2"))
	require.ErrorIs(t, s.DeleteContent(ctx, "camp-a", "frac-2"), store.ErrNotFound)
	list, err = s.Contents(ctx, "camp-a")
	require.NoError(t, err)
	assert.Equal(t, []lti.Content{b}, list)
}

func testLTIUserLinks(t *testing.T, s backend.Store) {
	ctx := t.Context()
	moodle := lti.LTIUser{Tenant: "camp-a", Issuer: "https://moodle.example", Subject: "2", LearnerID: "L1", PersonSourcedID: "sis-9", Created: t0}
	canvas := lti.LTIUser{Tenant: "camp-a", Issuer: "https://canvas.instructure.com", Subject: "abc", LearnerID: "L1", PersonSourcedID: "sis-9", LegacyUserID: "old-1", Created: t0.Add(time.Minute)}
	other := lti.LTIUser{Tenant: "camp-b", Issuer: "https://moodle.example", Subject: "2", LearnerID: "L2", PersonSourcedID: "sis-9", Created: t0}
	for _, u := range []lti.LTIUser{canvas, moodle, other} {
		require.NoError(t, s.CreateLTIUser(ctx, u))
	}
	require.ErrorIs(t, s.CreateLTIUser(ctx, moodle), store.ErrConflict)
	got, err := s.LTIUser(ctx, "camp-a", "https://moodle.example", "2")
	require.NoError(t, err)
	assert.Equal(t, moodle, got)
	_, err = s.LTIUser(ctx, "camp-a", "https://moodle.example", "3")
	require.ErrorIs(t, err, store.ErrNotFound)
	list, err := s.LTIUsersBySourcedID(ctx, "camp-a", "sis-9")
	require.NoError(t, err)
	assert.Equal(t, []lti.LTIUser{moodle, canvas}, list, "oldest first, tenant scoped")
}

func testLTIScoreOutbox(t *testing.T, s backend.Store) {
	ctx := t.Context()
	rec := lti.LaunchRecord{
		Tenant: "camp-a", Attempt: "att-1", RegistrationID: "r1", Subject: "student-1", ContentID: "frac-1",
		Label: "Fractions", ScoreMaximum: 10, ResourceLinkID: "rl-1", Created: t0,
		AGS: lti.AGSEndpoint{Scope: lti.StringList{lti.ScopeScore}, LineItem: "https://moodle.example/lineitems/1/lineitem?type_id=4"},
	}
	require.NoError(t, s.SaveLaunchRecord(ctx, rec))
	require.ErrorIs(t, s.SaveLaunchRecord(ctx, rec), store.ErrConflict)
	got, err := s.LaunchRecord(ctx, "camp-a", "att-1")
	require.NoError(t, err)
	assert.Equal(t, rec, got)
	_, err = s.LaunchRecord(ctx, "camp-b", "att-1")
	require.ErrorIs(t, err, store.ErrNotFound, "tenant isolation")

	given, max := 7.0, 10.0
	job := func(tenant, id string, next time.Time) lti.ScoreJob {
		return lti.ScoreJob{
			Tenant: tenant, ID: id, Attempt: "att-1", State: lti.ScorePending, NextAttempt: next, Created: t0,
			Score: lti.Score{
				UserID: "student-1", ScoreGiven: &given, ScoreMaximum: &max, Timestamp: "2026-11-28T17:00:00.000Z",
				ActivityProgress: lti.ActivityCompleted, GradingProgress: lti.GradingFullyGraded,
			},
		}
	}
	late, early := job("camp-a", "j2", t0.Add(time.Minute)), job("camp-b", "j1", t0)
	require.NoError(t, s.EnqueueScore(ctx, late))
	require.NoError(t, s.EnqueueScore(ctx, early))
	require.NoError(t, s.EnqueueScore(ctx, job("camp-a", "j3", t0.Add(time.Hour))))
	require.ErrorIs(t, s.EnqueueScore(ctx, late), store.ErrConflict, "enqueueing is idempotent by id")
	due, err := s.DueScores(ctx, t0.Add(2*time.Minute), 10)
	require.NoError(t, err)
	assert.Equal(t, []lti.ScoreJob{early, late}, due, "due jobs of every tenant, earliest first")

	late.Attempts, late.LastError, late.NextAttempt = 1, "platform answered 503", t0.Add(time.Hour+time.Minute)
	require.NoError(t, s.UpdateScoreJob(ctx, late))
	early.Attempts, early.State = 1, lti.ScoreDelivered
	require.NoError(t, s.UpdateScoreJob(ctx, early))
	due, err = s.DueScores(ctx, t0.Add(2*time.Minute), 10)
	require.NoError(t, err)
	assert.Empty(t, due)
	due, err = s.DueScores(ctx, t0.Add(2*time.Hour), 1)
	require.NoError(t, err)
	require.Len(t, due, 1)
	assert.Equal(t, "j3", due[0].ID)
	missing := job("camp-b", "j2", t0)
	require.ErrorIs(t, s.UpdateScoreJob(ctx, missing), store.ErrNotFound)
}

func testLTICommitLaunch(t *testing.T, s backend.Store) {
	ctx := t.Context()
	reg := ltiReg("camp-a", "r1", "https://lms.example", "c1")
	require.NoError(t, s.CreateRegistration(ctx, reg))
	for _, st := range []string{"s1", "s2", "s3"} {
		require.NoError(t, s.SaveLoginState(ctx, lti.LoginState{State: st, Nonce: "n-" + st, Tenant: "camp-a", RegistrationID: "r1", Created: t0, Expires: t0.Add(time.Hour)}))
	}
	exp := t0.Add(time.Hour)
	user := lti.LTIUser{Tenant: "camp-a", Issuer: reg.Issuer, Subject: "sub-1", LearnerID: "learner-1", PersonSourcedID: "sis-1", Created: t0}
	record := func(attempt string) *lti.LaunchRecord {
		return &lti.LaunchRecord{
			Tenant: "camp-a", Attempt: attempt, RegistrationID: "r1", Subject: "sub-1", ContentID: "c", ScoreMaximum: 10,
			AGS: lti.AGSEndpoint{LineItem: "https://lms.example/li/1", Scope: []string{lti.ScopeScore}}, Created: t0,
		}
	}
	token := func(hash string) *auth.Token {
		return &auth.Token{
			Hash: hash, Key: auth.LaunchKey("camp-a"), Tenant: "camp-a", Scopes: auth.LaunchScopes(),
			Expires: t0.Add(4 * time.Hour), Agent: "account::https://tool.example::learner-1", Registration: "7f0c1d1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f",
		}
	}
	commit := lti.LaunchCommit{
		State: "s1", Tenant: "camp-a", Nonce: "n-s1", NonceExp: exp, RegistrationID: "r1", NewDeploymentID: "dep-new",
		User: &user, Record: record("a1"), Token: token("h1"),
	}
	require.NoError(t, s.CommitLaunch(ctx, commit))

	_, err := s.LoginState(ctx, "s1", t0)
	require.ErrorIs(t, err, store.ErrNotFound, "state consumed")
	require.ErrorIs(t, s.UseNonce(ctx, "camp-a", "n-s1", exp), store.ErrConflict, "nonce recorded")
	got, err := s.Registration(ctx, "camp-a", "r1")
	require.NoError(t, err)
	assert.Equal(t, []string{"dep-1", "dep-new"}, got.Deployments)
	u, err := s.LTIUser(ctx, "camp-a", reg.Issuer, "sub-1")
	require.NoError(t, err)
	assert.Equal(t, user, u)
	rec, err := s.LaunchRecord(ctx, "camp-a", "a1")
	require.NoError(t, err)
	assert.Equal(t, *record("a1"), rec)
	tok, err := s.Token(ctx, "h1", t0)
	require.NoError(t, err, "the launch token is stored as SaveToken stores it")
	assert.Equal(t, *token("h1"), tok)

	// A replay (state used) writes nothing.
	replay := lti.LaunchCommit{State: "s1", Tenant: "camp-a", Nonce: "n-other", NonceExp: exp, RegistrationID: "r1", Record: record("a2"), Token: token("h2")}
	require.ErrorIs(t, s.CommitLaunch(ctx, replay), store.ErrNotFound)
	_, err = s.Token(ctx, "h2", t0)
	require.ErrorIs(t, err, store.ErrNotFound, "no token for a replayed launch")
	_, err = s.LaunchRecord(ctx, "camp-a", "a2")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, s.UseNonce(ctx, "camp-a", "n-other", exp), "the replay recorded no nonce")

	// A used nonce refuses the launch and writes nothing else.
	used := lti.LaunchCommit{State: "s2", Tenant: "camp-a", Nonce: "n-s1", NonceExp: exp, RegistrationID: "r1", Record: record("a3"), Token: token("h3")}
	require.ErrorIs(t, s.CommitLaunch(ctx, used), store.ErrConflict)
	_, err = s.Token(ctx, "h3", t0)
	require.ErrorIs(t, err, store.ErrNotFound, "no token for a nonce replay")
	_, err = s.LaunchRecord(ctx, "camp-a", "a3")
	require.ErrorIs(t, err, store.ErrNotFound)

	// A user linked meanwhile: nothing written, the state is still there to retry.
	other := user
	other.LearnerID = "learner-2"
	raced := lti.LaunchCommit{State: "s3", Tenant: "camp-a", Nonce: "n-s3", NonceExp: exp, RegistrationID: "r1", User: &other, Token: token("h4")}
	require.ErrorIs(t, s.CommitLaunch(ctx, raced), lti.ErrUserLinked)
	_, err = s.Token(ctx, "h4", t0)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.LoginState(ctx, "s3", t0)
	require.NoError(t, err, "state kept for the retry")
	raced.User = nil
	require.NoError(t, s.CommitLaunch(ctx, raced))
	u, err = s.LTIUser(ctx, "camp-a", reg.Issuer, "sub-1")
	require.NoError(t, err)
	assert.Equal(t, "learner-1", u.LearnerID, "the first link stays")
	_, err = s.Token(ctx, "h4", t0)
	require.NoError(t, err)
}

func testLTINRPSMarks(t *testing.T, s backend.Store) {
	ctx := t.Context()
	const members = "https://lms.example/nrps/ctx-1?role=Learner"
	_, err := s.NRPSDifferences(ctx, "camp-a", "r1", members)
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, s.SetNRPSDifferences(ctx, "camp-a", "r1", members, "https://lms.example/nrps/ctx-1?since=1"))
	require.NoError(t, s.SetNRPSDifferences(ctx, "camp-a", "r1", members, "https://lms.example/nrps/ctx-1?since=2"))
	require.NoError(t, s.SetNRPSDifferences(ctx, "camp-a", "r2", members, "https://lms.example/nrps/ctx-1?since=r2"))
	got, err := s.NRPSDifferences(ctx, "camp-a", "r1", members)
	require.NoError(t, err)
	assert.Equal(t, "https://lms.example/nrps/ctx-1?since=2", got, "the latest link replaces the last")
	got, err = s.NRPSDifferences(ctx, "camp-a", "r2", members)
	require.NoError(t, err)
	assert.Equal(t, "https://lms.example/nrps/ctx-1?since=r2", got, "per registration")
	_, err = s.NRPSDifferences(ctx, "camp-b", "r1", members)
	require.ErrorIs(t, err, store.ErrNotFound, "per tenant")
	_, err = s.NRPSDifferences(ctx, "camp-a", "r1", "https://lms.example/nrps/ctx-2")
	require.ErrorIs(t, err, store.ErrNotFound, "per memberships url")

	require.NoError(t, s.SetNRPSDifferences(ctx, "camp-a", "r1", members, ""))
	_, err = s.NRPSDifferences(ctx, "camp-a", "r1", members)
	require.ErrorIs(t, err, store.ErrNotFound, "removed")
	require.NoError(t, s.SetNRPSDifferences(ctx, "camp-a", "r1", members, ""), "removing what is absent is fine")
	got, err = s.NRPSDifferences(ctx, "camp-a", "r2", members)
	require.NoError(t, err)
	assert.Equal(t, "https://lms.example/nrps/ctx-1?since=r2", got)
}
