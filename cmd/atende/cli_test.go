package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/demo"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/testproc"
	"github.com/atende/atende/web"
)

// These tests call run in-process, as main does, with an environment map
// instead of the process environment.

type mapEnv map[string]string

func (m mapEnv) get(k string) string { return m[k] }

// sqliteEnv is the environment of a fresh SQLite data dir.
func sqliteEnv(t *testing.T) mapEnv {
	return mapEnv{"ATENDE_DATA_DIR": t.TempDir(), "ATENDE_LOG_LEVEL": "warn"}
}

// syncBuffer is a bytes.Buffer safe for a server goroutine writing while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runCLI runs one command and returns its standard output.
func runCLI(env mapEnv, stdin string, args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, env.get, strings.NewReader(stdin), &out, &bytes.Buffer{})
	return out.String(), err
}

func mustCreateUser(t *testing.T, env mapEnv, workspace, email string, role access.Role, password string) {
	t.Helper()
	if out, err := runCLI(env, password+"\n", "user", "create", "--workspace", workspace, "--email", email,
		"--role", string(role), "--password-stdin"); err != nil {
		t.Fatalf("user create %s: %v (output %q)", email, err, out)
	}
}

func openSQLiteStore(t *testing.T, env mapEnv) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "", env["ATENDE_DATA_DIR"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestCLIUserCreate(t *testing.T) {
	env := sqliteEnv(t)
	ctx := context.Background()

	t.Run("refuses a password without --password-stdin", func(t *testing.T) {
		_, err := runCLI(env, "a-strong-password\n", "user", "create", "--workspace", "Acme", "--email", "ana@acme.test")
		if err == nil || !strings.Contains(err.Error(), "--password-stdin") {
			t.Fatalf("err = %v, want one that asks for --password-stdin", err)
		}
		if _, err := os.Stat(filepath.Join(env["ATENDE_DATA_DIR"], "atende.db")); !os.IsNotExist(err) {
			t.Errorf("the refused command touched the database (stat: %v)", err)
		}
	})

	t.Run("creates the workspace when missing", func(t *testing.T) {
		out, err := runCLI(env, "a-strong-password\r\n", "user", "create", "--workspace", "Acme Ltda", "--email", " Ana@Acme.test ",
			"--name", "Ana", "--role", "admin", "--password-stdin")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "created admin ana@acme.test") || !strings.Contains(out, `in workspace "Acme Ltda"`) {
			t.Errorf("output %q", out)
		}
		db := openSQLiteStore(t, env)
		ws, err := db.R().WorkspaceBySlug(ctx, "acme-ltda")
		if err != nil {
			t.Fatalf("workspace not created: %v", err)
		}
		u, err := db.R().UserByEmail(ctx, "ana@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		if u.WorkspaceID != ws.ID || u.Role != access.RoleAdmin || u.Name != "Ana" || !u.Active {
			t.Errorf("user %+v in workspace %+v", u, ws)
		}
		if err := auth.CheckPassword(u.PasswordHash, "a-strong-password"); err != nil {
			t.Errorf("the password read from stdin (newline trimmed) does not sign in: %v", err)
		}

		// a second user of the same workspace joins it instead of creating another
		mustCreateUser(t, env, "Acme Ltda", "bruno@acme.test", access.RoleAgent, "another-password")
		b, err := db.R().UserByEmail(ctx, "bruno@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		if b.WorkspaceID != ws.ID || b.Role != access.RoleAgent {
			t.Errorf("second user %+v, want role agent in workspace %d", b, ws.ID)
		}
	})

	t.Run("a duplicate e-mail fails clearly", func(t *testing.T) {
		_, err := runCLI(env, "yet-another-password\n", "user", "create", "--workspace", "Acme Ltda", "--email", "ANA@acme.test", "--password-stdin")
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("err = %v, want one saying the user already exists", err)
		}
		db := openSQLiteStore(t, env)
		if n, err := db.R().CountUsers(ctx); err != nil || n != 2 {
			t.Errorf("users: %d (%v), want 2", n, err)
		}
	})

	t.Run("validates its input", func(t *testing.T) {
		for _, tc := range []struct {
			args     []string
			password string
			want     string
		}{
			{[]string{"--workspace", "Acme", "--email", "short@acme.test"}, "short", "at least"},
			{[]string{"--workspace", "Acme", "--email", "not-an-email"}, "a-strong-password", "email"},
			{[]string{"--email", "nows@acme.test"}, "a-strong-password", "workspace"},
			{[]string{"--workspace", "Acme", "--email", "role@acme.test", "--role", "owner"}, "a-strong-password", "role"},
		} {
			args := append(append([]string{"user", "create"}, tc.args...), "--password-stdin")
			if _, err := runCLI(env, tc.password, args...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: err = %v, want one mentioning %q", tc.args, err, tc.want)
			}
		}
	})
}

