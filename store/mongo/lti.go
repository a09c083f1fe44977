package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/store"
)

// Collections of the lti records.
const (
	collLTIRegistrations = "lti_registrations"
	collLTILoginStates   = "lti_login_states"
	collLTINonces        = "lti_nonces"
	collLTIToolKeys      = "lti_tool_keys"
	collLTIContents      = "lti_contents"
	collLTIUsers         = "lti_users"
	collLTILaunches      = "lti_launches"
	collLTIScoreJobs     = "lti_score_jobs"
)

var _ lti.Store = (*Store)(nil)

// ltiRegPayload is the canonical JSON part of a registration.
type ltiRegPayload struct {
	AcceptNewDeployments bool     `json:"accept_new_deployments,omitempty"`
	AuthURL              string   `json:"auth_url"`
	TokenURL             string   `json:"token_url"`
	TokenAudience        string   `json:"token_audience,omitempty"`
	JWKSURL              string   `json:"jwks_url,omitempty"`
	PlatformKeyPEM       string   `json:"platform_key_pem,omitempty"`
	TargetHosts          []string `json:"target_hosts,omitempty"`
	ProductFamily        string   `json:"product_family,omitempty"`
	Name                 string   `json:"name,omitempty"`
	Source               string   `json:"source,omitempty"`
}

// ltiRegDoc is a registration as stored; _id is docID(tenant, id).
type ltiRegDoc struct {
	DocID       string   `bson:"_id"`
	Tenant      string   `bson:"tenant"`
	ID          string   `bson:"id"`
	Issuer      string   `bson:"issuer"`
	ClientID    string   `bson:"client_id"`
	Disabled    bool     `bson:"disabled"`
	Created     int64    `bson:"created"`
	Deployments []string `bson:"deployments"`
	Payload     []byte   `bson:"payload"`
}

func (d ltiRegDoc) registration() (lti.Registration, error) {
	var p ltiRegPayload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return lti.Registration{}, fmt.Errorf("decode registration: %w", err)
	}
	deps := d.Deployments
	if len(deps) == 0 {
		deps = nil
	}
	return lti.Registration{
		Tenant: d.Tenant, ID: d.ID, Issuer: d.Issuer, ClientID: d.ClientID, Deployments: deps,
		AcceptNewDeployments: p.AcceptNewDeployments, AuthURL: p.AuthURL, TokenURL: p.TokenURL,
		TokenAudience: p.TokenAudience, JWKSURL: p.JWKSURL, PlatformKeyPEM: p.PlatformKeyPEM,
		TargetHosts: p.TargetHosts, ProductFamily: p.ProductFamily, Name: p.Name, Source: p.Source,
		Disabled: d.Disabled, Created: fromNanos(d.Created),
	}, nil
}

