package connectors

import (
	"fmt"

	"github.com/passportbridge/passport/oneroster"
)

// Outcome is what happened to one record in a push.
type Outcome string

// The outcomes a record may have.
const (
	OutcomeCreated   Outcome = "created"
	OutcomeUpdated   Outcome = "updated"
	OutcomeRemoved   Outcome = "removed"
	OutcomeUnchanged Outcome = "unchanged"
	OutcomeSkipped   Outcome = "skipped"
	OutcomeFailed    Outcome = "failed"
)

// MaxReportItems bounds how many skipped and failed records a Report lists
// one by one; the counts stay exact.
const MaxReportItems = 1000

// Item is one record the report lists: a skipped or failed one, with the
// reason (for a failure, the target's own message).
type Item struct {
	Kind      oneroster.Kind `json:"kind"`
	SourcedID string         `json:"sourcedId"`
	Outcome   Outcome        `json:"outcome"`
	Reason    string         `json:"reason"`
}

// Report counts what one push or pull did, record by record.
type Report struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Removed   int `json:"removed"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	// Items lists skipped and failed records (at most MaxReportItems).
	Items []Item `json:"items,omitempty"`
	// Truncated says how many skipped or failed records Items leaves out.
	Truncated int `json:"truncated,omitempty"`
	// Writes counts the write calls made to the target (0 on a dry run).
	Writes int `json:"writes"`
}

// Add records the outcome of one record; reason is kept for skipped and
// failed records.
func (r *Report) Add(kind oneroster.Kind, id string, o Outcome, reason string) {
	switch o {
	case OutcomeCreated:
		r.Created++
	case OutcomeUpdated:
		r.Updated++
	case OutcomeRemoved:
		r.Removed++
	case OutcomeUnchanged:
		r.Unchanged++
	case OutcomeSkipped:
		r.Skipped++
	case OutcomeFailed:
		r.Failed++
	}
	if o != OutcomeSkipped && o != OutcomeFailed {
		return
	}
	if len(r.Items) >= MaxReportItems {
		r.Truncated++
		return
	}
	r.Items = append(r.Items, Item{Kind: kind, SourcedID: id, Outcome: o, Reason: reason})
}

// Merge adds o's counts and items to r.
func (r *Report) Merge(o Report) {
	r.Created += o.Created
	r.Updated += o.Updated
	r.Removed += o.Removed
	r.Unchanged += o.Unchanged
	r.Skipped += o.Skipped
	r.Failed += o.Failed
	r.Writes += o.Writes
	r.Truncated += o.Truncated
	for _, it := range o.Items {
		if len(r.Items) >= MaxReportItems {
			r.Truncated++
			continue
		}
		r.Items = append(r.Items, it)
	}
}

// Total is the number of records the report accounts for.
func (r Report) Total() int {
	return r.Created + r.Updated + r.Removed + r.Unchanged + r.Skipped + r.Failed
}

// String summarises the counts on one line.
func (r Report) String() string {
	return fmt.Sprintf("created=%d updated=%d removed=%d unchanged=%d skipped=%d failed=%d writes=%d",
		r.Created, r.Updated, r.Removed, r.Unchanged, r.Skipped, r.Failed, r.Writes)
}
