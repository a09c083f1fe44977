package mongo

// The roster is stored without multi-document transactions as versions
// behind a per-tenant commit pointer:
//
//   - roster_state holds, per tenant, the committed history position and the
//     position of the import in progress (pending, with its start time).
//   - roster_versions holds record versions; each is written under the
//     position of the import that wrote it, and never changed afterwards.
//   - An import claims pending = committed+1 with a compare-and-set (one
//     import per tenant at a time; a second gets store.ErrConflict), writes
//     its new versions under that position, then flips committed to it with
//     one single-document update: that flip is the atomic commit point.
//     Readers only see versions at or below committed, taking the highest
//     per record, so a half-written import is invisible. After the flip,
//     superseded versions are removed (best effort; readers that overlap the
//     removal see committed move and re-read).
//   - An import that fails removes its versions and releases pending; one
//     that crashed is recovered by the next import after pendingTimeout.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store"
)

const (
	collRosterState    = "roster_state"
	collRosterVersions = "roster_versions"
	collRosterMerges   = "roster_merges"
	collRosterMarks    = "roster_sync_marks"

	// pendingTimeout is how long an import may hold a tenant before another
	// import treats it as crashed and recovers.
	pendingTimeout = 30 * time.Minute
	// writeBatch is how many versions one InsertMany carries.
	writeBatch = 1000
	// readRetries bounds re-reads when committed moves during a read.
	readRetries = 5
)

var _ oneroster.Store = (*Store)(nil)

type rosterState struct {
	Tenant    string `bson:"_id"`
	Committed int64  `bson:"committed"`
	Pending   int64  `bson:"pending"`
	PendingAt int64  `bson:"pending_at"`
}

type versionDoc struct {
	ID             string `bson:"_id"`
	Tenant         string `bson:"tenant"`
	Kind           string `bson:"kind"`
	SID            string `bson:"sid"`
	Seq            int64  `bson:"seq"`
	Status         string `bson:"status"`
	Modified       int64  `bson:"modified"`
	SourceModified int64  `bson:"source_modified"`
	Hash           int64  `bson:"hash"`
	Data           []byte `bson:"data,omitempty"`
}

func versionID(tenant string, k oneroster.Kind, sid string, seq int64) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%020d", tenant, k, sid, seq)
}

func (d versionDoc) record() oneroster.Record {
	return oneroster.Record{
		Kind: oneroster.Kind(d.Kind), SourcedID: d.SID, Status: oneroster.Status(d.Status),
		Modified: fromNanos(d.Modified), SourceModified: fromNanos(d.SourceModified), Seq: d.Seq, Hash: d.Hash, Data: d.Data,
	}
}

func docOf(tenant string, r oneroster.Record) versionDoc {
	return versionDoc{
		ID: versionID(tenant, r.Kind, r.SourcedID, r.Seq), Tenant: tenant, Kind: string(r.Kind), SID: r.SourcedID,
		Seq: r.Seq, Status: string(r.Status), Modified: nanos(r.Modified), SourceModified: nanos(r.SourceModified), Hash: r.Hash, Data: r.Data,
	}
}

func (s *Store) rosterState(ctx context.Context, tenant string) (rosterState, error) {
	var st rosterState
	err := s.coll(collRosterState).FindOne(ctx, bson.D{{Key: "_id", Value: tenant}}).Decode(&st)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return rosterState{Tenant: tenant}, nil
	}
	return st, err
}

