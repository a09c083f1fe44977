package mongo

import "go.mongodb.org/mongo-driver/mongo"

// ltiIndexes are the lti domain's indexes by collection, ensured at Open.
var ltiIndexes = map[string][]mongo.IndexModel{}
