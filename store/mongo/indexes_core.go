package mongo

import (
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// coreIndexes are the indexes of tenants, credentials and tokens, ensured
// at Open. Credentials (_id = key) and tokens (_id = hash) are globally
// unique by _id; tenants' _id is the tenant id.
var coreIndexes = map[string][]mongo.IndexModel{
	"credentials": {{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "_id", Value: 1}}}},
	"tokens":      {{Keys: bson.D{{Key: "expires", Value: 1}}}},
}