// claim reserves the next history position for an import.
func (s *Store) claim(ctx context.Context, tenant string, now time.Time) (rosterState, error) {
	coll := s.coll(collRosterState)
	if _, err := coll.InsertOne(ctx, rosterState{Tenant: tenant}); err != nil && !isDuplicateKey(err) {
		return rosterState{}, err
	}
	st, err := s.rosterState(ctx, tenant)
	if err != nil {
		return rosterState{}, err
	}
	if st.Pending != 0 {
		if now.Sub(fromNanos(st.PendingAt)) < pendingTimeout {
			return rosterState{}, fmt.Errorf("another roster import is in progress for the tenant: %w", store.ErrConflict)
		}
		// Recover a crashed import: drop its versions, release the claim.
		if _, err := s.coll(collRosterVersions).DeleteMany(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "seq", Value: st.Pending}}); err != nil {
			return rosterState{}, err
		}
		res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: tenant}, {Key: "pending", Value: st.Pending}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "pending", Value: int64(0)}}}})
		if err != nil {
			return rosterState{}, err
		}
		if res.MatchedCount == 0 {
			return rosterState{}, fmt.Errorf("roster import raced: %w", store.ErrConflict)
		}
		st.Pending = 0
	}
	next := st.Committed + 1
	res, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: tenant}, {Key: "committed", Value: st.Committed}, {Key: "pending", Value: int64(0)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "pending", Value: next}, {Key: "pending_at", Value: nanos(now)}}}})
	if err != nil {
		return rosterState{}, err
	}
	if res.MatchedCount == 0 {
		return rosterState{}, fmt.Errorf("another roster import is in progress for the tenant: %w", store.ErrConflict)
	}
	st.Pending = next
	return st, nil
}

// release ends a claim: commit moves committed to pending; otherwise the
// claim's versions are removed.
func (s *Store) release(ctx context.Context, st rosterState, commit bool) error {
	set := bson.D{{Key: "pending", Value: int64(0)}}
	if commit {
		set = append(set, bson.E{Key: "committed", Value: st.Pending})
	} else if _, err := s.coll(collRosterVersions).DeleteMany(ctx, bson.D{{Key: "tenant", Value: st.Tenant}, {Key: "seq", Value: st.Pending}}); err != nil {
		return err
	}
	res, err := s.coll(collRosterState).UpdateOne(ctx, bson.D{{Key: "_id", Value: st.Tenant}, {Key: "pending", Value: st.Pending}},
		bson.D{{Key: "$set", Value: set}})
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("roster import claim lost: %w", store.ErrConflict)
	}
	return nil
}

// latest reads the highest version at or below upTo of every record
// matching filter, without payloads unless withData.
func (s *Store) latest(ctx context.Context, filter bson.D, upTo int64, withData bool) ([]versionDoc, error) {
	filter = append(filter, bson.E{Key: "seq", Value: bson.D{{Key: "$lte", Value: upTo}}})
	opts := options.Find().SetSort(bson.D{{Key: "kind", Value: 1}, {Key: "sid", Value: 1}, {Key: "seq", Value: -1}})
	if !withData {
		opts.SetProjection(bson.D{{Key: "data", Value: 0}})
	}
	cur, err := s.coll(collRosterVersions).Find(ctx, filter, opts)
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	var out []versionDoc
	for cur.Next(ctx) {
		var d versionDoc
		if err := cur.Decode(&d); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].Kind == d.Kind && out[n-1].SID == d.SID {
			continue
		}
		out = append(out, d)
	}
	return out, cur.Err()
}

// consistent runs read at the committed position until committed did not
// move during the read, and returns that position.
func (s *Store) consistent(ctx context.Context, tenant string, read func(committed int64) error) (int64, error) {
	for range readRetries {
		st, err := s.rosterState(ctx, tenant)
		if err != nil {
			return 0, err
		}
		if err := read(st.Committed); err != nil {
			return 0, err
		}
		again, err := s.rosterState(ctx, tenant)
		if err != nil {
			return 0, err
		}
		if again.Committed == st.Committed {
			return st.Committed, nil
		}
	}
	return 0, errors.New("roster kept changing while it was read")
}

// Apply applies a batch as one versioned import (see the file comment).
func (s *Store) Apply(ctx context.Context, b oneroster.Batch) (oneroster.Applied, error) {
	st, err := s.claim(ctx, b.Tenant, b.Now)
	if err != nil {
		return oneroster.Applied{}, fmt.Errorf("apply roster batch: %w", err)
	}
	out, changed, err := s.applyClaimed(ctx, b, st)
	if err == nil {
		err = s.release(ctx, st, changed)
	}
	if err != nil {
		if rerr := s.release(context.WithoutCancel(ctx), st, false); rerr != nil {
			s.logger.WarnContext(ctx, "roster import rollback failed; the next import recovers it", "error", rerr)
		}
		return oneroster.Applied{}, fmt.Errorf("apply roster batch: %w", err)
	}
	if changed {
		out.Cursor = st.Pending
		s.prune(ctx, b.Tenant, st.Pending)
	} else {
		out.Cursor = st.Committed
	}
	return out, nil
}

