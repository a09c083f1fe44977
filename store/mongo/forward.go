package mongo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/lrs/forward"
)

var _ forward.Store = (*Store)(nil)

type fwdCursorDoc struct {
	ID     string `bson:"_id"`
	Tenant string `bson:"tenant"`
	Rule   string `bson:"rule"`
	Stored int64  `bson:"stored"`
	SID    string `bson:"id"`
}

type fwdDeadLetterDoc struct {
	ID          string `bson:"_id"`
	Tenant      string `bson:"tenant"`
	Rule        string `bson:"rule"`
	StatementID string `bson:"statement_id"`
	Stored      int64  `bson:"stored"`
	Reason      string `bson:"reason"`
	At          int64  `bson:"at"`
	Retry       bool   `bson:"retry"`
}

type fwdErasureDoc struct {
	ID          string `bson:"_id"`
	Tenant      string `bson:"tenant"`
	At          int64  `bson:"at"`
	RequestedBy string `bson:"requested_by"`
	SubjectHash string `bson:"subject_hash"`
	Salt        string `bson:"salt"`
	Statements  int    `bson:"statements"`
	Documents   int    `bson:"documents"`
	Attachments int    `bson:"attachments"`
}

var fwdStatementProjection = bson.D{{Key: "id", Value: 1}, {Key: "stored", Value: 1}, {Key: "atts", Value: 1}, {Key: "raw", Value: 1}}

func (s *Store) fwdFindStatements(ctx context.Context, f bson.D, opts *options.FindOptions) ([]lrs.StoredStatement, error) {
	cur, err := s.coll(collStatements).Find(ctx, f, opts.SetProjection(fwdStatementProjection))
	if err != nil {
		return nil, err
	}
	defer func() { _ = cur.Close(ctx) }()
	var out []lrs.StoredStatement
	for cur.Next(ctx) {
		var d statementDoc
		if err := cur.Decode(&d); err != nil {
			return nil, err
		}
		st, err := d.stored()
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, cur.Err()
}

// StatementLog implements forward.LogStore.
func (s *Store) StatementLog(ctx context.Context, tenant string, after *lrs.Cursor, until time.Time, limit int) ([]lrs.StoredStatement, error) {
	if limit < 1 || limit > lrs.MaxLimit {
		limit = lrs.MaxLimit
	}
	f := bson.D{{Key: "tenant", Value: tenant}}
	rng := bson.D{}
	if !until.IsZero() {
		rng = append(rng, bson.E{Key: "$lte", Value: nanos(until)})
	}
	if after != nil {
		at := nanos(after.Stored)
		rng = append(rng, bson.E{Key: "$gte", Value: at})
		f = append(f, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "stored", Value: bson.D{{Key: "$gt", Value: at}}}},
			bson.D{{Key: "stored", Value: at}, {Key: "id", Value: bson.D{{Key: "$gt", Value: after.ID.String()}}}},
		}})
	}
	if len(rng) > 0 {
		f = append(f, bson.E{Key: "stored", Value: rng})
	}
	out, err := s.fwdFindStatements(ctx, f, options.Find().
		SetSort(bson.D{{Key: "stored", Value: 1}, {Key: "id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("statement log: %w", err)
	}
	return out, nil
}

// StatementsByID implements forward.LogStore.
func (s *Store) StatementsByID(ctx context.Context, tenant string, ids []uuid.UUID) ([]lrs.StoredStatement, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = docID(tenant, id.String())
	}
	out, err := s.fwdFindStatements(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}}, options.Find())
	if err != nil {
		return nil, fmt.Errorf("read statements: %w", err)
	}
	return out, nil
}

// ForwardCursor implements forward.CursorStore.
func (s *Store) ForwardCursor(ctx context.Context, tenant, rule string) (*lrs.Cursor, error) {
	var d fwdCursorDoc
	err := s.coll(collForwardCursors).FindOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, rule)}}).Decode(&d)
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

// SetForwardCursor implements forward.CursorStore.
func (s *Store) SetForwardCursor(ctx context.Context, tenant, rule string, c *lrs.Cursor) error {
	id := docID(tenant, rule)
	var err error
	if c == nil {
		_, err = s.coll(collForwardCursors).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	} else {
		_, err = s.coll(collForwardCursors).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
			fwdCursorDoc{ID: id, Tenant: tenant, Rule: rule, Stored: nanos(c.Stored), SID: c.ID.String()},
			options.Replace().SetUpsert(true))
	}
	if err != nil {
		return fmt.Errorf("set forward cursor: %w", err)
	}
	return nil
}

