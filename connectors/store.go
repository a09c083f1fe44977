package connectors

import (
	"context"
	"time"
)

// RunStatus is how a run ended.
type RunStatus string

// The statuses of a run.
const (
	// RunRunning is a run that has started and not yet recorded its end (or
	// whose process died before it could).
	RunRunning RunStatus = "running"
	// RunSucceeded is a run in which every record was applied or skipped.
	RunSucceeded RunStatus = "succeeded"
	// RunPartial is a run that finished but the target refused some records.
	RunPartial RunStatus = "partial"
	// RunFailed is a run that could not complete (target down, bad
	// credentials, deletion guard, cancelled); Error says why.
	RunFailed RunStatus = "failed"
)

// Run is the record of one connector run: what it was asked, how it ended
// and its report.
type Run struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	Connector string    `json:"connector"`
	Type      string    `json:"type"`
	Operation string    `json:"operation"` // push, pull, progress
	DryRun    bool      `json:"dryRun"`
	Status    RunStatus `json:"status"`
	Error     string    `json:"error,omitempty"`
	Started   time.Time `json:"started"`
	Finished  time.Time `json:"finished,omitzero"`
	// From and To are the cursors the run started from and reached.
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Report Report `json:"report"`
}

// RunStore keeps connector run reports and each connector's last successful
// position in the roster history (and in its target's progress).
type RunStore interface {
	// SaveRun creates or replaces the run with r's tenant and id.
	SaveRun(ctx context.Context, r Run) error
	// Run returns one of a tenant's runs; store.ErrNotFound if absent.
	Run(ctx context.Context, tenant, id string) (Run, error)
	// Runs lists a tenant's runs, newest first, at most limit (limit <= 0
	// means 50); connector "" means every connector.
	Runs(ctx context.Context, tenant, connector string, limit int) ([]Run, error)
	// ConnectorCursor returns a connector's named cursor, "" when never set.
	ConnectorCursor(ctx context.Context, tenant, connector, name string) (string, error)
	// SetConnectorCursor stores a connector's named cursor.
	SetConnectorCursor(ctx context.Context, tenant, connector, name, value string) error
}
