package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/passportbridge/passport/lti"
	"github.com/passportbridge/passport/store"
)

var _ lti.Store = (*Store)(nil)

// The statements every login and launch runs, prepared once per store.
const (
	qLTILoginState = "SELECT tenant, expires, doc FROM lti_login_states WHERE state = ? AND expires > ?"
	qLTIContent    = "SELECT created, updated, doc FROM lti_contents WHERE tenant = ? AND id = ?"
	qLTIUser       = "SELECT " + ltiUserColumns + " FROM lti_users WHERE tenant = ? AND issuer = ? AND subject = ?"

	wLTISaveState   = "INSERT INTO lti_login_states (state, tenant, expires, doc) VALUES (?, ?, ?, ?)"
	wLTIDeleteState = "DELETE FROM lti_login_states WHERE state = ?"
	wLTIUseNonce    = "INSERT INTO lti_nonces (tenant, nonce, expires) VALUES (?, ?, ?)"
	wLTIAddUser     = "INSERT INTO lti_users (" + ltiUserColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?)"
	wLTIAddLaunch   = "INSERT OR IGNORE INTO lti_launches (tenant, attempt, created, doc) VALUES (?, ?, ?, ?)"
	// wLTIAddToken writes the row SaveToken writes (auth.go): only the hash.
	wLTIAddToken = insertToken
)

// ltiStmts holds the prepared hot statements: reads on the reader pool
// (database/sql prepares them on each pooled connection as it is used) and
// writes on the writer connection, used inside a write through
// tx.StmtContext. Preparing is skipped on error: the plain queries work too.
type ltiStmts struct {
	once   sync.Once
	reads  map[string]*sql.Stmt
	writes map[string]*sql.Stmt
}

// ltiPrepared prepares the hot statements on first use. It takes the writer
// connection, so it must never run inside a write fn.
func (s *Store) ltiPrepared() *ltiStmts {
	s.lti.once.Do(func() {
		ctx := context.Background()
		prep := func(db *sql.DB, qs ...string) map[string]*sql.Stmt {
			m := make(map[string]*sql.Stmt, len(qs))
			for _, q := range qs {
				st, err := db.PrepareContext(ctx, q)
				if err != nil {
					s.logger.Warn("sqlite lti statement not prepared", "error", err)
					continue
				}
				m[q] = st
			}
			return m
		}
		s.lti.reads = prep(s.db, qLTILoginState, qLTIContent, qLTIUser)
		s.lti.writes = prep(s.wdb, wLTISaveState, wLTIDeleteState, wLTIUseNonce, wLTIAddUser, wLTIAddLaunch, wLTIAddToken)
	})
	return &s.lti
}

// queryRow runs one of the hot reads, prepared when it could be.
func (p *ltiStmts) queryRow(ctx context.Context, db *sql.DB, q string, args ...any) *sql.Row {
	if st := p.reads[q]; st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.QueryRowContext(ctx, q, args...)
}

// exec runs one of the hot writes inside a write fn's transaction.
func (p *ltiStmts) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st := p.writes[q]; st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

