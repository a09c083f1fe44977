package lti_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/passportbridge/passport/lti"
)

func TestTokenAudience(t *testing.T) {
	t.Parallel()
	const tokenURL = "https://lms.example/token"
	tests := []struct {
		name      string
		auds      []string
		array     bool
		stored    string
		wantClaim any
	}{
		{"default: the token URL as a string", nil, false, "", tokenURL},
		{"one audience", []string{"https://api.brightspace.com/auth/token"}, false, "https://api.brightspace.com/auth/token", "https://api.brightspace.com/auth/token"},
		{"the token URL as an array", nil, true, "[]", []string{tokenURL}},
		{"one audience as an array", []string{"https://a.example/t"}, true, `["https://a.example/t"]`, []string{"https://a.example/t"}},
		{"several audiences", []string{"https://a.example/t", "https://b.example/t"}, false, `["https://a.example/t","https://b.example/t"]`, []string{"https://a.example/t", "https://b.example/t"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stored := lti.FormatTokenAudience(tc.auds, tc.array)
			assert.Equal(t, tc.stored, stored)
			reg := lti.Registration{TokenURL: tokenURL, TokenAudience: stored}
			assert.Equal(t, tc.wantClaim, reg.TokenAudClaim())
			auds, _ := reg.TokenAudiences()
			assert.Equal(t, auds[0], reg.TokenAud())
		})
	}
	t.Run("an unreadable array falls back to the token URL", func(t *testing.T) {
		t.Parallel()
		reg := lti.Registration{TokenURL: tokenURL, TokenAudience: "[not json"}
		assert.Equal(t, []string{tokenURL}, reg.TokenAudClaim())
	})
}
