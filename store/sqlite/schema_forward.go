package sqlite

// forwardSchema is the forward domain's migrations: append-only, one
// statement list entry per version; never edit an entry that has shipped.
var forwardSchema = []string{
	// 1: forwarding cursors, dead letters, erasure audit records.
	`CREATE TABLE forward_cursors (
		tenant  TEXT    NOT NULL,
		rule    TEXT    NOT NULL,
		stored  INTEGER NOT NULL,
		id      TEXT    NOT NULL,
		PRIMARY KEY (tenant, rule)
	) STRICT, WITHOUT ROWID;
	CREATE TABLE forward_dead_letters (
		tenant       TEXT    NOT NULL,
		rule         TEXT    NOT NULL,
		statement_id TEXT    NOT NULL,
		stored       INTEGER NOT NULL,
		reason       TEXT    NOT NULL,
		at           INTEGER NOT NULL,
		retry        INTEGER NOT NULL,
		PRIMARY KEY (tenant, rule, statement_id)
	) STRICT, WITHOUT ROWID;
	CREATE INDEX forward_dead_letters_stored ON forward_dead_letters (tenant, rule, stored, statement_id);
	CREATE TABLE lrs_erasures (
		tenant       TEXT    NOT NULL,
		id           TEXT    NOT NULL,
		at           INTEGER NOT NULL,
		requested_by TEXT    NOT NULL,
		subject_hash TEXT    NOT NULL,
		salt         TEXT    NOT NULL,
		statements   INTEGER NOT NULL,
		documents    INTEGER NOT NULL,
		attachments  INTEGER NOT NULL,
		PRIMARY KEY (tenant, id)
	) STRICT, WITHOUT ROWID`,
}