// ltiRegDoc is the JSON part of a stored registration.
type ltiRegDoc struct {
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

// CreateRegistration adds r with its deployments; store.ErrConflict if its
// id or its (issuer, client id) is taken.
func (s *Store) CreateRegistration(ctx context.Context, r lti.Registration) error {
	doc, err := json.Marshal(ltiRegDoc{
		AcceptNewDeployments: r.AcceptNewDeployments, AuthURL: r.AuthURL, TokenURL: r.TokenURL,
		TokenAudience: r.TokenAudience, JWKSURL: r.JWKSURL, PlatformKeyPEM: r.PlatformKeyPEM,
		TargetHosts: r.TargetHosts, ProductFamily: r.ProductFamily, Name: r.Name, Source: r.Source,
	})
	if err != nil {
		return fmt.Errorf("create registration: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO lti_registrations (tenant, id, issuer, client_id, disabled, created, doc)
			 VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.Tenant, r.ID, r.Issuer, r.ClientID, r.Disabled, nanos(r.Created), doc); err != nil {
			return err
		}
		for _, d := range r.Deployments {
			if _, err := tx.ExecContext(ctx,
				`INSERT OR IGNORE INTO lti_deployments (tenant, registration_id, deployment_id) VALUES (?, ?, ?)`,
				r.Tenant, r.ID, d); err != nil {
				return err
			}
		}
		return nil
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("create registration: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create registration: %w", err)
	}
	return nil
}

// ltiRegColumns reads a registration and, in the same query, its
// deployments (in insertion order) as a JSON array.
const ltiRegColumns = `r.tenant, r.id, r.issuer, r.client_id, r.disabled, r.created, r.doc,
	(SELECT json_group_array(deployment_id) FROM (SELECT deployment_id FROM lti_deployments d
	  WHERE d.tenant = r.tenant AND d.registration_id = r.id ORDER BY d.rowid))`

func (s *Store) scanRegistrations(ctx context.Context, query string, args ...any) ([]lti.Registration, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []lti.Registration
	for rows.Next() {
		var r lti.Registration
		var created int64
		var doc []byte
		var deps string
		if err := rows.Scan(&r.Tenant, &r.ID, &r.Issuer, &r.ClientID, &r.Disabled, &created, &doc, &deps); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(deps), &r.Deployments); err != nil {
			return nil, fmt.Errorf("decode deployments: %w", err)
		}
		if len(r.Deployments) == 0 {
			r.Deployments = nil
		}
		var d ltiRegDoc
		if err := json.Unmarshal(doc, &d); err != nil {
			return nil, fmt.Errorf("decode registration: %w", err)
		}
		r.Created = fromNanos(created)
		r.AcceptNewDeployments, r.AuthURL, r.TokenURL, r.TokenAudience = d.AcceptNewDeployments, d.AuthURL, d.TokenURL, d.TokenAudience
		r.JWKSURL, r.PlatformKeyPEM, r.TargetHosts = d.JWKSURL, d.PlatformKeyPEM, d.TargetHosts
		r.ProductFamily, r.Name, r.Source = d.ProductFamily, d.Name, d.Source
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) oneRegistration(ctx context.Context, what, query string, args ...any) (lti.Registration, error) {
	rs, err := s.scanRegistrations(ctx, query, args...)
	if err != nil {
		return lti.Registration{}, fmt.Errorf("%s: %w", what, err)
	}
	if len(rs) == 0 {
		return lti.Registration{}, fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return rs[0], nil
}

// RegistrationByClient returns the registration for (issuer, client id) in
// any tenant; store.ErrNotFound if absent.
func (s *Store) RegistrationByClient(ctx context.Context, issuer, clientID string) (lti.Registration, error) {
	return s.oneRegistration(ctx, "registration by client",
		"SELECT "+ltiRegColumns+" FROM lti_registrations r WHERE r.issuer = ? AND r.client_id = ?", issuer, clientID)
}

// RegistrationsByIssuer returns up to limit registrations with that issuer.
func (s *Store) RegistrationsByIssuer(ctx context.Context, issuer string, limit int) ([]lti.Registration, error) {
	if limit <= 0 {
		limit = 100
	}
	rs, err := s.scanRegistrations(ctx,
		"SELECT "+ltiRegColumns+" FROM lti_registrations r WHERE r.issuer = ? ORDER BY r.tenant, r.id LIMIT ?", issuer, limit)
	if err != nil {
		return nil, fmt.Errorf("registrations by issuer: %w", err)
	}
	return rs, nil
}

// Registration returns one of a tenant's registrations.
func (s *Store) Registration(ctx context.Context, tenant, id string) (lti.Registration, error) {
	return s.oneRegistration(ctx, "registration",
		"SELECT "+ltiRegColumns+" FROM lti_registrations r WHERE r.tenant = ? AND r.id = ?", tenant, id)
}

// Registrations lists a tenant's registrations ordered by id.
func (s *Store) Registrations(ctx context.Context, tenant string) ([]lti.Registration, error) {
	rs, err := s.scanRegistrations(ctx,
		"SELECT "+ltiRegColumns+" FROM lti_registrations r WHERE r.tenant = ? ORDER BY r.id", tenant)
	if err != nil {
		return nil, fmt.Errorf("registrations: %w", err)
	}
	return rs, nil
}

// SetRegistrationDisabled switches a tenant's registration off or on.
func (s *Store) SetRegistrationDisabled(ctx context.Context, tenant, id string, disabled bool) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := rowAffected(tx.ExecContext(ctx, "UPDATE lti_registrations SET disabled = ? WHERE tenant = ? AND id = ?", disabled, tenant, id)); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set registration disabled: %w", err)
	}
	return nil
}

