package store

import (
	"context"
	sqldriver "database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrations embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func (db *DB) migrationList() ([]migration, error) {
	dir := "migrations/" + db.dialect.String()
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var list []migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: version prefix: %w", name, err)
		}
		b, err := migrations.ReadFile(dir + "/" + name)
		if err != nil {
			return nil, err
		}
		list = append(list, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	return list, nil
}

// foreignKeysOff, on the first line of a SQLite migration, runs it with
// foreign keys off: what SQLite's documented table rebuild needs (a DROP
// TABLE of a parent with foreign keys on deletes its rows first, cascading
// into the children). PRAGMA foreign_key_check must pass before the commit.
const foreignKeysOff = "-- atende:foreign_keys=off"

// Migrate applies every embedded migration that the database lacks, each in
// its own transaction, and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) { return db.MigrateTo(ctx, 0) }

// MigrateTo is Migrate stopping after version upTo (0: every version); the
// upgrade tests use it to write rows under an older schema.
func (db *DB) MigrateTo(ctx context.Context, upTo int) (int, error) {
	err := db.Tx(ctx, func(q Q) error {
		if err := q.migrationLock(ctx); err != nil {
			return err
		}
		_, err := q.ex.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	list, err := db.migrationList()
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, m := range list {
		if upTo > 0 && m.version > upTo {
			break
		}
		tx := db.Tx
		if db.dialect == SQLite && strings.HasPrefix(m.sql, foreignKeysOff) {
			tx = db.txForeignKeysOff
		}
		err := tx(ctx, func(q Q) error {
			if err := q.migrationLock(ctx); err != nil {
				return err
			}
			var n int
			if err := q.queryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := q.ex.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("store: migration %s: %w", m.name, err)
			}
			if _, err := q.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, m.version, m.name, Now()); err != nil {
				return err
			}
			applied++
			return nil
		})
		if err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// txForeignKeysOff is Tx on a SQLite connection with foreign keys turned
// off (the pragma is a no-op inside a transaction, so it is set before
// BEGIN), failing before the commit when PRAGMA foreign_key_check reports a
// dangling reference. The connection gets foreign keys back, or is
// discarded from the pool.
func (db *DB) txForeignKeysOff(ctx context.Context, fn func(q Q) error) (err error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: migration connection: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return fmt.Errorf("store: foreign keys off: %w", err)
	}
	defer func() {
		var on int
		_, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
		if rerr == nil {
			rerr = conn.QueryRowContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys`).Scan(&on)
		}
		if rerr != nil || on != 1 {
			// never hand a connection without foreign keys back to the pool
			_ = conn.Raw(func(any) error { return sqldriver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("store: foreign keys back on: %v", rerr))
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(Q{ex: tx, d: db.dialect, tx: tx}); err != nil {
		_ = tx.Rollback()
		return err
	}
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("store: foreign_key_check: %w", err)
	}
	var bad []string
	for rows.Next() {
		var table, parent string
		var rowid, fkid any
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			rows.Close()
			_ = tx.Rollback()
			return err
		}
		bad = append(bad, fmt.Sprintf("%s row %v → %s", table, rowid, parent))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		_ = tx.Rollback()
		return err
	}
	if len(bad) > 0 {
		_ = tx.Rollback()
		return fmt.Errorf("store: foreign_key_check after migration: %s", strings.Join(bad, "; "))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", mapErr(err))
	}
	return nil
}

// migrationLock serialises the migrations of several nodes starting at once
// on one PostgreSQL schema (held until the transaction ends); without it all
// but one fail on duplicate catalog entries. SQLite transactions already
// take the write lock first (_txlock=immediate).
func (q Q) migrationLock(ctx context.Context) error {
	if q.d != Postgres {
		return nil
	}
	_, err := q.ex.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('atende.migrate:' || current_schema()))`)
	return err
}

// MigrationsCurrent reports whether every embedded migration has been applied
// (used by /readyz: a node must not serve a schema it does not know).
func (db *DB) MigrationsCurrent(ctx context.Context) (bool, error) {
	list, err := db.migrationList()
	if err != nil {
		return false, err
	}
	var latest int
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return false, fmt.Errorf("store: read schema version: %w", err)
	}
	return len(list) == 0 || latest >= list[len(list)-1].version, nil
}
