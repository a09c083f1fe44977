package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/passportbridge/passport/lrs"
	"github.com/passportbridge/passport/store"
)

var _ lrs.Store = (*Store)(nil)

// statementDoc is a statement as stored. agents/activities hold every
// related match; the *_direct fields only the plain filter's matches.
type statementDoc struct {
	ID               string   `bson:"_id"`
	Tenant           string   `bson:"tenant"`
	StatementID      string   `bson:"id"`
	Stored           int64    `bson:"stored"`
	Hash             string   `bson:"hash"`
	Verb             string   `bson:"verb"`
	Registration     string   `bson:"registration"`
	Authority        string   `bson:"authority"`
	VoidTarget       string   `bson:"void_target"`
	RefTarget        string   `bson:"ref_target"`
	Voided           bool     `bson:"voided"`
	Atts             []string `bson:"atts"`
	Agents           []string `bson:"agents"`
	AgentsDirect     []string `bson:"agents_direct"`
	Activities       []string `bson:"activities"`
	ActivitiesDirect []string `bson:"activities_direct"`
	Raw              []byte   `bson:"raw"`
}

type activityDoc struct {
	ID         string `bson:"_id"`
	Tenant     string `bson:"tenant"`
	Definition []byte `bson:"definition"`
}

type attachmentDoc struct {
	ID          string `bson:"_id"`
	Tenant      string `bson:"tenant"`
	SHA2        string `bson:"sha2"`
	ContentType string `bson:"content_type"`
	Data        []byte `bson:"data"`
}

type documentDoc struct {
	ID           string `bson:"_id"`
	Tenant       string `bson:"tenant"`
	Kind         string `bson:"kind"`
	Activity     string `bson:"activity"`
	Agent        string `bson:"agent"`
	Registration string `bson:"registration"`
	DocID        string `bson:"doc_id"`
	ContentType  string `bson:"content_type"`
	Content      []byte `bson:"content"`
	ETag         string `bson:"etag"`
	Updated      int64  `bson:"updated"`
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SaveStatements implements lrs.StatementStore. Without multi-document
// transactions, conflicts are checked for the whole batch before anything
// is written, and every write is idempotent so a retried batch converges.
func (s *Store) SaveStatements(ctx context.Context, tenant string, now time.Time, ss []*lrs.Statement, parts []lrs.Part) error {
	ids := make([]string, len(ss))
	for i, st := range ss {
		ids[i] = docID(tenant, st.ID.String())
	}
	existing := map[string]string{}
	cur, err := s.coll(collStatements).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "hash", Value: 1}}))
	if err != nil {
		return fmt.Errorf("save statements: %w", err)
	}
	for cur.Next(ctx) {
		var d struct {
			ID   string `bson:"_id"`
			Hash string `bson:"hash"`
		}
		if err := cur.Decode(&d); err != nil {
			_ = cur.Close(ctx)
			return fmt.Errorf("save statements: %w", err)
		}
		existing[d.ID] = d.Hash
	}
	if err := cur.Close(ctx); err != nil {
		return fmt.Errorf("save statements: %w", err)
	}
	for i, st := range ss {
		if h, ok := existing[ids[i]]; ok && h != st.Hash {
			return fmt.Errorf("save statements: statement %s: %w", st.ID, store.ErrConflict)
		}
	}
	for _, p := range parts {
		_, err := s.coll(collAttachments).UpdateOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, p.SHA2)}},
			bson.D{{Key: "$setOnInsert", Value: attachmentDoc{
				ID: docID(tenant, p.SHA2), Tenant: tenant, SHA2: p.SHA2,
				ContentType: p.ContentType, Data: p.Data,
			}}}, options.Update().SetUpsert(true))
		if err != nil && !isDuplicateKey(err) {
			return fmt.Errorf("save attachment: %w", err)
		}
	}
	base := nanos(now)
	for i, st := range ss {
		if _, ok := existing[ids[i]]; ok {
			continue
		}
		if err := s.saveStatement(ctx, tenant, ids[i], base+int64(i), st); err != nil {
			return fmt.Errorf("save statements: %w", err)
		}
	}
	return nil
}

