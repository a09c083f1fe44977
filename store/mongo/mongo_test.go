package mongo_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/x/mongo/driver/connstring"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/store/backend"
	"github.com/passportbridge/passport/store/mongo"
	"github.com/passportbridge/passport/store/mongo/mongotest"
	"github.com/passportbridge/passport/store/storetest"
)

var _ backend.Store = (*mongo.Store)(nil)

func TestMain(m *testing.M) { mongotest.Main(m) }

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) backend.Store { return mongotest.Open(t) })
}

func TestConcurrency(t *testing.T) {
	t.Parallel()
	storetest.RunConcurrency(t, func(t *testing.T) backend.Store { return mongotest.Open(t) })
}

// TestNULInStringID checks what docID relies on: the server stores, finds
// and uniquely indexes string _ids that contain a NUL.
func TestNULInStringID(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	uri := mongotest.URI(t)
	cs, err := connstring.ParseAndValidate(uri)
	require.NoError(t, err)
	client, err := driver.Connect(ctx, options.Client().ApplyURI(uri))
	require.NoError(t, err)
	defer func() { assert.NoError(t, client.Disconnect(context.Background())) }()
	coll := client.Database(cs.Database).Collection("docs")

	ids := []string{"a\x00b", "a\x00c", "a"}
	for _, id := range ids {
		_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "v", Value: id}})
		require.NoError(t, err, "%q", id)
	}
	_, err = coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a\x00b"}})
	assert.True(t, driver.IsDuplicateKeyError(err), "duplicate NUL id: %v", err)
	for _, id := range ids {
		var doc struct {
			ID string `bson:"_id"`
			V  string `bson:"v"`
		}
		require.NoError(t, coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc), "%q", id)
		assert.Equal(t, id, doc.ID)
		assert.Equal(t, id, doc.V)
	}
}

// TestOpenIsIdempotent opens the same database twice: ensuring existing
// indexes again is a no-op, and the data is shared.
func TestOpenIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	uri := mongotest.URI(t)
	logger := slog.New(slog.DiscardHandler)
	s1, err := mongo.Open(ctx, uri, logger)
	require.NoError(t, err)
	defer func() { assert.NoError(t, s1.Close(context.Background())) }()
	require.NoError(t, s1.CreateTenant(ctx, auth.Tenant{ID: "camp"}))

	s2, err := mongo.Open(ctx, uri, logger)
	require.NoError(t, err)
	defer func() { assert.NoError(t, s2.Close(context.Background())) }()
	_, err = s2.Tenant(ctx, "camp")
	require.NoError(t, err)
	cs, err := connstring.ParseAndValidate(uri)
	require.NoError(t, err)
	assert.Equal(t, cs.Database, s2.Database())
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.DiscardHandler)
	tests := []struct {
		name string
		uri  string
	}{
		{"not a uri", "localhost:27017"},
		{"bad scheme", "http://localhost:27017/db"},
		{"nothing listening", "mongodb://127.0.0.1:1/db?serverSelectionTimeoutMS=200&connectTimeoutMS=200"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mongo.Open(t.Context(), tc.uri, logger)
			assert.Error(t, err)
		})
	}
	_, err := mongo.Open(t.Context(), "mongodb://u:secret@host/db?ssl=maybe", logger)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret", "the password never reaches logs")
}

// TestConcurrentOpen opens one fresh database from several goroutines at
// once, as replicas starting together do: they race to create the same
// indexes, and every one of them must succeed.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	uri := mongotest.URI(t)
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			s, err := mongo.Open(t.Context(), uri, slog.New(slog.DiscardHandler))
			if err != nil {
				errs[i] = err
				return
			}
			errs[i] = s.Close(context.Background())
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "store %d", i)
	}
}