// CreateRegistration adds r; store.ErrConflict if its id or its (issuer,
// client id) is taken.
func (s *Store) CreateRegistration(ctx context.Context, r lti.Registration) error {
	payload, err := json.Marshal(ltiRegPayload{
		AcceptNewDeployments: r.AcceptNewDeployments, AuthURL: r.AuthURL, TokenURL: r.TokenURL,
		TokenAudience: r.TokenAudience, JWKSURL: r.JWKSURL, PlatformKeyPEM: r.PlatformKeyPEM,
		TargetHosts: r.TargetHosts, ProductFamily: r.ProductFamily, Name: r.Name, Source: r.Source,
	})
	if err != nil {
		return fmt.Errorf("create registration: %w", err)
	}
	deps := []string{}
	for _, d := range r.Deployments {
		if !contains(deps, d) {
			deps = append(deps, d)
		}
	}
	_, err = s.coll(collLTIRegistrations).InsertOne(ctx, ltiRegDoc{
		DocID: docID(r.Tenant, r.ID), Tenant: r.Tenant, ID: r.ID, Issuer: r.Issuer, ClientID: r.ClientID,
		Disabled: r.Disabled, Created: nanos(r.Created), Deployments: deps, Payload: payload,
	})
	if isDuplicateKey(err) {
		return fmt.Errorf("create registration: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create registration: %w", err)
	}
	return nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Store) findRegistrations(ctx context.Context, filter bson.D, opts *options.FindOptions) ([]lti.Registration, error) {
	cur, err := s.coll(collLTIRegistrations).Find(ctx, filter, opts)
	if err != nil {
		return nil, err
	}
	var docs []ltiRegDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	out := make([]lti.Registration, 0, len(docs))
	for _, d := range docs {
		r, err := d.registration()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *Store) oneRegistration(ctx context.Context, what string, filter bson.D) (lti.Registration, error) {
	var d ltiRegDoc
	err := s.coll(collLTIRegistrations).FindOne(ctx, filter).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return lti.Registration{}, fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	if err != nil {
		return lti.Registration{}, fmt.Errorf("%s: %w", what, err)
	}
	r, err := d.registration()
	if err != nil {
		return lti.Registration{}, fmt.Errorf("%s: %w", what, err)
	}
	return r, nil
}

// RegistrationByClient returns the registration for (issuer, client id) in
// any tenant; store.ErrNotFound if absent.
func (s *Store) RegistrationByClient(ctx context.Context, issuer, clientID string) (lti.Registration, error) {
	return s.oneRegistration(ctx, "registration by client",
		bson.D{{Key: "issuer", Value: issuer}, {Key: "client_id", Value: clientID}})
}

// RegistrationsByIssuer returns up to limit registrations with that issuer.
func (s *Store) RegistrationsByIssuer(ctx context.Context, issuer string, limit int) ([]lti.Registration, error) {
	if limit <= 0 {
		limit = 100
	}
	rs, err := s.findRegistrations(ctx, bson.D{{Key: "issuer", Value: issuer}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("registrations by issuer: %w", err)
	}
	return rs, nil
}

// Registration returns one of a tenant's registrations.
func (s *Store) Registration(ctx context.Context, tenant, id string) (lti.Registration, error) {
	return s.oneRegistration(ctx, "registration", bson.D{{Key: "_id", Value: docID(tenant, id)}, {Key: "tenant", Value: tenant}})
}

// Registrations lists a tenant's registrations ordered by id.
func (s *Store) Registrations(ctx context.Context, tenant string) ([]lti.Registration, error) {
	rs, err := s.findRegistrations(ctx, bson.D{{Key: "tenant", Value: tenant}},
		options.Find().SetSort(bson.D{{Key: "id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("registrations: %w", err)
	}
	return rs, nil
}

// SetRegistrationDisabled switches a tenant's registration off or on.
func (s *Store) SetRegistrationDisabled(ctx context.Context, tenant, id string, disabled bool) error {
	res, err := s.coll(collLTIRegistrations).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: docID(tenant, id)}, {Key: "tenant", Value: tenant}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "disabled", Value: disabled}}}})
	if err != nil {
		return fmt.Errorf("set registration disabled: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("set registration disabled: %w", store.ErrNotFound)
	}
	return nil
}

// AddDeployment records a deployment id for a tenant's registration.
func (s *Store) AddDeployment(ctx context.Context, tenant, registrationID, deploymentID string) error {
	res, err := s.coll(collLTIRegistrations).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: docID(tenant, registrationID)}, {Key: "tenant", Value: tenant}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "deployments", Value: deploymentID}}}})
	if err != nil {
		return fmt.Errorf("add deployment: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("add deployment: %w", store.ErrNotFound)
	}
	return nil
}

// ltiStateDoc is a login state as stored; _id is the state value.
type ltiStateDoc struct {
	State   string `bson:"_id"`
	Tenant  string `bson:"tenant"`
	Expires int64  `bson:"expires"`
	Payload []byte `bson:"payload"`
}

// ltiStatePayload is the canonical JSON part of a login state.
type ltiStatePayload struct {
	Nonce          string `json:"nonce"`
	RegistrationID string `json:"registration_id"`
	Issuer         string `json:"issuer"`
	ClientID       string `json:"client_id"`
	TargetLinkURI  string `json:"target_link_uri"`
	StorageTarget  string `json:"storage_target,omitempty"`
	StorageOrigin  string `json:"storage_origin,omitempty"`
	StorageSecret  string `json:"storage_secret,omitempty"`
	Created        int64  `json:"created"`
}

