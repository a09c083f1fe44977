package mongo

import (
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Collections of the forward records.
const (
	collForwardCursors = "forward_cursors"
	collDeadLetters    = "forward_dead_letters"
	collErasures       = "lrs_erasures"
)

// forwardIndexes are the forward domain's indexes by collection, ensured at Open.
var forwardIndexes = map[string][]mongo.IndexModel{
	collDeadLetters: {
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "rule", Value: 1}, {Key: "stored", Value: 1}, {Key: "statement_id", Value: 1}}},
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "statement_id", Value: 1}}},
	},
	collErasures: {
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "at", Value: 1}}},
	},
}
