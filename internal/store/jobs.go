package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Job is a unit of durable background work (outbound sends, timers).
type Job struct {
	ID          int64
	WorkspaceID int64
	Kind        string
	Key         string // de-duplication key; "" for none
	Payload     string
	Attempts    int
	MaxAttempts int
	RunAt       int64
	LastError   string
}

// EnqueueJob writes a job, normally inside the transaction of the change
// that causes it; a job whose key already exists is not written again.
func (q Q) EnqueueJob(ctx context.Context, j Job) error {
	if j.MaxAttempts == 0 {
		j.MaxAttempts = 12
	}
	now := Now()
	if j.RunAt == 0 {
		j.RunAt = now
	}
	var key *string
	if j.Key != "" {
		key = &j.Key
	}
	_, err := q.exec(ctx, `INSERT INTO jobs (workspace_id, kind, dedup_key, payload, max_attempts, run_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (dedup_key) DO NOTHING`, j.WorkspaceID, j.Kind, key, j.Payload, j.MaxAttempts, j.RunAt, now)
	if err != nil {
		return fmt.Errorf("store: enqueue %s job: %w", j.Kind, err)
	}
	return nil
}

// ClaimJobs leases up to n due jobs for leaseMS milliseconds. A job whose
// lease ran out (its worker died) is due again: delivery is at least once.
func (q Q) ClaimJobs(ctx context.Context, now int64, n int, leaseMS int64) ([]Job, error) {
	skip := ""
	if q.d == Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := q.query(ctx, `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2, updated_at = $1
		WHERE id IN (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until <= $1)
			ORDER BY run_at, id LIMIT `+strconv.Itoa(n)+skip+`)
		RETURNING id, workspace_id, kind, COALESCE(dedup_key, ''), payload, attempts, max_attempts, run_at, last_error`, now, now+leaseMS)
	if err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	defer rows.Close()
	var jobs []Job
	for rows.Next() {
		var j Job
		if err := rows.Scan(&j.ID, &j.WorkspaceID, &j.Kind, &j.Key, &j.Payload, &j.Attempts, &j.MaxAttempts, &j.RunAt, &j.LastError); err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// CompleteJob marks a job done.
func (q Q) CompleteJob(ctx context.Context, id int64) error {
	_, err := q.exec(ctx, `UPDATE jobs SET status = 'done', last_error = '', updated_at = $2 WHERE id = $1`, id, Now())
	return err
}

// RetryJob puts a job back in the queue to run at runAt.
func (q Q) RetryJob(ctx context.Context, id, runAt int64, errText string) error {
	_, err := q.exec(ctx, `UPDATE jobs SET status = 'queued', run_at = $2, locked_until = 0, last_error = $3, updated_at = $4 WHERE id = $1`, id, runAt, truncate(errText, 1000), Now())
	return err
}

// FailJob gives up on a job.
func (q Q) FailJob(ctx context.Context, id int64, errText string) error {
	_, err := q.exec(ctx, `UPDATE jobs SET status = 'failed', last_error = $2, updated_at = $3 WHERE id = $1`, id, truncate(errText, 1000), Now())
	return err
}

// JobCounts counts jobs by status.
func (q Q) JobCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := q.query(ctx, `SELECT status, count(*) FROM jobs GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{"queued": 0, "running": 0, "done": 0, "failed": 0}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// NextJobAt returns when the earliest queued job is due, or 0 when none is.
func (q Q) NextJobAt(ctx context.Context) (int64, error) {
	var t *int64
	err := q.queryRow(ctx, `SELECT MIN(run_at) FROM jobs WHERE status = 'queued'`).Scan(&t)
	if err != nil || t == nil {
		return 0, mapErr(err)
	}
	return *t, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