func (s *Store) applyClaimed(ctx context.Context, b oneroster.Batch, st rosterState) (oneroster.Applied, bool, error) {
	var out oneroster.Applied
	seq := st.Pending
	views := map[oneroster.Kind]map[string]*oneroster.Record{}
	partial := map[oneroster.Kind]map[string]*oneroster.Record{}
	view := func(k oneroster.Kind) (map[string]*oneroster.Record, error) {
		if v, ok := views[k]; ok {
			return v, nil
		}
		docs, err := s.latest(ctx, bson.D{{Key: "tenant", Value: b.Tenant}, {Key: "kind", Value: string(k)}}, st.Committed, false)
		if err != nil {
			return nil, err
		}
		v := make(map[string]*oneroster.Record, len(docs))
		for _, d := range docs {
			r := d.record()
			v[d.SID] = &r
		}
		for id, r := range partial[k] { // this batch's state wins
			if r != nil {
				v[id] = r
			}
		}
		delete(partial, k)
		views[k] = v
		return v, nil
	}
	// Small batches (a gradebook PUT, a short delta) look records up one by
	// one; past pointLookups rows of a kind, reading the kind once is cheaper.
	const pointLookups = 256
	rowsOf := map[oneroster.Kind]int{}
	lookup := func(k oneroster.Kind, id string) (map[string]*oneroster.Record, error) {
		if v, ok := views[k]; ok {
			return v, nil
		}
		rowsOf[k]++
		if rowsOf[k] > pointLookups {
			return view(k)
		}
		p := partial[k]
		if p == nil {
			p = map[string]*oneroster.Record{}
			partial[k] = p
		}
		if _, ok := p[id]; !ok {
			docs, err := s.latest(ctx, bson.D{{Key: "tenant", Value: b.Tenant}, {Key: "kind", Value: string(k)}, {Key: "sid", Value: id}}, st.Committed, false)
			if err != nil {
				return nil, err
			}
			p[id] = nil
			if len(docs) > 0 {
				r := docs[0].record()
				p[id] = &r
			}
		}
		return p, nil
	}
	var buf []any
	var tomb []oneroster.Record // deletions whose payload must be copied
	flush := func() error {
		if len(tomb) > 0 {
			if err := s.copyData(ctx, b.Tenant, tomb); err != nil {
				return err
			}
			for _, r := range tomb {
				buf = append(buf, docOf(b.Tenant, r))
			}
			tomb = tomb[:0]
		}
		if len(buf) == 0 {
			return nil
		}
		_, err := s.coll(collRosterVersions).InsertMany(ctx, buf, options.InsertMany().SetOrdered(false))
		buf = buf[:0]
		return err
	}
	changed := false
	add := func(r oneroster.Record, prevSeq int64) error {
		changed = true
		if r.Status == oneroster.StatusToBeDeleted && r.Data == nil {
			r.Hash = prevSeq // carries the version to copy from until copyData
			tomb = append(tomb, r)
		} else {
			buf = append(buf, docOf(b.Tenant, r))
		}
		if len(buf)+len(tomb) >= writeBatch {
			return flush()
		}
		return nil
	}
	err := b.Rows(func(c oneroster.Change) error {
		v, err := lookup(c.Kind, c.SourcedID)
		if err != nil {
			return err
		}
		ex := v[c.SourcedID]
		o := oneroster.Decide(ex, c)
		out.Count(c.Kind, o)
		if !o.Changed() {
			return nil
		}
		prev := int64(0)
		if ex != nil {
			prev = ex.Seq
		}
		next := oneroster.Next(ex, c, o, b, seq)
		if o == oneroster.Deleted {
			next.Data = nil
			if prev == seq { // deleted after an upsert in this same batch
				next.Data = ex.Data
			}
		}
		nr := next
		v[c.SourcedID] = &nr
		if prev == seq {
			// A second row for the same record in one batch replaces the
			// version just buffered: flush, then overwrite it.
			if err := flush(); err != nil {
				return err
			}
			_, err := s.coll(collRosterVersions).ReplaceOne(ctx, bson.D{{Key: "_id", Value: versionID(b.Tenant, c.Kind, c.SourcedID, seq)}}, docOf(b.Tenant, nr))
			changed = true
			return err
		}
		return add(nr, prev)
	})
	if err != nil {
		return out, false, err
	}
	for _, k := range oneroster.AllKinds() {
		keep, ok := b.Keep[k]
		if !ok {
			continue
		}
		v, err := view(k)
		if err != nil {
			return out, false, err
		}
		ids := make([]string, 0, len(v))
		for id := range v {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			r := v[id]
			if r.Status == oneroster.StatusToBeDeleted || keep(id) || r.Seq == seq {
				continue
			}
			out.Count(k, oneroster.Deleted)
			t := oneroster.Tombstone(*r, b, seq)
			t.Data = nil
			if err := add(t, r.Seq); err != nil {
				return out, false, err
			}
		}
	}
	if err := flush(); err != nil {
		return out, false, err
	}
	return out, changed, nil
}

