package oneroster

import (
	"fmt"
	"sort"
	"strings"
)

// DefaultMaxDeleteShare is the share of a tenant's active users or
// enrollments a bulk import may remove without --allow-deletions.
const DefaultMaxDeleteShare = 0.2

// Guard refuses imports that would remove too much of a tenant's roster: a
// truncated or partial export must not mass-unenrol a school.
type Guard struct {
	// MaxShare is the largest share (0..1) of the stored active records of a
	// guarded kind one import may delete; 0 means DefaultMaxDeleteShare.
	MaxShare float64
	// Kinds are the guarded kinds; nil means users and enrollments.
	Kinds []Kind
	// Allow disables the guard (--allow-deletions).
	Allow bool
}

// DeletionError is an import refused by the deletion guard.
type DeletionError struct {
	// Over maps each kind over the threshold to [would delete, stored active].
	Over     map[Kind][2]int
	MaxShare float64
}

// Error says which kinds would lose how much.
func (e *DeletionError) Error() string {
	ks := make([]string, 0, len(e.Over))
	for k := range e.Over {
		ks = append(ks, string(k))
	}
	sort.Strings(ks)
	parts := make([]string, len(ks))
	for i, k := range ks {
		v := e.Over[Kind(k)]
		parts[i] = fmt.Sprintf("%d of %d %s", v[0], v[1], k)
	}
	return fmt.Sprintf("deletion guard: the import would delete %s (more than %.0f%%); use --allow-deletions to apply it",
		strings.Join(parts, " and "), e.MaxShare*100)
}

// Check returns a *DeletionError when deletions (kind → [would delete,
// stored active]) exceed the allowed share for a guarded kind.
func (g Guard) Check(deletions map[Kind][2]int) error {
	if g.Allow {
		return nil
	}
	share := g.MaxShare
	if share <= 0 {
		share = DefaultMaxDeleteShare
	}
	kinds := g.Kinds
	if kinds == nil {
		kinds = []Kind{KindUser, KindEnrollment}
	}
	over := map[Kind][2]int{}
	for _, k := range kinds {
		d := deletions[k]
		if d[0] > 0 && float64(d[0]) > share*float64(d[1]) {
			over[k] = d
		}
	}
	if len(over) == 0 {
		return nil
	}
	return &DeletionError{Over: over, MaxShare: share}
}
