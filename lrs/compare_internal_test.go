package lrs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// compareSeeds are statements that exercise every rule of stripForCompare:
// LRS-set properties, activity definitions, verb displays, extensions,
// group members (order-free) and mbox domains.
var compareSeeds = []string{
	`{"id":"6690e6c9-3ef0-4ed3-8b37-7f3964730bee","actor":{"mbox":"mailto:A@Example.ORG"},"verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},"object":{"id":"http://example.org/a","definition":{"name":{"en-US":"A"}}},"timestamp":"2026-01-01T00:00:00Z","stored":"x","version":"1.0.0","authority":{"mbox":"mailto:x@y.z"}}`,
	`{"actor":{"objectType":"Group","name":"g","member":[{"mbox":"mailto:b@B.org","name":"B"},{"mbox":"mailto:a@A.org"}]},"verb":{"id":"http://x/v"},"object":{"objectType":"SubStatement","actor":{"mbox":"mailto:c@C.org"},"verb":{"id":"http://x/w","display":{"fr":"w"}},"object":{"id":"http://x/o","definition":{"type":"http://t"}}},"context":{"extensions":{"http://e/x":{"member":[2,1],"mbox":"mailto:Q@Q.Q","id":"keep","definition":1}},"instructor":{"member":"not an array","mbox":7}}}`,
	`{"a":[1,2.50,{"display":{"en":"x"}}],"member":[],"result":{"score":{"raw":1e3}},"definition":{"id":{"nested":true}}}`,
	`[]`, `"s"`, `null`, `12`,
}

func TestComparisonHashStreaming(t *testing.T) {
	t.Parallel()
	seeds := append([]string{}, compareSeeds...)
	files, err := filepath.Glob(filepath.Join("testdata", "statements", "*.json"))
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		seeds = append(seeds, string(b))
	}
	for _, s := range seeds {
		v, err := decodeJSON([]byte(s))
		require.NoError(t, err)
		items, ok := v.([]any)
		if !ok {
			items = []any{v}
		}
		for _, it := range append(items, v) {
			want, werr := appendCanonical(nil, stripForCompare(it, true))
			got, gerr := appendCompare(nil, it, true)
			require.Equal(t, werr != nil, gerr != nil, s)
			assert.Equal(t, string(want), string(got), s)
		}
	}
}

// FuzzComparisonHash holds the streaming comparison encoding to the
// reference one (strip, then encode) on arbitrary JSON.
func FuzzComparisonHash(f *testing.F) {
	for _, s := range compareSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeJSON(b)
		if err != nil {
			return
		}
		for _, top := range []bool{true, false} {
			want, werr := appendCanonical(nil, stripForCompare(v, top))
			got, gerr := appendCompare(nil, v, top)
			if (werr != nil) != (gerr != nil) || string(want) != string(got) {
				t.Fatalf("top=%v: got %q (%v), want %q (%v)", top, got, gerr, want, werr)
			}
		}
	})
}
