package oneroster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/passportbridge/passport/store"
)

// IdentityStore is what learner identity needs from the roster store.
type IdentityStore interface {
	Records(ctx context.Context, tenant string, kind Kind) ([]Record, error)
	Record(ctx context.Context, tenant string, kind Kind, sourcedID string) (Record, error)
	MergeStore
}

// How a learner is looked up.
const (
	BySourcedID  = "sourcedId"
	ByIdentifier = "identifier"
	ByEmail      = "email"
	// ByLTI matches an LTI lis.person_sourcedid: the sourcedId, or a userIds
	// entry of type LTI.
	ByLTI = "lti"
)

// MergeError is a merge an admin asked for that cannot be made; its text is
// safe to show.
type MergeError struct{ Reason string }

// Error returns the reason.
func (e *MergeError) Error() string { return e.Reason }

// HTTPStatus makes a MergeError a 400 Bad Request.
func (e *MergeError) HTTPStatus() int { return 400 }

// MergeLearners links the learner from (a new registration) to into (their
// earlier record), so learning records under either resolve to into. Both
// must be users of the tenant; merges do not chain into a cycle. The merge
// is its own audit entry (who, when, why).
func MergeLearners(ctx context.Context, st IdentityStore, tenant, from, into, actor, reason string, now time.Time) (Merge, error) {
	if from == "" || into == "" || from == into {
		return Merge{}, &MergeError{Reason: "merge needs two different sourcedIds"}
	}
	for _, id := range []string{from, into} {
		if _, err := st.Record(ctx, tenant, KindUser, id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return Merge{}, &MergeError{Reason: fmt.Sprintf("no user %q in the tenant", id)}
			}
			return Merge{}, fmt.Errorf("merge learners: %w", err)
		}
	}
	links, err := mergeLinks(ctx, st, tenant)
	if err != nil {
		return Merge{}, err
	}
	if resolve(links, into) == from {
		return Merge{}, &MergeError{Reason: fmt.Sprintf("%q is already merged into %q", into, from)}
	}
	m := Merge{Tenant: tenant, From: from, Into: into, Actor: actor, Reason: reason, At: now.UTC()}
	if err := st.SaveMerge(ctx, m); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Merge{}, &MergeError{Reason: fmt.Sprintf("%q is already merged into %q", from, links[from])}
		}
		return Merge{}, fmt.Errorf("merge learners: %w", err)
	}
	return m, nil
}

func mergeLinks(ctx context.Context, st MergeStore, tenant string) (map[string]string, error) {
	ms, err := st.Merges(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("learner merges: %w", err)
	}
	links := make(map[string]string, len(ms))
	for _, m := range ms {
		links[m.From] = m.Into
	}
	return links, nil
}

// resolve follows merge links to the canonical sourcedId.
func resolve(links map[string]string, id string) string {
	for range len(links) + 1 {
		next, ok := links[id]
		if !ok {
			return id
		}
		id = next
	}
	return id
}

// FindLearner returns the canonical user (after merges) that value names
// by the given key (BySourcedID, ByIdentifier, ByEmail or ByLTI);
// store.ErrNotFound when none does. Deleted users are not matched.
func FindLearner(ctx context.Context, st IdentityStore, tenant, by, value string) (User, error) {
	if value == "" {
		return User{}, fmt.Errorf("find learner: %w", store.ErrNotFound)
	}
	id := ""
	if by == BySourcedID || by == ByLTI {
		if r, err := st.Record(ctx, tenant, KindUser, value); err == nil && r.Status != StatusToBeDeleted {
			id = value
		}
	}
	if id == "" && by != BySourcedID {
		recs, err := st.Records(ctx, tenant, KindUser)
		if err != nil {
			return User{}, fmt.Errorf("find learner: %w", err)
		}
		for _, r := range recs {
			if r.Status == StatusToBeDeleted {
				continue
			}
			e, err := Decode(r)
			if err != nil {
				return User{}, err
			}
			u := e.(*User)
			if matches(u, by, value) {
				id = u.SourcedID
				break
			}
		}
	}
	if id == "" {
		return User{}, fmt.Errorf("find learner: %w", store.ErrNotFound)
	}
	links, err := mergeLinks(ctx, st, tenant)
	if err != nil {
		return User{}, err
	}
	r, err := st.Record(ctx, tenant, KindUser, resolve(links, id))
	if err != nil {
		return User{}, fmt.Errorf("find learner: %w", err)
	}
	e, err := Decode(r)
	if err != nil {
		return User{}, err
	}
	return *e.(*User), nil
}

func matches(u *User, by, value string) bool {
	switch by {
	case ByIdentifier:
		return u.Identifier == value
	case ByEmail:
		return u.Email != "" && strings.EqualFold(u.Email, value)
	case ByLTI:
		for _, id := range u.UserIDs {
			if strings.EqualFold(id.Type, "LTI") && id.Identifier == value {
				return true
			}
		}
	}
	return false
}

// Aliases returns every sourcedId merged (directly or through others) into
// the canonical id, including itself: the learner's records under any of
// them are theirs.
func Aliases(ctx context.Context, st MergeStore, tenant, id string) ([]string, error) {
	links, err := mergeLinks(ctx, st, tenant)
	if err != nil {
		return nil, err
	}
	out := []string{id}
	for from := range links {
		if from != id && resolve(links, from) == id {
			out = append(out, from)
		}
	}
	return out, nil
}
