// Package storetest opens throw-away databases for tests on every engine
// the store supports, and builds a small standard fixture (two workspaces,
// departments, users of every role and scope, one API channel each) that
// store, conversation and HTTP tests share.
//
// SQLite always runs. PostgreSQL runs when ATENDE_TEST_POSTGRES_URL names a
// database the tests may create schemas in, for example
//
//	ATENDE_TEST_POSTGRES_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// Each PostgreSQL test gets its own schema, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/store"
)

// EnvPostgresURL names the environment variable that enables PostgreSQL tests.
const EnvPostgresURL = "ATENDE_TEST_POSTGRES_URL"

// Engine names accepted by Open.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

var warnOnce sync.Once

// Engines returns the engines tests should run on: always "sqlite", plus
// "postgres" when ATENDE_TEST_POSTGRES_URL is set. When it is not set it
// says so once per test binary, loudly, so a green run is not mistaken for
// PostgreSQL coverage.
func Engines(t testing.TB) []string {
	t.Helper()
	if os.Getenv(EnvPostgresURL) != "" {
		return []string{SQLite, Postgres}
	}
	warnOnce.Do(func() {
		msg := EnvPostgresURL + " not set: PostgreSQL store tests skipped"
		fmt.Fprintln(os.Stderr, "WARNING: "+msg)
		t.Log(msg)
	})
	return []string{SQLite}
}

// Open returns a freshly migrated, empty database on engine ("sqlite" or
// "postgres"), closed (and on PostgreSQL dropped) when the test ends.
func Open(t testing.TB, engine string) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var db *store.DB
	var err error
	switch engine {
	case SQLite:
		db, err = store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "atende.db"), "")
		if err != nil {
			t.Fatalf("storetest: open sqlite: %v", err)
		}
		t.Cleanup(func() { db.Close() })
	case Postgres:
		db = openPostgres(t, ctx)
	default:
		t.Fatalf("storetest: unknown engine %q", engine)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate %s: %v", engine, err)
	}
	return db
}

// OpenUnmigrated is Open without running the migrations (migration tests).
func OpenUnmigrated(t testing.TB, engine string) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch engine {
	case SQLite:
		db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "atende.db"), "")
		if err != nil {
			t.Fatalf("storetest: open sqlite: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	case Postgres:
		return openPostgres(t, ctx)
	}
	t.Fatalf("storetest: unknown engine %q", engine)
	return nil
}

