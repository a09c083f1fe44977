package sqlite

// connectorsSchema is the connectors domain's migrations: append-only, one statement list
// entry per version; never edit an entry that has shipped.
var connectorsSchema = []string{
	// 1: connector run reports and cursors.
	`CREATE TABLE connector_runs (
		tenant    TEXT    NOT NULL,
		id        TEXT    NOT NULL,
		connector TEXT    NOT NULL,
		started   INTEGER NOT NULL,
		status    TEXT    NOT NULL,
		body      BLOB    NOT NULL, -- canonical JSON of connectors.Run
		PRIMARY KEY (tenant, id)
	) STRICT;
	CREATE INDEX connector_runs_started ON connector_runs (tenant, started, id);
	CREATE INDEX connector_runs_connector ON connector_runs (tenant, connector, started, id);
	CREATE TABLE connector_cursors (
		tenant    TEXT NOT NULL,
		connector TEXT NOT NULL,
		name      TEXT NOT NULL,
		value     TEXT NOT NULL,
		PRIMARY KEY (tenant, connector, name)
	) STRICT;`,
}
