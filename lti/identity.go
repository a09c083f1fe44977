package lti

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/store"
)

// LTIUser links a platform user (issuer + sub) to one passport learner.
// Two platform users with the same non-empty lis.person_sourcedid in one
// tenant (one child seen in two LMSs) share a learner.
type LTIUser struct {
	Tenant    string
	Issuer    string
	Subject   string
	LearnerID string
	// PersonSourcedID is the lis.person_sourcedid (the SIS / OneRoster
	// user sourcedId), "" when the platform sent none.
	PersonSourcedID string
	// LegacyUserID is the LTI 1.1 user id from the migration claims.
	LegacyUserID string
	Created      time.Time
}

// IdentityStore keeps the platform-user to learner links.
type IdentityStore interface {
	// LTIUser returns the link for (issuer, sub) in tenant;
	// store.ErrNotFound if absent.
	LTIUser(ctx context.Context, tenant, issuer, subject string) (LTIUser, error)
	// LTIUsersBySourcedID lists a tenant's links with that person sourcedId.
	LTIUsersBySourcedID(ctx context.Context, tenant, sourcedID string) ([]LTIUser, error)
	// CreateLTIUser adds a link; store.ErrConflict if (tenant, issuer, sub)
	// is linked already.
	CreateLTIUser(ctx context.Context, u LTIUser) error
}

// RosterLinker resolves an LTI lis.person_sourcedid to the tenant's
// OneRoster user: the canonical sourcedId after any admin merges, so a child
// who re-registered under a new sourcedId stays one learner. It returns
// store.ErrNotFound when the roster has no such user.
type RosterLinker interface {
	RosterUser(ctx context.Context, tenant, personSourcedID string) (string, error)
}

// ErrAnonymous means the launch carries no user, so there is no learner.
var ErrAnonymous = errors.New("anonymous launch has no learner")

// Learner resolves the launch's user to a passport learner, creating the
// link on first sight. Anonymous launches get ErrAnonymous and create
// nothing.
func (t *Tool) Learner(ctx context.Context, ids IdentityStore, l *Launch) (LTIUser, error) {
	u, isNew, err := t.FindLearner(ctx, ids, l)
	if err != nil || !isNew {
		return u, err
	}
	if err := ids.CreateLTIUser(ctx, u); errors.Is(err, store.ErrConflict) {
		// A concurrent first launch won; use its link.
		return ids.LTIUser(ctx, l.Registration.Tenant, l.Registration.Issuer, l.Subject)
	} else if err != nil {
		return LTIUser{}, fmt.Errorf("create learner link: %w", err)
	}
	return u, nil
}

// FindLearner resolves the launch's user to a passport learner without
// writing: on first sight it returns the new link (isNew) for the caller to
// store, with the learner of another platform user of the same
// lis.person_sourcedid when there is one. Anonymous launches get
// ErrAnonymous.
func (t *Tool) FindLearner(ctx context.Context, ids IdentityStore, l *Launch) (u LTIUser, isNew bool, err error) {
	if l.Anonymous() {
		return LTIUser{}, false, ErrAnonymous
	}
	tenant, iss := l.Registration.Tenant, l.Registration.Issuer
	u, err = ids.LTIUser(ctx, tenant, iss, l.Subject)
	if err == nil {
		return u, false, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return LTIUser{}, false, fmt.Errorf("find learner: %w", err)
	}
	u = LTIUser{Tenant: tenant, Issuer: iss, Subject: l.Subject, Created: t.now(), LearnerID: uuid.NewString()}
	if c := l.Claims; c != nil {
		if c.LIS != nil {
			u.PersonSourcedID = string(c.LIS.PersonSourcedID)
		}
		u.LegacyUserID = string(c.LTI11LegacyUserID)
		if u.LegacyUserID == "" && c.LTI1p1 != nil {
			u.LegacyUserID = string(c.LTI1p1.UserID)
		}
	}
	if u.PersonSourcedID != "" && t.Roster != nil {
		// Link to the OneRoster user, following merges; a sourcedId the
		// roster does not know is kept as the platform sent it.
		id, err := t.Roster.RosterUser(ctx, tenant, u.PersonSourcedID)
		switch {
		case err == nil:
			u.PersonSourcedID = id
		case !errors.Is(err, store.ErrNotFound):
			return LTIUser{}, false, fmt.Errorf("find roster user: %w", err)
		}
	}
	if u.PersonSourcedID != "" {
		others, err := ids.LTIUsersBySourcedID(ctx, tenant, u.PersonSourcedID)
		if err != nil {
			return LTIUser{}, false, fmt.Errorf("find learner by sourcedid: %w", err)
		}
		if len(others) > 0 {
			u.LearnerID = others[0].LearnerID
		}
	}
	return u, true, nil
}
