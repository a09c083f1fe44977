package oneroster

import (
	"context"
	"time"
)

// Record is one stored roster record: its identity, its state, its position
// in the tenant's history and its canonical JSON payload.
type Record struct {
	Kind      Kind
	SourcedID string
	Status    Status
	// Modified is when Passport Bridge last changed the record; it is the
	// dateLastModified served to clients, so delta pollers see every change.
	Modified time.Time
	// SourceModified is the dateLastModified the source gave (zero when the
	// source gave none); older source rows never overwrite newer ones.
	SourceModified time.Time
	// Seq is the history position (the tenant's cursor) of the last change.
	Seq int64
	// Hash is a content hash of Data, used to skip unchanged rows.
	Hash int64
	// Data is the canonical JSON of the typed record, with DateLastModified zero.
	Data []byte
}

// Change is one incoming row of an import: an upsert, or a deletion when
// Status is tobedeleted.
type Change struct {
	Kind           Kind
	SourcedID      string
	Status         Status
	SourceModified time.Time
	Hash           int64
	Data           []byte
}

// Batch is one atomic import into a tenant's roster.
type Batch struct {
	Tenant string
	// Now is the import time: Modified of every record the batch changes.
	Now time.Time
	// Rows streams the batch's changes; Apply calls it exactly once, inside
	// the atomic step, and aborts everything if it returns an error.
	Rows func(yield func(Change) error) error
	// Keep lists the kinds the batch carries in bulk (a full picture): a
	// stored, not yet deleted record of such a kind for which Keep returns
	// false is implicitly deleted (marked tobedeleted). Records the batch
	// itself wrote are never implicitly deleted.
	Keep map[Kind]func(sourcedID string) bool
}

// Counts says what a batch did to one kind.
type Counts struct {
	Created, Updated, Deleted, Unchanged, Stale int
}

// Applied is the outcome of a batch.
type Applied struct {
	// Cursor is the tenant's history position after the batch (unchanged
	// when the batch changed nothing).
	Cursor int64
	Counts map[Kind]Counts
}

// Merge links a learner who re-registered under a new sourcedId (From) to
// their earlier record (Into); it is also the audit entry of the merge.
type Merge struct {
	Tenant string
	From   string
	Into   string
	Actor  string
	Reason string
	At     time.Time
}

// RecordStore keeps a tenant's roster records with their history.
type RecordStore interface {
	// Apply applies a batch atomically: either every change and implicit
	// deletion is stored under one new cursor, or nothing is. A change whose
	// SourceModified is older than the stored one is counted Stale and
	// skipped; one identical to the stored record is counted Unchanged. A
	// deletion of a record that is absent or already deleted changes nothing.
	// A backend that cannot apply two batches of one tenant at once (mongo)
	// returns store.ErrConflict for the second; the caller may retry.
	Apply(ctx context.Context, b Batch) (Applied, error)
	// Records returns every record of a kind in the tenant, deleted ones
	// included, ordered by sourcedId.
	Records(ctx context.Context, tenant string, kind Kind) ([]Record, error)
	// ActiveIDs returns the sourcedIds of the tenant's records of a kind
	// that are not deleted, in no particular order.
	ActiveIDs(ctx context.Context, tenant string, kind Kind) ([]string, error)
	// Record returns one record; store.ErrNotFound if absent.
	Record(ctx context.Context, tenant string, kind Kind, sourcedID string) (Record, error)
	// Cursor returns the tenant's current history position (0 when empty).
	Cursor(ctx context.Context, tenant string) (int64, error)
	// Changes returns what changed in the tenant's roster after the cursor
	// since (0 = everything): the latest state of each changed record, deleted
	// ones as Deletes, and the cursor reached.
	Changes(ctx context.Context, tenant string, since int64) (Delta, error)
}

// MergeStore keeps learner merges, which are also their audit trail.
type MergeStore interface {
	// SaveMerge records a merge; store.ErrConflict if From is already merged.
	SaveMerge(ctx context.Context, m Merge) error
	// Merges lists a tenant's merges in the order they were made.
	Merges(ctx context.Context, tenant string) ([]Merge, error)
}

// SyncMarkStore keeps, per tenant and source (a SIS's URL), how far
// incremental pulls have got: the latest dateLastModified seen there.
type SyncMarkStore interface {
	// SyncMark returns the source's mark; the zero time when there is none.
	SyncMark(ctx context.Context, tenant, source string) (time.Time, error)
	// SetSyncMark records the source's mark.
	SetSyncMark(ctx context.Context, tenant, source string, mark time.Time) error
}

// TombstoneStore removes old tombstones (tobedeleted records), which are
// otherwise kept for ever so delta pollers learn of deletions.
type TombstoneStore interface {
	// PurgeRosterTombstones removes the tenant's records that are deleted and
	// were last changed before before, with their history, and returns how
	// many it removed. When it removes any, it moves the tenant's cursor to
	// a new position no record carries (Changes since the old one is empty),
	// so readers that cache by cursor see the removal.
	PurgeRosterTombstones(ctx context.Context, tenant string, before time.Time) (int, error)
}

// Store is everything the roster keeps: the records of each tenant with their
// history, learner merges and pull marks.
type Store interface {
	RecordStore
	MergeStore
	SyncMarkStore
	TombstoneStore
}
