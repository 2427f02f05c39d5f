// Package testproc runs the real atende binary from tests: it builds it once
// per test binary, starts and SIGKILLs server processes, runs CLI commands,
// and creates throw-away PostgreSQL databases. It is for tests only.
package testproc

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" database/sql driver
)

var (
	buildMu   sync.Mutex
	buildDir  string
	built     = map[string]string{}
	buildErrs = map[string]error{}
)

// Binary builds the Go package pkg (a path as `go build` takes it, relative
// to the test's working directory) once per test binary and returns the
// executable's path. Call Cleanup from TestMain to remove it.
func Binary(t testing.TB, pkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[pkg]; ok {
		return p
	}
	if err, ok := buildErrs[pkg]; ok {
		t.Fatalf("testproc: build %s failed earlier: %v", pkg, err)
	}
	fail := func(err error) string {
		buildErrs[pkg] = err
		t.Fatalf("testproc: build %s: %v", pkg, err)
		return ""
	}
	if buildDir == "" {
		d, err := os.MkdirTemp("", "atende-testproc-")
		if err != nil {
			return fail(err)
		}
		buildDir = d
	}
	out := filepath.Join(buildDir, fmt.Sprintf("bin%d", len(built)))
	start := time.Now()
	cmd := exec.Command(goTool(), "build", "-o", out, pkg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fail(fmt.Errorf("%w\n%s", err, stderr.String()))
	}
	t.Logf("testproc: built %s in %v", pkg, time.Since(start).Round(time.Millisecond))
	built[pkg] = out
	return out
}

func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Cleanup removes the binaries built by Binary.
func Cleanup() {
	buildMu.Lock()
	defer buildMu.Unlock()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
		buildDir = ""
		built = map[string]string{}
	}
}

// FreeAddr returns a loopback address ("127.0.0.1:port") that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testproc: free port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Env returns the process environment without any ATENDE_* variable (so a
// developer's shell settings cannot leak into the server under test), plus kv.
func Env(kv ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "ATENDE_") {
			env = append(env, e)
		}
	}
	return append(env, kv...)
}

// Run executes bin with args, env and stdin, and returns its standard output.
// A non-zero exit is an error carrying the standard error.
func Run(bin string, args, env []string, stdin string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w: %s", filepath.Base(bin), strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// Proc is a running server process. Its standard output and error are
// appended to a log file shared by every start of the same server.
type Proc struct {
	Cmd  *exec.Cmd
	done chan struct{}
	err  error // Wait's result, valid after done is closed
}

// Start runs bin with args and env, appending its output to logPath, and
// kills it when the test ends if it is still running.
func Start(t testing.TB, bin string, args, env []string, logPath string) *Proc {
	t.Helper()
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatalf("testproc: open log: %v", err)
	}
	fmt.Fprintf(logf, "---- %s start %s %s\n", time.Now().Format("15:04:05.000"), filepath.Base(bin), strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("testproc: start %s: %v", bin, err)
	}
	p := &Proc{Cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		fmt.Fprintf(logf, "---- %s exit: %v\n", time.Now().Format("15:04:05.000"), p.err)
		logf.Close()
		close(p.done)
	}()
	t.Cleanup(func() { p.Kill() })
	return p
}

// Kill sends SIGKILL and waits for the process to be gone. It is a no-op on
// a process that already exited.
func (p *Proc) Kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.Cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Stop sends SIGTERM and waits up to timeout for the process to exit,
// returning its exit error (nil for status 0). On timeout it kills it.
func (p *Proc) Stop(timeout time.Duration) error {
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		p.Kill()
		return fmt.Errorf("testproc: process did not exit within %v of SIGTERM", timeout)
	}
}

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// WaitReady polls baseURL/readyz until it answers 200, the process exits or
// timeout passes.
func (p *Proc) WaitReady(baseURL string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if p.Exited() {
			return fmt.Errorf("testproc: server exited before it was ready: %v", p.err)
		}
		resp, err := client.Get(baseURL + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(15 * time.Millisecond)
	}
	return fmt.Errorf("testproc: %s not ready within %v", baseURL, timeout)
}

// Tail returns the last n lines of the file at path.
func Tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// FreshPostgres creates an empty database named prefix_<random> on the
// server of serverURL (any database URL the tests may connect to with
// CREATEDB rights), returns its URL and drops it when the test ends.
func FreshPostgres(t testing.TB, serverURL, prefix string) string {
	t.Helper()
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatalf("testproc: parse postgres URL: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		t.Fatalf("testproc: open postgres: %v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := prefix + "_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("testproc: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE (PostgreSQL 13+) ends the connections of killed servers
		// that the server has not noticed yet.
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("testproc: drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
