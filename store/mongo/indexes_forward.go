package mongo

import (
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// forwardIndexes are the forward domain's indexes by collection, ensured at Open.
var forwardIndexes = map[string][]mongo.IndexModel{
	"lrs_dead_letters": {
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "rule", Value: 1}, {Key: "at", Value: 1}}},
	},
	"lrs_erasures": {
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "at", Value: 1}}},
	},
}