func (s *Store) saveStatement(ctx context.Context, tenant, id string, stored int64, st *lrs.Statement) error {
	for aid, def := range st.Definitions {
		var prev activityDoc
		err := s.coll(collActivities).FindOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, aid)}}).Decode(&prev)
		switch {
		case err == nil:
			def = lrs.MergeDefinition(prev.Definition, def)
		case !errors.Is(err, mongo.ErrNoDocuments):
			return fmt.Errorf("read activity: %w", err)
		}
		_, err = s.coll(collActivities).ReplaceOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, aid)}},
			activityDoc{ID: docID(tenant, aid), Tenant: tenant, Definition: def}, options.Replace().SetUpsert(true))
		if err != nil && !isDuplicateKey(err) {
			return fmt.Errorf("write activity: %w", err)
		}
	}
	d := statementDoc{
		ID: id, Tenant: tenant, StatementID: st.ID.String(), Stored: stored, Hash: st.Hash, Verb: st.VerbID,
		Registration: st.Registration, Authority: st.Authority, Agents: orEmpty(st.RelatedAgents),
		AgentsDirect: orEmpty(st.Agents), Activities: orEmpty(st.RelatedActivities), ActivitiesDirect: []string{},
		Raw: st.WithStored(time.Unix(0, stored)),
	}
	if st.Activity != "" {
		d.ActivitiesDirect = []string{st.Activity}
	}
	d.Atts = []string{}
	for _, a := range st.Attachments {
		d.Atts = append(d.Atts, strings.ToLower(a.SHA2))
	}
	if st.RefTarget != nil {
		d.RefTarget = st.RefTarget.String()
	}
	if st.VoidTarget != nil {
		d.VoidTarget = st.VoidTarget.String()
	} else {
		n, err := s.coll(collStatements).CountDocuments(ctx, bson.D{
			{Key: "tenant", Value: tenant},
			{Key: "void_target", Value: d.StatementID},
		}, options.Count().SetLimit(1))
		if err != nil {
			return fmt.Errorf("read voiding statement: %w", err)
		}
		d.Voided = n > 0
	}
	if _, err := s.coll(collStatements).InsertOne(ctx, d); err != nil {
		if !isDuplicateKey(err) {
			return fmt.Errorf("insert statement: %w", err)
		}
		var prev statementDoc
		if err := s.coll(collStatements).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&prev); err != nil {
			return fmt.Errorf("read statement: %w", err)
		}
		if prev.Hash != st.Hash {
			return fmt.Errorf("statement %s: %w", st.ID, store.ErrConflict)
		}
		return nil
	}
	if st.VoidTarget != nil {
		_, err := s.coll(collStatements).UpdateOne(ctx, bson.D{
			{Key: "_id", Value: docID(tenant, d.VoidTarget)},
			{Key: "void_target", Value: ""},
		}, bson.D{{Key: "$set", Value: bson.D{{Key: "voided", Value: true}}}})
		if err != nil {
			return fmt.Errorf("void statement: %w", err)
		}
	}
	return nil
}

func (d statementDoc) stored() (lrs.StoredStatement, error) {
	u, err := uuid.Parse(d.StatementID)
	if err != nil {
		return lrs.StoredStatement{}, fmt.Errorf("stored statement id: %w", err)
	}
	return lrs.StoredStatement{ID: u, Stored: fromNanos(d.Stored), JSON: d.Raw, Attachments: d.Atts}, nil
}

// Statement implements lrs.StatementStore.
func (s *Store) Statement(ctx context.Context, tenant string, id uuid.UUID, voided bool) (lrs.StoredStatement, error) {
	var d statementDoc
	err := s.coll(collStatements).FindOne(ctx, bson.D{
		{Key: "_id", Value: docID(tenant, id.String())},
		{Key: "voided", Value: voided},
	}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return lrs.StoredStatement{}, store.ErrNotFound
	}
	if err != nil {
		return lrs.StoredStatement{}, fmt.Errorf("read statement: %w", err)
	}
	return d.stored()
}

// consistencyLag is how far behind the newest visible stored time the
// mongo backend reports X-Experience-API-Consistent-Through: concurrent
// replicas may still commit statements stored up to this long before.
const consistencyLag = 2 * time.Second

// filterDoc is q's filters (those StatementRef targets can satisfy).
func filterDoc(q lrs.Query) bson.D {
	var f bson.D
	if q.Agent != "" {
		field := "agents_direct"
		if q.RelatedAgents {
			field = "agents"
		}
		f = append(f, bson.E{Key: field, Value: q.Agent})
	}
	if q.Activity != "" {
		field := "activities_direct"
		if q.RelatedActivities {
			field = "activities"
		}
		f = append(f, bson.E{Key: field, Value: q.Activity})
	}
	if q.Verb != "" {
		f = append(f, bson.E{Key: "verb", Value: q.Verb})
	}
	if q.Registration != "" {
		f = append(f, bson.E{Key: "registration", Value: q.Registration})
	}
	return f
}

