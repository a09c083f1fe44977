package lti

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/passportbridge/passport/store"
)

// LaunchRecord is what the tool remembers of a launch of a scored item, so
// a result reported later to the LRS for that attempt can go back to the
// platform's gradebook.
type LaunchRecord struct {
	Tenant         string
	Attempt        string // the xAPI registration of the launch
	RegistrationID string
	Subject        string // the platform's user id (the AGS userId)
	ContentID      string
	Label          string
	ScoreMaximum   float64
	ResourceLinkID string
	AGS            AGSEndpoint
	Created        time.Time
}

// ScoreJob is one score in the durable outbox to a platform's gradebook.
type ScoreJob struct {
	Tenant  string
	ID      string // attempt + timestamp: enqueueing the same result twice is a no-op
	Attempt string
	Score   Score
	// Attempts counts delivery tries; NextAttempt is when the next is due.
	Attempts    int
	NextAttempt time.Time
	// State is pending, delivered or failed (a refusal that retrying cannot fix).
	State     string
	LastError string
	Created   time.Time
}

// Score job states.
const (
	ScorePending   = "pending"
	ScoreDelivered = "delivered"
	ScoreFailed    = "failed"
)

// GradeStore keeps launch records and the score outbox.
type GradeStore interface {
	// SaveLaunchRecord stores r; store.ErrConflict if the attempt exists.
	SaveLaunchRecord(ctx context.Context, r LaunchRecord) error
	// LaunchRecord returns a tenant's launch record; store.ErrNotFound if absent.
	LaunchRecord(ctx context.Context, tenant, attempt string) (LaunchRecord, error)
	// EnqueueScore adds j; store.ErrConflict if the tenant has a job with that id.
	EnqueueScore(ctx context.Context, j ScoreJob) error
	// DueScores lists up to limit pending jobs of any tenant due at now,
	// earliest first.
	DueScores(ctx context.Context, now time.Time, limit int) ([]ScoreJob, error)
	// UpdateScoreJob saves a job's delivery state; store.ErrNotFound if absent.
	UpdateScoreJob(ctx context.Context, j ScoreJob) error
}

// Outcome is what the LRS learned about an attempt: a completion and/or a
// score, at a time.
type Outcome struct {
	ScoreRaw    *float64 // result.score.raw
	ScoreMax    *float64 // result.score.max
	ScoreScaled *float64 // result.score.scaled (0..1)
	Completed   bool
	Comment     string
	Timestamp   time.Time // the statement's timestamp
}

// Grader sends results for launched attempts to the platforms' gradebooks
// through a durable outbox with retries.
type Grader struct {
	Store    GradeStore
	Regs     RegistrationStore
	Services *Services
	Logger   *slog.Logger
	Clock    func() time.Time
	// MaxAttempts before a job is marked failed; default 60 (about two days
	// with the backoff capped at one hour).
	MaxAttempts int
}

func (g *Grader) now() time.Time {
	if g.Clock != nil {
		return g.Clock().UTC()
	}
	return time.Now().UTC()
}

func (g *Grader) logger() *slog.Logger {
	if g.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return g.Logger
}

// RecordLaunch remembers a learner's launch of a scored item with a grade
// service, so its results can go back; other launches (unscored items, no
// score scope, anonymous users, staff who are not also learners) are ignored.
func (g *Grader) RecordLaunch(ctx context.Context, li LaunchInfo) error {
	r := g.LaunchRecordFor(li)
	if r == nil {
		return nil
	}
	if err := g.Store.SaveLaunchRecord(ctx, *r); err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("save launch record: %w", err)
	}
	return nil
}

// LaunchRecordFor is the record RecordLaunch would store for li, or nil
// when grades do not go back for it; a launch stores it with its
// LaunchWrites.
func (g *Grader) LaunchRecordFor(li LaunchInfo) *LaunchRecord {
	if li.AGS == nil || !li.Content.Scored() || li.Learner.Subject == "" || needScope(li.AGS, ScopeScore) != nil {
		return nil
	}
	staff := slices.Contains(li.Roles, RoleTeacher) || slices.Contains(li.Roles, RoleAdmin)
	if staff && !slices.Contains(li.Roles, RoleStudent) {
		return nil
	}
	return &LaunchRecord{
		Tenant: li.Tenant, Attempt: li.Attempt, RegistrationID: li.RegistrationID, Subject: li.Learner.Subject,
		ContentID: li.Content.ID, Label: li.Content.Title, ScoreMaximum: li.Content.ScoreMaximum,
		ResourceLinkID: li.ResourceLinkID, AGS: *li.AGS, Created: li.LaunchedAt,
	}
}

