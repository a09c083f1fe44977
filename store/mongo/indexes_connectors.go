package mongo

import "go.mongodb.org/mongo-driver/mongo"

// connectorsIndexes are the connectors domain's indexes by collection, ensured at Open.
var connectorsIndexes = map[string][]mongo.IndexModel{}
