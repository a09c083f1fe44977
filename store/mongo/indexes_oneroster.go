package mongo

import "go.mongodb.org/mongo-driver/mongo"

// onerosterIndexes are the oneroster domain's indexes by collection, ensured at Open.
var onerosterIndexes = map[string][]mongo.IndexModel{}
