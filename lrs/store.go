package lrs

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// StoredStatement is a statement as the store returns it.
type StoredStatement struct {
	ID     uuid.UUID
	Stored time.Time
	// JSON is the statement exactly as stored (format=exact).
	JSON []byte
	// Attachments are the hashes of the statement's attachments.
	Attachments []string
}

// Page is one page of a statements query.
type Page struct {
	Statements []StoredStatement
	// More is where the next page starts, nil when this is the last one.
	More *Cursor
	// ConsistentThrough is a time up to which every statement stored is
	// visible to queries.
	ConsistentThrough time.Time
}

// StatementStore keeps statements, their attachments and the activity
// definitions they carry, per tenant.
type StatementStore interface {
	// SaveStatements stores ss and the attachment parts atomically in
	// tenant: either all of them or none. The store assigns stored times,
	// strictly increasing in commit order, at or after now. A statement
	// whose id exists with the same Hash is a no-op; with a different Hash
	// the whole call fails with store.ErrConflict. Saving a voiding
	// statement marks its target voided (unless the target voids another).
	SaveStatements(ctx context.Context, tenant string, now time.Time, ss []*Statement, parts []Part) error
	// Statement returns one statement: voided false finds it only when it
	// is not voided, voided true only when it is. store.ErrNotFound otherwise.
	Statement(ctx context.Context, tenant string, id uuid.UUID, voided bool) (StoredStatement, error)
	// QueryStatements returns one page of the statements matching q
	// (voided statements excluded unless q.IncludeVoided), ordered by (stored, id) descending or,
	// with q.Ascending, ascending, starting after q.After.
	QueryStatements(ctx context.Context, tenant string, q Query) (Page, error)
	// Attachments returns the stored attachment parts with these hashes
	// (those it has).
	Attachments(ctx context.Context, tenant string, sha2 []string) ([]Part, error)
	// ActivityDefinition returns the LRS's canonical definition of an
	// activity as JSON; store.ErrNotFound when none is known.
	ActivityDefinition(ctx context.Context, tenant, activityID string) ([]byte, error)
}

// DocumentStore keeps State, Activity Profile and Agent Profile documents.
type DocumentStore interface {
	// PutDocument applies w (see Apply) atomically against the current
	// document and returns what is now stored. Errors: store.ErrPrecondition
	// (412), store.ErrConflict (409), *ValidationError (400).
	PutDocument(ctx context.Context, tenant string, now time.Time, w Write) (Document, error)
	// Document returns one document (k.ID set); store.ErrNotFound if absent.
	Document(ctx context.Context, tenant string, k DocumentKey) (Document, error)
	// DocumentIDs lists the ids of the documents matching k (k.ID ignored)
	// updated after since (when not zero), in id order.
	DocumentIDs(ctx context.Context, tenant string, k DocumentKey, since time.Time) ([]string, error)
	// DeleteDocument deletes one document (k.ID set) if p holds against it
	// (store.ErrPrecondition otherwise); deleting nothing is no error.
	DeleteDocument(ctx context.Context, tenant string, k DocumentKey, p Precondition) error
	// DeleteDocuments deletes every document matching k (k.ID ignored).
	DeleteDocuments(ctx context.Context, tenant string, k DocumentKey) error
}

// Store is everything the LRS keeps.
type Store interface {
	StatementStore
	DocumentStore
}
