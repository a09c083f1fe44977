package sqlite

// coreSchema is the core migrations (tenants, credentials, tokens):
// append-only, one entry per version; never edit an entry that has shipped.
//
// Credentials and tokens are looked up by a globally unique key or hash, so
// those are their primary keys; listing and sweeping use the indexes.
var coreSchema = []string{
	// 1: tenants, credentials, tokens.
	`CREATE TABLE tenants (
		id      TEXT    NOT NULL PRIMARY KEY,
		created INTEGER NOT NULL
	) STRICT;
	CREATE TABLE credentials (
		key         TEXT    NOT NULL PRIMARY KEY,
		tenant      TEXT    NOT NULL,
		name        TEXT    NOT NULL,
		secret_hash TEXT    NOT NULL,
		scopes      TEXT    NOT NULL, -- JSON array of strings
		created     INTEGER NOT NULL,
		disabled    INTEGER NOT NULL DEFAULT 0
	) STRICT;
	CREATE INDEX credentials_tenant ON credentials (tenant, key);
	CREATE TABLE tokens (
		hash    TEXT    NOT NULL PRIMARY KEY,
		tenant  TEXT    NOT NULL,
		key     TEXT    NOT NULL,
		scopes  TEXT    NOT NULL, -- JSON array of strings
		expires INTEGER NOT NULL
	) STRICT;
	CREATE INDEX tokens_expires ON tokens (expires);`,
	// 2: launch tokens bound to one learner (canonical IFI key) and one
	// xAPI registration; '' on unbound tokens.
	`ALTER TABLE tokens ADD COLUMN agent TEXT NOT NULL DEFAULT '';
	ALTER TABLE tokens ADD COLUMN registration TEXT NOT NULL DEFAULT '';`,
	// 3: OAuth 1.0a: the signature methods a credential may use (JSON
	// array; '[]' means OAuth 1.0a is off for it) and the nonces already
	// used, kept until their timestamp leaves the window.
	`ALTER TABLE credentials ADD COLUMN oauth1_methods TEXT NOT NULL DEFAULT '[]';
	CREATE TABLE oauth1_nonces (
		tenant  TEXT    NOT NULL,
		key     TEXT    NOT NULL,
		nonce   TEXT    NOT NULL,
		expires INTEGER NOT NULL,
		PRIMARY KEY (tenant, key, nonce)
	) STRICT;
	CREATE INDEX oauth1_nonces_expires ON oauth1_nonces (expires);`,
}