// windowDoc is q's conditions on the returned statements themselves.
func windowDoc(q lrs.Query) bson.D {
	var f bson.D
	if !q.IncludeVoided {
		f = append(f, bson.E{Key: "voided", Value: false})
	}
	if q.Authority != "" {
		f = append(f, bson.E{Key: "authority", Value: q.Authority})
	}
	rng := bson.D{}
	if !q.Since.IsZero() {
		rng = append(rng, bson.E{Key: "$gt", Value: nanos(q.Since)})
	}
	if !q.Until.IsZero() {
		rng = append(rng, bson.E{Key: "$lte", Value: nanos(q.Until)})
	}
	if len(rng) > 0 {
		f = append(f, bson.E{Key: "stored", Value: rng})
	}
	if q.After != nil {
		cmp := "$lt"
		if q.Ascending {
			cmp = "$gt"
		}
		at := nanos(q.After.Stored)
		f = append(f, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "stored", Value: bson.D{{Key: cmp, Value: at}}}},
			bson.D{{Key: "stored", Value: at}, {Key: "id", Value: bson.D{{Key: cmp, Value: q.After.ID.String()}}}},
		}})
	}
	return f
}

func (s *Store) findStatements(ctx context.Context, f bson.D, q lrs.Query, limit int64, each func(statementDoc) (bool, error)) error {
	dir := -1
	if q.Ascending {
		dir = 1
	}
	opts := options.Find().SetSort(bson.D{{Key: "stored", Value: dir}, {Key: "id", Value: dir}}).
		SetProjection(bson.D{{Key: "id", Value: 1}, {Key: "stored", Value: 1}, {Key: "atts", Value: 1}, {Key: "raw", Value: 1}, {Key: "ref_target", Value: 1}})
	if limit > 0 {
		opts.SetLimit(limit)
	}
	cur, err := s.coll(collStatements).Find(ctx, f, opts)
	if err != nil {
		return err
	}
	defer func() { _ = cur.Close(ctx) }()
	for cur.Next(ctx) {
		var d statementDoc
		if err := cur.Decode(&d); err != nil {
			return err
		}
		more, err := each(d)
		if err != nil || !more {
			return err
		}
	}
	return cur.Err()
}

// maxRefDepth bounds how far a StatementRef chain is followed.
const maxRefDepth = 16

// targetMatches follows r's StatementRef chain and reports whether a
// statement on it matches the filters.
func (s *Store) targetMatches(ctx context.Context, tenant, tid string, f bson.D) (bool, error) {
	seen := map[string]bool{}
	for depth := 0; tid != "" && depth < maxRefDepth && !seen[tid]; depth++ {
		seen[tid] = true
		var d statementDoc
		err := s.coll(collStatements).FindOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, tid)}},
			options.FindOne().SetProjection(bson.D{{Key: "ref_target", Value: 1}})).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		n, err := s.coll(collStatements).CountDocuments(ctx, append(bson.D{{Key: "_id", Value: docID(tenant, tid)}}, f...))
		if err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
		tid = d.RefTarget
	}
	return false, nil
}

