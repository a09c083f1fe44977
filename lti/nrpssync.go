package lti

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/passportbridge/passport/store"
)

// NRPSMarkStore keeps, per tenant, registration and context memberships
// URL, the rel="differences" link the platform gave on the last sync, so
// the next sync reads only what changed (NRPS 2.0, membership
// differences).
type NRPSMarkStore interface {
	// NRPSDifferences returns the stored differences link;
	// store.ErrNotFound if there is none.
	NRPSDifferences(ctx context.Context, tenant, registrationID, membershipsURL string) (string, error)
	// SetNRPSDifferences stores the differences link for the next sync;
	// "" removes it (the next sync reads the whole roster).
	SetNRPSDifferences(ctx context.Context, tenant, registrationID, membershipsURL, differencesURL string) error
}

// SyncMemberships reads a context's memberships for a roster sync. When the
// last sync stored a differences link it reads only the changes since then
// (members whose status is Inactive or Deleted among them), otherwise, or
// when the platform no longer honours the link, the whole roster; full
// says which. The differences link of this answer is stored for the next
// sync, or the stored one removed when the platform gave none. A link to
// another origin than the memberships URL is never followed or stored: the
// platform's access token goes to the platform only.
func (s *Services) SyncMemberships(ctx context.Context, marks NRPSMarkStore, reg Registration, claim *NRPSClaim, q MembershipQuery) (m *Membership, full bool, err error) {
	if claim == nil || claim.ContextMembershipsURL == "" {
		return nil, false, errors.New("launch has no names and roles claim")
	}
	base := claim.ContextMembershipsURL
	diff, err := marks.NRPSDifferences(ctx, reg.Tenant, reg.ID, base)
	switch {
	case errors.Is(err, store.ErrNotFound):
		diff = ""
	case err != nil:
		return nil, false, fmt.Errorf("nrps differences link: %w", err)
	}
	if diff != "" && sameOrigin(diff, base) {
		m, err = s.Memberships(ctx, reg, claim, diff, q)
		if err != nil && ctx.Err() != nil {
			return nil, false, err
		}
	}
	if m == nil {
		full = true
		if m, err = s.Memberships(ctx, reg, claim, "", q); err != nil {
			return nil, false, err
		}
	}
	next := m.Differences
	if !sameOrigin(next, base) {
		next = ""
	}
	if next != diff {
		if err := marks.SetNRPSDifferences(ctx, reg.Tenant, reg.ID, base, next); err != nil {
			return nil, false, fmt.Errorf("store nrps differences link: %w", err)
		}
	}
	return m, full, nil
}

// sameOrigin reports whether u is an absolute URL with the scheme and host
// of base.
func sameOrigin(u, base string) bool {
	a, err := url.Parse(u)
	if err != nil || a.Host == "" {
		return false
	}
	b, err := url.Parse(base)
	if err != nil {
		return false
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}
