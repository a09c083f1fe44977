package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
)

const (
	collForwardCursors = "lrs_forward_cursors"
	collDeadLetters    = "lrs_dead_letters"
)

type forwardCursorDoc struct {
	ID     string `bson:"_id"`
	Tenant string `bson:"tenant"`
	Rule   string `bson:"rule"`
	Stored int64  `bson:"stored"`
	SID    string `bson:"sid"`
}

type deadLetterDoc struct {
	ID     string `bson:"_id"`
	Tenant string `bson:"tenant"`
	Rule   string `bson:"rule"`
	SID    string `bson:"sid"`
	At     int64  `bson:"at"`
	Status int    `bson:"status"`
	Reason string `bson:"reason"`
}

func ruleID(tenant, rule string, more ...string) string {
	return strings.Join(append([]string{tenant, rule}, more...), "\x00")
}

var _ forward.Store = (*Store)(nil)

// ForwardCursor implements forward.Progress.
func (s *Store) ForwardCursor(ctx context.Context, tenant, rule string) (*lrs.Cursor, error) {
	var d forwardCursorDoc
	err := s.coll(collForwardCursors).FindOne(ctx, bson.D{{Key: "_id", Value: ruleID(tenant, rule)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read forward cursor: %w", err)
	}
	u, err := uuid.Parse(d.SID)
	if err != nil {
		return nil, fmt.Errorf("read forward cursor: %w", err)
	}
	return &lrs.Cursor{Stored: fromNanos(d.Stored), ID: u}, nil
}

// SetForwardCursor implements forward.Progress.
func (s *Store) SetForwardCursor(ctx context.Context, tenant, rule string, c lrs.Cursor) error {
	id := ruleID(tenant, rule)
	_, err := s.coll(collForwardCursors).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
		forwardCursorDoc{ID: id, Tenant: tenant, Rule: rule, Stored: nanos(c.Stored), SID: c.ID.String()},
		options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("set forward cursor: %w", err)
	}
	return nil
}

// AddDeadLetters implements forward.Progress.
func (s *Store) AddDeadLetters(ctx context.Context, tenant, rule string, dl []forward.DeadLetter) error {
	for _, d := range dl {
		id := ruleID(tenant, rule, d.ID.String())
		_, err := s.coll(collDeadLetters).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
			deadLetterDoc{ID: id, Tenant: tenant, Rule: rule, SID: d.ID.String(), At: nanos(d.At), Status: d.Status, Reason: d.Reason},
			options.Replace().SetUpsert(true))
		if err != nil {
			return fmt.Errorf("add dead letters: %w", err)
		}
	}
	return nil
}

// DeadLetters implements forward.Progress.
func (s *Store) DeadLetters(ctx context.Context, tenant, rule string) ([]forward.DeadLetter, error) {
	cur, err := s.coll(collDeadLetters).Find(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "rule", Value: rule}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "sid", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	defer func() { _ = cur.Close(ctx) }()
	var out []forward.DeadLetter
	for cur.Next(ctx) {
		var d deadLetterDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		u, err := uuid.Parse(d.SID)
		if err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		out = append(out, forward.DeadLetter{ID: u, At: fromNanos(d.At), Status: d.Status, Reason: d.Reason})
	}
	return out, cur.Err()
}

// DeleteDeadLetter implements forward.Progress.
func (s *Store) DeleteDeadLetter(ctx context.Context, tenant, rule string, id uuid.UUID) error {
	if _, err := s.coll(collDeadLetters).DeleteOne(ctx, bson.D{{Key: "_id", Value: ruleID(tenant, rule, id.String())}}); err != nil {
		return fmt.Errorf("delete dead letter: %w", err)
	}
	return nil
}

const collErasures = "lrs_erasures"

type erasureDoc struct {
	ID          string `bson:"_id"`
	Tenant      string `bson:"tenant"`
	At          int64  `bson:"at"`
	By          string `bson:"by"`
	Statements  int    `bson:"statements"`
	Documents   int    `bson:"documents"`
	Attachments int    `bson:"attachments"`
}