// copyData fills the payload and hash of tombstones from the versions they
// supersede (whose position each tombstone's Hash carries until then).
func (s *Store) copyData(ctx context.Context, tenant string, tomb []oneroster.Record) error {
	ids := make([]string, len(tomb))
	for i, r := range tomb {
		ids[i] = versionID(tenant, r.Kind, r.SourcedID, r.Hash)
	}
	cur, err := s.coll(collRosterVersions).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return err
	}
	var docs []versionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return err
	}
	byID := make(map[string]versionDoc, len(docs))
	for _, d := range docs {
		byID[d.ID] = d
	}
	for i := range tomb {
		d, ok := byID[ids[i]]
		if !ok {
			return fmt.Errorf("roster version %s/%s missing", tomb[i].Kind, tomb[i].SourcedID)
		}
		tomb[i].Data, tomb[i].Hash = d.Data, d.Hash
	}
	return nil
}

// prune removes versions superseded by the import at seq (best effort).
func (s *Store) prune(ctx context.Context, tenant string, seq int64) {
	cur, err := s.coll(collRosterVersions).Find(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "seq", Value: seq}},
		options.Find().SetProjection(bson.D{{Key: "kind", Value: 1}, {Key: "sid", Value: 1}}))
	if err != nil {
		s.logger.WarnContext(ctx, "roster prune failed", "error", err)
		return
	}
	defer cur.Close(ctx)
	byKind := map[string][]string{}
	flush := func(k string) {
		if len(byKind[k]) == 0 {
			return
		}
		_, err := s.coll(collRosterVersions).DeleteMany(ctx, bson.D{
			{Key: "tenant", Value: tenant},
			{Key: "kind", Value: k},
			{Key: "sid", Value: bson.D{{Key: "$in", Value: byKind[k]}}},
			{Key: "seq", Value: bson.D{{Key: "$lt", Value: seq}}},
		})
		if err != nil {
			s.logger.WarnContext(ctx, "roster prune failed", "error", err)
		}
		byKind[k] = byKind[k][:0]
	}
	for cur.Next(ctx) {
		var d versionDoc
		if err := cur.Decode(&d); err != nil {
			s.logger.WarnContext(ctx, "roster prune failed", "error", err)
			return
		}
		byKind[d.Kind] = append(byKind[d.Kind], d.SID)
		if len(byKind[d.Kind]) >= writeBatch {
			flush(d.Kind)
		}
	}
	for k := range byKind {
		flush(k)
	}
}

// Records returns every record of a kind in the tenant, ordered by sourcedId.
func (s *Store) Records(ctx context.Context, tenant string, kind oneroster.Kind) ([]oneroster.Record, error) {
	var docs []versionDoc
	_, err := s.consistent(ctx, tenant, func(c int64) error {
		var err error
		docs, err = s.latest(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "kind", Value: string(kind)}}, c, true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("roster records: %w", err)
	}
	out := make([]oneroster.Record, len(docs))
	for i, d := range docs {
		out[i] = d.record()
	}
	return out, nil
}