// QueryStatements implements lrs.StatementStore: the statements matching
// the filters, merged with those whose StatementRef chain reaches one that
// does (Communication 2.1.3).
func (s *Store) QueryStatements(ctx context.Context, tenant string, q lrs.Query) (lrs.Page, error) {
	if q.Limit < 1 || q.Limit > lrs.MaxLimit {
		q.Limit = lrs.MaxLimit
	}
	var page lrs.Page
	var newest statementDoc
	err := s.coll(collStatements).FindOne(ctx, bson.D{{Key: "tenant", Value: tenant}},
		options.FindOne().SetSort(bson.D{{Key: "stored", Value: -1}}).SetProjection(bson.D{{Key: "stored", Value: 1}})).Decode(&newest)
	switch {
	case err == nil:
		page.ConsistentThrough = fromNanos(newest.Stored).Add(-consistencyLag)
	case errors.Is(err, mongo.ErrNoDocuments):
		page.ConsistentThrough = time.Unix(0, 0).UTC()
	default:
		return lrs.Page{}, fmt.Errorf("query statements: consistent-through: %w", err)
	}
	filters := filterDoc(q)
	window := windowDoc(q)
	base := bson.D{{Key: "tenant", Value: tenant}}
	var direct, viaRefs []lrs.StoredStatement
	f := append(append(append(bson.D{}, base...), filters...), window...)
	err = s.findStatements(ctx, f, q, int64(q.Limit+1), func(d statementDoc) (bool, error) {
		st, err := d.stored()
		direct = append(direct, st)
		return true, err
	})
	if err != nil {
		return lrs.Page{}, fmt.Errorf("query statements: %w", err)
	}
	if len(filters) > 0 {
		rf := append(append(append(bson.D{}, base...), bson.E{Key: "ref_target", Value: bson.D{{Key: "$gt", Value: ""}}}), window...)
		err = s.findStatements(ctx, rf, q, 0, func(d statementDoc) (bool, error) {
			ok, err := s.targetMatches(ctx, tenant, d.RefTarget, filters)
			if err != nil || !ok {
				return err == nil, err
			}
			st, err := d.stored()
			viaRefs = append(viaRefs, st)
			return len(viaRefs) <= q.Limit, err
		})
		if err != nil {
			return lrs.Page{}, fmt.Errorf("query statements via references: %w", err)
		}
	}
	page.Statements = mergeRows(direct, viaRefs, q.Ascending)
	if len(page.Statements) > q.Limit {
		page.Statements = page.Statements[:q.Limit]
		last := page.Statements[q.Limit-1]
		page.More = &lrs.Cursor{Stored: last.Stored, ID: last.ID}
	}
	return page, nil
}

// mergeRows merges two ordered pages, dropping duplicates.
func mergeRows(a, b []lrs.StoredStatement, asc bool) []lrs.StoredStatement {
	seen := make(map[uuid.UUID]bool, len(a)+len(b))
	out := make([]lrs.StoredStatement, 0, len(a)+len(b))
	for _, st := range append(append([]lrs.StoredStatement{}, a...), b...) {
		if !seen[st.ID] {
			seen[st.ID] = true
			out = append(out, st)
		}
	}
	slices.SortFunc(out, func(x, y lrs.StoredStatement) int {
		c := x.Stored.Compare(y.Stored)
		if c == 0 {
			c = strings.Compare(x.ID.String(), y.ID.String())
		}
		if !asc {
			c = -c
		}
		return c
	})
	return out
}

// Attachments implements lrs.StatementStore.
func (s *Store) Attachments(ctx context.Context, tenant string, sha2 []string) ([]lrs.Part, error) {
	var out []lrs.Part
	seen := map[string]bool{}
	for _, h := range sha2 {
		h = strings.ToLower(h)
		if seen[h] {
			continue
		}
		seen[h] = true
		var d attachmentDoc
		err := s.coll(collAttachments).FindOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, h)}}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read attachment: %w", err)
		}
		out = append(out, lrs.Part{SHA2: d.SHA2, ContentType: d.ContentType, Data: d.Data})
	}
	return out, nil
}

// ActivityDefinition implements lrs.StatementStore.
func (s *Store) ActivityDefinition(ctx context.Context, tenant, activityID string) ([]byte, error) {
	var d activityDoc
	err := s.coll(collActivities).FindOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, activityID)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read activity: %w", err)
	}
	return d.Definition, nil
}

// documentID is the _id of a document: every key part, NUL-separated.
func documentID(tenant string, k lrs.DocumentKey) string {
	return strings.Join([]string{tenant, string(k.Kind), k.ActivityID, k.Agent, k.Registration, k.ID}, "\x00")
}

func docFilter(tenant string, k lrs.DocumentKey) bson.D {
	return bson.D{
		{Key: "tenant", Value: tenant},
		{Key: "kind", Value: string(k.Kind)},
		{Key: "activity", Value: k.ActivityID},
		{Key: "agent", Value: k.Agent},
		{Key: "registration", Value: k.Registration},
	}
}

func (d documentDoc) document(k lrs.DocumentKey) lrs.Document {
	k.ID = d.DocID
	return lrs.Document{Key: k, ContentType: d.ContentType, Content: d.Content, ETag: d.ETag, Updated: fromNanos(d.Updated)}
}

// maxCASAttempts bounds the compare-and-swap retries of a document write.
const maxCASAttempts = 16

