package connectors

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSecret(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(file, []byte(" s3cret\n"), 0o600))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	t.Setenv("PASSPORT_TEST_CONNECTOR_SECRET", "from-env")

	tests := []struct {
		name              string
		direct, env, file string
		required          bool
		want, wantErr     string
	}{
		{name: "direct wins", direct: "d", env: "PASSPORT_TEST_CONNECTOR_SECRET", want: "d"},
		{name: "env", env: "PASSPORT_TEST_CONNECTOR_SECRET", file: file, want: "from-env"},
		{name: "file trimmed", file: file, want: "s3cret"},
		{name: "unset env", env: "PASSPORT_TEST_UNSET_VARIABLE", wantErr: "token_env: PASSPORT_TEST_UNSET_VARIABLE is not set"},
		{name: "missing file", file: filepath.Join(dir, "nope"), wantErr: "token_file:"},
		{name: "empty file", file: empty, wantErr: "is empty"},
		{name: "none, required", required: true, wantErr: "token_env or token_file: one is required"},
		{name: "none, optional"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Secret(tc.direct, tc.env, tc.file, "token", tc.required)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
