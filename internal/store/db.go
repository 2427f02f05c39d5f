// Package store owns persistence: the schema and its migrations for SQLite
// and PostgreSQL, and every SQL statement the application runs. Queries take
// an access.Viewer where visibility applies, so that DESIGN §3 is enforced in
// the query itself and never only in a handler.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL engine behind a DB.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Errors every caller can test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique constraint refused the write.
	ErrConflict = errors.New("conflict")
	// ErrBadReference: a foreign key points at nothing.
	ErrBadReference = errors.New("bad reference")
)

// DB is the application's database. On SQLite writes go through a pool of
// one connection (SQLite has a single writer; queueing in Go is cheaper than
// SQLITE_BUSY retries) and reads through a separate pool; on PostgreSQL both
// are the same pool.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect Dialect
	// prepared statements per pool, so hot queries skip SQL compilation
	writeStmts, readStmts *stmtCache
	// stopCheckpoints ends the SQLite checkpointer.
	stopCheckpoints func()
}

// Open connects to databaseURL, or to SQLite in dataDir when it is empty.
// Accepted URLs: postgres://… or postgresql://…, and sqlite:PATH or file:PATH.
func Open(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return openPostgres(ctx, databaseURL)
	case databaseURL == "":
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data dir: %w", err)
		}
		return openSQLite(ctx, filepath.Join(dataDir, "atende.db"))
	case strings.HasPrefix(databaseURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(databaseURL, "sqlite:"))
	case strings.HasPrefix(databaseURL, "file:"):
		return openSQLite(ctx, strings.TrimPrefix(databaseURL, "file:"))
	default:
		return nil, fmt.Errorf("store: unsupported database URL scheme in %q (want postgres:// or sqlite:PATH)", redact(databaseURL))
	}
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "?"
	}
	return p.Redacted()
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-65536)&_pragma=mmap_size(268435456)"
	// The writer never checkpoints inside a commit (wal_autocheckpoint=0):
	// a checkpoint syncs the database file, and doing it in the request
	// path stalled inbound messages for hundreds of milliseconds. A
	// background checkpointer does it instead (see checkpoints).
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db := &DB{write: w, read: r, dialect: SQLite, writeStmts: newStmtCache(w), readStmts: newStmtCache(r)}
	if err := w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: ping sqlite %s: %w", path, err)
	}
	c, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	c.SetMaxOpenConns(1)
	cctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { checkpoints(cctx, c); close(done) }()
	db.stopCheckpoints = func() {
		stop()
		<-done
		c.Close()
	}
	return db, nil
}

func openPostgres(ctx context.Context, u string) (*DB, error) {
	p, err := sql.Open("pgx", u)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: ping postgres %s: %w", redact(u), err)
	}
	stmts := newStmtCache(p)
	return &DB{write: p, read: p, dialect: Postgres, writeStmts: stmts, readStmts: stmts}, nil
}

// Dialect tells which engine this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes both pools.
func (db *DB) Close() error {
	if db.stopCheckpoints != nil {
		db.stopCheckpoints()
	}
	db.writeStmts.close()
	if db.readStmts != db.writeStmts {
		db.readStmts.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// R returns a query handle on the read pool.
func (db *DB) R() Q { return Q{ex: db.read, d: db.dialect, stmts: db.readStmts} }

// W returns a query handle on the write pool, for single statements outside a transaction.
func (db *DB) W() Q { return Q{ex: db.write, d: db.dialect, stmts: db.writeStmts} }

// Tx runs fn in one transaction and commits when fn returns nil.
func (db *DB) Tx(ctx context.Context, fn func(q Q) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(Q{ex: tx, d: db.dialect, stmts: db.writeStmts, tx: tx}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", mapErr(err))
	}
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q runs statements on a pool or inside a transaction. Every store method
// hangs off Q so the same code serves both.
type Q struct {
	ex    execer
	d     Dialect
	stmts *stmtCache
	tx    *sql.Tx // set inside a transaction
}

// prepared returns the cached prepared statement for query, bound to the
// transaction when q runs in one, or nil when the cache is full.
func (q Q) prepared(ctx context.Context, query string) *sql.Stmt {
	if q.stmts == nil {
		return nil
	}
	st := q.stmts.get(query)
	if st == nil || q.tx == nil {
		return st
	}
	// Closed with the transaction; database/sql reuses the statement
	// already prepared on the transaction's connection.
	return q.tx.StmtContext(ctx, st)
}

// Dialect tells which engine q talks to.
func (q Q) Dialect() Dialect { return q.d }

func (q Q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.prepared(ctx, query); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, mapErr(err)
	}
	res, err := q.ex.ExecContext(ctx, query, args...)
	return res, mapErr(err)
}

// insert runs an INSERT … RETURNING id and returns the id.
func (q Q) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := q.queryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, mapErr(err)
}

func (q Q) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.ex.QueryRowContext(ctx, query, args...)
}

func (q Q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.prepared(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, mapErr(err)
	}
	rows, err := q.ex.QueryContext(ctx, query, args...)
	return rows, mapErr(err)
}

// mapErr turns driver errors into the package's sentinel errors, keeping the original text.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %v", ErrBadReference, err)
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w: %v", ErrConflict, err)
		case "23503":
			return fmt.Errorf("%w: %v", ErrBadReference, err)
		case "22021", "22P05": // text PostgreSQL cannot store (NUL): the caller's input, not a server fault
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	return err
}

// Now is the store's clock in Unix milliseconds.
func Now() int64 { return time.Now().UnixMilli() }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// ErrSavepoint reports that a savepoint could not be set or undone; the
// surrounding transaction is unusable.
var ErrSavepoint = errors.New("savepoint failed")

// Savepoint runs fn inside a savepoint of q's transaction: when fn fails,
// its writes are undone and the transaction carries on without them.
func (q Q) Savepoint(ctx context.Context, fn func() error) error {
	if _, err := q.exec(ctx, `SAVEPOINT atende_sp`); err != nil {
		return fmt.Errorf("%w: %w", ErrSavepoint, err)
	}
	if err := fn(); err != nil {
		if _, rerr := q.exec(ctx, `ROLLBACK TO SAVEPOINT atende_sp`); rerr != nil {
			return fmt.Errorf("%w: %w", ErrSavepoint, rerr)
		}
		if _, rerr := q.exec(ctx, `RELEASE SAVEPOINT atende_sp`); rerr != nil {
			return fmt.Errorf("%w: %w", ErrSavepoint, rerr)
		}
		return err
	}
	if _, err := q.exec(ctx, `RELEASE SAVEPOINT atende_sp`); err != nil {
		return fmt.Errorf("%w: %w", ErrSavepoint, err)
	}
	return nil
}
