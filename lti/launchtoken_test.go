package lti_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/lti"
)

// fakeIssuer records the grant it is asked for.
type fakeIssuer struct {
	got auth.LaunchGrant
	err error
}

func (f *fakeIssuer) IssueLaunchToken(_ context.Context, g auth.LaunchGrant) (string, auth.Token, error) {
	f.got = g
	if f.err != nil {
		return "", auth.Token{}, f.err
	}
	return "opaque-token", auth.Token{Expires: time.Date(2026, 11, 28, 22, 0, 0, 0, time.UTC)}, nil
}

func TestLaunchCredentials(t *testing.T) {
	t.Parallel()
	pub, _ := url.Parse("https://tool.example.org/passport/")
	tool := &lti.Tool{PublicURL: pub}
	li := lti.LaunchInfo{Tenant: "camp-a", Learner: lti.LTIUser{LearnerID: "lrn-1"}, Attempt: "0b6f1f5e-9f59-4a8e-8f0c-3f7f2b0d6a11"}
	tests := []struct {
		name         string
		endpoint     string
		li           lti.LaunchInfo
		issuerErr    error
		wantEndpoint string
		wantErr      bool
	}{
		{name: "default endpoint", li: li, wantEndpoint: "https://tool.example.org/passport/xapi/"},
		{name: "configured endpoint", endpoint: "https://lrs.example.org/xapi/", li: li, wantEndpoint: "https://lrs.example.org/xapi/"},
		{name: "no learner", li: lti.LaunchInfo{Tenant: "camp-a", Attempt: li.Attempt}, wantErr: true},
		{name: "issuer fails", li: li, issuerErr: errors.New("store down"), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			iss := &fakeIssuer{err: tc.issuerErr}
			c := &lti.LaunchCredentials{Tool: tool, Issuer: iss, Endpoint: tc.endpoint, TTL: time.Hour}
			endpoint, authz, exp, err := c.XAPICredentials(context.Background(), tc.li)
			if tc.wantErr {
				require.Error(t, err)
				assert.Empty(t, authz)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantEndpoint, endpoint)
			assert.Equal(t, "Bearer opaque-token", authz)
			assert.False(t, exp.IsZero())
			assert.Equal(t, auth.LaunchGrant{
				Tenant: "camp-a", Agent: "account:https://tool.example.org/passport|lrn-1",
				Registration: li.Attempt, TTL: time.Hour,
			}, iss.got, "bound to the actor content is given and the attempt")
		})
	}
}
