package mongo

import (
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// connectorsIndexes are the connectors domain's indexes by collection, ensured at Open.
var connectorsIndexes = map[string][]mongo.IndexModel{
	collConnectorRuns: {
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "started", Value: -1}, {Key: "run_id", Value: -1}}},
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "connector", Value: 1}, {Key: "started", Value: -1}, {Key: "run_id", Value: -1}}},
	},
}