// servedProcess is `atende serve` running in-process.
type servedProcess struct {
	base     string
	stdout   *syncBuffer
	stderr   *syncBuffer
	done     chan error
	shutdown context.CancelFunc
}

// startServe runs `atende serve args…` in a goroutine on a free port and
// waits until it prints that it is running.
func startServe(t *testing.T, env mapEnv, args ...string) *servedProcess {
	t.Helper()
	addr := testproc.FreeAddr(t)
	env["ATENDE_ADDR"] = addr
	env["ATENDE_BASE_URL"] = "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	s := &servedProcess{base: "http://" + addr, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1), shutdown: cancel}
	go func() {
		s.done <- run(ctx, append([]string{"serve"}, args...), env.get, strings.NewReader(""), s.stdout, s.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not return within 30s of its context ending")
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(s.stdout.String(), "Atende is running at "+s.base) {
		select {
		case err := <-s.done:
			t.Fatalf("serve returned before running: %v\nstderr: %s", err, s.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start within 60s; stdout %q", s.stdout.String())
		}
	}
	return s
}

// stop cancels serve's context (what SIGTERM does) and returns run's result.
func (s *servedProcess) stop(t *testing.T) error {
	t.Helper()
	s.shutdown()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return within 30s of its context ending")
		return nil
	}
}

func TestCLITokenCreate(t *testing.T) {
	env := sqliteEnv(t)
	mustCreateUser(t, env, "Acme", "ana@acme.test", access.RoleAdmin, "a-strong-password")

	if _, err := runCLI(env, "", "token", "create", "--email", "nobody@acme.test"); err == nil || !strings.Contains(err.Error(), "nobody@acme.test") {
		t.Errorf("token for an unknown e-mail: err = %v, want one naming the e-mail", err)
	}
	out, err := runCLI(env, "", "token", "create", "--email", "ana@acme.test", "--name", "ci")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	if !strings.HasPrefix(token, auth.PrefixUser) || strings.Count(out, "\n") != 1 || len(token) < len(auth.PrefixUser)+20 {
		t.Fatalf("token create printed %q, want one %s… token on one line", out, auth.PrefixUser)
	}

	s := startServe(t, env)
	var me struct {
		User      store.User      `json:"user"`
		Workspace store.Workspace `json:"workspace"`
	}
	newAPIClient(s.base, token).must(t, "GET", "/api/v1/me", nil, &me)
	if me.User.Email != "ana@acme.test" || me.Workspace.Slug != "acme" {
		t.Errorf("the token authenticates as %+v in %+v", me.User, me.Workspace)
	}
	if code, err := newAPIClient(s.base, token[:len(token)-1]+"x").do("GET", "/api/v1/me", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("an altered token: %d %v, want 401", code, err)
	}
	var tokens struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	newAPIClient(s.base, token).must(t, "GET", "/api/v1/tokens", nil, &tokens)
	if len(tokens.Items) != 1 || tokens.Items[0].Name != "ci" {
		t.Errorf("tokens: %+v, want the one named ci", tokens.Items)
	}
}

func TestCLIMigrateIsIdempotent(t *testing.T) {
	appliedRe := regexp.MustCompile(`^applied (\d+) migration\(s\) on (\w+)\n$`)
	// check migrates twice and returns how many migrations the first run applied
	check := func(t *testing.T, env mapEnv, dialect string) (all int) {
		for i, want := range []string{"", "0"} {
			out, err := runCLI(env, "", "migrate")
			if err != nil {
				t.Fatalf("migrate #%d: %v", i+1, err)
			}
			m := appliedRe.FindStringSubmatch(out)
			if m == nil || m[2] != dialect || (want == "" && m[1] == "0") || (want != "" && m[1] != want) {
				t.Errorf("migrate #%d printed %q", i+1, out)
			}
			if i == 0 && m != nil {
				all, _ = strconv.Atoi(m[1])
			}
		}
		return all
	}
	t.Run("sqlite", func(t *testing.T) { check(t, sqliteEnv(t), "sqlite") })
	t.Run("postgres", func(t *testing.T) {
		server := os.Getenv(envPostgres)
		if server == "" {
			skipLoudly(t, "%s not set: migrate on PostgreSQL NOT tested", envPostgres)
		}
		env := sqliteEnv(t)
		env["ATENDE_DATABASE_URL"] = testproc.FreshPostgres(t, server, "atende_cli")
		all := check(t, env, "postgres")

		// several nodes migrating one empty database at once must all
		// succeed, and apply each migration once: each migration is its own
		// transaction under the lock, so runs may share the work
		env["ATENDE_DATABASE_URL"] = testproc.FreshPostgres(t, server, "atende_cli")
		var wg sync.WaitGroup
		errs := make([]error, 4)
		outs := make([]string, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i], errs[i] = runCLI(env, "", "migrate")
			}()
		}
		wg.Wait()
		applied := 0
		for i, err := range errs {
			if err != nil {
				t.Errorf("concurrent migrate #%d: %v", i+1, err)
			} else if m := appliedRe.FindStringSubmatch(outs[i]); m != nil {
				n, _ := strconv.Atoi(m[1])
				applied += n
			}
		}
		if applied != all {
			t.Errorf("concurrent runs applied %d migrations in all, want each of the %d once: %q", applied, all, outs)
		}
	})
}

