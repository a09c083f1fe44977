package oneroster

// Outcome is what applying one change does to the stored record.
type Outcome int

// The outcomes of a change.
const (
	// Unchanged: identical to the stored record, or a deletion of an absent
	// or already deleted record.
	Unchanged Outcome = iota
	// Created: the record was absent.
	Created
	// Updated: the record existed (possibly deleted) and changes.
	Updated
	// Deleted: an active record becomes tobedeleted.
	Deleted
	// Stale: the change is older (by the source's dateLastModified) than the
	// stored record and is skipped.
	Stale
)

// Decide returns what applying c over the stored record ex (nil when
// absent) does. Every backend applies changes through it, so they agree.
func Decide(ex *Record, c Change) Outcome {
	if ex != nil && !c.SourceModified.IsZero() && !ex.SourceModified.IsZero() && c.SourceModified.Before(ex.SourceModified) {
		if c.Status == StatusToBeDeleted && ex.Status == StatusToBeDeleted {
			return Unchanged
		}
		return Stale
	}
	if c.Status == StatusToBeDeleted {
		if ex == nil || ex.Status == StatusToBeDeleted {
			return Unchanged
		}
		return Deleted
	}
	if ex == nil {
		return Created
	}
	if ex.Status != StatusToBeDeleted && ex.Hash == c.Hash {
		return Unchanged
	}
	return Updated
}

// Next returns the stored record after applying c with outcome o at history
// position seq; ex may be nil only for Created.
func Next(ex *Record, c Change, o Outcome, b Batch, seq int64) Record {
	switch o {
	case Deleted:
		r := *ex
		r.Status = StatusToBeDeleted
		r.Modified = b.Now
		r.Seq = seq
		if !c.SourceModified.IsZero() {
			r.SourceModified = c.SourceModified
		}
		return r
	case Created, Updated:
		return Record{
			Kind: c.Kind, SourcedID: c.SourcedID, Status: c.Status, Modified: b.Now,
			SourceModified: c.SourceModified, Seq: seq, Hash: c.Hash, Data: c.Data,
		}
	case Unchanged, Stale:
		return *ex
	default:
		return *ex
	}
}

// Tombstone returns ex implicitly deleted by a bulk batch at position seq.
func Tombstone(ex Record, b Batch, seq int64) Record {
	ex.Status = StatusToBeDeleted
	ex.Modified = b.Now
	ex.Seq = seq
	return ex
}

// Add counts one outcome.
func (c *Counts) Add(o Outcome) {
	switch o {
	case Created:
		c.Created++
	case Updated:
		c.Updated++
	case Deleted:
		c.Deleted++
	case Stale:
		c.Stale++
	default:
		c.Unchanged++
	}
}

// Count adds one outcome for a kind to the applied counts.
func (a *Applied) Count(k Kind, o Outcome) {
	if a.Counts == nil {
		a.Counts = map[Kind]Counts{}
	}
	c := a.Counts[k]
	c.Add(o)
	a.Counts[k] = c
}

// Changed reports whether an outcome changes the stored record.
func (o Outcome) Changed() bool { return o == Created || o == Updated || o == Deleted }
