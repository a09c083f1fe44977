package mongo

import "go.mongodb.org/mongo-driver/mongo"

// lrsIndexes are the lrs domain's indexes by collection, ensured at Open.
var lrsIndexes = map[string][]mongo.IndexModel{}