// SaveLoginState stores a login state; store.ErrConflict if it exists.
func (s *Store) SaveLoginState(ctx context.Context, st lti.LoginState) error {
	payload, err := json.Marshal(ltiStatePayload{
		Nonce: st.Nonce, RegistrationID: st.RegistrationID, Issuer: st.Issuer, ClientID: st.ClientID,
		TargetLinkURI: st.TargetLinkURI, StorageTarget: st.StorageTarget, StorageOrigin: st.StorageOrigin,
		StorageSecret: st.StorageSecret, Created: nanos(st.Created),
	})
	if err != nil {
		return fmt.Errorf("save login state: %w", err)
	}
	_, err = s.coll(collLTILoginStates).InsertOne(ctx, ltiStateDoc{State: st.State, Tenant: st.Tenant, Expires: nanos(st.Expires), Payload: payload})
	if isDuplicateKey(err) {
		return fmt.Errorf("save login state: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save login state: %w", err)
	}
	return nil
}

// LoginState returns an unexpired login state; store.ErrNotFound otherwise.
func (s *Store) LoginState(ctx context.Context, state string, now time.Time) (lti.LoginState, error) {
	var d ltiStateDoc
	err := s.coll(collLTILoginStates).FindOne(ctx, bson.D{
		{Key: "_id", Value: state},
		{Key: "expires", Value: bson.D{{Key: "$gt", Value: nanos(now)}}},
	}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return lti.LoginState{}, fmt.Errorf("login state: %w", store.ErrNotFound)
	}
	if err != nil {
		return lti.LoginState{}, fmt.Errorf("login state: %w", err)
	}
	var p ltiStatePayload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return lti.LoginState{}, fmt.Errorf("login state: decode: %w", err)
	}
	return lti.LoginState{
		State: d.State, Nonce: p.Nonce, Tenant: d.Tenant, RegistrationID: p.RegistrationID,
		Issuer: p.Issuer, ClientID: p.ClientID, TargetLinkURI: p.TargetLinkURI,
		StorageTarget: p.StorageTarget, StorageOrigin: p.StorageOrigin, StorageSecret: p.StorageSecret,
		Created: fromNanos(p.Created), Expires: fromNanos(d.Expires),
	}, nil
}

