package oneroster

// Store is everything the roster keeps: the records of each tenant with their
// history, import reports and learner merges.
type Store interface{}
