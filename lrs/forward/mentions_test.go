package forward_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/lrs/forward"
)

func TestMentions(t *testing.T) {
	t.Parallel()
	const key = "mbox:mailto:Ana@camp.example"
	tests := []struct {
		name string
		raw  string
		want bool
	}{
		{"actor", `{"actor":{"mbox":"mailto:Ana@camp.example"}}`, true},
		{"domain case", `{"actor":{"mbox":"mailto:Ana@CAMP.Example"}}`, true},
		{"local part case is significant", `{"actor":{"mbox":"mailto:ana@camp.example"}}`, false},
		{"group member", `{"actor":{"objectType":"Group","member":[{"mbox":"mailto:x@y.example"},{"mbox":"mailto:Ana@camp.example"}]}}`, true},
		{"context team member", `{"context":{"team":{"member":[{"mbox":"mailto:Ana@camp.example"}]}}}`, true},
		{"contextAgents", `{"context":{"contextAgents":[{"objectType":"contextAgent","agent":{"mbox":"mailto:Ana@camp.example"}}]}}`, true},
		{"substatement", `{"object":{"objectType":"SubStatement","actor":{"mbox":"mailto:Ana@camp.example"}}}`, true},
		{"look-alike", `{"actor":{"mbox":"mailto:Ana@camp.example.org"}}`, false},
		{"only in a string", `{"result":{"response":"mailto:Ana@camp.example"}}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := forward.Mentions([]byte(tc.raw), key)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			if tok := forward.ScanToken(key); got && tok != "" {
				assert.Contains(t, strings.ToLower(tc.raw), tok, "the scan token never hides a match")
			}
		})
	}
	_, err := forward.Mentions([]byte(`{`), key)
	require.Error(t, err)
}

func TestScanToken(t *testing.T) {
	t.Parallel()
	tests := []struct{ key, want string }{
		{"mbox:mailto:Ana@camp.example", "mailto:ana"},
		{"mbox_sha1sum:ABCDEF", "abcdef"},
		{"openid:https://id.example/ana", "https://id.example/ana"},
		{"account:https://camp.example|L-0042", "l-0042"},
		{"account:https://camp.example|Ana & Bo", ""},
		{"account:https://camp.example|Zoë", ""},
		{"nonsense", ""},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, forward.ScanToken(tc.key))
		})
	}
}

// FuzzAgentKeyOf checks that erasure's agent parser (fed by the admin API
// and the CLI) never panics, and that an accepted agent gives a key that
// its own JSON mentions.
func FuzzAgentKeyOf(f *testing.F) {
	for _, name := range []string{"agent-mbox.json", "agent-account.json", "agent-bad.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, agent []byte) {
		key, err := forward.AgentKeyOf(agent)
		if err != nil {
			return
		}
		if key == "" {
			t.Fatal("accepted an agent without a key")
		}
		if ok, err := forward.Mentions(agent, key); err == nil && !ok {
			t.Fatalf("agent %s does not mention its own key %s", agent, key)
		}
	})
}

// FuzzMentions checks that the erasure matcher never panics on any JSON.
func FuzzMentions(f *testing.F) {
	f.Add([]byte(`{"actor":{"mbox":"mailto:a@b.example"}}`), "mbox:mailto:a@b.example")
	f.Add([]byte(`[{"account":{"homePage":"h","name":"n"}}]`), "account:h|n")
	f.Fuzz(func(t *testing.T, raw []byte, key string) {
		_, _ = forward.Mentions(raw, key)
		_ = forward.ScanToken(key)
	})
}
