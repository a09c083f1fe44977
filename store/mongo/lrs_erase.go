package mongo

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/passportbridge/passport/lrs"
)

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

// EraseAgent implements lrs.ErasureStore. Without transactions each step is
// idempotent, so an interrupted erasure is completed by running it again.
func (s *Store) EraseAgent(ctx context.Context, tenant, agentKey string, e lrs.Erasure) (lrs.Erasure, error) {
	f := bson.D{{Key: "tenant", Value: tenant}, {Key: "agents_direct", Value: agentKey}}
	cur, err := s.coll(collStatements).Find(ctx, f, options.Find().SetProjection(bson.D{{Key: "atts", Value: 1}}))
	if err != nil {
		return lrs.Erasure{}, fmt.Errorf("erase agent: %w", err)
	}
	hashes := map[string]bool{}
	for cur.Next(ctx) {
		var d statementDoc
		if err := cur.Decode(&d); err != nil {
			_ = cur.Close(ctx)
			return lrs.Erasure{}, fmt.Errorf("erase agent: %w", err)
		}
		for _, h := range d.Atts {
			hashes[h] = true
		}
	}
	if err := cur.Close(ctx); err != nil {
		return lrs.Erasure{}, fmt.Errorf("erase agent: %w", err)
	}
	res, err := s.coll(collStatements).DeleteMany(ctx, f)
	if err != nil {
		return lrs.Erasure{}, fmt.Errorf("erase agent: statements: %w", err)
	}
	e.Statements = int(res.DeletedCount)
	e.Attachments = 0
	for h := range hashes {
		n, err := s.coll(collStatements).CountDocuments(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "atts", Value: h}},
			options.Count().SetLimit(1))
		if err != nil {
			return lrs.Erasure{}, fmt.Errorf("erase agent: attachments: %w", err)
		}
		if n > 0 {
			continue
		}
		r, err := s.coll(collAttachments).DeleteOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, h)}})
		if err != nil {
			return lrs.Erasure{}, fmt.Errorf("erase agent: attachments: %w", err)
		}
		e.Attachments += int(r.DeletedCount)
	}
	res, err = s.coll(collDocuments).DeleteMany(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "agent", Value: agentKey},
		{Key: "kind", Value: bson.D{{Key: "$in", Value: bson.A{string(lrs.KindState), string(lrs.KindAgentProfile)}}}}})
	if err != nil {
		return lrs.Erasure{}, fmt.Errorf("erase agent: documents: %w", err)
	}
	e.Documents = int(res.DeletedCount)
	e.Tenant = tenant
	if _, err := s.coll(collErasures).InsertOne(ctx, erasureDoc{ID: docID(tenant, e.ID.String()), Tenant: tenant, At: nanos(e.At),
		By: e.By, Statements: e.Statements, Documents: e.Documents, Attachments: e.Attachments}); err != nil {
		return lrs.Erasure{}, fmt.Errorf("erase agent: record: %w", err)
	}
	return e, nil
}

// Erasures implements lrs.ErasureStore.
func (s *Store) Erasures(ctx context.Context, tenant string) ([]lrs.Erasure, error) {
	cur, err := s.coll(collErasures).Find(ctx, bson.D{{Key: "tenant", Value: tenant}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list erasures: %w", err)
	}
	defer func() { _ = cur.Close(ctx) }()
	var out []lrs.Erasure
	for cur.Next(ctx) {
		var d erasureDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("list erasures: %w", err)
		}
		id, err := uuid.Parse(d.ID[len(tenant)+1:])
		if err != nil {
			return nil, fmt.Errorf("list erasures: %w", err)
		}
		out = append(out, lrs.Erasure{ID: id, Tenant: tenant, At: fromNanos(d.At), By: d.By,
			Statements: d.Statements, Documents: d.Documents, Attachments: d.Attachments})
	}
	return out, cur.Err()
}
