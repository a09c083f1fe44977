package lti

// Store is everything the LTI tool keeps: registrations, deployments, tool
// keys, login state and nonces, the score outbox.
type Store interface{}
