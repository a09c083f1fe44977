package forward

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Erasure is the audit record of one learner's erasure. It holds no
// personal data: not the learner's identifier, only what was removed and by
// whom.
type Erasure struct {
	ID     uuid.UUID `json:"id"`
	Tenant string    `json:"tenant"`
	At     time.Time `json:"at"`
	// By is the credential key (or "cli") that asked for the erasure.
	By          string `json:"by"`
	Statements  int    `json:"statements"`
	Documents   int    `json:"documents"`
	Attachments int    `json:"attachments"`
}

// Eraser erases a learner's data.
type Eraser interface {
	// EraseAgent deletes, in tenant, every statement whose actor or object
	// is the agent with IFI key agentKey (AgentKey), every State and Agent
	// Profile document of that agent, and the attachments no remaining
	// statement uses. It stores e, with the counts filled in, as the audit
	// record and returns it.
	EraseAgent(ctx context.Context, tenant, agentKey string, e Erasure) (Erasure, error)
	// Erasures lists a tenant's erasure audit records, oldest first.
	Erasures(ctx context.Context, tenant string) ([]Erasure, error)
}
