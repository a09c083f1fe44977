package lrs

// Store is everything the LRS keeps. It grows with the LRS issue: statements,
// documents, attachments, the forwarding outbox.
type Store interface{}
