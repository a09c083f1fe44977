package main

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/config"
	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/store"
)

// TestLearnersLinkToTheRoster: a child launched from two LMSs under an old
// and a new sourcedId, merged by an admin in the roster, is one learner;
// a sourcedId the roster does not know is kept as sent.
func TestLearnersLinkToTheRoster(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pkg := filepath.Join("..", "..", "oneroster", "csv", "testdata", "v11")
	code, _, errOut := runCmd(t, env(), "oneroster", "import", pkg, "--data", dir)
	require.Equal(t, 0, code, errOut)
	code, _, errOut = runCmd(t, env(), "oneroster", "merge", "--data", dir, "--from", "u-4", "--into", "u-3", "--reason", "re-registered")
	require.Equal(t, 0, code, errOut)

	s, err := openStore(t.Context(), mustConfig(t, "--data", dir), discardLogger())
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close(t.Context()) })
	d := &deps{Store: s, Config: mustConfig(t, "--data", dir), Logger: discardLogger()}
	tool, err := ltiTool(d)
	require.NoError(t, err)

	launch := func(iss, sub, sourced string) *lti.Launch {
		c := &lti.Claims{LIS: &lti.LIS{PersonSourcedID: lti.FlexString(sourced)}}
		return &lti.Launch{Registration: lti.Registration{Tenant: "default", Issuer: iss}, Subject: sub, Claims: c}
	}
	ctx := t.Context()
	old, err := tool.Learner(ctx, s, launch("https://moodle.example", "7", "u-3"))
	require.NoError(t, err)
	assert.Equal(t, "u-3", old.PersonSourcedID)
	renamed, err := tool.Learner(ctx, s, launch("https://canvas.example", "x9", "u-4"))
	require.NoError(t, err)
	assert.Equal(t, "u-3", renamed.PersonSourcedID, "the merge is followed")
	assert.Equal(t, old.LearnerID, renamed.LearnerID, "one child, one learner")

	unknown, err := tool.Learner(ctx, s, launch("https://canvas.example", "y1", "not-in-roster"))
	require.NoError(t, err)
	assert.Equal(t, "not-in-roster", unknown.PersonSourcedID)
	assert.NotEqual(t, old.LearnerID, unknown.LearnerID)

	_, err = rosterLinker{s}.RosterUser(ctx, "default", "nobody")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func mustConfig(t *testing.T, args ...string) config.Config {
	t.Helper()
	cfg, _, err := config.Load("test", args, env(), nil)
	require.NoError(t, err)
	return cfg
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
