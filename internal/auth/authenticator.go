package auth

// Authenticator checks credentials and tokens against a Store.
type Authenticator struct{}
