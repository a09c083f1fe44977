package connectors

import (
	"context"
	"log/slog"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/passportbridge/passport/oneroster"
)

// Connector is one opened connector instance. What it can do is told by the
// optional capability interfaces it also implements (Pusher, Puller,
// ProgressPuller, Checker, Exporter), type-asserted by the runner.
type Connector interface {
	// ID returns the instance id from the config file.
	ID() string
}

// PushOptions tune one Push.
type PushOptions struct {
	// DryRun makes the push read the target and report what it would do,
	// without any write call.
	DryRun bool
}

// Pusher applies roster changes to a target system.
type Pusher interface {
	// Push applies d to the target and reports each record's outcome. It is
	// idempotent: pushing the same Delta twice makes no write the second
	// time. Records the target refuses are listed in the Report as failed and
	// the rest are still applied; the error is non-nil only when the run as a
	// whole could not proceed (target unreachable, bad credentials, context
	// ended), and the Report then holds what was done before it stopped.
	Push(ctx context.Context, d oneroster.Delta, opt PushOptions) (Report, error)
}

// Checker verifies credentials and reachability before any write.
type Checker interface {
	// Check returns an error naming the problem (wrong token, unknown URL,
	// missing permission) when the target cannot be used.
	Check(ctx context.Context) error
}

// Puller reads a whole roster from a source system (an EMIS).
type Puller interface {
	// Pull returns the source's roster as a Snapshot. It makes no write
	// call to the source.
	Pull(ctx context.Context) (oneroster.Snapshot, error)
}

// ProgressPuller reads learner progress from a target and turns it into
// xAPI statements.
type ProgressPuller interface {
	// PullProgress sends statements for progress recorded after the cursor
	// (an opaque string it returned before; empty the first time) to sink and
	// returns the new cursor. Statement ids are derived from the source
	// records, so pulling the same progress twice yields the same
	// statements.
	PullProgress(ctx context.Context, cursor string, sink StatementSink) (string, error)
}

// Exporter writes files an administrator applies to the target by hand
// (for sites with no network).
type Exporter interface {
	// Export writes the roster s into dir and returns the paths written.
	Export(ctx context.Context, s oneroster.Snapshot, dir string) ([]string, error)
}

// StatementSink receives xAPI statements produced by a connector; the
// caller wires it to the LRS of the connector's tenant.
type StatementSink interface {
	// SaveStatements stores the statements (each one JSON object with an
	// id). Saving a statement whose id is already stored with the same
	// content is not an error.
	SaveStatements(ctx context.Context, statements []Statement) error
}

// Config is a connector type's config block, decoded strictly from the
// config file.
type Config interface {
	// Open validates the config and returns a connector that calls its
	// target through hc and logs through logger.
	Open(id string, logger *slog.Logger, hc *retryablehttp.Client) (Connector, error)
}
