package lti

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Member is one NRPS membership.
type Member struct {
	UserID             string            `json:"user_id"`
	Roles              []string          `json:"roles"`
	Status             string            `json:"status,omitempty"`
	Name               string            `json:"name,omitempty"`
	GivenName          string            `json:"given_name,omitempty"`
	FamilyName         string            `json:"family_name,omitempty"`
	MiddleName         string            `json:"middle_name,omitempty"`
	Email              string            `json:"email,omitempty"`
	Picture            string            `json:"picture,omitempty"`
	LISPersonSourcedID string            `json:"lis_person_sourcedid,omitempty"`
	Message            []json.RawMessage `json:"message,omitempty"`
}

// Active reports whether the member's status is Active (the default).
func (m Member) Active() bool { return m.Status == "" || m.Status == "Active" }

// Membership is an NRPS membership container, merged across pages.
type Membership struct {
	ID      string `json:"id"`
	Context struct {
		ID    string `json:"id"`
		Label string `json:"label,omitempty"`
		Title string `json:"title,omitempty"`
	} `json:"context"`
	Members []Member `json:"members"`
	// Differences is the rel="differences" URL for the next sync, if any.
	Differences string `json:"-"`
}

// MembershipQuery filters a membership request.
type MembershipQuery struct {
	Role           string
	ResourceLinkID string // rlid
	Limit          int
	// Budget bounds the time spent paging; default 2 min.
	Budget time.Duration
}

// Memberships reads the context's memberships from url (the claim's
// context_memberships_url, or a stored differences URL), following
// rel="next" links up to maxPages and the time budget.
func (s *Services) Memberships(ctx context.Context, reg Registration, claim *NRPSClaim, from string, q MembershipQuery) (*Membership, error) {
	if claim == nil || claim.ContextMembershipsURL == "" {
		return nil, errors.New("launch has no names and roles claim")
	}
	if len(claim.ServiceVersions) > 0 && !slices.Contains([]string(claim.ServiceVersions), "2.0") {
		return nil, fmt.Errorf("platform offers NRPS versions %v, not 2.0", []string(claim.ServiceVersions))
	}
	if from == "" {
		from = claim.ContextMembershipsURL
		params := url.Values{}
		if q.Role != "" {
			params.Set("role", q.Role)
		}
		if q.ResourceLinkID != "" {
			params.Set("rlid", q.ResourceLinkID)
		}
		if q.Limit > 0 {
			params.Set("limit", strconv.Itoa(q.Limit))
		}
		var err error
		if from, err = AppendQuery(from, params); err != nil {
			return nil, err
		}
	}
	budget := q.Budget
	if budget <= 0 {
		budget = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	out := &Membership{}
	next := from
	for page := 0; next != ""; page++ {
		if page >= maxPages {
			return nil, fmt.Errorf("memberships: more than %d pages", maxPages)
		}
		body, hdr, err := s.call(ctx, reg, []string{ScopeMembership}, []string{ScopeMembership}, http.MethodGet, next, MediaMembership, "", nil)
		if err != nil {
			return nil, fmt.Errorf("memberships: %w", err)
		}
		var m Membership
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, fmt.Errorf("decode memberships: %w", err)
		}
		if page == 0 {
			out.ID, out.Context = m.ID, m.Context
		}
		out.Members = append(out.Members, m.Members...)
		if d := nextLink(hdr, "differences"); d != "" {
			out.Differences = d
		}
		next = nextLink(hdr, "next")
	}
	return out, nil
}
