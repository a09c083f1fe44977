package main

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOneRosterTombstones covers the tombstone retention setting (default
// keep: no worker; a bad value fails its worker loudly) and the one-shot
// purge command.
func TestOneRosterTombstones(t *testing.T) {
	t.Parallel()
	d := &deps{Logger: slog.New(slog.DiscardHandler), Clock: time.Now, Getenv: env()}
	assert.Empty(t, onerosterWorkers(d), "tombstones are kept by default")
	d.Getenv = env(tombstoneRetentionEnv, "keep")
	assert.Empty(t, onerosterWorkers(d))
	d.Getenv = env(tombstoneRetentionEnv, "90d")
	ws := onerosterWorkers(d)
	require.Len(t, ws, 1)
	assert.Equal(t, "roster-tombstone-sweep", ws[0].Name)
	d.Getenv = env(tombstoneRetentionEnv, "soon")
	ws = onerosterWorkers(d)
	require.Len(t, ws, 1)
	require.ErrorContains(t, ws[0].Run(t.Context()), tombstoneRetentionEnv)

	data := filepath.Join(t.TempDir(), "data")
	pkg := "../../oneroster/csv/testdata/v11"
	code, _, errOut := runCmd(t, env(), "oneroster", "import", pkg, "--data", data)
	require.Equal(t, 0, code, errOut)
	code, out, errOut := runCmd(t, env(), "oneroster", "purge-tombstones", "--older-than", "1h", "--data", data)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "removed 0 tombstones")
	code, _, _ = runCmd(t, env(), "oneroster", "purge-tombstones", "--data", data)
	assert.Equal(t, 2, code, "--older-than is required")
	code, _, _ = runCmd(t, env(), "oneroster", "purge-tombstones", "--older-than", "yesterday", "--data", data)
	assert.Equal(t, 2, code)
}
