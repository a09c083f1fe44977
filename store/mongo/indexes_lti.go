package mongo

import (
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// ltiIndexes are the lti domain's indexes by collection, ensured at Open.
// Registrations are found at login by (issuer, client_id) before the tenant
// is known, so that pair is unique across tenants. Login states (_id = the
// random state) and nonces expire by a field plus a sweep.
var ltiIndexes = map[string][]mongo.IndexModel{
	collLTIRegistrations: {
		{Keys: bson.D{{Key: "issuer", Value: 1}, {Key: "client_id", Value: 1}}, Options: options.Index().SetUnique(true)},
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "id", Value: 1}}},
	},
	collLTILoginStates: {{Keys: bson.D{{Key: "expires", Value: 1}}}},
	collLTINonces:      {{Keys: bson.D{{Key: "expires", Value: 1}}}},
	collLTIToolKeys:    {{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "created", Value: -1}}}},
	collLTIContents:    {{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "id", Value: 1}}}},
	collLTIUsers:       {{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "person_sourcedid", Value: 1}}}},
	collLTIScoreJobs:   {{Keys: bson.D{{Key: "state", Value: 1}, {Key: "next_attempt", Value: 1}}}},
}
