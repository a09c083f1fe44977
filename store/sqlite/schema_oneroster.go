package sqlite

// onerosterSchema is the oneroster domain's migrations: append-only, one statement list
// entry per version; never edit an entry that has shipped.
var onerosterSchema = []string{}