// EraseAgent implements forward.ErasureStore. Without transactions each step is
// idempotent, so an interrupted erasure is completed by running it again.
func (s *Store) EraseAgent(ctx context.Context, tenant, agentKey string, e forward.Erasure) (forward.Erasure, error) {
	f := bson.D{{Key: "tenant", Value: tenant}, {Key: "agents_direct", Value: agentKey}}
	cur, err := s.coll(collStatements).Find(ctx, f, options.Find().SetProjection(bson.D{{Key: "atts", Value: 1}}))
	if err != nil {
		return forward.Erasure{}, fmt.Errorf("erase agent: %w", err)
	}
	hashes := map[string]bool{}
	for cur.Next(ctx) {
		var d statementDoc
		if err := cur.Decode(&d); err != nil {
			_ = cur.Close(ctx)
			return forward.Erasure{}, fmt.Errorf("erase agent: %w", err)
		}
		for _, h := range d.Atts {
			hashes[h] = true
		}
	}
	if err := cur.Close(ctx); err != nil {
		return forward.Erasure{}, fmt.Errorf("erase agent: %w", err)
	}
	res, err := s.coll(collStatements).DeleteMany(ctx, f)
	if err != nil {
		return forward.Erasure{}, fmt.Errorf("erase agent: statements: %w", err)
	}
	e.Statements = int(res.DeletedCount)
	e.Attachments = 0
	for h := range hashes {
		n, err := s.coll(collStatements).CountDocuments(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "atts", Value: h}},
			options.Count().SetLimit(1))
		if err != nil {
			return forward.Erasure{}, fmt.Errorf("erase agent: attachments: %w", err)
		}
		if n > 0 {
			continue
		}
		r, err := s.coll(collAttachments).DeleteOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, h)}})
		if err != nil {
			return forward.Erasure{}, fmt.Errorf("erase agent: attachments: %w", err)
		}
		e.Attachments += int(r.DeletedCount)
	}
	res, err = s.coll(collDocuments).DeleteMany(ctx, bson.D{
		{Key: "tenant", Value: tenant},
		{Key: "agent", Value: agentKey},
		{Key: "kind", Value: bson.D{{Key: "$in", Value: bson.A{string(lrs.KindState), string(lrs.KindAgentProfile)}}}},
	})
	if err != nil {
		return forward.Erasure{}, fmt.Errorf("erase agent: documents: %w", err)
	}
	e.Documents = int(res.DeletedCount)
	e.Tenant = tenant
	if _, err := s.coll(collErasures).InsertOne(ctx, erasureDoc{
		ID: docID(tenant, e.ID.String()), Tenant: tenant, At: nanos(e.At),
		By: e.By, Statements: e.Statements, Documents: e.Documents, Attachments: e.Attachments,
	}); err != nil {
		return forward.Erasure{}, fmt.Errorf("erase agent: record: %w", err)
	}
	return e, nil
}

// Erasures implements forward.ErasureStore.
func (s *Store) Erasures(ctx context.Context, tenant string) ([]forward.Erasure, error) {
	cur, err := s.coll(collErasures).Find(ctx, bson.D{{Key: "tenant", Value: tenant}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list erasures: %w", err)
	}
	defer func() { _ = cur.Close(ctx) }()
	var out []forward.Erasure
	for cur.Next(ctx) {
		var d erasureDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("list erasures: %w", err)
		}
		id, err := uuid.Parse(d.ID[len(tenant)+1:])
		if err != nil {
			return nil, fmt.Errorf("list erasures: %w", err)
		}
		out = append(out, forward.Erasure{
			ID: id, Tenant: tenant, At: fromNanos(d.At), By: d.By,
			Statements: d.Statements, Documents: d.Documents, Attachments: d.Attachments,
		})
	}
	return out, cur.Err()
}