// PutDocument implements lrs.DocumentStore with a compare-and-swap on the
// stored ETag, so the precondition and the write are atomic.
func (s *Store) PutDocument(ctx context.Context, tenant string, now time.Time, w lrs.Write) (lrs.Document, error) {
	k := w.Doc.Key
	id := documentID(tenant, k)
	for range maxCASAttempts {
		var cur *lrs.Document
		var d documentDoc
		err := s.coll(collDocuments).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
		switch {
		case err == nil:
			doc := d.document(k)
			cur = &doc
		case !errors.Is(err, mongo.ErrNoDocuments):
			return lrs.Document{}, fmt.Errorf("put document: %w", err)
		}
		nd, err := lrs.Apply(w, cur, now)
		if err != nil {
			return lrs.Document{}, fmt.Errorf("put document: %w", err)
		}
		row := documentDoc{
			ID: id, Tenant: tenant, Kind: string(k.Kind), Activity: k.ActivityID, Agent: k.Agent,
			Registration: k.Registration, DocID: k.ID, ContentType: nd.ContentType, Content: nd.Content,
			ETag: nd.ETag, Updated: nanos(nd.Updated),
		}
		if cur == nil {
			_, err := s.coll(collDocuments).InsertOne(ctx, row)
			if isDuplicateKey(err) {
				continue // created meanwhile: evaluate again
			}
			if err != nil {
				return lrs.Document{}, fmt.Errorf("put document: %w", err)
			}
			return nd, nil
		}
		res, err := s.coll(collDocuments).ReplaceOne(ctx, bson.D{
			{Key: "_id", Value: id},
			{Key: "etag", Value: cur.ETag},
			{Key: "updated", Value: nanos(cur.Updated)},
		}, row)
		if err != nil {
			return lrs.Document{}, fmt.Errorf("put document: %w", err)
		}
		if res.MatchedCount == 1 {
			return nd, nil
		}
	}
	return lrs.Document{}, fmt.Errorf("put document: too much contention: %w", store.ErrConflict)
}

// Document implements lrs.DocumentStore.
func (s *Store) Document(ctx context.Context, tenant string, k lrs.DocumentKey) (lrs.Document, error) {
	var d documentDoc
	err := s.coll(collDocuments).FindOne(ctx, bson.D{{Key: "_id", Value: documentID(tenant, k)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return lrs.Document{}, store.ErrNotFound
	}
	if err != nil {
		return lrs.Document{}, fmt.Errorf("read document: %w", err)
	}
	return d.document(k), nil
}

// DocumentIDs implements lrs.DocumentStore.
func (s *Store) DocumentIDs(ctx context.Context, tenant string, k lrs.DocumentKey, since time.Time) ([]string, error) {
	f := docFilter(tenant, k)
	if !since.IsZero() {
		f = append(f, bson.E{Key: "updated", Value: bson.D{{Key: "$gt", Value: nanos(since)}}})
	}
	cur, err := s.coll(collDocuments).Find(ctx, f, options.Find().SetSort(bson.D{{Key: "doc_id", Value: 1}}).
		SetProjection(bson.D{{Key: "doc_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer func() { _ = cur.Close(ctx) }()
	ids := []string{}
	for cur.Next(ctx) {
		var d documentDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("list documents: %w", err)
		}
		ids = append(ids, d.DocID)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return ids, nil
}

// DeleteDocument implements lrs.DocumentStore (compare-and-delete on the ETag).
func (s *Store) DeleteDocument(ctx context.Context, tenant string, k lrs.DocumentKey, p lrs.Precondition) error {
	id := documentID(tenant, k)
	for range maxCASAttempts {
		var d documentDoc
		var cur *lrs.Document
		err := s.coll(collDocuments).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
		switch {
		case err == nil:
			doc := d.document(k)
			cur = &doc
		case !errors.Is(err, mongo.ErrNoDocuments):
			return fmt.Errorf("delete document: %w", err)
		}
		if err := p.Check(cur); err != nil {
			return fmt.Errorf("delete document: %w", err)
		}
		if cur == nil {
			return nil
		}
		res, err := s.coll(collDocuments).DeleteOne(ctx, bson.D{
			{Key: "_id", Value: id},
			{Key: "etag", Value: cur.ETag},
			{Key: "updated", Value: nanos(cur.Updated)},
		})
		if err != nil {
			return fmt.Errorf("delete document: %w", err)
		}
		if res.DeletedCount == 1 {
			return nil
		}
	}
	return fmt.Errorf("delete document: too much contention: %w", store.ErrConflict)
}

// DeleteDocuments implements lrs.DocumentStore.
func (s *Store) DeleteDocuments(ctx context.Context, tenant string, k lrs.DocumentKey) error {
	if _, err := s.coll(collDocuments).DeleteMany(ctx, docFilter(tenant, k)); err != nil {
		return fmt.Errorf("delete documents: %w", err)
	}
	return nil
}
