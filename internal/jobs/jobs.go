// Package jobs runs the durable queue kept in the database: outbound sends
// and timers written in the same transaction as the change that caused them,
// claimed with leases (FOR UPDATE SKIP LOCKED on PostgreSQL), retried with
// exponential backoff and drained on shutdown.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atende/atende/internal/store"
)

// Handler performs one job. Returning an error retries it later unless the
// error wraps ErrPermanent.
type Handler func(ctx context.Context, j store.Job) error

// ErrPermanent marks a failure that retrying cannot fix.
var ErrPermanent = errors.New("permanent failure")

// Permanent wraps err so the job is failed at once.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// RetryAfter wraps err so the job is retried no sooner than after from now
// (a provider's rate limit: Retry-After, Telegram's retry_after), or after
// the usual backoff when that is longer.
func RetryAfter(err error, after time.Duration) error {
	return &retryAfterError{err: err, after: after}
}

type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// Runner claims and runs jobs.
type Runner struct {
	db       *store.DB
	log      *slog.Logger
	handlers map[string]Handler
	wake     chan struct{}
	workers  int
	lease    time.Duration
	// BaseBackoff is the first retry delay; it doubles each attempt up to an hour.
	BaseBackoff time.Duration

	inflight sync.WaitGroup
	stopped  atomic.Bool
	Done     atomic.Int64
	Failed   atomic.Int64
	Retried  atomic.Int64
}

// New returns a Runner with workers concurrent jobs.
func New(db *store.DB, log *slog.Logger, workers int) *Runner {
	if workers < 1 {
		workers = 1
	}
	return &Runner{db: db, log: log, handlers: map[string]Handler{}, wake: make(chan struct{}, 1), workers: workers,
		lease: 2 * time.Minute, BaseBackoff: time.Second}
}

// SetLease sets how long a claimed job stays leased (default 2 minutes);
// call it before Run. A handler gets half the lease to finish.
func (r *Runner) SetLease(d time.Duration) {
	if d > 0 {
		r.lease = d
	}
}

// Handle registers the handler of a job kind.
func (r *Runner) Handle(kind string, h Handler) { r.handlers[kind] = h }

// Notify tells the runner a job was just committed, so it need not wait for its next poll.
func (r *Runner) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run claims and runs jobs until ctx is cancelled, then waits for the jobs
// in flight to finish (drain) before returning.
func (r *Runner) Run(ctx context.Context) {
	sem := make(chan struct{}, r.workers)
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			r.stopped.Store(true)
			r.inflight.Wait()
			return
		case <-poll.C:
		case <-r.wake:
		}
		free := r.workers - len(sem)
		if free > 0 {
			jobs, err := r.db.W().ClaimJobs(context.WithoutCancel(ctx), store.Now(), free, r.lease.Milliseconds())
			if err != nil {
				r.log.Error("jobs: claim", "err", err)
			}
			for _, j := range jobs {
				sem <- struct{}{}
				r.inflight.Add(1)
				go func(j store.Job) {
					defer func() { <-sem; r.inflight.Done(); r.Notify() }()
					r.run(context.WithoutCancel(ctx), j)
				}(j)
			}
			if len(jobs) == free {
				poll.Reset(0)
				continue
			}
		}
		poll.Reset(r.nextPoll(ctx))
	}
}

func (r *Runner) nextPoll(ctx context.Context) time.Duration {
	const idle = time.Second
	next, err := r.db.R().NextJobAt(ctx)
	if err != nil || next == 0 {
		return idle
	}
	d := time.Until(time.UnixMilli(next))
	if d < 10*time.Millisecond {
		d = 10 * time.Millisecond
	}
	if d > idle {
		d = idle
	}
	return d
}

func (r *Runner) run(ctx context.Context, j store.Job) {
	h, ok := r.handlers[j.Kind]
	var err error
	if !ok {
		err = Permanent(fmt.Errorf("no handler for job kind %q", j.Kind))
	} else {
		jctx, cancel := context.WithTimeout(ctx, r.lease/2)
		err = safeRun(jctx, h, j)
		cancel()
	}
	q := r.db.W()
	switch {
	case err == nil:
		if err := q.CompleteJob(ctx, j.ID); err != nil {
			r.log.Error("jobs: complete", "job", j.ID, "err", err)
		}
		r.Done.Add(1)
	case errors.Is(err, ErrPermanent) || j.Attempts >= j.MaxAttempts:
		r.log.Warn("jobs: failed", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", err)
		if err := q.FailJob(ctx, j.ID, err.Error()); err != nil {
			r.log.Error("jobs: fail", "job", j.ID, "err", err)
		}
		r.Failed.Add(1)
	default:
		delay := r.Backoff(j.Attempts)
		var ra *retryAfterError
		if errors.As(err, &ra) && ra.after > delay {
			delay = ra.after
		}
		r.log.Info("jobs: retry", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "in", delay, "err", err)
		if err := q.RetryJob(ctx, j.ID, store.Now()+delay.Milliseconds(), err.Error()); err != nil {
			r.log.Error("jobs: retry", "job", j.ID, "err", err)
		}
		r.Retried.Add(1)
	}
}

func safeRun(ctx context.Context, h Handler, j store.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, j)
}

// Backoff is the delay before retry number attempt: exponential with jitter, at most an hour.
func (r *Runner) Backoff(attempt int) time.Duration {
	d := r.BaseBackoff
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	if d > time.Hour {
		d = time.Hour
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
