package sqlite

// ltiSchema is the lti domain's migrations: append-only, one statement list
// entry per version; never edit an entry that has shipped.
var ltiSchema = []string{}
