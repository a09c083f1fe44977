package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/store"
)

// Collections of the core records.
const (
	collTenants     = "tenants"
	collCredentials = "credentials"
	collTokens      = "tokens"
	collNonces      = "oauth1_nonces"
)

// tenantDoc is a tenant as stored; _id is the tenant id.
type tenantDoc struct {
	ID      string `bson:"_id"`
	Created int64  `bson:"created"`
}

// credentialDoc is a credential as stored; _id is the key (globally unique).
type credentialDoc struct {
	Key        string   `bson:"_id"`
	Tenant     string   `bson:"tenant"`
	Name       string   `bson:"name"`
	SecretHash string   `bson:"secret_hash"`
	Scopes     []string `bson:"scopes"`
	Created    int64    `bson:"created"`
	Disabled   bool     `bson:"disabled"`
	// OAuth1Methods are the OAuth 1.0a signature methods; absent when
	// OAuth 1.0a is off for the credential.
	OAuth1Methods []string `bson:"oauth1_methods,omitempty"`
}

// nonceDoc is a used OAuth 1.0a nonce; _id is tenant, key and nonce joined
// by NUL, so a replay is a duplicate key.
type nonceDoc struct {
	ID      string `bson:"_id"`
	Tenant  string `bson:"tenant"`
	Key     string `bson:"key"`
	Expires int64  `bson:"expires"`
}

// tokenDoc is a token as stored; _id is the hash (globally unique).
type tokenDoc struct {
	Hash    string   `bson:"_id"`
	Tenant  string   `bson:"tenant"`
	Key     string   `bson:"key"`
	Scopes  []string `bson:"scopes"`
	Expires int64    `bson:"expires"`
	// Agent and Registration bind a launch token; absent on unbound ones.
	Agent        string `bson:"agent,omitempty"`
	Registration string `bson:"registration,omitempty"`
}

// CreateTenant adds a tenant; store.ErrConflict if the id is taken.
func (s *Store) CreateTenant(ctx context.Context, t auth.Tenant) error {
	_, err := s.coll(collTenants).InsertOne(ctx, tenantDoc{ID: t.ID, Created: nanos(t.Created)})
	if isDuplicateKey(err) {
		return fmt.Errorf("create tenant: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create tenant: %w", err)
	}
	return nil
}

// Tenant returns one tenant; store.ErrNotFound if absent.
func (s *Store) Tenant(ctx context.Context, id string) (auth.Tenant, error) {
	var d tenantDoc
	err := s.coll(collTenants).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return auth.Tenant{}, fmt.Errorf("tenant: %w", store.ErrNotFound)
	}
	if err != nil {
		return auth.Tenant{}, fmt.Errorf("tenant: %w", err)
	}
	return auth.Tenant{ID: d.ID, Created: fromNanos(d.Created)}, nil
}

// Tenants lists every tenant ordered by id.
func (s *Store) Tenants(ctx context.Context) ([]auth.Tenant, error) {
	cur, err := s.coll(collTenants).Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("tenants: %w", err)
	}
	var docs []tenantDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("tenants: %w", err)
	}
	var out []auth.Tenant
	for _, d := range docs {
		out = append(out, auth.Tenant{ID: d.ID, Created: fromNanos(d.Created)})
	}
	return out, nil
}

// CreateCredential adds a credential; store.ErrConflict if the key is taken.
func (s *Store) CreateCredential(ctx context.Context, c auth.Credential) error {
	_, err := s.coll(collCredentials).InsertOne(ctx, credentialDoc{
		Key:        c.Key,
		Tenant:     c.Tenant,
		Name:       c.Name,
		SecretHash: c.SecretHash,
		Scopes:     scopesOut(c.Scopes),
		Created:    nanos(c.Created),
		Disabled:   c.Disabled,

		OAuth1Methods: c.OAuth1Methods,
	})
	if isDuplicateKey(err) {
		return fmt.Errorf("create credential: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create credential: %w", err)
	}
	return nil
}

// credential converts a stored credential.
func (d credentialDoc) credential() auth.Credential {
	return auth.Credential{
		Key:        d.Key,
		SecretHash: d.SecretHash,
		Tenant:     d.Tenant,
		Name:       d.Name,
		Scopes:     scopesIn(d.Scopes),
		Created:    fromNanos(d.Created),
		Disabled:   d.Disabled,

		OAuth1Methods: scopesIn(d.OAuth1Methods),
	}
}

// Credential returns the credential with that key, in any tenant;
// store.ErrNotFound if absent.
func (s *Store) Credential(ctx context.Context, key string) (auth.Credential, error) {
	var d credentialDoc
	err := s.coll(collCredentials).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return auth.Credential{}, fmt.Errorf("credential: %w", store.ErrNotFound)
	}
	if err != nil {
		return auth.Credential{}, fmt.Errorf("credential: %w", err)
	}
	return d.credential(), nil
}

