package mongo

import "go.mongodb.org/mongo-driver/mongo"

// forwardIndexes are the forward domain's indexes by collection, ensured at Open.
var forwardIndexes = map[string][]mongo.IndexModel{}