// ActiveIDs returns the ids of the kind's committed records that are not deleted.
func (s *Store) ActiveIDs(ctx context.Context, tenant string, kind oneroster.Kind) ([]string, error) {
	var docs []versionDoc
	_, err := s.consistent(ctx, tenant, func(c int64) error {
		var err error
		docs, err = s.latest(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "kind", Value: string(kind)}}, c, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("roster ids: %w", err)
	}
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		if d.Status != string(oneroster.StatusToBeDeleted) {
			out = append(out, d.SID)
		}
	}
	return out, nil
}

// Record returns one record; store.ErrNotFound if absent.
func (s *Store) Record(ctx context.Context, tenant string, kind oneroster.Kind, id string) (oneroster.Record, error) {
	var docs []versionDoc
	_, err := s.consistent(ctx, tenant, func(c int64) error {
		var err error
		docs, err = s.latest(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "kind", Value: string(kind)}, {Key: "sid", Value: id}}, c, true)
		return err
	})
	if err != nil {
		return oneroster.Record{}, fmt.Errorf("roster record: %w", err)
	}
	if len(docs) == 0 {
		return oneroster.Record{}, fmt.Errorf("roster record: %w", store.ErrNotFound)
	}
	return docs[0].record(), nil
}

// Cursor returns the tenant's committed history position.
func (s *Store) Cursor(ctx context.Context, tenant string) (int64, error) {
	st, err := s.rosterState(ctx, tenant)
	if err != nil {
		return 0, fmt.Errorf("roster cursor: %w", err)
	}
	return st.Committed, nil
}

// Changes returns the latest committed state of the records changed after since.
func (s *Store) Changes(ctx context.Context, tenant string, since int64) (oneroster.Delta, error) {
	var docs []versionDoc
	c, err := s.consistent(ctx, tenant, func(c int64) error {
		var err error
		docs, err = s.latest(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "seq", Value: bson.D{{Key: "$gt", Value: since}}}}, c, true)
		return err
	})
	if err != nil {
		return oneroster.Delta{}, fmt.Errorf("roster changes: %w", err)
	}
	rank := map[oneroster.Kind]int{}
	for i, k := range oneroster.Kinds() {
		rank[k] = i
	}
	recs := make([]oneroster.Record, len(docs))
	for i, d := range docs {
		recs[i] = d.record()
	}
	sort.SliceStable(recs, func(i, j int) bool {
		if rank[recs[i].Kind] != rank[recs[j].Kind] {
			return rank[recs[i].Kind] < rank[recs[j].Kind]
		}
		return recs[i].SourcedID < recs[j].SourcedID
	})
	return oneroster.DeltaOf(recs, max(c, since))
}

type mergeDoc struct {
	ID     string `bson:"_id"`
	Tenant string `bson:"tenant"`
	From   string `bson:"from"`
	Into   string `bson:"into"`
	Actor  string `bson:"actor"`
	Reason string `bson:"reason"`
	At     int64  `bson:"at"`
	N      int64  `bson:"n"`
}

// SaveMerge records a merge; store.ErrConflict if From is already merged.
func (s *Store) SaveMerge(ctx context.Context, m oneroster.Merge) error {
	n, err := s.coll(collRosterMerges).CountDocuments(ctx, bson.D{{Key: "tenant", Value: m.Tenant}})
	if err != nil {
		return fmt.Errorf("save merge: %w", err)
	}
	_, err = s.coll(collRosterMerges).InsertOne(ctx, mergeDoc{
		ID: docID(m.Tenant, m.From), Tenant: m.Tenant, From: m.From, Into: m.Into,
		Actor: m.Actor, Reason: m.Reason, At: nanos(m.At), N: n,
	})
	if isDuplicateKey(err) {
		return fmt.Errorf("save merge: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save merge: %w", err)
	}
	return nil
}