// Credentials lists a tenant's credentials ordered by key.
func (s *Store) Credentials(ctx context.Context, tenant string) ([]auth.Credential, error) {
	cur, err := s.coll(collCredentials).Find(ctx, bson.D{{Key: "tenant", Value: tenant}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	var docs []credentialDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	var out []auth.Credential
	for _, d := range docs {
		out = append(out, d.credential())
	}
	return out, nil
}

// SetCredentialDisabled enables or disables a tenant's credential;
// store.ErrNotFound if the tenant has no such key.
func (s *Store) SetCredentialDisabled(ctx context.Context, tenant, key string, disabled bool) error {
	res, err := s.coll(collCredentials).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: key}, {Key: "tenant", Value: tenant}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "disabled", Value: disabled}}}})
	if err != nil {
		return fmt.Errorf("set credential disabled: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("set credential disabled: %w", store.ErrNotFound)
	}
	return nil
}

// SaveToken stores an issued token; store.ErrConflict if the hash exists.
func (s *Store) SaveToken(ctx context.Context, t auth.Token) error {
	_, err := s.coll(collTokens).InsertOne(ctx, tokenDoc{
		Hash:    t.Hash,
		Tenant:  t.Tenant,
		Key:     t.Key,
		Scopes:  scopesOut(t.Scopes),
		Expires: nanos(t.Expires),

		Agent:        t.Agent,
		Registration: t.Registration,
	})
	if isDuplicateKey(err) {
		return fmt.Errorf("save token: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	return nil
}

// Token returns the token with that hash if it has not expired at now;
// store.ErrNotFound otherwise.
func (s *Store) Token(ctx context.Context, hash string, now time.Time) (auth.Token, error) {
	var d tokenDoc
	err := s.coll(collTokens).FindOne(ctx, bson.D{
		{Key: "_id", Value: hash},
		{Key: "expires", Value: bson.D{{Key: "$gt", Value: nanos(now)}}},
	}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return auth.Token{}, fmt.Errorf("token: %w", store.ErrNotFound)
	}
	if err != nil {
		return auth.Token{}, fmt.Errorf("token: %w", err)
	}
	return auth.Token{
		Hash:    d.Hash,
		Key:     d.Key,
		Tenant:  d.Tenant,
		Scopes:  scopesIn(d.Scopes),
		Expires: fromNanos(d.Expires),

		Agent:        d.Agent,
		Registration: d.Registration,
	}, nil
}

// DeleteExpiredTokens removes tokens expired at or before now and says how
// many.
func (s *Store) DeleteExpiredTokens(ctx context.Context, now time.Time) (int, error) {
	res, err := s.coll(collTokens).DeleteMany(ctx,
		bson.D{{Key: "expires", Value: bson.D{{Key: "$lte", Value: nanos(now)}}}})
	if err != nil {
		return 0, fmt.Errorf("delete expired tokens: %w", err)
	}
	return int(res.DeletedCount), nil
}

// UseOAuth1Nonce records that a tenant's credential key used an OAuth
// 1.0a nonce, until expires; store.ErrConflict if it is already recorded (a
// replay). The unique _id makes concurrent uses race safely: one insert
// wins, the others are duplicate keys.
func (s *Store) UseOAuth1Nonce(ctx context.Context, tenant, key, nonce string, expires time.Time) error {
	d := nonceDoc{ID: tenant + "\x00" + key + "\x00" + nonce, Tenant: tenant, Key: key, Expires: nanos(expires)}
	_, err := s.coll(collNonces).InsertOne(ctx, d)
	if isDuplicateKey(err) {
		return fmt.Errorf("use oauth1 nonce: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("use oauth1 nonce: %w", err)
	}
	return nil
}

// DeleteExpiredOAuth1Nonces removes nonce records expired at or before now
// and says how many.
func (s *Store) DeleteExpiredOAuth1Nonces(ctx context.Context, now time.Time) (int, error) {
	res, err := s.coll(collNonces).DeleteMany(ctx,
		bson.D{{Key: "expires", Value: bson.D{{Key: "$lte", Value: nanos(now)}}}})
	if err != nil {
		return 0, fmt.Errorf("delete expired oauth1 nonces: %w", err)
	}
	return int(res.DeletedCount), nil
}

// scopesOut stores scopes as an array (never null).
func scopesOut(scopes []string) []string {
	if scopes == nil {
		return []string{}
	}
	return scopes
}

// scopesIn returns stored scopes; an empty list comes back nil.
func scopesIn(scopes []string) []string {
	if len(scopes) == 0 {
		return nil
	}
	return scopes
}
