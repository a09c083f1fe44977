package forward

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/lrs"
)

// LogStore reads a tenant's statement log: every stored statement, voided
// or not, in the order the store assigned (stored, id). Forwarding treats
// it as its outbox and export pages through it.
type LogStore interface {
	// StatementLog returns up to limit statements of tenant, ascending by
	// (stored, id), strictly after after (from the start when nil) and
	// stored at or before until (no bound when zero). Voided statements are
	// included. An empty result means there is nothing more yet.
	StatementLog(ctx context.Context, tenant string, after *lrs.Cursor, until time.Time, limit int) ([]lrs.StoredStatement, error)
	// StatementsByID returns the statements of tenant with these ids,
	// voided or not, in no particular order; unknown ids are left out.
	StatementsByID(ctx context.Context, tenant string, ids []uuid.UUID) ([]lrs.StoredStatement, error)
}

// CursorStore keeps each forwarding rule's durable position in the log.
type CursorStore interface {
	// ForwardCursor returns the position after which rule has not yet
	// forwarded anything; nil when it has forwarded nothing.
	ForwardCursor(ctx context.Context, tenant, rule string) (*lrs.Cursor, error)
	// SetForwardCursor moves rule's position to c (nil rewinds to the start).
	SetForwardCursor(ctx context.Context, tenant, rule string, c *lrs.Cursor) error
	// AdvanceForwardCursor moves rule's position from from (nil: none yet)
	// to to, only if it is still at from, and reports whether it moved. A
	// replay (SetForwardCursor) during a forwarding pass thus wins over
	// the pass, and so does a newer position set by another process.
	AdvanceForwardCursor(ctx context.Context, tenant, rule string, from *lrs.Cursor, to lrs.Cursor) (bool, error)
}

// DeadLetter is a statement a downstream LRS refused for good.
type DeadLetter struct {
	StatementID uuid.UUID
	// Stored is the statement's stored time (for ordering and reports).
	Stored time.Time
	// Reason says why it was refused (status and the downstream's message).
	Reason string
	// At is when it was refused last.
	At time.Time
	// Retry marks a dead letter queued for another attempt (replay).
	Retry bool
}

// DeadLetterStore keeps the statements each rule could not forward.
type DeadLetterStore interface {
	// PutDeadLetter records d for rule, replacing the record of the same
	// statement if any (and clearing its Retry mark unless d sets it).
	PutDeadLetter(ctx context.Context, tenant, rule string, d DeadLetter) error
	// DeadLetters lists up to limit of rule's dead letters ordered by
	// (stored, statement id); with retryOnly, only those queued for retry.
	DeadLetters(ctx context.Context, tenant, rule string, retryOnly bool, limit int) ([]DeadLetter, error)
	// RequeueDeadLetters marks every dead letter of rule for retry and
	// returns how many there are.
	RequeueDeadLetters(ctx context.Context, tenant, rule string) (int, error)
	// DeleteDeadLetter removes one dead letter; a missing one is no error.
	DeleteDeadLetter(ctx context.Context, tenant, rule string, id uuid.UUID) error
}

// ErasureCounts says how much an erasure deleted (or, dry, would delete).
type ErasureCounts struct {
	Statements  int `json:"statements"`
	Documents   int `json:"documents"`
	Attachments int `json:"attachments"`
}

// ErasureRecord is the audit record of one erasure. It holds no personal
// data: the learner appears only as a salted hash of their IFI key.
type ErasureRecord struct {
	ID     uuid.UUID `json:"id"`
	Tenant string    `json:"tenant"`
	At     time.Time `json:"at"`
	// RequestedBy is the credential key that asked, or "cli".
	RequestedBy string `json:"requested_by"`
	// SubjectHash is hex HMAC-SHA256(Salt, IFI key).
	SubjectHash string `json:"subject_hash"`
	// Salt is the record's random hex salt.
	Salt string `json:"salt"`
	ErasureCounts
}

// Eraser deletes one learner's records from a tenant.
type Eraser interface {
	// EraseAgent deletes, in tenant, every statement that names the agent
	// with IFI key agentKey in any Agent or Group object (see Mentions:
	// actor, object, Group members, context, SubStatements, authority),
	// the State and Agent Profile documents of that agent, the attachments
	// no remaining statement references, and the forwarding dead letters
	// of the deleted statements. With dryRun it deletes nothing and
	// returns what it would delete. Statements that only refer to a
	// deleted one by id (StatementRef, voiding) are kept.
	EraseAgent(ctx context.Context, tenant, agentKey string, dryRun bool) (ErasureCounts, error)
	// AddErasureRecord stores an audit record.
	AddErasureRecord(ctx context.Context, r ErasureRecord) error
	// ErasureRecords lists tenant's audit records, oldest first.
	ErasureRecords(ctx context.Context, tenant string) ([]ErasureRecord, error)
}

// Store is what forwarding, export and erasure keep: the statement log,
// per-rule cursors, dead letters, erasure and its audit records.
type Store interface {
	LogStore
	CursorStore
	DeadLetterStore
	Eraser
}
