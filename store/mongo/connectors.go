package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/store"
)

// Collections of the connectors domain.
const (
	collConnectorRuns    = "connector_runs"
	collConnectorCursors = "connector_cursors"
)

var _ connectors.RunStore = (*Store)(nil)

// runDoc is a run as stored: flat query fields beside the run's JSON.
type runDoc struct {
	ID        string `bson:"_id"`
	Tenant    string `bson:"tenant"`
	RunID     string `bson:"run_id"`
	Connector string `bson:"connector"`
	Started   int64  `bson:"started"`
	Status    string `bson:"status"`
	Body      []byte `bson:"body"`
}

// cursorDoc is a connector cursor; _id is tenant NUL connector NUL name.
type cursorDoc struct {
	ID        string `bson:"_id"`
	Tenant    string `bson:"tenant"`
	Connector string `bson:"connector"`
	Name      string `bson:"name"`
	Value     string `bson:"value"`
}

// SaveRun creates or replaces the run with r's tenant and id.
func (s *Store) SaveRun(ctx context.Context, r connectors.Run) error {
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	d := runDoc{
		ID: docID(r.Tenant, r.ID), Tenant: r.Tenant, RunID: r.ID, Connector: r.Connector,
		Started: nanos(r.Started), Status: string(r.Status), Body: body,
	}
	_, err = s.coll(collConnectorRuns).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("save run: %w", err)
	}
	return nil
}

// Run returns one of a tenant's runs; store.ErrNotFound if absent.
func (s *Store) Run(ctx context.Context, tenant, id string) (connectors.Run, error) {
	var d runDoc
	err := s.coll(collConnectorRuns).FindOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, id)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return connectors.Run{}, fmt.Errorf("run: %w", store.ErrNotFound)
	}
	if err != nil {
		return connectors.Run{}, fmt.Errorf("run: %w", err)
	}
	var r connectors.Run
	if err := json.Unmarshal(d.Body, &r); err != nil {
		return connectors.Run{}, fmt.Errorf("run: decode: %w", err)
	}
	return r, nil
}

// Runs lists a tenant's runs, newest first.
func (s *Store) Runs(ctx context.Context, tenant, connector string, limit int) ([]connectors.Run, error) {
	if limit <= 0 {
		limit = 50
	}
	filter := bson.D{{Key: "tenant", Value: tenant}}
	if connector != "" {
		filter = append(filter, bson.E{Key: "connector", Value: connector})
	}
	cur, err := s.coll(collConnectorRuns).Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "started", Value: -1}, {Key: "run_id", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	var docs []runDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	out := make([]connectors.Run, 0, len(docs))
	for _, d := range docs {
		var r connectors.Run
		if err := json.Unmarshal(d.Body, &r); err != nil {
			return nil, fmt.Errorf("runs: decode: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

func cursorID(tenant, connector, name string) string {
	return docID(tenant, connector+"\x00"+name)
}

// ConnectorCursor returns a connector's named cursor, "" when never set.
func (s *Store) ConnectorCursor(ctx context.Context, tenant, connector, name string) (string, error) {
	var d cursorDoc
	err := s.coll(collConnectorCursors).FindOne(ctx, bson.D{{Key: "_id", Value: cursorID(tenant, connector, name)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cursor: %w", err)
	}
	return d.Value, nil
}

// SetConnectorCursor stores a connector's named cursor.
func (s *Store) SetConnectorCursor(ctx context.Context, tenant, connector, name, value string) error {
	d := cursorDoc{ID: cursorID(tenant, connector, name), Tenant: tenant, Connector: connector, Name: name, Value: value}
	_, err := s.coll(collConnectorCursors).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("set cursor: %w", err)
	}
	return nil
}