// ConsumeLogin deletes a login state, then records its nonce (two single
// document writes: without multi-document transactions the state is gone
// even when the nonce turns out to be used, which still refuses the launch).
// store.ErrNotFound if the state is gone, store.ErrConflict if the nonce
// was used.
func (s *Store) ConsumeLogin(ctx context.Context, state, tenant, nonce string, nonceExp time.Time) error {
	res, err := s.coll(collLTILoginStates).DeleteOne(ctx, bson.D{{Key: "_id", Value: state}})
	if err != nil {
		return fmt.Errorf("consume login: %w", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("consume login: %w", store.ErrNotFound)
	}
	if err := s.UseNonce(ctx, tenant, nonce, nonceExp); err != nil {
		return fmt.Errorf("consume login: %w", err)
	}
	return nil
}

// UseNonce records a used nonce; store.ErrConflict if it was already used
// (and not yet swept).
func (s *Store) UseNonce(ctx context.Context, tenant, nonce string, exp time.Time) error {
	_, err := s.coll(collLTINonces).InsertOne(ctx, bson.D{
		{Key: "_id", Value: docID(tenant, nonce)}, {Key: "tenant", Value: tenant}, {Key: "expires", Value: nanos(exp)},
	})
	if isDuplicateKey(err) {
		return fmt.Errorf("use nonce: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("use nonce: %w", err)
	}
	return nil
}

// SweepLTI deletes login states and nonces expired before now.
func (s *Store) SweepLTI(ctx context.Context, now time.Time) (int, error) {
	n := 0
	for _, c := range []string{collLTILoginStates, collLTINonces} {
		res, err := s.coll(c).DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lte", Value: nanos(now)}}}})
		if err != nil {
			return n, fmt.Errorf("sweep lti: %w", err)
		}
		n += int(res.DeletedCount)
	}
	return n, nil
}

// ltiKeyDoc is a tool key as stored; _id is docID(scope, kid).
type ltiKeyDoc struct {
	DocID     string `bson:"_id"`
	Tenant    string `bson:"tenant"`
	KID       string `bson:"kid"`
	Created   int64  `bson:"created"`
	Status    string `bson:"status"`
	Activated int64  `bson:"activated"`
	Retired   int64  `bson:"retired"`
	Private   []byte `bson:"private_der"`
}

// ToolKeys lists a key-ring scope's keys, newest first.
func (s *Store) ToolKeys(ctx context.Context, scope string) ([]lti.ToolKey, error) {
	cur, err := s.coll(collLTIToolKeys).Find(ctx, bson.D{{Key: "tenant", Value: scope}},
		options.Find().SetSort(bson.D{{Key: "created", Value: -1}, {Key: "kid", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("tool keys: %w", err)
	}
	var docs []ltiKeyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("tool keys: %w", err)
	}
	out := make([]lti.ToolKey, 0, len(docs))
	for _, d := range docs {
		out = append(out, lti.ToolKey{
			Scope: d.Tenant, KID: d.KID, PrivateDER: d.Private, Status: lti.KeyStatus(d.Status),
			Created: fromNanos(d.Created), Activated: fromNanos(d.Activated), Retired: fromNanos(d.Retired),
		})
	}
	return out, nil
}

// PutToolKey inserts or replaces a tool key.
func (s *Store) PutToolKey(ctx context.Context, k lti.ToolKey) error {
	_, err := s.coll(collLTIToolKeys).ReplaceOne(ctx, bson.D{{Key: "_id", Value: docID(k.Scope, k.KID)}},
		ltiKeyDoc{
			DocID: docID(k.Scope, k.KID), Tenant: k.Scope, KID: k.KID, Created: nanos(k.Created), Status: string(k.Status),
			Activated: nanos(k.Activated), Retired: nanos(k.Retired), Private: k.PrivateDER,
		}, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("put tool key: %w", err)
	}
	return nil
}

// DeleteToolKey removes a tool key; store.ErrNotFound if absent.
func (s *Store) DeleteToolKey(ctx context.Context, scope, kid string) error {
	res, err := s.coll(collLTIToolKeys).DeleteOne(ctx, bson.D{{Key: "_id", Value: docID(scope, kid)}, {Key: "tenant", Value: scope}})
	if err != nil {
		return fmt.Errorf("delete tool key: %w", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("delete tool key: %w", store.ErrNotFound)
	}
	return nil
}

// ltiContentDoc is a catalogue item as stored; _id is docID(tenant, id).
type ltiContentDoc struct {
	DocID   string `bson:"_id"`
	Tenant  string `bson:"tenant"`
	ID      string `bson:"id"`
	Created int64  `bson:"created"`
	Updated int64  `bson:"updated"`
	Payload []byte `bson:"payload"`
}

func (d ltiContentDoc) content() (lti.Content, error) {
	var c lti.Content
	if err := json.Unmarshal(d.Payload, &c); err != nil {
		return c, fmt.Errorf("decode content: %w", err)
	}
	c.Tenant, c.Created, c.Updated = d.Tenant, fromNanos(d.Created), fromNanos(d.Updated)
	return c, nil
}

// PutContent inserts or replaces a catalogue item.
func (s *Store) PutContent(ctx context.Context, c lti.Content) error {
	payload, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("put content: %w", err)
	}
	id := docID(c.Tenant, c.ID)
	_, err = s.coll(collLTIContents).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}},
		ltiContentDoc{DocID: id, Tenant: c.Tenant, ID: c.ID, Created: nanos(c.Created), Updated: nanos(c.Updated), Payload: payload},
		options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("put content: %w", err)
	}
	return nil
}

// Content returns one catalogue item; store.ErrNotFound if absent.
func (s *Store) Content(ctx context.Context, tenant, id string) (lti.Content, error) {
	var d ltiContentDoc
	err := s.coll(collLTIContents).FindOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, id)}, {Key: "tenant", Value: tenant}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return lti.Content{}, fmt.Errorf("content: %w", store.ErrNotFound)
	}
	if err != nil {
		return lti.Content{}, fmt.Errorf("content: %w", err)
	}
	return d.content()
}

