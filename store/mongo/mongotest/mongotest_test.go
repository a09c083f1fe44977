package mongotest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, uri, want string
	}{
		{"bare host", "mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017/t_x"},
		{"root path", "mongodb://127.0.0.1:27017/", "mongodb://127.0.0.1:27017/t_x"},
		{"replaces database", "mongodb://h/passport", "mongodb://h/t_x"},
		{
			"keeps options", "mongodb://u:p%40ss@h1:1,h2:2/admin?replicaSet=rs&authSource=admin",
			"mongodb://u:p%40ss@h1:1,h2:2/t_x?replicaSet=rs&authSource=admin",
		},
		{"options without path", "mongodb://h?replicaSet=rs", "mongodb://h/t_x?replicaSet=rs"},
		{"srv", "mongodb+srv://cluster.example.org/db?retryWrites=true", "mongodb+srv://cluster.example.org/t_x?retryWrites=true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := withDatabase(tc.uri, "t_x")
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := withDatabase("localhost:27017", "t_x")
	assert.Error(t, err)
}
