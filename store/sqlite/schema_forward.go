package sqlite

// forwardSchema is the forward domain's migrations: append-only, one
// statement list entry per version; never edit an entry that has shipped.
var forwardSchema = []string{
	// 1: erasure audit records, forwarding cursors and dead letters.
	`CREATE TABLE lrs_erasures (
		tenant      TEXT    NOT NULL,
		id          TEXT    NOT NULL,
		at          INTEGER NOT NULL,
		by          TEXT    NOT NULL,
		statements  INTEGER NOT NULL,
		documents   INTEGER NOT NULL,
		attachments INTEGER NOT NULL,
		PRIMARY KEY (tenant, id)
	) STRICT;
	CREATE TABLE lrs_forward_cursors (
		tenant TEXT    NOT NULL,
		rule   TEXT    NOT NULL,
		stored INTEGER NOT NULL,
		id     TEXT    NOT NULL,
		PRIMARY KEY (tenant, rule)
	) STRICT;
	CREATE TABLE lrs_dead_letters (
		tenant TEXT    NOT NULL,
		rule   TEXT    NOT NULL,
		id     TEXT    NOT NULL,
		at     INTEGER NOT NULL,
		status INTEGER NOT NULL,
		reason TEXT    NOT NULL,
		PRIMARY KEY (tenant, rule, id)
	) STRICT`,
}
