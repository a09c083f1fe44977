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

// EnrollmentLookup returns the last known record of a removed enrollment
// (ok false when unknown), so that a push can tell the target which user
// leaves which class. It may be nil.
type EnrollmentLookup func(ctx context.Context, tenant, sourcedID string) (e oneroster.Enrollment, ok bool, err error)

// RosterImporter applies a roster pulled from a source system to a tenant
// through the OneRoster pipeline (validation, deletion guard).
type RosterImporter interface {
	// ImportSnapshot applies s as the full picture that source gives of the
	// tenant's roster and reports per record; with dryRun it changes nothing.
	ImportSnapshot(ctx context.Context, tenant, source string, s oneroster.Snapshot, dryRun bool) (connectors.Report, error)
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
