package mongo

import (
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// onerosterIndexes are the oneroster domain's indexes by collection, ensured at Open.
// roster_versions is read by (tenant, kind, sourcedId, seq) for the latest
// committed version of each record and by (tenant, seq) for changes.
var onerosterIndexes = map[string][]mongo.IndexModel{
	collRosterVersions: {
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "kind", Value: 1}, {Key: "sid", Value: 1}, {Key: "seq", Value: -1}}},
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "seq", Value: 1}}},
	},
	collRosterMerges: {
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "n", Value: 1}}},
	},
}
