package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConnectorSpecEvery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"", 0, ""},
		{"15m", 15 * time.Minute, ""},
		{"@every 1h", time.Hour, ""},
		{"10s", 0, "shorter than"},
		{"daily", 0, "not a duration"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ConnectorSpec{Schedule: tc.in}.Every()
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestValidateConnectors(t *testing.T) {
	t.Parallel()
	known := func(s string) bool { return s == "moodle" }
	for _, tc := range []struct {
		name  string
		specs []ConnectorSpec
		err   string
	}{
		{"ok", []ConnectorSpec{{ID: "m1", Type: "moodle", Schedule: "1h"}}, ""},
		{"no id", []ConnectorSpec{{Type: "moodle"}}, "connectors[0]: id: required"},
		{"bad id", []ConnectorSpec{{ID: "M 1", Type: "moodle"}}, "id: use lowercase"},
		{"dup", []ConnectorSpec{{ID: "m", Type: "moodle"}, {ID: "m", Type: "moodle"}}, "connectors[1] (m): id: duplicate"},
		{"type", []ConnectorSpec{{ID: "m", Type: "canvas"}}, `type: unknown connector type "canvas"`},
		{"schedule", []ConnectorSpec{{ID: "m", Type: "moodle", Schedule: "soon"}}, "schedule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateConnectors(tc.specs, known)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
			var ue *UsageError
			assert.ErrorAs(t, err, &ue)
		})
	}
}

func TestParseFileRejectsUnknownConnectorKey(t *testing.T) {
	t.Parallel()
	_, err := ParseFile([]byte("connectors:\n  - id: m\n    type: moodle\n    shedule: 1h\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shedule")
}