// Report queues the score for an attempt's outcome. It is idempotent (the
// same result twice queues one job) and does nothing for attempts that
// were not launched from a platform with a gradebook.
func (g *Grader) Report(ctx context.Context, tenant, attempt string, r Outcome) error {
	rec, err := g.Store.LaunchRecord(ctx, tenant, attempt)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load launch record: %w", err)
	}
	sc := Score{
		UserID: rec.Subject, Timestamp: ScoreTimestamp(r.Timestamp), Comment: r.Comment,
		ActivityProgress: ActivityInProgress, GradingProgress: GradingPending,
	}
	if r.Completed {
		sc.ActivityProgress = ActivityCompleted
	}
	if given, ok := scoreGiven(r, rec.ScoreMaximum); ok {
		max := rec.ScoreMaximum
		sc.ScoreGiven, sc.ScoreMaximum = &given, &max
		sc.GradingProgress = GradingFullyGraded
		if !r.Completed {
			sc.ActivityProgress = ActivitySubmitted
		}
	}
	if err := sc.Validate(); err != nil {
		return fmt.Errorf("score: %w", err)
	}
	now := g.now()
	j := ScoreJob{Tenant: tenant, ID: attempt + "@" + sc.Timestamp, Attempt: attempt, Score: sc, State: ScorePending, NextAttempt: now, Created: now}
	if err := g.Store.EnqueueScore(ctx, j); err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("enqueue score: %w", err)
	}
	return nil
}

// scoreGiven scales the result to the item's maximum.
func scoreGiven(r Outcome, max float64) (float64, bool) {
	var v float64
	switch {
	case r.ScoreScaled != nil:
		v = *r.ScoreScaled * max
	case r.ScoreRaw != nil && r.ScoreMax != nil && *r.ScoreMax > 0:
		v = *r.ScoreRaw / *r.ScoreMax * max
	case r.ScoreRaw != nil:
		v = *r.ScoreRaw
	default:
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return math.Max(0, math.Min(v, max)), true
}

// backoff is the wait before attempt n+1: 30 s doubling, at most 1 h.
func backoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// DeliverDue tries every due job once and says how many it delivered.
func (g *Grader) DeliverDue(ctx context.Context) (int, error) {
	jobs, err := g.Store.DueScores(ctx, g.now(), 100)
	if err != nil {
		return 0, fmt.Errorf("due scores: %w", err)
	}
	delivered := 0
	for _, j := range jobs {
		if ctx.Err() != nil {
			return delivered, ctx.Err()
		}
		err := g.deliver(ctx, j)
		j.Attempts++
		switch {
		case err == nil:
			j.State, j.LastError = ScoreDelivered, ""
			delivered++
		case permanent(err) || j.Attempts >= g.maxAttempts():
			j.State, j.LastError = ScoreFailed, err.Error()
			g.logger().WarnContext(ctx, "score not delivered", "tenant", j.Tenant, "job", j.ID, "attempts", j.Attempts, "err", err)
		default:
			j.LastError, j.NextAttempt = err.Error(), g.now().Add(backoff(j.Attempts))
		}
		if err := g.Store.UpdateScoreJob(ctx, j); err != nil {
			return delivered, fmt.Errorf("update score job: %w", err)
		}
	}
	return delivered, nil
}

func (g *Grader) maxAttempts() int {
	if g.MaxAttempts <= 0 {
		return 60
	}
	return g.MaxAttempts
}

// permanent reports whether retrying cannot help: a 4xx other than 401
// (already retried with a fresh token), 408 and 429; Canvas answers 422
// for concluded courses.
func permanent(err error) bool {
	var se *ServiceError
	if errors.As(err, &se) {
		return se.Status >= 400 && se.Status < 500 && se.Status != 401 && se.Status != 408 && se.Status != 429
	}
	return errors.Is(err, errNoGradebook)
}

var errNoGradebook = errors.New("launch record or registration gone")

func (g *Grader) deliver(ctx context.Context, j ScoreJob) error {
	rec, err := g.Store.LaunchRecord(ctx, j.Tenant, j.Attempt)
	if errors.Is(err, store.ErrNotFound) {
		return errNoGradebook
	}
	if err != nil {
		return err
	}
	reg, err := g.Regs.Registration(ctx, rec.Tenant, rec.RegistrationID)
	if errors.Is(err, store.ErrNotFound) {
		return errNoGradebook
	}
	if err != nil {
		return err
	}
	if reg.Disabled {
		return errNoGradebook
	}
	target, err := g.Services.ScoreTarget(ctx, reg, &rec.AGS, rec.ResourceLinkID,
		&LineItem{Label: rec.Label, ScoreMaximum: rec.ScoreMaximum, ResourceID: rec.ContentID, Tag: "passport"})
	if err != nil {
		return err
	}
	return g.Services.PostScore(ctx, reg, &rec.AGS, target, j.Score)
}

// Run delivers due scores every interval until ctx ends.
func (g *Grader) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := g.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			g.logger().WarnContext(ctx, "score outbox", "err", err)
		} else if n > 0 {
			g.logger().InfoContext(ctx, "scores delivered", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
