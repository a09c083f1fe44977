package mongo

import (
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// Collections of the lrs records.
const (
	collStatements  = "lrs_statements"
	collActivities  = "lrs_activities"
	collAttachments = "lrs_attachments"
	collDocuments   = "lrs_documents"
)

// lrsIndexes are the lrs domain's indexes by collection, ensured at Open.
// Statement queries sort on (stored, id) after an equality on tenant and
// at most one filter field.
var lrsIndexes = map[string][]mongo.IndexModel{
	collStatements: {
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "stored", Value: 1}, {Key: "id", Value: 1}}},
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "agents", Value: 1}, {Key: "stored", Value: 1}}},
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "activities", Value: 1}, {Key: "stored", Value: 1}}},
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "verb", Value: 1}, {Key: "stored", Value: 1}}},
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "registration", Value: 1}, {Key: "stored", Value: 1}}},
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "void_target", Value: 1}}},
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "ref_target", Value: 1}, {Key: "stored", Value: 1}}},
	},
	collDocuments: {
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "kind", Value: 1}, {Key: "activity", Value: 1}, {Key: "agent", Value: 1}, {Key: "registration", Value: 1}}},
		{Keys: bson.D{{Key: "tenant", Value: 1}, {Key: "agent", Value: 1}}},
	},
}
