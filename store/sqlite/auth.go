package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/passportbridge/passport/internal/auth"
	"github.com/passportbridge/passport/store"
)

// CreateTenant adds a tenant; store.ErrConflict if the id is taken.
func (s *Store) CreateTenant(ctx context.Context, t auth.Tenant) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO tenants (id, created) VALUES (?, ?)", t.ID, nanos(t.Created))
		return err
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("create tenant: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create tenant: %w", err)
	}
	return nil
}

// Tenant returns one tenant; store.ErrNotFound if absent.
func (s *Store) Tenant(ctx context.Context, id string) (auth.Tenant, error) {
	t := auth.Tenant{ID: id}
	var created int64
	err := s.db.QueryRowContext(ctx, "SELECT created FROM tenants WHERE id = ?", id).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Tenant{}, fmt.Errorf("tenant: %w", store.ErrNotFound)
	}
	if err != nil {
		return auth.Tenant{}, fmt.Errorf("tenant: %w", err)
	}
	t.Created = fromNanos(created)
	return t, nil
}

// Tenants lists every tenant ordered by id.
func (s *Store) Tenants(ctx context.Context) ([]auth.Tenant, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, created FROM tenants ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("tenants: %w", err)
	}
	defer func() { _ = rows.Close() }() // rows.Err reports what matters
	var out []auth.Tenant
	for rows.Next() {
		var t auth.Tenant
		var created int64
		if err := rows.Scan(&t.ID, &created); err != nil {
			return nil, fmt.Errorf("tenants: %w", err)
		}
		t.Created = fromNanos(created)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tenants: %w", err)
	}
	return out, nil
}