// AddDeployment records a deployment id for a tenant's registration.
func (s *Store) AddDeployment(ctx context.Context, tenant, registrationID, deploymentID string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM lti_registrations WHERE tenant = ? AND id = ?", tenant, registrationID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx,
			`INSERT OR IGNORE INTO lti_deployments (tenant, registration_id, deployment_id) VALUES (?, ?, ?)`,
			tenant, registrationID, deploymentID)
		return err
	})
	if err != nil {
		return fmt.Errorf("add deployment: %w", err)
	}
	return nil
}

// ltiStateDoc is the JSON part of a stored login state.
type ltiStateDoc struct {
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
	doc, err := json.Marshal(ltiStateDoc{
		Nonce: st.Nonce, RegistrationID: st.RegistrationID, Issuer: st.Issuer, ClientID: st.ClientID,
		TargetLinkURI: st.TargetLinkURI, StorageTarget: st.StorageTarget, StorageOrigin: st.StorageOrigin,
		StorageSecret: st.StorageSecret, Created: nanos(st.Created),
	})
	if err != nil {
		return fmt.Errorf("save login state: %w", err)
	}
	p := s.ltiPrepared()
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := p.exec(ctx, tx, wLTISaveState, st.State, st.Tenant, nanos(st.Expires), doc)
		return err
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("save login state: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save login state: %w", err)
	}
	return nil
}

// LoginState returns an unexpired login state; store.ErrNotFound otherwise.
func (s *Store) LoginState(ctx context.Context, state string, now time.Time) (lti.LoginState, error) {
	var st lti.LoginState
	var expires int64
	var doc []byte
	err := s.ltiPrepared().queryRow(ctx, s.db, qLTILoginState, state, nanos(now)).Scan(&st.Tenant, &expires, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("login state: %w", store.ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("login state: %w", err)
	}
	var d ltiStateDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return lti.LoginState{}, fmt.Errorf("login state: decode: %w", err)
	}
	st.State, st.Expires = state, fromNanos(expires)
	st.Nonce, st.RegistrationID, st.Issuer, st.ClientID, st.TargetLinkURI = d.Nonce, d.RegistrationID, d.Issuer, d.ClientID, d.TargetLinkURI
	st.StorageTarget, st.StorageOrigin, st.StorageSecret, st.Created = d.StorageTarget, d.StorageOrigin, d.StorageSecret, fromNanos(d.Created)
	return st, nil
}

