package openemis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeList(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		n    int
		err  bool
	}{
		{"data array", `{"data":[{"id":1},{"id":2}],"total":2}`, 2, false},
		{"paginated", `{"data":{"current_page":1,"data":[{"id":1}],"last_page":1}}`, 1, false},
		{"empty", `{"data":[]}`, 0, false},
		{"null", `{"data":null}`, 0, false},
		{"not json", `<html>`, 0, true},
		{"wrong shape", `{"data":"x"}`, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rows, err := decodeList([]byte(tc.in))
			if tc.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, rows, tc.n)
		})
	}
}

func FuzzDecodeList(f *testing.F) {
	f.Add(`{"data":[{"id":1,"name":"x"}]}`)
	f.Add(`{"data":{"data":[{"id":1}]}}`)
	f.Add(`{"data":null}`)
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := decodeList([]byte(in))
		if err != nil {
			return
		}
		for _, r := range rows {
			_ = str(r, "id")
			_ = num(r, "id")
		}
	})
}