// Contents lists a tenant's catalogue ordered by id.
func (s *Store) Contents(ctx context.Context, tenant string) ([]lti.Content, error) {
	cur, err := s.coll(collLTIContents).Find(ctx, bson.D{{Key: "tenant", Value: tenant}},
		options.Find().SetSort(bson.D{{Key: "id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("contents: %w", err)
	}
	var docs []ltiContentDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("contents: %w", err)
	}
	var out []lti.Content
	for _, d := range docs {
		c, err := d.content()
		if err != nil {
			return nil, fmt.Errorf("contents: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// DeleteContent removes a catalogue item; store.ErrNotFound if absent.
func (s *Store) DeleteContent(ctx context.Context, tenant, id string) error {
	res, err := s.coll(collLTIContents).DeleteOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, id)}, {Key: "tenant", Value: tenant}})
	if err != nil {
		return fmt.Errorf("delete content: %w", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("delete content: %w", store.ErrNotFound)
	}
	return nil
}

// ltiUserDoc is a learner link as stored; _id is tenant, issuer and sub
// joined by NULs.
type ltiUserDoc struct {
	DocID           string `bson:"_id"`
	Tenant          string `bson:"tenant"`
	Issuer          string `bson:"issuer"`
	Subject         string `bson:"subject"`
	LearnerID       string `bson:"learner_id"`
	PersonSourcedID string `bson:"person_sourcedid"`
	LegacyUserID    string `bson:"legacy_user_id"`
	Created         int64  `bson:"created"`
}

func (d ltiUserDoc) user() lti.LTIUser {
	return lti.LTIUser{
		Tenant: d.Tenant, Issuer: d.Issuer, Subject: d.Subject, LearnerID: d.LearnerID,
		PersonSourcedID: d.PersonSourcedID, LegacyUserID: d.LegacyUserID, Created: fromNanos(d.Created),
	}
}

func ltiUserID(tenant, issuer, subject string) string { return docID(tenant, issuer+"\x00"+subject) }

// LTIUser returns the learner link for (issuer, sub); store.ErrNotFound if absent.
func (s *Store) LTIUser(ctx context.Context, tenant, issuer, subject string) (lti.LTIUser, error) {
	var d ltiUserDoc
	err := s.coll(collLTIUsers).FindOne(ctx, bson.D{{Key: "_id", Value: ltiUserID(tenant, issuer, subject)}, {Key: "tenant", Value: tenant}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return lti.LTIUser{}, fmt.Errorf("lti user: %w", store.ErrNotFound)
	}
	if err != nil {
		return lti.LTIUser{}, fmt.Errorf("lti user: %w", err)
	}
	return d.user(), nil
}

// LTIUsersBySourcedID lists a tenant's links with that person sourcedId,
// oldest first.
func (s *Store) LTIUsersBySourcedID(ctx context.Context, tenant, sourcedID string) ([]lti.LTIUser, error) {
	cur, err := s.coll(collLTIUsers).Find(ctx, bson.D{{Key: "tenant", Value: tenant}, {Key: "person_sourcedid", Value: sourcedID}},
		options.Find().SetSort(bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("lti users by sourcedid: %w", err)
	}
	var docs []ltiUserDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("lti users by sourcedid: %w", err)
	}
	var out []lti.LTIUser
	for _, d := range docs {
		out = append(out, d.user())
	}
	return out, nil
}

// CreateLTIUser adds a learner link; store.ErrConflict if it exists.
func (s *Store) CreateLTIUser(ctx context.Context, u lti.LTIUser) error {
	_, err := s.coll(collLTIUsers).InsertOne(ctx, ltiUserDoc{
		DocID: ltiUserID(u.Tenant, u.Issuer, u.Subject), Tenant: u.Tenant, Issuer: u.Issuer, Subject: u.Subject,
		LearnerID: u.LearnerID, PersonSourcedID: u.PersonSourcedID, LegacyUserID: u.LegacyUserID, Created: nanos(u.Created),
	})
	if isDuplicateKey(err) {
		return fmt.Errorf("create lti user: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create lti user: %w", err)
	}
	return nil
}

// SaveLaunchRecord stores a launch record; store.ErrConflict if it exists.
func (s *Store) SaveLaunchRecord(ctx context.Context, r lti.LaunchRecord) error {
	payload, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("save launch record: %w", err)
	}
	_, err = s.coll(collLTILaunches).InsertOne(ctx, bson.D{
		{Key: "_id", Value: docID(r.Tenant, r.Attempt)},
		{Key: "tenant", Value: r.Tenant},
		{Key: "created", Value: nanos(r.Created)},
		{Key: "payload", Value: payload},
	})
	if isDuplicateKey(err) {
		return fmt.Errorf("save launch record: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save launch record: %w", err)
	}
	return nil
}

// LaunchRecord returns a tenant's launch record; store.ErrNotFound if absent.
func (s *Store) LaunchRecord(ctx context.Context, tenant, attempt string) (lti.LaunchRecord, error) {
	var d struct {
		Payload []byte `bson:"payload"`
	}
	err := s.coll(collLTILaunches).FindOne(ctx, bson.D{{Key: "_id", Value: docID(tenant, attempt)}, {Key: "tenant", Value: tenant}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return lti.LaunchRecord{}, fmt.Errorf("launch record: %w", store.ErrNotFound)
	}
	if err != nil {
		return lti.LaunchRecord{}, fmt.Errorf("launch record: %w", err)
	}
	var r lti.LaunchRecord
	if err := json.Unmarshal(d.Payload, &r); err != nil {
		return lti.LaunchRecord{}, fmt.Errorf("launch record: decode: %w", err)
	}
	return r, nil
}

// ltiScoreJobDoc is a score job as stored; _id is docID(tenant, id).
type ltiScoreJobDoc struct {
	DocID       string `bson:"_id"`
	Tenant      string `bson:"tenant"`
	State       string `bson:"state"`
	NextAttempt int64  `bson:"next_attempt"`
	Payload     []byte `bson:"payload"`
}

func scoreJobDoc(j lti.ScoreJob) (ltiScoreJobDoc, error) {
	payload, err := json.Marshal(j)
	if err != nil {
		return ltiScoreJobDoc{}, err
	}
	return ltiScoreJobDoc{DocID: docID(j.Tenant, j.ID), Tenant: j.Tenant, State: j.State, NextAttempt: nanos(j.NextAttempt), Payload: payload}, nil
}

// EnqueueScore adds a score job; store.ErrConflict if its id exists.
func (s *Store) EnqueueScore(ctx context.Context, j lti.ScoreJob) error {
	d, err := scoreJobDoc(j)
	if err != nil {
		return fmt.Errorf("enqueue score: %w", err)
	}
	_, err = s.coll(collLTIScoreJobs).InsertOne(ctx, d)
	if isDuplicateKey(err) {
		return fmt.Errorf("enqueue score: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("enqueue score: %w", err)
	}
	return nil
}

// DueScores lists pending score jobs due at now, earliest first.
func (s *Store) DueScores(ctx context.Context, now time.Time, limit int) ([]lti.ScoreJob, error) {
	if limit <= 0 {
		limit = 100
	}
	cur, err := s.coll(collLTIScoreJobs).Find(ctx,
		bson.D{{Key: "state", Value: lti.ScorePending}, {Key: "next_attempt", Value: bson.D{{Key: "$lte", Value: nanos(now)}}}},
		options.Find().SetSort(bson.D{{Key: "next_attempt", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("due scores: %w", err)
	}
	var docs []ltiScoreJobDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("due scores: %w", err)
	}
	out := make([]lti.ScoreJob, 0, len(docs))
	for _, d := range docs {
		var j lti.ScoreJob
		if err := json.Unmarshal(d.Payload, &j); err != nil {
			return nil, fmt.Errorf("due scores: decode: %w", err)
		}
		out = append(out, j)
	}
	return out, nil
}

// UpdateScoreJob saves a job's delivery state; store.ErrNotFound if absent.
func (s *Store) UpdateScoreJob(ctx context.Context, j lti.ScoreJob) error {
	d, err := scoreJobDoc(j)
	if err != nil {
		return fmt.Errorf("update score job: %w", err)
	}
	res, err := s.coll(collLTIScoreJobs).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.DocID}, {Key: "tenant", Value: j.Tenant}}, d)
	if err != nil {
		return fmt.Errorf("update score job: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("update score job: %w", store.ErrNotFound)
	}
	return nil
}

// CommitLaunch stores an accepted launch without a multi-document
// transaction, in an order that keeps its guarantees: a first-seen
// learner link first (lti.ErrUserLinked if linked concurrently, with
// nothing else written, so the launch can retry), then the state is
// consumed and the nonce recorded (store.ErrNotFound, store.ErrConflict),
// and only then the new deployment, the launch record and the launch
// token, so a refused launch never leaves a record or a token behind.
func (s *Store) CommitLaunch(ctx context.Context, c lti.LaunchCommit) error {
	if u := c.User; u != nil {
		err := s.CreateLTIUser(ctx, *u)
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("commit launch: %w", lti.ErrUserLinked)
		}
		if err != nil {
			return fmt.Errorf("commit launch: %w", err)
		}
	}
	if err := s.ConsumeLogin(ctx, c.State, c.Tenant, c.Nonce, c.NonceExp); err != nil {
		return fmt.Errorf("commit launch: %w", err)
	}
	if c.NewDeploymentID != "" {
		err := s.AddDeployment(ctx, c.Tenant, c.RegistrationID, c.NewDeploymentID)
		if errors.Is(err, store.ErrNotFound) {
			return errors.New("commit launch: the registration vanished")
		}
		if err != nil {
			return fmt.Errorf("commit launch: %w", err)
		}
	}
	if c.Record != nil {
		if err := s.SaveLaunchRecord(ctx, *c.Record); err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("commit launch: %w", err)
		}
	}
	if c.Token != nil {
		if err := s.SaveToken(ctx, *c.Token); err != nil {
			return fmt.Errorf("commit launch: %w", err)
		}
	}
	return nil
}

// collLTINRPSMarks keeps the NRPS differences links; _id is
// docID(tenant, registration id + "\x00" + memberships URL).
const collLTINRPSMarks = "lti_nrps_marks"

var _ lti.NRPSMarkStore = (*Store)(nil)

// ltiNRPSMarkDoc is a kept differences link as stored.
type ltiNRPSMarkDoc struct {
	DocID          string `bson:"_id"`
	Tenant         string `bson:"tenant"`
	RegistrationID string `bson:"registration_id"`
	MembershipsURL string `bson:"memberships_url"`
	DifferencesURL string `bson:"differences_url"`
}

func nrpsMarkID(tenant, registrationID, membershipsURL string) string {
	return docID(tenant, registrationID+"\x00"+membershipsURL)
}

// NRPSDifferences returns the differences link kept for a context's
// memberships; store.ErrNotFound if there is none.
func (s *Store) NRPSDifferences(ctx context.Context, tenant, registrationID, membershipsURL string) (string, error) {
	var d ltiNRPSMarkDoc
	err := s.coll(collLTINRPSMarks).FindOne(ctx, bson.D{
		{Key: "_id", Value: nrpsMarkID(tenant, registrationID, membershipsURL)}, {Key: "tenant", Value: tenant},
	}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", fmt.Errorf("nrps differences: %w", store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("nrps differences: %w", err)
	}
	return d.DifferencesURL, nil
}

// SetNRPSDifferences keeps the differences link for the next sync; ""
// removes it.
func (s *Store) SetNRPSDifferences(ctx context.Context, tenant, registrationID, membershipsURL, differencesURL string) error {
	id := nrpsMarkID(tenant, registrationID, membershipsURL)
	var err error
	if differencesURL == "" {
		_, err = s.coll(collLTINRPSMarks).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "tenant", Value: tenant}})
	} else {
		_, err = s.coll(collLTINRPSMarks).ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, ltiNRPSMarkDoc{
			DocID: id, Tenant: tenant, RegistrationID: registrationID, MembershipsURL: membershipsURL, DifferencesURL: differencesURL,
		}, options.Replace().SetUpsert(true))
	}
	if err != nil {
		return fmt.Errorf("set nrps differences: %w", err)
	}
	return nil
}
