package sqlite

// forwardSchema is the forward domain's migrations: append-only, one
// statement list entry per version; never edit an entry that has shipped.
var forwardSchema = []string{}
