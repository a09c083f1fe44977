package rostersync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/passportbridge/passport/connectors"
	"github.com/passportbridge/passport/oneroster"
	"github.com/passportbridge/passport/store"
)

// Operations a run performs.
const (
	OpPush     = "push"
	OpPull     = "pull"
	OpProgress = "progress"
)

// Cursor names in the RunStore.
const (
	cursorRoster   = "roster"
	cursorProgress = "progress"
)

// Job is one configured connector instance.
type Job struct {
	ID     string
	Type   string
	Tenant string
	// Every is the schedule period; 0 means runs happen only on demand.
	Every time.Duration
	Conn  connectors.Connector
}

// Runner runs jobs and records their runs. Only Runs is required; a run
// whose collaborator is missing fails with a reason naming it.
type Runner struct {
	Runs     connectors.RunStore
	Roster   RosterSource
	Records  RecordSource
	Importer RosterImporter
	LRS      StatementSaver
	Logger   *slog.Logger
	Clock    func() time.Time
	NewID    func() string
	Metrics  *Metrics

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (r *Runner) now() time.Time {
	if r.Clock != nil {
		return r.Clock().UTC()
	}
	return time.Now().UTC()
}

func (r *Runner) newID() string {
	if r.NewID != nil {
		return r.NewID()
	}
	return uuid.NewString()
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// lock serialises runs of one job inside this process.
func (r *Runner) lock(job Job) func() {
	r.mu.Lock()
	if r.locks == nil {
		r.locks = map[string]*sync.Mutex{}
	}
	key := job.Tenant + "\x00" + job.ID
	l, ok := r.locks[key]
	if !ok {
		l = &sync.Mutex{}
		r.locks[key] = l
	}
	r.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// Operations lists what a connector can do, in the order RunAll runs them.
// A connector may leave out operations its config disables by implementing
// Supports(op) (an offline Kolibri facility neither pushes nor, without a
// logs directory, pulls progress).
func Operations(c connectors.Connector) []string {
	all := operations(c)
	s, ok := c.(interface{ Supports(op string) bool })
	if !ok {
		return all
	}
	var ops []string
	for _, op := range all {
		if s.Supports(op) {
			ops = append(ops, op)
		}
	}
	return ops
}

func operations(c connectors.Connector) []string {
	var ops []string
	if _, ok := c.(connectors.Puller); ok {
		ops = append(ops, OpPull)
	}
	if _, ok := c.(connectors.Pusher); ok {
		ops = append(ops, OpPush)
	}
	if _, ok := c.(connectors.ProgressPuller); ok {
		ops = append(ops, OpProgress)
	}
	return ops
}

// RunAll runs every operation the job's connector supports (pull, push,
// progress; progress is skipped on a dry run) and returns their runs. The
// error is the first run's failure, if any; every run is recorded.
func (r *Runner) RunAll(ctx context.Context, job Job, dryRun bool) ([]connectors.Run, error) {
	var runs []connectors.Run
	var first error
	for _, op := range Operations(job.Conn) {
		if op == OpProgress && dryRun {
			continue
		}
		run, err := r.Run(ctx, job, op, dryRun)
		runs = append(runs, run)
		if err != nil && first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return runs, first
}

// Run performs one operation of a job and records it. The returned error
// is non-nil when the run did not succeed (failed or partial); the Run
// always says why.
func (r *Runner) Run(ctx context.Context, job Job, op string, dryRun bool) (connectors.Run, error) {
	unlock := r.lock(job)
	defer unlock()
	run := connectors.Run{
		ID: r.newID(), Tenant: job.Tenant, Connector: job.ID, Type: job.Type, Operation: op,
		DryRun: dryRun, Status: connectors.RunRunning, Started: r.now(),
	}
	log := r.logger().With("connector", job.ID, "tenant", job.Tenant, "operation", op, "run", run.ID)
	if !dryRun {
		// Record the start so a run killed half-way is visible.
		if err := r.Runs.SaveRun(ctx, run); err != nil {
			return run, fmt.Errorf("record run start: %w", err)
		}
	}
	err := r.perform(ctx, job, op, &run)
	run.Finished = r.now()
	switch {
	case err != nil:
		run.Status, run.Error = connectors.RunFailed, err.Error()
	case run.Report.Failed > 0:
		run.Status = connectors.RunPartial
		err = fmt.Errorf("%d records failed", run.Report.Failed)
	default:
		run.Status = connectors.RunSucceeded
	}
	if !dryRun {
		// Save even when ctx ended, so the report says how it stopped.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if serr := r.Runs.SaveRun(sctx, run); serr != nil {
			log.ErrorContext(ctx, "record run", "err", serr)
		}
		cancel()
	}
	r.Metrics.observe(run)
	log.InfoContext(ctx, "connector run finished", "status", string(run.Status), "created", run.Report.Created,
		"updated", run.Report.Updated, "removed", run.Report.Removed, "failed", run.Report.Failed, "writes", run.Report.Writes)
	return run, err
}

func (r *Runner) perform(ctx context.Context, job Job, op string, run *connectors.Run) error {
	if c, ok := job.Conn.(connectors.Checker); ok && op != OpPull {
		if err := c.Check(ctx); err != nil {
			return fmt.Errorf("check: %w", err)
		}
	}
	switch op {
	case OpPush:
		return r.push(ctx, job, run)
	case OpPull:
		return r.pull(ctx, job, run)
	case OpProgress:
		return r.progress(ctx, job, run)
	}
	return fmt.Errorf("unknown operation %q", op)
}

func (r *Runner) push(ctx context.Context, job Job, run *connectors.Run) error {
	p, ok := job.Conn.(connectors.Pusher)
	if !ok {
		return errors.New("connector does not push rosters")
	}
	if r.Roster == nil {
		return errors.New("no roster source wired")
	}
	cur, err := r.Runs.ConnectorCursor(ctx, job.Tenant, job.ID, cursorRoster)
	if err != nil {
		return fmt.Errorf("read cursor: %w", err)
	}
	var since int64
	if cur != "" {
		if since, err = strconv.ParseInt(cur, 10, 64); err != nil {
			return fmt.Errorf("stored cursor %q: %w", cur, err)
		}
	}
	run.From = strconv.FormatInt(since, 10)
	d, err := r.Roster.Changes(ctx, job.Tenant, since)
	if err != nil {
		return fmt.Errorf("roster changes: %w", err)
	}
	if err := r.resolveDeletedEnrollments(ctx, job.Tenant, &d); err != nil {
		return err
	}
	run.To = strconv.FormatInt(d.Cursor, 10)
	if empty(d) {
		run.To = run.From
		if d.Cursor > since && !run.DryRun {
			return r.Runs.SetConnectorCursor(ctx, job.Tenant, job.ID, cursorRoster, strconv.FormatInt(d.Cursor, 10))
		}
		return nil
	}
	if err := r.addContext(ctx, job.Tenant, &d); err != nil {
		return err
	}
	rep, err := p.Push(ctx, d, connectors.PushOptions{DryRun: run.DryRun})
	run.Report = rep
	if err != nil {
		return err
	}
	// A run with refused records keeps its cursor: the next run retries
	// them (pushes are idempotent, so the rest costs reads only).
	if rep.Failed > 0 || run.DryRun {
		return nil
	}
	if err := r.Runs.SetConnectorCursor(ctx, job.Tenant, job.ID, cursorRoster, run.To); err != nil {
		return fmt.Errorf("store cursor: %w", err)
	}
	return nil
}

// record returns the decoded record, ok false when it is absent.
func (r *Runner) record(ctx context.Context, tenant string, kind oneroster.Kind, id string) (oneroster.Entity, bool, error) {
	rec, err := r.Records.Record(ctx, tenant, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s %s: %w", kind, id, err)
	}
	e, err := oneroster.Decode(rec)
	if err != nil {
		return nil, false, err
	}
	return e, true, nil
}

// resolveDeletedEnrollments turns removed-enrollment refs into tobedeleted
// records when their last state is known, so targets can unenrol.
func (r *Runner) resolveDeletedEnrollments(ctx context.Context, tenant string, d *oneroster.Delta) error {
	if r.Records == nil {
		return nil
	}
	kept := d.Deletes[:0]
	for _, ref := range d.Deletes {
		if ref.Kind != oneroster.KindEnrollment {
			kept = append(kept, ref)
			continue
		}
		e, ok, err := r.record(ctx, tenant, ref.Kind, ref.SourcedID)
		if err != nil {
			return err
		}
		en, isEnr := e.(*oneroster.Enrollment)
		if !ok || !isEnr {
			kept = append(kept, ref)
			continue
		}
		rec := *en
		rec.Status = oneroster.StatusToBeDeleted
		d.Upserts.Enrollments = append(d.Upserts.Enrollments, rec)
	}
	d.Deletes = kept
	return nil
}

// addContext adds to the delta, unchanged, the active classes, courses and
// schools its records refer to and it lacks, so that connectors can place
// records by name (Kolibri facilities and classrooms) or by shared course
// (Moodle groups mode).
func (r *Runner) addContext(ctx context.Context, tenant string, d *oneroster.Delta) error {
	if r.Records == nil {
		return nil
	}
	u := &d.Upserts
	haveClass := map[string]bool{}
	for _, c := range u.Classes {
		haveClass[c.SourcedID] = true
	}
	for _, e := range u.Enrollments {
		if haveClass[e.Class] {
			continue
		}
		haveClass[e.Class] = true
		x, ok, err := r.record(ctx, tenant, oneroster.KindClass, e.Class)
		if err != nil {
			return err
		}
		if c, isClass := x.(*oneroster.Class); ok && isClass && c.Status != oneroster.StatusToBeDeleted {
			u.Classes = append(u.Classes, *c)
		}
	}
	haveCourse := map[string]bool{}
	for _, c := range u.Courses {
		haveCourse[c.SourcedID] = true
	}
	for _, c := range u.Classes {
		if c.Course == "" || haveCourse[c.Course] {
			continue
		}
		haveCourse[c.Course] = true
		x, ok, err := r.record(ctx, tenant, oneroster.KindCourse, c.Course)
		if err != nil {
			return err
		}
		if co, isCourse := x.(*oneroster.Course); ok && isCourse && co.Status != oneroster.StatusToBeDeleted {
			u.Courses = append(u.Courses, *co)
		}
	}
	haveOrg := map[string]bool{}
	for _, o := range u.Orgs {
		haveOrg[o.SourcedID] = true
	}
	var refs []string
	for _, c := range u.Classes {
		refs = append(refs, c.School)
	}
	for _, us := range u.Users {
		refs = append(refs, us.PrimaryOrg)
		refs = append(refs, us.Orgs...)
	}
	for _, id := range refs {
		if id == "" || haveOrg[id] {
			continue
		}
		haveOrg[id] = true
		x, ok, err := r.record(ctx, tenant, oneroster.KindOrg, id)
		if err != nil {
			return err
		}
		if o, isOrg := x.(*oneroster.Org); ok && isOrg && o.Status != oneroster.StatusToBeDeleted {
			u.Orgs = append(u.Orgs, *o)
		}
	}
	return nil
}

func empty(d oneroster.Delta) bool {
	s := d.Upserts
	return len(d.Deletes) == 0 && len(s.Orgs) == 0 && len(s.AcademicSessions) == 0 && len(s.Courses) == 0 &&
		len(s.Classes) == 0 && len(s.Users) == 0 && len(s.Enrollments) == 0 && len(s.Demographics) == 0
}

func (r *Runner) pull(ctx context.Context, job Job, run *connectors.Run) error {
	p, ok := job.Conn.(connectors.Puller)
	if !ok {
		return errors.New("connector does not pull rosters")
	}
	if r.Importer == nil {
		return errors.New("no roster importer wired")
	}
	s, err := p.Pull(ctx)
	if err != nil {
		return err
	}
	opt := ImportOptions{DryRun: run.DryRun, Bulk: true}
	if b, ok := job.Conn.(interface{ Bulk() bool }); ok {
		opt.Bulk = b.Bulk()
	}
	if g, ok := job.Conn.(interface{ MaxDeleteShare() float64 }); ok {
		opt.MaxDeleteShare = g.MaxDeleteShare()
	}
	rep, err := r.Importer.ImportSnapshot(ctx, job.Tenant, job.ID, s, opt)
	run.Report = rep
	if err != nil {
		return fmt.Errorf("import pulled roster: %w", err)
	}
	return nil
}

func (r *Runner) progress(ctx context.Context, job Job, run *connectors.Run) error {
	p, ok := job.Conn.(connectors.ProgressPuller)
	if !ok {
		return errors.New("connector does not pull progress")
	}
	if r.LRS == nil {
		return errors.New("no LRS wired for progress statements")
	}
	cur, err := r.Runs.ConnectorCursor(ctx, job.Tenant, job.ID, cursorProgress)
	if err != nil {
		return fmt.Errorf("read cursor: %w", err)
	}
	run.From = cur
	sink := &tenantSink{saver: r.LRS, tenant: job.Tenant}
	next, err := p.PullProgress(ctx, cur, sink)
	run.Report.Created = sink.saved
	if err != nil {
		return err
	}
	run.To = next
	if run.DryRun || next == cur {
		return nil
	}
	if err := r.Runs.SetConnectorCursor(ctx, job.Tenant, job.ID, cursorProgress, next); err != nil {
		return fmt.Errorf("store cursor: %w", err)
	}
	return nil
}

// Schedule runs every job with a period, each on its own loop, until ctx
// ends. Each loop runs its job once at start and then every period; a
// failed run is recorded and retried at the next tick.
func (r *Runner) Schedule(ctx context.Context, jobs []Job) error {
	var wg sync.WaitGroup
	for _, job := range jobs {
		if job.Every <= 0 {
			continue
		}
		wg.Go(func() {
			t := time.NewTicker(job.Every)
			defer t.Stop()
			for {
				if _, err := r.RunAll(ctx, job, false); err != nil && ctx.Err() == nil {
					r.logger().WarnContext(ctx, "scheduled connector run did not succeed", "connector", job.ID, "tenant", job.Tenant, "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}