func TestCLIServeFirstStartPrintsSetup(t *testing.T) {
	env := sqliteEnv(t)
	s := startServe(t, env)
	out := s.stdout.String()
	m := regexp.MustCompile(`open ` + regexp.QuoteMeta(s.base) + `/setup\?token=(` + auth.PrefixSetup + `\S+)\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no setup link in %q", out)
	}
	for _, want := range []string{"No users yet", "atende user create --workspace", "--role admin --password-stdin"} {
		if !strings.Contains(out, want) {
			t.Errorf("first start output lacks %q:\n%s", want, out)
		}
	}

	// the printed link works, once
	api := newAPIClient(s.base, "")
	var status struct {
		NeedsSetup bool `json:"needs_setup"`
	}
	api.must(t, "GET", "/api/v1/setup", nil, &status)
	if !status.NeedsSetup {
		t.Error("GET /api/v1/setup: needs_setup false on a first start")
	}
	body := map[string]string{"token": m[1], "workspace": "Acme", "name": "Ana", "email": "ana@acme.test", "password": "a-strong-password"}
	if code, err := api.do("POST", "/api/v1/setup", map[string]string{"token": m[1] + "x", "workspace": "Evil", "email": "e@evil.test", "password": "a-strong-password"}, nil); code != http.StatusForbidden {
		t.Errorf("setup with a wrong token: %d %v, want 403", code, err)
	}
	if code, err := api.do("POST", "/api/v1/setup", body, nil); code != http.StatusCreated {
		t.Fatalf("setup with the printed token: %d %v", code, err)
	}
	if code, _ := api.do("POST", "/api/v1/setup", body, nil); code != http.StatusForbidden {
		t.Errorf("second setup: %d, want 403", code)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve: %v", err)
	}

	// once a user exists, a restart prints no setup link
	s = startServe(t, env)
	if out := s.stdout.String(); strings.Contains(out, "setup?token=") || strings.Contains(out, "No users yet") {
		t.Errorf("restart with a user still offers setup:\n%s", out)
	}
}

// TestCLIReportsTheWebApp: `atende version`, the start banner and
// /healthz agree on whether the web app is built into the binary, and
// ?require=ui fails exactly when it is not.
func TestCLIReportsTheWebApp(t *testing.T) {
	state, requireUI := "missing", http.StatusServiceUnavailable
	if web.Embedded() {
		state, requireUI = "embedded", http.StatusOK
	}
	out, err := runCLI(mapEnv{}, "", "version")
	if err != nil || out != "atende "+version+" (ui: "+state+")\n" {
		t.Errorf("version printed %q (%v), want the ui state %q", out, err, state)
	}
	s := startServe(t, sqliteEnv(t))
	if banner := s.stdout.String(); !strings.Contains(banner, "ui: "+state+")") {
		t.Errorf("start banner does not say ui: %s:\n%s", state, banner)
	}
	for path, want := range map[string]struct {
		code int
		body string
	}{
		"/healthz":            {http.StatusOK, `{"status":"ok","ui":"` + state + `"}`},
		"/healthz?require=ui": {requireUI, `"ui":"` + state + `"`},
	} {
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want.code || !strings.Contains(string(b), want.body) {
			t.Errorf("GET %s: %d %s, want %d with %s", path, resp.StatusCode, b, want.code, want.body)
		}
	}
	// without the app, / is the stub that says how to build it
	if !web.Embedded() {
		resp, err := http.Get(s.base + "/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "not built into this binary") || !strings.Contains(string(b), "make build") {
			t.Errorf("GET / without the web app: %s", b)
		}
	}
}

func TestCLIServeDemo(t *testing.T) {
	env := sqliteEnv(t)
	s := startServe(t, env, "--demo")
	out := s.stdout.String()
	for _, want := range []string{"Demo workspace ready", "password: " + demo.Password, "admin@demo.atende.local", "carla@demo.atende.local"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "setup?token=") {
		t.Errorf("demo start offers setup:\n%s", out)
	}

	conversations := func(email string) int {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := apiClient{base: s.base, client: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
		c.must(t, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": demo.Password}, nil)
		var page struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		c.must(t, "GET", "/api/v1/conversations?limit=200", nil, &page)
		return len(page.Items)
	}
	all, carla := conversations("admin@demo.atende.local"), conversations("carla@demo.atende.local")
	if all == 0 {
		t.Fatal("the demo admin sees no conversations")
	}
	if carla >= all {
		t.Errorf("carla (only assigned) sees %d conversations, the admin %d: want fewer", carla, all)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve: %v", err)
	}

	// a second --demo start on the same data keeps the workspace as it is
	s = startServe(t, env, "--demo")
	if again := conversations("admin@demo.atende.local"); again != all {
		t.Errorf("after a restart with --demo the admin sees %d conversations, before %d", again, all)
	}
}

// TestCLIServeShutdownDrains ends serve's context (SIGTERM in main) while a
// delivery to the app is in flight: serve returns nil only after the
// delivery finished and was recorded, and WebSocket clients are told the
// server is going away.
func TestCLIServeShutdownDrains(t *testing.T) {
	env := sqliteEnv(t)
	mustCreateUser(t, env, "Acme", "ana@acme.test", access.RoleAdmin, "a-strong-password")
	out, err := runCLI(env, "", "token", "create", "--email", "ana@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	s := startServe(t, env)
	api := newAPIClient(s.base, token)

	started := make(chan struct{}, 1)
	var finished atomic.Bool
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
		time.Sleep(time.Second)
		finished.Store(true)
		w.WriteHeader(http.StatusOK)
	}))
	defer app.Close()
	var ch createdChannel
	api.must(t, "POST", "/api/v1/channels", map[string]any{"kind": "api", "name": "App", "callback_url": app.URL}, &ch)
	var in struct {
		ConversationID int64 `json:"conversation_id"`
	}
	newAPIClient(s.base, ch.Token).must(t, "POST", "/api/v1/channels/api/messages",
		map[string]any{"message_id": "m1", "contact": map[string]string{"id": "c1"}, "text": "oi"}, &in)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(s.base, "http://", "ws://", 1)+"/api/v1/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	wsClosed := make(chan error, 1)
	go func() {
		for {
			if _, _, err := ws.Read(ctx); err != nil {
				wsClosed <- err
				return
			}
		}
	}()

	var m sentMessage
	api.must(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", in.ConversationID), map[string]string{"kind": "reply", "content": "olá"}, &m)
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the reply was not delivered to the app")
	}
	stopped := time.Now()
	if err := s.stop(t); err != nil {
		t.Fatalf("serve returned %v after its context ended, want nil", err)
	}
	if !finished.Load() {
		t.Error("serve returned before the delivery in flight finished")
	}
	t.Logf("serve drained and returned %v after shutdown began", time.Since(stopped).Round(time.Millisecond))
	select {
	case err := <-wsClosed:
		if websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Errorf("websocket ended with %v, want close status 1001 going away", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("the websocket stayed open after shutdown")
	}

	// the finished delivery was recorded before serve returned
	db, err := sql.Open("sqlite", "file:"+filepath.Join(env["ATENDE_DATA_DIR"], "atende.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var status, jobStatus string
	if err := db.QueryRow(`SELECT status FROM messages WHERE id = $1`, m.ID).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT status FROM jobs WHERE kind = $1`, conversation.JobDeliver).Scan(&jobStatus); err != nil {
		t.Fatal(err)
	}
	if status != store.DeliverySent || jobStatus != "done" {
		t.Errorf("after shutdown: reply %q, delivery job %q; want sent, done", status, jobStatus)
	}
}