// ConsumeLogin deletes a login state and records its nonce, in one
// savepoint: store.ErrNotFound if the state is gone, store.ErrConflict if
// the nonce was used (then the state is kept).
func (s *Store) ConsumeLogin(ctx context.Context, state, tenant, nonce string, nonceExp time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := rowAffected(tx.ExecContext(ctx, "DELETE FROM lti_login_states WHERE state = ?", state)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO lti_nonces (tenant, nonce, expires) VALUES (?, ?, ?)", tenant, nonce, nanos(nonceExp))
		if isUniqueViolation(err) {
			return store.ErrConflict
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("consume login: %w", err)
	}
	return nil
}

// UseNonce records a used nonce; store.ErrConflict if it was already used
// (and not yet swept).
func (s *Store) UseNonce(ctx context.Context, tenant, nonce string, exp time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO lti_nonces (tenant, nonce, expires) VALUES (?, ?, ?)", tenant, nonce, nanos(exp))
		return err
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("use nonce: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("use nonce: %w", err)
	}
	return nil
}

// SweepLTI deletes login states and nonces expired before now.
func (s *Store) SweepLTI(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, q := range []string{"DELETE FROM lti_login_states WHERE expires <= ?", "DELETE FROM lti_nonces WHERE expires <= ?"} {
			res, err := tx.ExecContext(ctx, q, nanos(now))
			if err != nil {
				return err
			}
			c, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += c
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sweep lti: %w", err)
	}
	return int(n), nil
}

// ltiKeyDoc is the JSON part of a stored tool key.
type ltiKeyDoc struct {
	PrivateDER []byte `json:"private_der"`
	Status     string `json:"status"`
	Activated  int64  `json:"activated,omitempty"`
	Retired    int64  `json:"retired,omitempty"`
}

// ToolKeys lists a key-ring scope's keys, newest first.
func (s *Store) ToolKeys(ctx context.Context, scope string) ([]lti.ToolKey, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT kid, created, doc FROM lti_tool_keys WHERE tenant = ? ORDER BY created DESC, kid", scope)
	if err != nil {
		return nil, fmt.Errorf("tool keys: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []lti.ToolKey
	for rows.Next() {
		k := lti.ToolKey{Scope: scope}
		var created int64
		var doc []byte
		if err := rows.Scan(&k.KID, &created, &doc); err != nil {
			return nil, fmt.Errorf("tool keys: %w", err)
		}
		var d ltiKeyDoc
		if err := json.Unmarshal(doc, &d); err != nil {
			return nil, fmt.Errorf("tool keys: decode: %w", err)
		}
		k.Created, k.PrivateDER, k.Status = fromNanos(created), d.PrivateDER, lti.KeyStatus(d.Status)
		k.Activated, k.Retired = fromNanos(d.Activated), fromNanos(d.Retired)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tool keys: %w", err)
	}
	return out, nil
}

// PutToolKey inserts or replaces a tool key.
func (s *Store) PutToolKey(ctx context.Context, k lti.ToolKey) error {
	doc, err := json.Marshal(ltiKeyDoc{PrivateDER: k.PrivateDER, Status: string(k.Status), Activated: nanos(k.Activated), Retired: nanos(k.Retired)})
	if err != nil {
		return fmt.Errorf("put tool key: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO lti_tool_keys (tenant, kid, created, doc) VALUES (?, ?, ?, ?)
			 ON CONFLICT (tenant, kid) DO UPDATE SET created = excluded.created, doc = excluded.doc`,
			k.Scope, k.KID, nanos(k.Created), doc)
		return err
	})
	if err != nil {
		return fmt.Errorf("put tool key: %w", err)
	}
	return nil
}

// DeleteToolKey removes a tool key; store.ErrNotFound if absent.
func (s *Store) DeleteToolKey(ctx context.Context, scope, kid string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := rowAffected(tx.ExecContext(ctx, "DELETE FROM lti_tool_keys WHERE tenant = ? AND kid = ?", scope, kid)); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete tool key: %w", err)
	}
	return nil
}

// PutContent inserts or replaces a catalogue item.
func (s *Store) PutContent(ctx context.Context, c lti.Content) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("put content: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO lti_contents (tenant, id, created, updated, doc) VALUES (?, ?, ?, ?, ?)
			 ON CONFLICT (tenant, id) DO UPDATE SET created = excluded.created, updated = excluded.updated, doc = excluded.doc`,
			c.Tenant, c.ID, nanos(c.Created), nanos(c.Updated), doc)
		return err
	})
	if err != nil {
		return fmt.Errorf("put content: %w", err)
	}
	return nil
}

func scanContent(tenant string, created, updated int64, doc []byte) (lti.Content, error) {
	var c lti.Content
	if err := json.Unmarshal(doc, &c); err != nil {
		return c, fmt.Errorf("decode content: %w", err)
	}
	c.Tenant, c.Created, c.Updated = tenant, fromNanos(created), fromNanos(updated)
	return c, nil
}

// Content returns one catalogue item; store.ErrNotFound if absent.
func (s *Store) Content(ctx context.Context, tenant, id string) (lti.Content, error) {
	var created, updated int64
	var doc []byte
	err := s.ltiPrepared().queryRow(ctx, s.db, qLTIContent, tenant, id).Scan(&created, &updated, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return lti.Content{}, fmt.Errorf("content: %w", store.ErrNotFound)
	}
	if err != nil {
		return lti.Content{}, fmt.Errorf("content: %w", err)
	}
	return scanContent(tenant, created, updated, doc)
}

// Contents lists a tenant's catalogue ordered by id.
func (s *Store) Contents(ctx context.Context, tenant string) ([]lti.Content, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT created, updated, doc FROM lti_contents WHERE tenant = ? ORDER BY id", tenant)
	if err != nil {
		return nil, fmt.Errorf("contents: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []lti.Content
	for rows.Next() {
		var created, updated int64
		var doc []byte
		if err := rows.Scan(&created, &updated, &doc); err != nil {
			return nil, fmt.Errorf("contents: %w", err)
		}
		c, err := scanContent(tenant, created, updated, doc)
		if err != nil {
			return nil, fmt.Errorf("contents: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("contents: %w", err)
	}
	return out, nil
}

// DeleteContent removes a catalogue item; store.ErrNotFound if absent.
func (s *Store) DeleteContent(ctx context.Context, tenant, id string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := rowAffected(tx.ExecContext(ctx, "DELETE FROM lti_contents WHERE tenant = ? AND id = ?", tenant, id)); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete content: %w", err)
	}
	return nil
}

const ltiUserColumns = "tenant, issuer, subject, learner_id, person_sourcedid, legacy_user_id, created"

func scanLTIUser(row interface{ Scan(...any) error }) (lti.LTIUser, error) {
	var u lti.LTIUser
	var created int64
	if err := row.Scan(&u.Tenant, &u.Issuer, &u.Subject, &u.LearnerID, &u.PersonSourcedID, &u.LegacyUserID, &created); err != nil {
		return lti.LTIUser{}, err
	}
	u.Created = fromNanos(created)
	return u, nil
}

// LTIUser returns the learner link for (issuer, sub); store.ErrNotFound if absent.
func (s *Store) LTIUser(ctx context.Context, tenant, issuer, subject string) (lti.LTIUser, error) {
	u, err := scanLTIUser(s.ltiPrepared().queryRow(ctx, s.db, qLTIUser, tenant, issuer, subject))
	if errors.Is(err, sql.ErrNoRows) {
		return lti.LTIUser{}, fmt.Errorf("lti user: %w", store.ErrNotFound)
	}
	if err != nil {
		return lti.LTIUser{}, fmt.Errorf("lti user: %w", err)
	}
	return u, nil
}

// LTIUsersBySourcedID lists a tenant's links with that person sourcedId,
// oldest first.
func (s *Store) LTIUsersBySourcedID(ctx context.Context, tenant, sourcedID string) ([]lti.LTIUser, error) {
	rows, err := s.db.QueryContext(ctx,
		"SELECT "+ltiUserColumns+" FROM lti_users WHERE tenant = ? AND person_sourcedid = ? ORDER BY created, issuer, subject", tenant, sourcedID)
	if err != nil {
		return nil, fmt.Errorf("lti users by sourcedid: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []lti.LTIUser
	for rows.Next() {
		u, err := scanLTIUser(rows)
		if err != nil {
			return nil, fmt.Errorf("lti users by sourcedid: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lti users by sourcedid: %w", err)
	}
	return out, nil
}

// CreateLTIUser adds a learner link; store.ErrConflict if it exists.
func (s *Store) CreateLTIUser(ctx context.Context, u lti.LTIUser) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO lti_users ("+ltiUserColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			u.Tenant, u.Issuer, u.Subject, u.LearnerID, u.PersonSourcedID, u.LegacyUserID, nanos(u.Created))
		return err
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("create lti user: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create lti user: %w", err)
	}
	return nil
}

// SaveLaunchRecord stores a launch record; store.ErrConflict if it exists.
func (s *Store) SaveLaunchRecord(ctx context.Context, r lti.LaunchRecord) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("save launch record: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO lti_launches (tenant, attempt, created, doc) VALUES (?, ?, ?, ?)",
			r.Tenant, r.Attempt, nanos(r.Created), doc)
		return err
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("save launch record: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save launch record: %w", err)
	}
	return nil
}

// LaunchRecord returns a tenant's launch record; store.ErrNotFound if absent.
func (s *Store) LaunchRecord(ctx context.Context, tenant, attempt string) (lti.LaunchRecord, error) {
	var doc []byte
	err := s.db.QueryRowContext(ctx, "SELECT doc FROM lti_launches WHERE tenant = ? AND attempt = ?", tenant, attempt).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return lti.LaunchRecord{}, fmt.Errorf("launch record: %w", store.ErrNotFound)
	}
	if err != nil {
		return lti.LaunchRecord{}, fmt.Errorf("launch record: %w", err)
	}
	var r lti.LaunchRecord
	if err := json.Unmarshal(doc, &r); err != nil {
		return lti.LaunchRecord{}, fmt.Errorf("launch record: decode: %w", err)
	}
	return r, nil
}

// EnqueueScore adds a score job; store.ErrConflict if its id exists.
func (s *Store) EnqueueScore(ctx context.Context, j lti.ScoreJob) error {
	doc, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("enqueue score: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO lti_score_jobs (tenant, id, state, next_attempt, doc) VALUES (?, ?, ?, ?, ?)",
			j.Tenant, j.ID, j.State, nanos(j.NextAttempt), doc)
		return err
	})
	if isUniqueViolation(err) {
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
	rows, err := s.db.QueryContext(ctx,
		"SELECT doc FROM lti_score_jobs WHERE state = ? AND next_attempt <= ? ORDER BY next_attempt, tenant, id LIMIT ?",
		lti.ScorePending, nanos(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due scores: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []lti.ScoreJob
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("due scores: %w", err)
		}
		var j lti.ScoreJob
		if err := json.Unmarshal(doc, &j); err != nil {
			return nil, fmt.Errorf("due scores: decode: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due scores: %w", err)
	}
	return out, nil
}

// UpdateScoreJob saves a job's delivery state; store.ErrNotFound if absent.
func (s *Store) UpdateScoreJob(ctx context.Context, j lti.ScoreJob) error {
	doc, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("update score job: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := rowAffected(tx.ExecContext(ctx, "UPDATE lti_score_jobs SET state = ?, next_attempt = ?, doc = ? WHERE tenant = ? AND id = ?",
			j.State, nanos(j.NextAttempt), doc, j.Tenant, j.ID)); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update score job: %w", err)
	}
	return nil
}

// CommitLaunch stores an accepted launch in one savepoint of one durable
// write: the state is consumed (store.ErrNotFound if it was already), the
// nonce recorded (store.ErrConflict if used), then the new deployment,
// learner link (lti.ErrUserLinked if linked concurrently), launch record
// and launch token. Any error rolls all of it back.
func (s *Store) CommitLaunch(ctx context.Context, c lti.LaunchCommit) error {
	var recDoc []byte
	if c.Record != nil {
		b, err := json.Marshal(c.Record)
		if err != nil {
			return fmt.Errorf("commit launch: %w", err)
		}
		recDoc = b
	}
	var scopes string
	if c.Token != nil {
		sc, err := encodeScopes(c.Token.Scopes)
		if err != nil {
			return fmt.Errorf("commit launch: %w", err)
		}
		scopes = sc
	}
	p := s.ltiPrepared()
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := rowAffected(p.exec(ctx, tx, wLTIDeleteState, c.State)); err != nil {
			return err
		}
		_, err := p.exec(ctx, tx, wLTIUseNonce, c.Tenant, c.Nonce, nanos(c.NonceExp))
		if isUniqueViolation(err) {
			return store.ErrConflict
		}
		if err != nil {
			return err
		}
		if c.NewDeploymentID != "" {
			var one int
			err := tx.QueryRowContext(ctx, "SELECT 1 FROM lti_registrations WHERE tenant = ? AND id = ?", c.Tenant, c.RegistrationID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return errors.New("the registration vanished")
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx,
				`INSERT OR IGNORE INTO lti_deployments (tenant, registration_id, deployment_id) VALUES (?, ?, ?)`,
				c.Tenant, c.RegistrationID, c.NewDeploymentID); err != nil {
				return err
			}
		}
		if u := c.User; u != nil {
			_, err := p.exec(ctx, tx, wLTIAddUser,
				u.Tenant, u.Issuer, u.Subject, u.LearnerID, u.PersonSourcedID, u.LegacyUserID, nanos(u.Created))
			if isUniqueViolation(err) {
				return lti.ErrUserLinked
			}
			if err != nil {
				return err
			}
		}
		if r := c.Record; r != nil {
			// As Grader.RecordLaunch: an attempt recorded already is kept.
			if _, err := p.exec(ctx, tx, wLTIAddLaunch,
				r.Tenant, r.Attempt, nanos(r.Created), recDoc); err != nil {
				return err
			}
		}
		if t := c.Token; t != nil {
			_, err := p.exec(ctx, tx, wLTIAddToken,
				t.Hash, t.Tenant, t.Key, scopes, nanos(t.Expires), t.Agent, t.Registration)
			if isUniqueViolation(err) {
				return store.ErrConflict
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("commit launch: %w", err)
	}
	return nil
}

var _ lti.NRPSMarkStore = (*Store)(nil)

// NRPSDifferences returns the differences link kept for a context's
// memberships; store.ErrNotFound if there is none.
func (s *Store) NRPSDifferences(ctx context.Context, tenant, registrationID, membershipsURL string) (string, error) {
	var link string
	err := s.db.QueryRowContext(ctx,
		"SELECT differences_url FROM lti_nrps_marks WHERE tenant = ? AND registration_id = ? AND memberships_url = ?",
		tenant, registrationID, membershipsURL).Scan(&link)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("nrps differences: %w", store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("nrps differences: %w", err)
	}
	return link, nil
}

// SetNRPSDifferences keeps the differences link for the next sync; ""
// removes it.
func (s *Store) SetNRPSDifferences(ctx context.Context, tenant, registrationID, membershipsURL, differencesURL string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if differencesURL == "" {
			_, err := tx.ExecContext(ctx, "DELETE FROM lti_nrps_marks WHERE tenant = ? AND registration_id = ? AND memberships_url = ?",
				tenant, registrationID, membershipsURL)
			return err
		}
		_, err := tx.ExecContext(ctx,
			`INSERT INTO lti_nrps_marks (tenant, registration_id, memberships_url, differences_url) VALUES (?, ?, ?, ?)
			 ON CONFLICT (tenant, registration_id, memberships_url) DO UPDATE SET differences_url = excluded.differences_url`,
			tenant, registrationID, membershipsURL, differencesURL)
		return err
	})
	if err != nil {
		return fmt.Errorf("set nrps differences: %w", err)
	}
	return nil
}