func openPostgres(t testing.TB, ctx context.Context) *store.DB {
	t.Helper()
	base := os.Getenv(EnvPostgresURL)
	if base == "" {
		t.Skip(EnvPostgresURL + " not set: PostgreSQL store tests skipped")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: open postgres: %v", err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "atende_t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("storetest: create schema on %s: %v", redact(base), err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: parse %s: %v", EnvPostgresURL, err)
	}
	qv := u.Query()
	qv.Set("search_path", schema)
	u.RawQuery = qv.Encode()
	db, err := store.Open(ctx, u.String(), "")
	if err != nil {
		admin.Close()
		t.Fatalf("storetest: open postgres schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		db.Close()
		if err := DropSchema(admin, schema); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	return db
}

// DropSchema drops a test's PostgreSQL schema and all it holds. Two tests
// dropping their schemas at once can deadlock on the catalog; PostgreSQL
// aborts one of them, which simply tries again.
func DropSchema(admin *sql.DB, schema string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for attempt := 1; attempt <= 5; attempt++ {
		if _, err = admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err == nil || !strings.Contains(err.Error(), "deadlock detected") {
			return err
		}
		time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
	}
	return err
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "?"
	}
	return p.Redacted()
}

// Password is the password of every fixture user.
const Password = "correct horse battery staple"

var (
	hashOnce sync.Once
	hashed   string
	hashErr  error
)

// passwordHash hashes Password once per test binary (Argon2id is slow on purpose).
func passwordHash(t testing.TB) string {
	t.Helper()
	hashOnce.Do(func() { hashed, hashErr = auth.HashPassword(Password) })
	if hashErr != nil {
		t.Fatalf("storetest: hash password: %v", hashErr)
	}
	return hashed
}

// Fix is the standard fixture. Workspace WS has departments Vendas (the
// default) and Financeiro and users of every kind; workspace WS2 is a
// separate tenant that must never see (or be seen by) WS. Every user's
// password is Password; Channel and Channel2 authenticate with ChannelToken
// and Channel2Token (stored hashed with auth.HashToken).
type Fix struct {
	WS         store.Workspace
	Vendas     store.Department // default department of WS
	Financeiro store.Department

	Admin      store.User // admin of WS, no department
	Supervisor store.User // supervisor of Vendas
	AgentA     store.User // agent of Vendas, scope department
	AgentB     store.User // agent of Financeiro, scope department
	AgentC     store.User // agent of Vendas, scope assigned

	Channel      store.Channel // API channel of WS, no department of its own
	ChannelToken string

	WS2           store.Workspace
	Dept2         store.Department // default department of WS2
	Admin2        store.User
	Agent2        store.User // agent of Dept2
	Channel2      store.Channel
	Channel2Token string
}

// Viewers of the fixture users, for brevity in tests.
func (f Fix) AdminV() access.Viewer      { return f.Admin.Viewer() }
func (f Fix) SupervisorV() access.Viewer { return f.Supervisor.Viewer() }
func (f Fix) AgentAV() access.Viewer     { return f.AgentA.Viewer() }
func (f Fix) AgentBV() access.Viewer     { return f.AgentB.Viewer() }
func (f Fix) AgentCV() access.Viewer     { return f.AgentC.Viewer() }
func (f Fix) Admin2V() access.Viewer     { return f.Admin2.Viewer() }
func (f Fix) Agent2V() access.Viewer     { return f.Agent2.Viewer() }

var fixtureSeq struct {
	sync.Mutex
	n int
}

// Fixture creates the standard fixture in db. E-mails and slugs are unique
// per call, so a test may build several fixtures in one database.
func Fixture(t testing.TB, db *store.DB) Fix {
	t.Helper()
	ctx := context.Background()
	fixtureSeq.Lock()
	fixtureSeq.n++
	n := fixtureSeq.n
	fixtureSeq.Unlock()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	tag := fmt.Sprintf("%d%s", n, hex.EncodeToString(b[:]))
	hash := passwordHash(t)

	var f Fix
	err := db.Tx(ctx, func(q store.Q) error {
		var err error
		must := func(e error) {
			if err == nil && e != nil {
				err = e
			}
		}
		var e error
		f.WS, e = q.CreateWorkspace(ctx, "Loja "+tag, "loja-"+tag)
		must(e)
		if err != nil {
			return err
		}
		ws := f.WS.ID
		f.Vendas, e = q.CreateDepartment(ctx, ws, "Vendas", true)
		must(e)
		f.Financeiro, e = q.CreateDepartment(ctx, ws, "Financeiro", false)
		must(e)
		if err != nil {
			return err
		}
		user := func(name string, role access.Role, scope access.Scope, depts ...int64) store.User {
			u, e := q.CreateUser(ctx, store.User{WorkspaceID: ws, Email: name + "-" + tag + "@example.com", Name: name,
				Role: role, Scope: scope, PasswordHash: hash, DepartmentIDs: depts})
			must(e)
			return u
		}
		f.Admin = user("Admin", access.RoleAdmin, access.ScopeDepartment)
		f.Supervisor = user("Supervisor", access.RoleSupervisor, access.ScopeDepartment, f.Vendas.ID)
		f.AgentA = user("AgentA", access.RoleAgent, access.ScopeDepartment, f.Vendas.ID)
		f.AgentB = user("AgentB", access.RoleAgent, access.ScopeDepartment, f.Financeiro.ID)
		f.AgentC = user("AgentC", access.RoleAgent, access.ScopeAssigned, f.Vendas.ID)
		f.ChannelToken = auth.PrefixChannel + tag + "_one"
		f.Channel, e = q.CreateChannel(ctx, store.Channel{WorkspaceID: ws, Kind: "api", Name: "App"}, auth.HashToken(f.ChannelToken))
		must(e)
		if err != nil {
			return err
		}

		f.WS2, e = q.CreateWorkspace(ctx, "Outra "+tag, "outra-"+tag)
		must(e)
		if err != nil {
			return err
		}
		ws2 := f.WS2.ID
		f.Dept2, e = q.CreateDepartment(ctx, ws2, "Suporte", true)
		must(e)
		if err != nil {
			return err
		}
		ws = ws2
		f.Admin2 = user("Admin2", access.RoleAdmin, access.ScopeDepartment)
		f.Agent2 = user("Agent2", access.RoleAgent, access.ScopeDepartment, f.Dept2.ID)
		f.Channel2Token = auth.PrefixChannel + tag + "_two"
		f.Channel2, e = q.CreateChannel(ctx, store.Channel{WorkspaceID: ws2, Kind: "api", Name: "App 2"}, auth.HashToken(f.Channel2Token))
		must(e)
		return err
	})
	if err != nil {
		t.Fatalf("storetest: fixture: %v", err)
	}
	// Department member lists as the store reports them.
	f.Vendas, err = db.R().Department(ctx, f.WS.ID, f.Vendas.ID)
	if err == nil {
		f.Financeiro, err = db.R().Department(ctx, f.WS.ID, f.Financeiro.ID)
	}
	if err == nil {
		f.Dept2, err = db.R().Department(ctx, f.WS2.ID, f.Dept2.ID)
	}
	if err != nil {
		t.Fatalf("storetest: fixture departments: %v", err)
	}
	return f
}

// Each runs fn as a subtest for every engine of Engines, each with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(e, func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}