// Merges lists a tenant's merges in the order they were made.
func (s *Store) Merges(ctx context.Context, tenant string) ([]oneroster.Merge, error) {
	cur, err := s.coll(collRosterMerges).Find(ctx, bson.D{{Key: "tenant", Value: tenant}},
		options.Find().SetSort(bson.D{{Key: "n", Value: 1}, {Key: "at", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("merges: %w", err)
	}
	var docs []mergeDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("merges: %w", err)
	}
	out := make([]oneroster.Merge, len(docs))
	for i, d := range docs {
		out[i] = oneroster.Merge{Tenant: d.Tenant, From: d.From, Into: d.Into, Actor: d.Actor, Reason: d.Reason, At: fromNanos(d.At)}
	}
	return out, nil
}

type markDoc struct {
	ID     string `bson:"_id"`
	Tenant string `bson:"tenant"`
	Source string `bson:"source"`
	Mark   int64  `bson:"mark"`
}

// SyncMark returns the source's pull mark (zero if none).
func (s *Store) SyncMark(ctx context.Context, tenant, source string) (time.Time, error) {
	var d markDoc
	err := s.coll(collRosterMarks).FindOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, source)}, {Key: "tenant", Value: tenant}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("sync mark: %w", err)
	}
	return fromNanos(d.Mark), nil
}

// SetSyncMark records the source's pull mark.
func (s *Store) SetSyncMark(ctx context.Context, tenant, source string, mark time.Time) error {
	_, err := s.coll(collRosterMarks).ReplaceOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, source)}},
		markDoc{ID: docID(tenant, source), Tenant: tenant, Source: source, Mark: nanos(mark)}, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("set sync mark: %w", err)
	}
	return nil
}

// PurgeRosterTombstones removes the tenant's deleted records last changed before
// before, with every version of them at or below the committed tombstone.
// An import running meanwhile writes above the committed position, so a
// record it brings back keeps its new version. When it removed any, it moves
// the tenant's cursor.
func (s *Store) PurgeRosterTombstones(ctx context.Context, tenant string, before time.Time) (int, error) {
	var docs []versionDoc
	_, err := s.consistent(ctx, tenant, func(c int64) error {
		var err error
		docs, err = s.latest(ctx, bson.D{{Key: "tenant", Value: tenant}}, c, false)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge roster tombstones: %w", err)
	}
	n := 0
	cut := nanos(before)
	for _, d := range docs {
		if d.Status != string(oneroster.StatusToBeDeleted) || d.Modified >= cut {
			continue
		}
		_, err := s.coll(collRosterVersions).DeleteMany(ctx, bson.D{
			{Key: "tenant", Value: tenant},
			{Key: "kind", Value: d.Kind},
			{Key: "sid", Value: d.SID},
			{Key: "seq", Value: bson.D{{Key: "$lte", Value: d.Seq}}},
		})
		if err != nil {
			return n, fmt.Errorf("purge roster tombstones: %w", err)
		}
		n++
	}
	if n > 0 {
		s.bumpCursor(ctx, tenant)
	}
	return n, nil
}

// bumpCursor moves the tenant's cursor with no versions at the new position,
// so readers that cache by cursor (the REST provider) see a purge: one
// compare-and-set of committed, never while an import holds the tenant (its
// own commit moves the cursor then).
func (s *Store) bumpCursor(ctx context.Context, tenant string) {
	for range readRetries {
		st, err := s.rosterState(ctx, tenant)
		if err != nil || st.Pending != 0 {
			if err != nil {
				s.logger.WarnContext(ctx, "roster cursor not moved after a tombstone purge", "error", err)
			}
			return
		}
		res, err := s.coll(collRosterState).UpdateOne(ctx,
			bson.D{{Key: "_id", Value: tenant}, {Key: "committed", Value: st.Committed}, {Key: "pending", Value: int64(0)}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "committed", Value: st.Committed + 1}}}})
		if err != nil {
			s.logger.WarnContext(ctx, "roster cursor not moved after a tombstone purge", "error", err)
			return
		}
		if res.MatchedCount > 0 {
			return
		}
	}
}