// AdvanceForwardCursor implements forward.CursorStore.
func (s *Store) AdvanceForwardCursor(ctx context.Context, tenant, rule string, from *lrs.Cursor, to lrs.Cursor) (bool, error) {
	id := docID(tenant, rule)
	doc := fwdCursorDoc{ID: id, Tenant: tenant, Rule: rule, Stored: nanos(to.Stored), SID: to.ID.String()}
	if from == nil {
		_, err := s.coll(collForwardCursors).InsertOne(ctx, doc)
		switch {
		case err == nil:
			return true, nil
		case isDuplicateKey(err):
			return false, nil
		default:
			return false, fmt.Errorf("advance forward cursor: %w", err)
		}
	}
	res, err := s.coll(collForwardCursors).ReplaceOne(ctx, bson.D{
		{Key: "_id", Value: id},
		{Key: "stored", Value: nanos(from.Stored)},
		{Key: "id", Value: from.ID.String()},
	}, doc)
	if err != nil {
		return false, fmt.Errorf("advance forward cursor: %w", err)
	}
	return res.MatchedCount == 1, nil
}

func fwdDeadLetterID(tenant, rule string, id uuid.UUID) string {
	return docID(tenant, rule+"\x00"+id.String())
}

// PutDeadLetter implements forward.DeadLetterStore.
func (s *Store) PutDeadLetter(ctx context.Context, tenant, rule string, d forward.DeadLetter) error {
	id := fwdDeadLetterID(tenant, rule, d.StatementID)
	_, err := s.coll(collDeadLetters).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, fwdDeadLetterDoc{
		ID: id, Tenant: tenant, Rule: rule, StatementID: d.StatementID.String(), Stored: nanos(d.Stored),
		Reason: d.Reason, At: nanos(d.At), Retry: d.Retry,
	}, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("put dead letter: %w", err)
	}
	return nil
}

// DeadLetters implements forward.DeadLetterStore.
func (s *Store) DeadLetters(ctx context.Context, tenant, rule string, retryOnly bool, limit int) ([]forward.DeadLetter, error) {
	f := bson.D{{Key: "tenant", Value: tenant}, {Key: "rule", Value: rule}}
	if retryOnly {
		f = append(f, bson.E{Key: "retry", Value: true})
	}
	cur, err := s.coll(collDeadLetters).Find(ctx, f, options.Find().
		SetSort(bson.D{{Key: "stored", Value: 1}, {Key: "statement_id", Value: 1}}).SetLimit(int64(max(limit, 1))))
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	defer func() { _ = cur.Close(ctx) }()
	var out []forward.DeadLetter
	for cur.Next(ctx) {
		var d fwdDeadLetterDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("dead letters: %w", err)
		}
		u, err := uuid.Parse(d.StatementID)
		if err != nil {
			return nil, fmt.Errorf("dead letters: %w", err)
		}
		out = append(out, forward.DeadLetter{StatementID: u, Stored: fromNanos(d.Stored), Reason: d.Reason, At: fromNanos(d.At), Retry: d.Retry})
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	return out, nil
}

// RequeueDeadLetters implements forward.DeadLetterStore.
func (s *Store) RequeueDeadLetters(ctx context.Context, tenant, rule string) (int, error) {
	res, err := s.coll(collDeadLetters).UpdateMany(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "rule", Value: rule}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "retry", Value: true}}}})
	if err != nil {
		return 0, fmt.Errorf("requeue dead letters: %w", err)
	}
	return int(res.MatchedCount), nil
}

// DeleteDeadLetter implements forward.DeadLetterStore.
func (s *Store) DeleteDeadLetter(ctx context.Context, tenant, rule string, id uuid.UUID) error {
	if _, err := s.coll(collDeadLetters).DeleteOne(ctx, bson.D{{Key: "_id", Value: fwdDeadLetterID(tenant, rule, id)}}); err != nil {
		return fmt.Errorf("delete dead letter: %w", err)
	}
	return nil
}

