package sqlite

// ltiSchema is the lti domain's migrations: append-only, one statement list
// entry per version; never edit an entry that has shipped.
//
// Registrations are found at login by (issuer, client_id) before the tenant
// is known, so that pair is unique across tenants (like credential keys).
// Login states are found at launch by their 256-bit random value alone.
// Tool keys keep their key-ring scope in the tenant column.
var ltiSchema = []string{
	// 1: registrations, deployments, login states, nonces, tool keys.
	`CREATE TABLE lti_registrations (
		tenant    TEXT    NOT NULL,
		id        TEXT    NOT NULL,
		issuer    TEXT    NOT NULL,
		client_id TEXT    NOT NULL,
		disabled  INTEGER NOT NULL DEFAULT 0,
		created   INTEGER NOT NULL,
		doc       BLOB    NOT NULL, -- canonical JSON of the other fields
		PRIMARY KEY (tenant, id)
	) STRICT;
	CREATE UNIQUE INDEX lti_registrations_client ON lti_registrations (issuer, client_id);
	CREATE TABLE lti_deployments (
		tenant          TEXT    NOT NULL,
		registration_id TEXT    NOT NULL,
		deployment_id   TEXT    NOT NULL, -- listed in insertion (rowid) order
		PRIMARY KEY (tenant, registration_id, deployment_id)
	) STRICT;
	CREATE TABLE lti_login_states (
		state   TEXT    NOT NULL PRIMARY KEY,
		tenant  TEXT    NOT NULL,
		expires INTEGER NOT NULL,
		doc     BLOB    NOT NULL
	) STRICT;
	CREATE INDEX lti_login_states_expires ON lti_login_states (expires);
	CREATE TABLE lti_nonces (
		tenant  TEXT    NOT NULL,
		nonce   TEXT    NOT NULL,
		expires INTEGER NOT NULL,
		PRIMARY KEY (tenant, nonce)
	) STRICT;
	CREATE INDEX lti_nonces_expires ON lti_nonces (expires);
	CREATE TABLE lti_tool_keys (
		tenant  TEXT    NOT NULL, -- the key-ring scope
		kid     TEXT    NOT NULL,
		created INTEGER NOT NULL,
		doc     BLOB    NOT NULL,
		PRIMARY KEY (tenant, kid)
	) STRICT;`,
	// 2: content catalogue and platform-user to learner links.
	`CREATE TABLE lti_contents (
		tenant  TEXT    NOT NULL,
		id      TEXT    NOT NULL,
		created INTEGER NOT NULL,
		updated INTEGER NOT NULL,
		doc     BLOB    NOT NULL, -- canonical JSON of the item
		PRIMARY KEY (tenant, id)
	) STRICT;
	CREATE TABLE lti_users (
		tenant           TEXT    NOT NULL,
		issuer           TEXT    NOT NULL,
		subject          TEXT    NOT NULL,
		learner_id       TEXT    NOT NULL,
		person_sourcedid TEXT    NOT NULL,
		legacy_user_id   TEXT    NOT NULL,
		created          INTEGER NOT NULL,
		PRIMARY KEY (tenant, issuer, subject)
	) STRICT;
	CREATE INDEX lti_users_sourcedid ON lti_users (tenant, person_sourcedid);`,
	// 3: launch records of scored items and the score outbox.
	`CREATE TABLE lti_launches (
		tenant  TEXT    NOT NULL,
		attempt TEXT    NOT NULL,
		created INTEGER NOT NULL,
		doc     BLOB    NOT NULL,
		PRIMARY KEY (tenant, attempt)
	) STRICT;
	CREATE TABLE lti_score_jobs (
		tenant       TEXT    NOT NULL,
		id           TEXT    NOT NULL,
		state        TEXT    NOT NULL,
		next_attempt INTEGER NOT NULL,
		doc          BLOB    NOT NULL,
		PRIMARY KEY (tenant, id)
	) STRICT;
	CREATE INDEX lti_score_jobs_due ON lti_score_jobs (state, next_attempt);`,
	// 4: the NRPS rel="differences" link kept from one roster sync to the next.
	`CREATE TABLE lti_nrps_marks (
		tenant          TEXT NOT NULL,
		registration_id TEXT NOT NULL,
		memberships_url TEXT NOT NULL,
		differences_url TEXT NOT NULL,
		PRIMARY KEY (tenant, registration_id, memberships_url)
	) STRICT;`,
}
