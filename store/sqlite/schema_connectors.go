package sqlite

// connectorsSchema is the connectors domain's migrations: append-only, one statement list
// entry per version; never edit an entry that has shipped.
var connectorsSchema = []string{}
