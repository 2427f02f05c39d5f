package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	r := jobs.New(nil, quiet(), 1)
	r.BaseBackoff = time.Second
	prevMax := time.Duration(0)
	for attempt := 1; attempt <= 20; attempt++ {
		limit := time.Second << (attempt - 1)
		if limit > time.Hour || limit <= 0 {
			limit = time.Hour
		}
		for i := 0; i < 50; i++ {
			d := r.Backoff(attempt)
			if d < limit/2 || d > limit {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, d, limit/2, limit)
			}
		}
		if limit < prevMax {
			t.Fatalf("attempt %d: limit shrank", attempt)
		}
		prevMax = limit
	}
}

// TestRunnerRetriesFailsAndDrains runs real jobs through the queue on every
// engine: a job that fails twice then succeeds, a permanent failure, a job
// without a handler, and a slow job that shutdown waits for.
func TestRunnerRetriesFailsAndDrains(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := storetest.Open(t, engine)
			ctx := context.Background()
			r := jobs.New(db, quiet(), 4)
			r.BaseBackoff = 20 * time.Millisecond

			var flaky atomic.Int32
			r.Handle("flaky", func(ctx context.Context, j store.Job) error {
				if flaky.Add(1) < 3 {
					return errors.New("temporary")
				}
				return nil
			})
			r.Handle("broken", func(ctx context.Context, j store.Job) error { return jobs.Permanent(errors.New("bad payload")) })
			var slowDone atomic.Bool
			slowStarted := make(chan struct{})
			var once sync.Once
			r.Handle("slow", func(ctx context.Context, j store.Job) error {
				once.Do(func() { close(slowStarted) })
				time.Sleep(300 * time.Millisecond)
				slowDone.Store(true)
				return nil
			})
			for _, j := range []store.Job{{Kind: "flaky", Key: "f"}, {Kind: "broken", Key: "b"}, {Kind: "nobody", Key: "n"}} {
				if err := db.W().EnqueueJob(ctx, j); err != nil {
					t.Fatal(err)
				}
			}
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { r.Run(runCtx); close(done) }()
			deadline := time.Now().Add(10 * time.Second)
			for {
				c, err := db.R().JobCounts(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if c["done"] == 1 && c["failed"] == 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("jobs did not settle: %v", c)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if got := flaky.Load(); got != 3 {
				t.Fatalf("flaky job ran %d times, want 3", got)
			}
			if r.Retried.Load() != 2 || r.Failed.Load() != 2 || r.Done.Load() != 1 {
				t.Fatalf("counters retried=%d failed=%d done=%d", r.Retried.Load(), r.Failed.Load(), r.Done.Load())
			}

			if err := db.W().EnqueueJob(ctx, store.Job{Kind: "slow", Key: "s"}); err != nil {
				t.Fatal(err)
			}
			r.Notify()
			select {
			case <-slowStarted:
			case <-time.After(5 * time.Second):
				t.Fatal("slow job never started")
			}
			stop()
			<-done
			if !slowDone.Load() {
				t.Fatal("Run returned before the job in flight finished (no drain)")
			}
			c, _ := db.R().JobCounts(ctx)
			if c["done"] != 2 {
				t.Fatalf("after drain: %v", c)
			}
		})
	}
}

// TestRetryAfterWaits checks that a job failing with jobs.RetryAfter runs
// again no sooner than asked, even when the backoff is shorter.
func TestRetryAfterWaits(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := storetest.Open(t, engine)
			ctx := context.Background()
			r := jobs.New(db, quiet(), 2)
			r.BaseBackoff = time.Millisecond
			var mu sync.Mutex
			var runs []time.Time
			r.Handle("limited", func(ctx context.Context, j store.Job) error {
				mu.Lock()
				defer mu.Unlock()
				runs = append(runs, time.Now())
				if len(runs) == 1 {
					return jobs.RetryAfter(errors.New("429 Too Many Requests"), 400*time.Millisecond)
				}
				return nil
			})
			if err := db.W().EnqueueJob(ctx, store.Job{Kind: "limited", Key: "l"}); err != nil {
				t.Fatal(err)
			}
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { r.Run(runCtx); close(done) }()
			defer func() { stop(); <-done }()
			deadline := time.Now().Add(10 * time.Second)
			for r.Done.Load() != 1 {
				if time.Now().After(deadline) {
					t.Fatal("the job never succeeded")
				}
				time.Sleep(10 * time.Millisecond)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(runs) != 2 {
				t.Fatalf("ran %d times, want 2", len(runs))
			}
			if gap := runs[1].Sub(runs[0]); gap < 400*time.Millisecond {
				t.Fatalf("retried after %v, before the 400ms asked", gap)
			}
		})
	}
}
