package rostersync

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/lrs"
)

// LRSSaver stores connector statements in the LRS through the same
// validation and preparation as statements posted to /xapi/statements,
// with the connector bridge as their authority.
type LRSSaver struct {
	Store lrs.StatementStore
	// AuthorityHome is the homePage of the authority account (the public URL).
	AuthorityHome string
	Clock         func() time.Time
}

var _ StatementSaver = LRSSaver{}

// SaveStatements validates and stores the statements in tenant's LRS. A
// statement already stored with the same content is a no-op.
func (l LRSSaver) SaveStatements(ctx context.Context, tenant string, statements []connectors.Statement) error {
	if len(statements) == 0 {
		return nil
	}
	seen := map[string]bool{}
	uniq := make([]connectors.Statement, 0, len(statements))
	for _, s := range statements {
		if !seen[s.ID] {
			seen[s.ID] = true
			uniq = append(uniq, s)
		}
	}
	body, err := json.Marshal(uniq)
	if err != nil {
		return fmt.Errorf("encode statements: %w", err)
	}
	ms, err := lrs.ParseStatements(body, lrs.V1, true)
	if err != nil {
		return fmt.Errorf("validate statements: %w", err)
	}
	home := l.AuthorityHome
	if home == "" {
		home = "https://passport.invalid"
	}
	authority := map[string]any{"objectType": "Agent", "account": map[string]any{"homePage": home, "name": "passport-connectors"}}
	ss := make([]*lrs.Statement, 0, len(ms))
	for _, m := range ms {
		st, err := lrs.Prepare(m, lrs.Prepared{Authority: authority, Version: lrs.V1})
		if err != nil {
			return fmt.Errorf("prepare statement: %w", err)
		}
		ss = append(ss, st)
	}
	now := time.Now()
	if l.Clock != nil {
		now = l.Clock()
	}
	if err := l.Store.SaveStatements(ctx, tenant, now.UTC(), ss, nil); err != nil {
		return fmt.Errorf("store statements: %w", err)
	}
	return nil
}