// EraseAgent implements forward.Eraser. Without multi-document
// transactions it deletes statements first, then documents, then the
// attachments left unreferenced; every step is idempotent, so running the
// erasure again after a failure finishes it.
func (s *Store) EraseAgent(ctx context.Context, tenant, agentKey string, dryRun bool) (forward.ErasureCounts, error) {
	var counts forward.ErasureCounts
	// A scan of the tenant's statements, pre-filtered on a token of the
	// IFI when there is one: the learner may appear where no index holds
	// them (Group members).
	tok := []byte(forward.ScanToken(agentKey))
	cur, err := s.coll(collStatements).Find(ctx, bson.D{{Key: "tenant", Value: tenant}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "id", Value: 1}, {Key: "atts", Value: 1}, {Key: "raw", Value: 1}}))
	if err != nil {
		return counts, fmt.Errorf("erase agent: find statements: %w", err)
	}
	var (
		ids      []string
		sids     []string
		attCount = map[string]int{}
	)
	for cur.Next(ctx) {
		var d statementDoc
		if err := cur.Decode(&d); err != nil {
			_ = cur.Close(ctx)
			return counts, fmt.Errorf("erase agent: %w", err)
		}
		if len(tok) > 0 && !bytes.Contains(bytes.ToLower(d.Raw), tok) {
			continue
		}
		hit, err := forward.Mentions(d.Raw, agentKey)
		if err != nil {
			_ = cur.Close(ctx)
			return counts, fmt.Errorf("erase agent: decode stored statement: %w", err)
		}
		if !hit {
			continue
		}
		ids = append(ids, d.ID)
		sids = append(sids, d.StatementID)
		for _, h := range d.Atts {
			attCount[h]++
		}
	}
	if err := cur.Close(ctx); err != nil {
		return counts, fmt.Errorf("erase agent: %w", err)
	}
	counts.Statements = len(ids)
	docFilter := bson.D{
		{Key: "tenant", Value: tenant},
		{Key: "kind", Value: bson.D{{Key: "$in", Value: bson.A{string(lrs.KindState), string(lrs.KindAgentProfile)}}}},
		{Key: "agent", Value: agentKey},
	}
	nDocs, err := s.coll(collDocuments).CountDocuments(ctx, docFilter)
	if err != nil {
		return counts, fmt.Errorf("erase agent: count documents: %w", err)
	}
	counts.Documents = int(nDocs)
	var orphans []string
	for h, mine := range attCount {
		refs, err := s.coll(collStatements).CountDocuments(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "atts", Value: h}})
		if err != nil {
			return counts, fmt.Errorf("erase agent: count attachment references: %w", err)
		}
		if int(refs) > mine {
			continue
		}
		n, err := s.coll(collAttachments).CountDocuments(ctx, bson.D{{Key: "_id", Value: docID(tenant, h)}})
		if err != nil {
			return counts, fmt.Errorf("erase agent: read attachment: %w", err)
		}
		if n > 0 {
			orphans = append(orphans, h)
		}
	}
	counts.Attachments = len(orphans)
	if dryRun {
		return counts, nil
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		if _, err := s.coll(collStatements).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: chunk}}}}); err != nil {
			return counts, fmt.Errorf("erase agent: delete statements: %w", err)
		}
	}
	if _, err := s.coll(collDocuments).DeleteMany(ctx, docFilter); err != nil {
		return counts, fmt.Errorf("erase agent: delete documents: %w", err)
	}
	for _, h := range orphans {
		if _, err := s.coll(collAttachments).DeleteOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, h)}}); err != nil {
			return counts, fmt.Errorf("erase agent: delete attachment: %w", err)
		}
	}
	for start := 0; start < len(sids); start += 500 {
		chunk := sids[start:min(start+500, len(sids))]
		if _, err := s.coll(collDeadLetters).DeleteMany(ctx, bson.D{
			{Key: "tenant", Value: tenant},
			{Key: "statement_id", Value: bson.D{{Key: "$in", Value: chunk}}},
		}); err != nil {
			return counts, fmt.Errorf("erase agent: delete dead letters: %w", err)
		}
	}
	return counts, nil
}

// AddErasureRecord implements forward.Eraser.
func (s *Store) AddErasureRecord(ctx context.Context, r forward.ErasureRecord) error {
	_, err := s.coll(collErasures).InsertOne(ctx, fwdErasureDoc{
		ID: docID(r.Tenant, r.ID.String()), Tenant: r.Tenant, At: nanos(r.At), RequestedBy: r.RequestedBy,
		SubjectHash: r.SubjectHash, Salt: r.Salt, Statements: r.Statements, Documents: r.Documents, Attachments: r.Attachments,
	})
	if err != nil {
		return fmt.Errorf("add erasure record: %w", err)
	}
	return nil
}

// ErasureRecords implements forward.Eraser.
func (s *Store) ErasureRecords(ctx context.Context, tenant string) ([]forward.ErasureRecord, error) {
	cur, err := s.coll(collErasures).Find(ctx, bson.D{{Key: "tenant", Value: tenant}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("erasure records: %w", err)
	}
	defer func() { _ = cur.Close(ctx) }()
	var out []forward.ErasureRecord
	for cur.Next(ctx) {
		var d fwdErasureDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("erasure records: %w", err)
		}
		u, err := uuid.Parse(d.ID[len(tenant)+1:])
		if err != nil {
			return nil, fmt.Errorf("erasure records: %w", err)
		}
		out = append(out, forward.ErasureRecord{
			ID: u, Tenant: d.Tenant, At: fromNanos(d.At), RequestedBy: d.RequestedBy,
			SubjectHash: d.SubjectHash, Salt: d.Salt, ErasureCounts: forward.ErasureCounts{
				Statements: d.Statements, Documents: d.Documents, Attachments: d.Attachments,
			},
		})
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("erasure records: %w", err)
	}
	return out, nil
}
