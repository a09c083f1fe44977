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

// ForwardCursor implements lrs.ForwardStore.
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

// SetForwardCursor implements lrs.ForwardStore.
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

// AddDeadLetters implements lrs.ForwardStore.
func (s *Store) AddDeadLetters(ctx context.Context, tenant, rule string, dl []lrs.DeadLetter) error {
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

// DeadLetters implements lrs.ForwardStore.
func (s *Store) DeadLetters(ctx context.Context, tenant, rule string) ([]lrs.DeadLetter, error) {
	cur, err := s.coll(collDeadLetters).Find(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "rule", Value: rule}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "sid", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	defer func() { _ = cur.Close(ctx) }()
	var out []lrs.DeadLetter
	for cur.Next(ctx) {
		var d deadLetterDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		u, err := uuid.Parse(d.SID)
		if err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		out = append(out, lrs.DeadLetter{ID: u, At: fromNanos(d.At), Status: d.Status, Reason: d.Reason})
	}
	return out, cur.Err()
}

// DeleteDeadLetter implements lrs.ForwardStore.
func (s *Store) DeleteDeadLetter(ctx context.Context, tenant, rule string, id uuid.UUID) error {
	if _, err := s.coll(collDeadLetters).DeleteOne(ctx, bson.D{{Key: "_id", Value: ruleID(tenant, rule, id.String())}}); err != nil {
		return fmt.Errorf("delete dead letter: %w", err)
	}
	return nil
}
