package sqlite

// onerosterSchema is the oneroster domain's migrations: append-only, one statement list
// entry per version; never edit an entry that has shipped.
//
// roster_records holds the latest state of every record (deleted ones stay
// as tobedeleted tombstones, so delta pollers learn of deletions); seq is the
// tenant's history position of the record's last change, and
// roster_cursors holds each tenant's current position.
var onerosterSchema = []string{
	// 1: records, cursors, merges.
	`CREATE TABLE roster_records (
		tenant          TEXT    NOT NULL,
		kind            TEXT    NOT NULL,
		sourced_id      TEXT    NOT NULL,
		status          TEXT    NOT NULL,
		modified        INTEGER NOT NULL,
		source_modified INTEGER NOT NULL,
		seq             INTEGER NOT NULL,
		hash            INTEGER NOT NULL,
		data            BLOB    NOT NULL,
		PRIMARY KEY (tenant, kind, sourced_id)
	) STRICT, WITHOUT ROWID;
	CREATE INDEX roster_records_seq ON roster_records (tenant, seq);
	CREATE TABLE roster_cursors (
		tenant TEXT    NOT NULL PRIMARY KEY,
		seq    INTEGER NOT NULL
	) STRICT;
	CREATE TABLE roster_merges (
		tenant  TEXT    NOT NULL,
		from_id TEXT    NOT NULL,
		into_id TEXT    NOT NULL,
		actor   TEXT    NOT NULL,
		reason  TEXT    NOT NULL,
		at      INTEGER NOT NULL,
		n       INTEGER NOT NULL,
		PRIMARY KEY (tenant, from_id)
	) STRICT;`,
	// 2: pull marks.
	`CREATE TABLE roster_sync_marks (
		tenant TEXT    NOT NULL,
		source TEXT    NOT NULL,
		mark   INTEGER NOT NULL,
		PRIMARY KEY (tenant, source)
	) STRICT;`,
}
