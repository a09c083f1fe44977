package sqlite

// lrsSchema is the lrs domain's migrations: append-only, one statement list
// entry per version; never edit an entry that has shipped.
//
// Statements keep their canonical JSON (raw) beside flat indexed columns;
// the agents and activities a statement matches live in side tables keyed
// for the query order (tenant, key, stored, id). direct = 1 marks a match
// of the plain agent/activity filter; related-only matches have direct = 0.
var lrsSchema = []string{
	// 1: statements, their index tables, activities, attachments, documents.
	`CREATE TABLE lrs_statements (
		tenant       TEXT    NOT NULL,
		id           TEXT    NOT NULL,
		stored       INTEGER NOT NULL,
		hash         TEXT    NOT NULL,
		verb         TEXT    NOT NULL,
		registration TEXT    NOT NULL,
		authority    TEXT    NOT NULL,
		void_target  TEXT    NOT NULL, -- '' unless a voiding statement
		voided       INTEGER NOT NULL,
		atts         TEXT    NOT NULL, -- JSON array of attachment hashes
		raw          BLOB    NOT NULL,
		PRIMARY KEY (tenant, id)
	) STRICT, WITHOUT ROWID;
	CREATE INDEX lrs_statements_stored ON lrs_statements (tenant, stored, id);
	CREATE INDEX lrs_statements_verb ON lrs_statements (tenant, verb, stored, id);
	CREATE INDEX lrs_statements_registration ON lrs_statements (tenant, registration, stored, id);
	CREATE INDEX lrs_statements_authority ON lrs_statements (tenant, authority, stored, id);
	CREATE INDEX lrs_statements_void_target ON lrs_statements (tenant, void_target);
	CREATE TABLE lrs_statement_agents (
		tenant TEXT    NOT NULL,
		key    TEXT    NOT NULL,
		stored INTEGER NOT NULL,
		id     TEXT    NOT NULL,
		direct INTEGER NOT NULL,
		PRIMARY KEY (tenant, key, stored, id)
	) STRICT, WITHOUT ROWID;
	CREATE TABLE lrs_statement_activities (
		tenant   TEXT    NOT NULL,
		activity TEXT    NOT NULL,
		stored   INTEGER NOT NULL,
		id       TEXT    NOT NULL,
		direct   INTEGER NOT NULL,
		PRIMARY KEY (tenant, activity, stored, id)
	) STRICT, WITHOUT ROWID;
	CREATE TABLE lrs_activities (
		tenant     TEXT NOT NULL,
		id         TEXT NOT NULL,
		definition BLOB NOT NULL,
		PRIMARY KEY (tenant, id)
	) STRICT, WITHOUT ROWID;
	CREATE TABLE lrs_attachments (
		tenant       TEXT NOT NULL,
		sha2         TEXT NOT NULL,
		content_type TEXT NOT NULL,
		data         BLOB NOT NULL,
		PRIMARY KEY (tenant, sha2)
	) STRICT;
	CREATE TABLE lrs_documents (
		tenant       TEXT    NOT NULL,
		kind         TEXT    NOT NULL,
		activity     TEXT    NOT NULL,
		agent        TEXT    NOT NULL,
		registration TEXT    NOT NULL,
		doc_id       TEXT    NOT NULL,
		content_type TEXT    NOT NULL,
		content      BLOB    NOT NULL,
		etag         TEXT    NOT NULL,
		updated      INTEGER NOT NULL,
		PRIMARY KEY (tenant, kind, activity, agent, registration, doc_id)
	) STRICT`,
	// 2: statements in a rowid table (inserts append in stored order) with
	// the StatementRef target of each statement (Communication 2.1.3
	// filters); partial indexes for the few voiding and referencing
	// statements; documents by agent (erasure).
	`CREATE TABLE lrs_statements_v2 (
		tenant       TEXT    NOT NULL,
		id           TEXT    NOT NULL,
		stored       INTEGER NOT NULL,
		hash         TEXT    NOT NULL,
		verb         TEXT    NOT NULL,
		registration TEXT    NOT NULL,
		authority    TEXT    NOT NULL,
		void_target  TEXT    NOT NULL, -- '' unless a voiding statement
		ref_target   TEXT    NOT NULL, -- '' unless the object is a StatementRef
		voided       INTEGER NOT NULL,
		atts         TEXT    NOT NULL,
		raw          BLOB    NOT NULL
	) STRICT;
	INSERT INTO lrs_statements_v2 (tenant, id, stored, hash, verb, registration, authority, void_target, ref_target, voided, atts, raw)
		SELECT tenant, id, stored, hash, verb, registration, authority, void_target,
			CASE WHEN json_extract(raw, '$.object.objectType') = 'StatementRef'
				THEN lower(json_extract(raw, '$.object.id')) ELSE '' END,
			voided, atts, raw
		FROM lrs_statements ORDER BY tenant, stored, id;
	DROP TABLE lrs_statements;
	ALTER TABLE lrs_statements_v2 RENAME TO lrs_statements;
	CREATE UNIQUE INDEX lrs_statements_id ON lrs_statements (tenant, id);
	CREATE INDEX lrs_statements_stored ON lrs_statements (tenant, stored, id);
	CREATE INDEX lrs_statements_verb ON lrs_statements (tenant, verb, stored, id);
	CREATE INDEX lrs_statements_registration ON lrs_statements (tenant, registration, stored, id);
	CREATE INDEX lrs_statements_authority ON lrs_statements (tenant, authority, stored, id);
	CREATE INDEX lrs_statements_refs ON lrs_statements (tenant, stored, id) WHERE ref_target <> '';
	CREATE INDEX lrs_statements_void_target ON lrs_statements (tenant, void_target) WHERE void_target <> '';
	CREATE INDEX lrs_documents_agent ON lrs_documents (tenant, agent)`,
	// 3: no authority index. Every statement already has a row for its
	// authority in lrs_statement_agents (related_agents covers the
	// authority), which drives statements/read/mine queries; the index cost
	// every insert one more B-tree entry of two long keys.
	`DROP INDEX lrs_statements_authority`,
	// 4: segments. Every statement belongs to a segment of segSize
	// consecutive rows (seg = rowid >> segShift), and the agent, activity
	// and registration indexes are keyed by segment first. New entries then
	// land in the few pages of the newest segment instead of one random
	// leaf per learner or activity across the whole index, which halved the
	// pages a group commit writes (docs/performance.md). Queries walk the
	// tenant's segments (lrs_segments) in order and seek within each.
	`ALTER TABLE lrs_statements ADD COLUMN seg INTEGER NOT NULL DEFAULT 0;
	UPDATE lrs_statements SET seg = rowid >> 12;
	CREATE TABLE lrs_segments (
		tenant TEXT    NOT NULL,
		seg    INTEGER NOT NULL,
		PRIMARY KEY (tenant, seg)
	) STRICT, WITHOUT ROWID;
	INSERT INTO lrs_segments (tenant, seg) SELECT DISTINCT tenant, seg FROM lrs_statements;
	CREATE TABLE lrs_statement_agents_v2 (
		tenant TEXT    NOT NULL,
		seg    INTEGER NOT NULL,
		key    TEXT    NOT NULL,
		stored INTEGER NOT NULL,
		id     TEXT    NOT NULL,
		direct INTEGER NOT NULL,
		PRIMARY KEY (tenant, seg, key, stored, id)
	) STRICT, WITHOUT ROWID;
	INSERT INTO lrs_statement_agents_v2 (tenant, seg, key, stored, id, direct)
		SELECT a.tenant, s.seg, a.key, a.stored, a.id, a.direct
		FROM lrs_statement_agents a JOIN lrs_statements s ON s.tenant = a.tenant AND s.id = a.id;
	DROP TABLE lrs_statement_agents;
	ALTER TABLE lrs_statement_agents_v2 RENAME TO lrs_statement_agents;
	CREATE TABLE lrs_statement_activities_v2 (
		tenant   TEXT    NOT NULL,
		seg      INTEGER NOT NULL,
		activity TEXT    NOT NULL,
		stored   INTEGER NOT NULL,
		id       TEXT    NOT NULL,
		direct   INTEGER NOT NULL,
		PRIMARY KEY (tenant, seg, activity, stored, id)
	) STRICT, WITHOUT ROWID;
	INSERT INTO lrs_statement_activities_v2 (tenant, seg, activity, stored, id, direct)
		SELECT a.tenant, s.seg, a.activity, a.stored, a.id, a.direct
		FROM lrs_statement_activities a JOIN lrs_statements s ON s.tenant = a.tenant AND s.id = a.id;
	DROP TABLE lrs_statement_activities;
	ALTER TABLE lrs_statement_activities_v2 RENAME TO lrs_statement_activities;
	DROP INDEX lrs_statements_registration;
	CREATE INDEX lrs_statements_registration ON lrs_statements (tenant, seg, registration, stored)`,
}
