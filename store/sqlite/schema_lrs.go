package sqlite

// lrsSchema is the lrs domain's migrations: append-only, one statement list
// entry per version; never edit an entry that has shipped.
var lrsSchema = []string{}
