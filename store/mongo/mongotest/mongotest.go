package mongotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	pmongo "github.com/passportbridge/passport/store/mongo"
)

// EnvURI names the variable that points the tests at a real MongoDB
// deployment instead of the embedded server.
const EnvURI = "PASSPORT_TEST_MONGO_URI"

// server is the one MongoDB-compatible server a test binary shares; each
// store gets its own database on it. It is process-wide by necessity: test
// binaries start it at most once, lazily, and Main stops it.
var server struct {
	once   sync.Once
	err    error
	uri    string
	client *mongo.Client // for dropping test databases
	stop   func()
}

// Main runs the tests of m and then stops the embedded server, if one was
// started, and removes its files. Call it from TestMain:
//
//	func TestMain(m *testing.M) { mongotest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if server.stop != nil {
		server.stop()
	}
	if code != 0 {
		os.Exit(code)
	}
}

// start connects to the shared server, starting the embedded one if needed.
func start() {
	uri := os.Getenv(EnvURI)
	var stops []func()
	if uri == "" {
		dir, err := os.MkdirTemp("", "passport-ferretdb-")
		if err != nil {
			server.err = fmt.Errorf("ferretdb dir: %w", err)
			return
		}
		stops = append(stops, func() { _ = os.RemoveAll(dir) })
		f, err := ferretdb.New(&ferretdb.Config{
			Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
			Handler:   "sqlite",
			SQLiteURL: "file:" + dir + "/",
			Logger:    slog.New(slog.DiscardHandler),
		})
		if err != nil {
			_ = os.RemoveAll(dir)
			server.err = fmt.Errorf("start ferretdb: %w", err)
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan struct{})
		go func() {
			defer close(ran)
			_ = f.Run(ctx)
		}()
		// Stop the server before its files go (stops run in reverse).
		stops = append(stops, func() { cancel(); <-ran })
		uri = f.MongoDBURI()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri))
	if err == nil {
		err = client.Ping(ctx, nil)
	}
	if err != nil {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		server.err = fmt.Errorf("connect to test mongo: %w", err)
		return
	}
	stops = append(stops, func() { _ = client.Disconnect(context.Background()) })
	server.uri = uri
	server.client = client
	server.stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
}

// URI returns a connection URI for a fresh, uniquely named database on the
// shared test server, dropped when t ends.
func URI(t testing.TB) string {
	t.Helper()
	server.once.Do(start)
	if server.err != nil {
		t.Fatalf("mongotest: %v", server.err)
	}
	name := "t_" + randomHex(8)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := server.client.Database(name).Drop(ctx); err != nil {
			t.Errorf("mongotest: drop %s: %v", name, err)
		}
	})
	uri, err := withDatabase(server.uri, name)
	if err != nil {
		t.Fatalf("mongotest: %v", err)
	}
	return uri
}

// Open returns a store on a fresh database of the shared test server,
// closed and dropped when t ends.
func Open(t testing.TB) *pmongo.Store {
	t.Helper()
	uri := URI(t)
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	s, err := pmongo.Open(ctx, uri, logger)
	if err != nil {
		t.Fatalf("mongotest: open store: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("mongotest: close store: %v", err)
		}
	})
	return s
}

// withDatabase returns uri with its path set to /name, keeping hosts,
// credentials and options. (net/url cannot parse multi-host URIs.)
func withDatabase(uri, name string) (string, error) {
	i := strings.Index(uri, "://")
	if i < 0 {
		return "", errors.New("mongo uri has no scheme")
	}
	head, rest := uri[:i+3], uri[i+3:]
	hosts, query := rest, ""
	if j := strings.IndexAny(rest, "/?"); j >= 0 {
		hosts = rest[:j]
		tail := rest[j:]
		if k := strings.IndexByte(tail, '?'); k >= 0 {
			query = tail[k:]
		}
	}
	return head + hosts + "/" + name + query, nil
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