// CreateCredential adds a credential; store.ErrConflict if the key is taken.
func (s *Store) CreateCredential(ctx context.Context, c auth.Credential) error {
	scopes, err := encodeScopes(c.Scopes)
	if err != nil {
		return fmt.Errorf("create credential: %w", err)
	}
	methods, err := encodeScopes(c.OAuth1Methods)
	if err != nil {
		return fmt.Errorf("create credential: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(
			`INSERT INTO credentials (key, tenant, name, secret_hash, scopes, created, disabled, oauth1_methods)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Key, c.Tenant, c.Name, c.SecretHash, scopes, nanos(c.Created), c.Disabled, methods)
		return err
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("create credential: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create credential: %w", err)
	}
	return nil
}

// credentialColumns is the column list scanCredential reads.
const credentialColumns = "key, tenant, name, secret_hash, scopes, created, disabled, oauth1_methods"

// scanCredential reads one row of credentialColumns.
func scanCredential(row interface{ Scan(...any) error }) (auth.Credential, error) {
	var c auth.Credential
	var scopes, methods string
	var created int64
	if err := row.Scan(&c.Key, &c.Tenant, &c.Name, &c.SecretHash, &scopes, &created, &c.Disabled, &methods); err != nil {
		return auth.Credential{}, err
	}
	var err error
	if c.Scopes, err = decodeScopes(scopes); err != nil {
		return auth.Credential{}, err
	}
	if c.OAuth1Methods, err = decodeScopes(methods); err != nil {
		return auth.Credential{}, err
	}
	c.Created = fromNanos(created)
	return c, nil
}

// Credential returns the credential with that key, in any tenant;
// store.ErrNotFound if absent.
func (s *Store) Credential(ctx context.Context, key string) (auth.Credential, error) {
	c, err := scanCredential(s.db.QueryRowContext(ctx,
		"SELECT "+credentialColumns+" FROM credentials WHERE key = ?", key))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Credential{}, fmt.Errorf("credential: %w", store.ErrNotFound)
	}
	if err != nil {
		return auth.Credential{}, fmt.Errorf("credential: %w", err)
	}
	return c, nil
}

// Credentials lists a tenant's credentials ordered by key.
func (s *Store) Credentials(ctx context.Context, tenant string) ([]auth.Credential, error) {
	rows, err := s.db.QueryContext(ctx,
		"SELECT "+credentialColumns+" FROM credentials WHERE tenant = ? ORDER BY key", tenant)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	defer func() { _ = rows.Close() }() // rows.Err reports what matters
	var out []auth.Credential
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, fmt.Errorf("credentials: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	return out, nil
}

// SetCredentialDisabled enables or disables a tenant's credential;
// store.ErrNotFound if the tenant has no such key.
func (s *Store) SetCredentialDisabled(ctx context.Context, tenant, key string, disabled bool) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return rowAffected(tx.Exec(
			"UPDATE credentials SET disabled = ? WHERE tenant = ? AND key = ?", disabled, tenant, key))
	})
	if err != nil {
		return fmt.Errorf("set credential disabled: %w", err)
	}
	return nil
}

// insertToken stores one token row; CommitLaunch uses it too.
const insertToken = "INSERT INTO tokens (hash, tenant, key, scopes, expires, agent, registration) VALUES (?, ?, ?, ?, ?, ?, ?)"

// SaveToken stores an issued token; store.ErrConflict if the hash exists.
func (s *Store) SaveToken(ctx context.Context, t auth.Token) error {
	scopes, err := encodeScopes(t.Scopes)
	if err != nil {
		return fmt.Errorf("save token: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(insertToken, t.Hash, t.Tenant, t.Key, scopes, nanos(t.Expires), t.Agent, t.Registration)
		return err
	})
	if isUniqueViolation(err) {
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
	t := auth.Token{Hash: hash}
	var scopes string
	var expires int64
	err := s.db.QueryRowContext(ctx,
		"SELECT tenant, key, scopes, expires, agent, registration FROM tokens WHERE hash = ? AND expires > ?",
		hash, nanos(now)).Scan(&t.Tenant, &t.Key, &scopes, &expires, &t.Agent, &t.Registration)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Token{}, fmt.Errorf("token: %w", store.ErrNotFound)
	}
	if err != nil {
		return auth.Token{}, fmt.Errorf("token: %w", err)
	}
	if t.Scopes, err = decodeScopes(scopes); err != nil {
		return auth.Token{}, fmt.Errorf("token: %w", err)
	}
	t.Expires = fromNanos(expires)
	return t, nil
}

// DeleteExpiredTokens removes tokens expired at or before now and says how
// many.
func (s *Store) DeleteExpiredTokens(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("DELETE FROM tokens WHERE expires <= ?", nanos(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired tokens: %w", err)
	}
	return int(n), nil
}

// UseOAuth1Nonce records that a tenant's credential key used an OAuth
// 1.0a nonce, until expires; store.ErrConflict if it is already recorded (a
// replay).
func (s *Store) UseOAuth1Nonce(ctx context.Context, tenant, key, nonce string, expires time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO oauth1_nonces (tenant, key, nonce, expires) VALUES (?, ?, ?, ?)",
			tenant, key, nonce, nanos(expires))
		return err
	})
	if isUniqueViolation(err) {
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
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("DELETE FROM oauth1_nonces WHERE expires <= ?", nanos(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired oauth1 nonces: %w", err)
	}
	return int(n), nil
}

// encodeScopes stores scopes (or any list of names) as a JSON array (never null).
func encodeScopes(scopes []string) (string, error) {
	if scopes == nil {
		scopes = []string{}
	}
	b, err := json.Marshal(scopes)
	if err != nil {
		return "", fmt.Errorf("encode scopes: %w", err)
	}
	return string(b), nil
}

// decodeScopes reads a JSON array of scopes; an empty list comes back nil.
func decodeScopes(s string) ([]string, error) {
	var scopes []string
	if err := json.Unmarshal([]byte(s), &scopes); err != nil {
		return nil, fmt.Errorf("decode scopes: %w", err)
	}
	if len(scopes) == 0 {
		return nil, nil
	}
	return scopes, nil
}
