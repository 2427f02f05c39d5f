package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// maxCachedStatements bounds the cache: list queries are assembled from the
// viewer's departments and filters, so their texts are many; the hot ones
// (authentication, inbound, timelines) are cached first and stay.
const maxCachedStatements = 512

// stmtCache keeps one prepared statement per query text and pool.
// Preparing (compiling SQL) was a fifth of the CPU of an inbox request.
type stmtCache struct {
	pool    *sql.DB
	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	pending map[string]bool
	closed  bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the statement for query, or nil while it is not prepared yet
// (the caller then runs the query unprepared). Preparation happens in the
// background: preparing on the pool needs a free connection, and the
// SQLite writer's only connection is busy while its transaction runs.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.m[query]
	c.mu.RUnlock()
	if ok {
		return st
	}
	c.mu.Lock()
	if c.pending[query] || len(c.m)+len(c.pending) >= maxCachedStatements {
		c.mu.Unlock()
		return nil
	}
	c.pending[query] = true
	c.mu.Unlock()
	go func() {
		st, err := c.pool.Prepare(query)
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.pending, query)
		switch {
		case err != nil:
		case c.closed:
			st.Close()
		default:
			c.m[query] = st
		}
	}()
	return nil
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for k, st := range c.m {
		st.Close()
		delete(c.m, k)
	}
}

// checkpoints copies the SQLite write-ahead log into the database file in
// the background until ctx ends. PASSIVE checkpoints never block readers or
// the writer, and once one has copied every frame the writer starts the log
// over, so the log stays bounded under steady load. The file is truncated
// only when writes have paused: a TRUNCATE checkpoint holds the writer back.
func checkpoints(ctx context.Context, conn *sql.DB) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	lastFrames := -1
	for {
		select {
		case <-ctx.Done():
			_, _ = conn.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
			return
		case <-t.C:
		}
		var busy, logFrames, done int
		if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done); err != nil {
			continue
		}
		if logFrames > 4096 && done == logFrames && logFrames == lastFrames {
			_, _ = conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			logFrames = 0
		}
		lastFrames = logFrames
	}
}
