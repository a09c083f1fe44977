package mongo

import (
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// coreIndexes are the indexes of tenants, credentials and tokens, ensured
// at Open. Credentials (_id = key) and tokens (_id = hash) are globally
// unique by _id; a tenant's _id is its id.
var coreIndexes = map[string][]mongo.IndexModel{
	collCredentials: {{
		Keys:    bson.D{{Key: "tenant", Value: 1}, {Key: "_id", Value: 1}},
		Options: options.Index().SetName("core_credentials_tenant"),
	}},
	collTokens: {{
		Keys:    bson.D{{Key: "expires", Value: 1}},
		Options: options.Index().SetName("core_tokens_expires"),
	}},
	// OAuth 1.0a nonces are unique by _id (tenant, key, nonce); the sweep
	// uses expires (FerretDB has no TTL indexes).
	collNonces: {{
		Keys:    bson.D{{Key: "expires", Value: 1}},
		Options: options.Index().SetName("core_oauth1_nonces_expires"),
	}},
}
