package mongo

// Core API for the domain files of this package (indexes_<d>.go, <d>.go):
//
//   - s.coll(name) returns a collection of the store's database. The client
//     writes with write concern majority + journal and reads with read
//     concern majority where the server supports it.
//   - Never use multi-document transactions, $elemMatch, TTL or partial
//     indexes, $lookup or $facet (the embedded test server lacks them).
//   - Documents carry a flat "tenant" field, and every query filters on it.
//     A per-tenant record's _id is docID(tenant, id) = tenant+"\x00"+id.
//   - Payloads are canonical JSON bytes ([]byte field) beside flat indexed
//     query fields; no field name may contain "." or start with "$".
//   - Time is an int64 of unix nanoseconds UTC, exactly as in sqlite:
//     nanos(t) to store, fromNanos(n) to load (zero time <-> 0). Range
//     queries compare the integers.
//   - isDuplicateKey(err) reports a unique index violation (E11000); map it
//     to store.ErrConflict. Map mongo.ErrNoDocuments to store.ErrNotFound.
//   - Expiry is a field plus a sweep (DeleteMany), never a TTL index.
//   - <d>Indexes maps collection -> index models; Open ensures them all
//     (createIndexes is a no-op for an existing identical index). Name every
//     index (options.Index().SetName("<d>_...")) and never change a shipped
//     one: the server refuses a changed spec under an existing name, and
//     Open fails. Add a new index instead.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readconcern"
	"go.mongodb.org/mongo-driver/mongo/readpref"
	"go.mongodb.org/mongo-driver/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/x/mongo/driver/connstring"
)

// DefaultDatabase is the database used when the URI names none.
const DefaultDatabase = "passport"

// Store is the MongoDB backend. Create it with Open; it is safe for
// concurrent use.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	logger *slog.Logger
}

// Open connects to the deployment at uri, using the database named in its
// path (DefaultDatabase if none), and ensures every domain's indexes.
func Open(ctx context.Context, uri string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		return nil, errors.New("open mongo store: nil logger")
	}
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		// The parse error may quote the URI, and with it a password.
		return nil, errors.New("open mongo store: invalid connection uri")
	}
	name := cs.Database
	if name == "" {
		name = DefaultDatabase
	}

	journal := true
	opts := options.Client().ApplyURI(uri).
		SetWriteConcern(&writeconcern.WriteConcern{W: "majority", Journal: &journal})
	if cs.AppName == "" {
		opts.SetAppName("passport")
	}
	client, err := mongo.Connect(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("open mongo store: connect: %w", err)
	}
	s := &Store{client: client, logger: logger}
	if err := s.init(ctx, name); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("open mongo store: %w", err)
	}
	return s, nil
}

// init picks the read concern the server supports and ensures indexes.
func (s *Store) init(ctx context.Context, name string) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	majority := s.client.Database(name, options.Database().SetReadConcern(readconcern.Majority()))
	probe := majority.Collection(collTenants).FindOne(ctx, bson.D{{Key: "_id", Value: ""}}).Err()
	ok, err := majoritySupported(probe)
	if err != nil {
		return fmt.Errorf("probe read concern: %w", err)
	}
	if ok {
		s.db = majority
	} else {
		s.logger.InfoContext(ctx, "mongo read concern majority unsupported, using the server default")
		s.db = s.client.Database(name)
	}
	return s.ensureIndexes(ctx)
}

// majoritySupported interprets the result of a read with read concern
// majority: it worked, the server refused the read concern (a command
// error: fall back to the default), or the server failed otherwise.
func majoritySupported(probe error) (bool, error) {
	var ce mongo.CommandError
	switch {
	case probe == nil || errors.Is(probe, mongo.ErrNoDocuments):
		return true, nil
	case errors.As(probe, &ce) && !ce.HasErrorLabel("NetworkError"):
		return false, nil
	default:
		return false, probe
	}
}

// allIndexes merges the core's and every domain's index lists by collection.
func allIndexes() map[string][]mongo.IndexModel {
	all := map[string][]mongo.IndexModel{}
	for _, m := range []map[string][]mongo.IndexModel{
		coreIndexes, lrsIndexes, ltiIndexes, onerosterIndexes, connectorsIndexes, forwardIndexes,
	} {
		for coll, models := range m {
			all[coll] = append(all[coll], models...)
		}
	}
	return all
}

// ensureIndexes creates every index that does not exist yet, so it is
// idempotent.
func (s *Store) ensureIndexes(ctx context.Context) error {
	all := allIndexes()
	for _, coll := range slices.Sorted(maps.Keys(all)) {
		// Create only the indexes that are missing, one per command:
		// FerretDB v1 panics on a createIndexes that names two or more
		// indexes that already exist (as when two processes open one
		// database at once). Indexes are matched by name, so a changed
		// spec under a shipped name is not noticed: add a new index instead.
		specs, err := s.coll(coll).Indexes().ListSpecifications(ctx)
		if err != nil {
			return fmt.Errorf("list indexes on %s: %w", coll, err)
		}
		have := map[string]bool{}
		for _, sp := range specs {
			have[sp.Name] = true
		}
		for _, m := range all[coll] {
			if have[indexName(m)] {
				continue
			}
			// The index lists are shared by every Store in the process and
			// the driver writes into a model's options: hand it a copy.
			if m.Options != nil {
				o := *m.Options
				m.Options = &o
			}
			if _, err := s.coll(coll).Indexes().CreateOne(ctx, m); err != nil {
				return fmt.Errorf("ensure indexes on %s: %w", coll, err)
			}
		}
	}
	return nil
}

// indexName is the name MongoDB gives an index: its own when set, else
// each key and direction joined by underscores ("tenant_1_stored_-1").
func indexName(m mongo.IndexModel) string {
	if m.Options != nil && m.Options.Name != nil {
		return *m.Options.Name
	}
	keys, ok := m.Keys.(bson.D)
	if !ok {
		return ""
	}
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		parts = append(parts, k.Key, fmt.Sprint(k.Value))
	}
	return strings.Join(parts, "_")
}

// coll returns a collection of the store's database.
func (s *Store) coll(name string) *mongo.Collection {
	return s.db.Collection(name)
}

// Ping reports whether a primary (a node that takes writes) answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("ping mongo store: %w", err)
	}
	return nil
}

// Close disconnects, waiting for in-flight operations until ctx ends.
func (s *Store) Close(ctx context.Context) error {
	if err := s.client.Disconnect(ctx); err != nil && !errors.Is(err, mongo.ErrClientDisconnected) {
		return fmt.Errorf("close mongo store: %w", err)
	}
	return nil
}

// Database returns the name of the store's database.
func (s *Store) Database() string {
	return s.db.Name()
}

// docID is the _id of a per-tenant record: tenant, a NUL, then its id.
// Neither part may contain a NUL, so distinct pairs never collide.
func docID(tenant, id string) string {
	return tenant + "\x00" + id
}

// nanos is how a time is stored: int64 unix nanoseconds UTC; the zero time
// is stored as 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos is the inverse of nanos: a UTC time, or the zero time for 0.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// isDuplicateKey reports whether err is a unique index violation.
func isDuplicateKey(err error) bool {
	return mongo.IsDuplicateKeyError(err)
}
