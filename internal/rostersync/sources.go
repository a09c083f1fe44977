package rostersync

import (
	"context"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/oneroster"
)

// RosterSource reads what changed in a tenant's roster.
type RosterSource interface {
	// Changes returns what changed after the history position since (0 =
	// everything), with the position reached.
	Changes(ctx context.Context, tenant string, since int64) (oneroster.Delta, error)
}

// RecordSource reads single roster records, deleted ones included. The
// runner uses it to give connectors the last state of removed enrollments
// (which user leaves which class) and the classes and schools that changed
// records refer to.
type RecordSource interface {
	// Record returns one record; store.ErrNotFound if absent.
	Record(ctx context.Context, tenant string, kind oneroster.Kind, sourcedID string) (oneroster.Record, error)
}

// RosterImporter applies a roster pulled from a source system to a tenant
// through the OneRoster pipeline (validation, deletion guard).
type RosterImporter interface {
	// ImportSnapshot applies s, pulled from source, to the tenant and
	// reports per record; opt.Bulk makes s the whole picture of the kinds
	// it carries, opt.DryRun changes nothing.
	ImportSnapshot(ctx context.Context, tenant, source string, s oneroster.Snapshot, opt ImportOptions) (connectors.Report, error)
}

// StatementSaver stores xAPI statements in a tenant's LRS.
type StatementSaver interface {
	// SaveStatements stores the statements in the tenant's LRS; a statement
	// whose id is already stored with the same content is not an error.
	SaveStatements(ctx context.Context, tenant string, statements []connectors.Statement) error
}

// tenantSink binds a StatementSaver to one tenant.
type tenantSink struct {
	saver  StatementSaver
	tenant string
	saved  int
}

func (s *tenantSink) SaveStatements(ctx context.Context, st []connectors.Statement) error {
	if err := s.saver.SaveStatements(ctx, s.tenant, st); err != nil {
		return err
	}
	s.saved += len(st)
	return nil
}
