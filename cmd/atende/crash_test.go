package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver, to inspect the database the server wrote
	_ "modernc.org/sqlite"             // "sqlite" driver, likewise

	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/testproc"
)

// Environment variables of the process tests.
const (
	envPostgres    = "ATENDE_TEST_POSTGRES_URL"
	envNATS        = "ATENDE_TEST_NATS_URL"
	envCrashRounds = "ATENDE_CRASH_ROUNDS"   // long form of TestCrashRecovery: number of SIGKILLs
	envCrashMsgs   = "ATENDE_CRASH_MESSAGES" // optional: inbound messages in the long form
)

func TestMain(m *testing.M) {
	code := m.Run()
	testproc.Cleanup()
	os.Exit(code)
}

// atendeBinary builds this command once per test binary.
func atendeBinary(t *testing.T) string { return testproc.Binary(t, ".") }

// skipLoudly skips t, also printing the reason on stderr so that a green run
// without the services is not mistaken for coverage of them.
func skipLoudly(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(os.Stderr, "WARNING: %s: %s\n", t.Name(), msg)
	t.Skip(msg)
}

// apiClient calls the REST API of a server under test.
type apiClient struct {
	base, token string
	client      *http.Client
}

func newAPIClient(base, token string) apiClient {
	return apiClient{base: base, token: token, client: &http.Client{Timeout: 10 * time.Second}}
}

// do sends body as JSON and decodes a 2xx answer into out; any other
// status is an error carrying the body.
func (a apiClient) do(method, path string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, a.base+path, r)
	if err != nil {
		return 0, err
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode %q: %w", method, path, b, err)
		}
	}
	return resp.StatusCode, nil
}

func (a apiClient) must(t *testing.T, method, path string, body, out any) {
	t.Helper()
	if _, err := a.do(method, path, body, out); err != nil {
		t.Fatal(err)
	}
}

// createdChannel is the answer to POST /api/v1/channels.
type createdChannel struct {
	ID     int64  `json:"id"`
	Token  string `json:"token"`
	Secret string `json:"secret"`
}

// sentMessage is the part of a message the tests read.
type sentMessage struct {
	ID             int64   `json:"id"`
	ConversationID int64   `json:"conversation_id"`
	Direction      string  `json:"direction"`
	Content        string  `json:"content"`
	ExternalID     *string `json:"external_id"`
	Status         string  `json:"status"`
}

func deliveryKey(messageID int64) string { return "msg-" + strconv.FormatInt(messageID, 10) }

// callbackRecorder plays the company's app behind an API channel's callback
// URL: it checks each delivery's signature and records it by Idempotency-Key,
// answering 500 while failing is set.
type callbackRecorder struct {
	failing   atomic.Bool
	delay     time.Duration // added before answering 2xx
	failDelay time.Duration // added before answering 500, so deliveries are in flight when the server dies
	// hang: record a delivery as accepted but never answer it, until the
	// sender goes away (the server is killed before it learns of the success)
	hang     atomic.Bool
	inflight atomic.Int64 // deliveries being answered

	mu        sync.Mutex
	secret    string
	ok        map[string]int       // deliveries answered 2xx, by key
	firstOK   map[string]time.Time // when a key was first answered 2xx
	refused   map[string]int       // deliveries answered 500, by key
	problems  []string             // bad signatures or payloads
	okTotal   int
	refusedN  int
	bodyByKey map[string]apichannel.OutboundPayload
}

func newCallbackRecorder() *callbackRecorder {
	return &callbackRecorder{ok: map[string]int{}, firstOK: map[string]time.Time{}, refused: map[string]int{},
		bodyByKey: map[string]apichannel.OutboundPayload{}}
}

func (c *callbackRecorder) setSecret(s string) {
	c.mu.Lock()
	c.secret = s
	c.mu.Unlock()
}

func (c *callbackRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	key := r.Header.Get(apichannel.HeaderDelivery)
	ts, _ := strconv.ParseInt(r.Header.Get(apichannel.HeaderTimestamp), 10, 64)
	var p apichannel.OutboundPayload
	perr := json.Unmarshal(body, &p)
	c.inflight.Add(1)
	defer c.inflight.Add(-1)

	c.mu.Lock()
	if got, want := r.Header.Get(apichannel.HeaderSignature), apichannel.Sign(c.secret, ts, body); got != want {
		c.problems = append(c.problems, fmt.Sprintf("%s: signature %q, want %q", key, got, want))
	}
	if perr != nil || key != deliveryKey(p.Message.ID) || p.Event != "message.created" {
		c.problems = append(c.problems, fmt.Sprintf("%s: payload %s (err %v)", key, body, perr))
	}
	if c.failing.Load() {
		c.refused[key]++
		c.refusedN++
		c.mu.Unlock()
		time.Sleep(c.failDelay)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if c.ok[key] == 0 {
		c.firstOK[key] = time.Now()
	}
	c.ok[key]++
	c.okTotal++
	c.bodyByKey[key] = p
	c.mu.Unlock()
	if c.hang.Load() {
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
		return
	}
	if c.delay > 0 {
		time.Sleep(c.delay)
	}
	w.WriteHeader(http.StatusOK)
}

// count returns how often key was answered 2xx and 500.
func (c *callbackRecorder) count(key string) (ok, refused int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ok[key], c.refused[key]
}

func (c *callbackRecorder) checkProblems(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.problems {
		t.Errorf("callback: %s", p)
	}
}

// waitFor polls cond every 10ms and fails the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// crashPlan sizes TestCrashRecovery.
type crashPlan struct {
	kills, messages, contacts, senders int
}

func crashPlanFromEnv(t *testing.T) crashPlan {
	p := crashPlan{kills: 3, messages: 300, contacts: 12, senders: 4}
	if v := os.Getenv(envCrashRounds); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number of kills", envCrashRounds, v)
		}
		p.kills, p.messages, p.contacts = n, 150*(n+1), 40
	}
	if v := os.Getenv(envCrashMsgs); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < p.kills+1 {
			t.Fatalf("%s=%q: want a number of messages above the number of kills", envCrashMsgs, v)
		}
		p.messages = n
	}
	return p
}

// TestCrashRecovery SIGKILLs a real `atende serve` process several times
// while an app pushes inbound messages (retrying until acknowledged) and
// while agent replies wait in the job queue, then checks that nothing
// acknowledged was lost or stored twice and that every queued reply reached
// the app after the restart. `make test` runs the short form (3 kills);
// ATENDE_CRASH_ROUNDS=N runs N kills (`make soak`). The PostgreSQL variant
// runs when ATENDE_TEST_POSTGRES_URL is set.
func TestCrashRecovery(t *testing.T) {
	bin := atendeBinary(t)
	plan := crashPlanFromEnv(t)
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		runCrash(t, bin, plan, "")
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		server := os.Getenv(envPostgres)
		if server == "" {
			skipLoudly(t, "%s not set: crash recovery on PostgreSQL NOT tested", envPostgres)
		}
		runCrash(t, bin, plan, testproc.FreshPostgres(t, server, "atende_crash"))
	})
}

type reply struct {
	id, conversation int64
	restartedAt      time.Time // when the server that must deliver it was up again
}

func runCrash(t *testing.T, bin string, plan crashPlan, databaseURL string) {
	began := time.Now()
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	logPath := filepath.Join(dir, "server.log")
	addr := testproc.FreeAddr(t)
	base := "http://" + addr
	env := testproc.Env("ATENDE_ADDR="+addr, "ATENDE_DATA_DIR="+dataDir, "ATENDE_BASE_URL="+base, "ATENDE_LOG_LEVEL=warn",
		"ATENDE_JOB_LEASE=3s", "ATENDE_JOB_BACKOFF=100ms")
	if databaseURL != "" {
		env = append(env, "ATENDE_DATABASE_URL="+databaseURL)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log (tail):\n%s", testproc.Tail(logPath, 80))
		}
	})

	if _, err := testproc.Run(bin, []string{"user", "create", "--workspace", "Crash Test", "--email", "admin@crash.test",
		"--name", "Admin", "--role", "admin", "--password-stdin"}, env, "crash-test-password\n"); err != nil {
		t.Fatal(err)
	}
	out, err := testproc.Run(bin, []string{"token", "create", "--email", "admin@crash.test"}, env, "")
	if err != nil {
		t.Fatal(err)
	}
	admin := newAPIClient(base, strings.TrimSpace(out))

	start := func() *testproc.Proc {
		t.Helper()
		p := testproc.Start(t, bin, []string{"serve"}, env, logPath)
		if err := p.WaitReady(base, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// the app's callback server closes after every server process is gone
	// (cleanups run last-registered first), so no delivery hangs it
	rec := newCallbackRecorder()
	rec.failDelay = 300 * time.Millisecond
	cb := httptest.NewServer(rec)
	t.Cleanup(cb.Close)
	srv := start()
	var ch createdChannel
	admin.must(t, "POST", "/api/v1/channels", map[string]any{"kind": "api", "name": "App", "callback_url": cb.URL + "/callback"}, &ch)
	rec.setSecret(ch.Secret)

	// The app: senders push every message until it is acknowledged with a 2xx.
	msgID := func(i int) string { return fmt.Sprintf("crash-%05d", i) }
	msgText := func(i int) string { return fmt.Sprintf("message %d from the app", i) }
	var (
		acked      = make([]atomic.Bool, plan.messages)
		ackedN     atomic.Int64
		retries    atomic.Int64 // attempts refused or cut (transport error, non-2xx)
		dupAcks    atomic.Int64 // acknowledged as duplicates: an earlier attempt had committed
		next       atomic.Int64
		convMu     sync.Mutex
		convs      = map[int64]bool{}
		wg         sync.WaitGroup
		sctx, stop = context.WithCancel(context.Background())
	)
	t.Cleanup(func() { stop(); wg.Wait() })
	inboundClient := &http.Client{Timeout: 5 * time.Second}
	send := func(i int) bool {
		body, _ := json.Marshal(apichannel.InboundPayload{MessageID: msgID(i), Text: msgText(i),
			Contact: apichannel.ContactPayload{ID: fmt.Sprintf("contact-%03d", i%plan.contacts), Name: fmt.Sprintf("Contact %d", i%plan.contacts)}})
		for {
			req, _ := http.NewRequestWithContext(sctx, "POST", base+"/api/v1/channels/api/messages", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+ch.Token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := inboundClient.Do(req)
			if err == nil {
				var res struct {
					ConversationID int64 `json:"conversation_id"`
					Duplicate      bool  `json:"duplicate"`
				}
				derr := json.NewDecoder(resp.Body).Decode(&res)
				resp.Body.Close()
				if resp.StatusCode/100 == 2 && derr == nil {
					if res.Duplicate {
						dupAcks.Add(1)
					}
					convMu.Lock()
					convs[res.ConversationID] = true
					convMu.Unlock()
					acked[i].Store(true)
					ackedN.Add(1)
					return true
				}
			}
			retries.Add(1)
			select {
			case <-sctx.Done():
				return false
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	for range plan.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= plan.messages || !send(i) {
					return
				}
			}
		}()
	}

	// The chaos: kill the server at evenly spaced points of the stream. In
	// odd rounds, first queue agent replies while the app answers 500 (some
	// attempts in flight at the kill); in even rounds after the first, let
	// the app accept replies the server dies before hearing back about.
	convIDs := func() []int64 {
		convMu.Lock()
		defer convMu.Unlock()
		ids := make([]int64, 0, len(convs))
		for id := range convs {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		return ids
	}
	var replies, redelivered []reply
	var downtimes []time.Duration
	inflightAtKill := 0
	for k := range plan.kills {
		threshold := int64(plan.messages * (k + 1) / (plan.kills + 1))
		waitFor(t, 30*time.Second, fmt.Sprintf("%d acknowledged messages before kill %d", threshold, k+1),
			func() bool { return ackedN.Load() >= threshold })
		withReplies := k%2 == 1 || plan.kills == 1
		var round []reply
		if withReplies {
			rec.failing.Store(true)
			round = postReplies(t, admin, convIDs(), 6, 2, fmt.Sprintf("before kill %d", k+1))
			// every reply has been tried and refused at least once: its job
			// is now waiting to retry or leased by the server we kill
			waitFor(t, 10*time.Second, "a refused delivery attempt of every reply", func() bool {
				for _, r := range round {
					if _, refused := rec.count(deliveryKey(r.id)); refused == 0 {
						return false
					}
				}
				return true
			})
			// and some are being attempted right now: their jobs are leased
			// by the server we kill and must be claimed again after the lease
			waitFor(t, 10*time.Second, "a delivery attempt in flight", func() bool { return rec.inflight.Load() > 0 })
			inflightAtKill += int(rec.inflight.Load())
		}
		// in the other rounds after the first, the app accepts replies but the
		// server dies before it reads the answer: they must be sent again
		var accepted []reply
		if k%2 == 0 && k > 0 {
			rec.hang.Store(true)
			accepted = postReplies(t, admin, convIDs(), 4, 1, fmt.Sprintf("accepted before kill %d", k+1))
			waitFor(t, 10*time.Second, "every reply accepted by the app", func() bool {
				for _, r := range accepted {
					if ok, _ := rec.count(deliveryKey(r.id)); ok == 0 {
						return false
					}
				}
				return true
			})
		}
		killed := time.Now()
		srv.Kill()
		rec.hang.Store(false)
		redelivered = append(redelivered, accepted...)
		time.Sleep(time.Duration(rand.IntN(150)) * time.Millisecond)
		srv = start()
		up := time.Now()
		downtimes = append(downtimes, up.Sub(killed).Round(time.Millisecond))
		if withReplies {
			for i := range round {
				round[i].restartedAt = up
			}
			replies = append(replies, round...)
			rec.failing.Store(false)
		}
	}
	if len(replies) == 0 {
		t.Fatal("no replies were queued before a kill")
	}

	waitFor(t, 30*time.Second, "every message acknowledged", func() bool { return ackedN.Load() == int64(plan.messages) })
	wg.Wait()

	// Every reply queued before a kill reaches the app afterwards and is marked sent.
	waitFor(t, 30*time.Second, "every reply queued before a kill delivered", func() bool {
		for _, r := range replies {
			if ok, _ := rec.count(deliveryKey(r.id)); ok == 0 {
				return false
			}
		}
		return true
	})
	waitFor(t, 30*time.Second, "every reply whose acceptance the killed server missed delivered again", func() bool {
		for _, r := range redelivered {
			if ok, _ := rec.count(deliveryKey(r.id)); ok < 2 {
				return false
			}
		}
		return true
	})
	all := append(slices.Clone(replies), redelivered...)
	waitFor(t, 15*time.Second, `every reply marked "sent"`, func() bool {
		st, err := messageStatuses(admin, all)
		if err != nil {
			t.Log(err)
			return false
		}
		for _, r := range all {
			if st[r.id] != "sent" {
				return false
			}
		}
		return true
	})
	rec.mu.Lock()
	extraDeliveries := 0
	for _, r := range replies {
		key := deliveryKey(r.id)
		extraDeliveries += rec.ok[key] - 1
		if first := rec.firstOK[key]; first.Before(r.restartedAt) {
			t.Errorf("reply %d accepted by the app at %v, before the restart at %v that should deliver it", r.id, first, r.restartedAt)
		}
		if p := rec.bodyByKey[key]; p.Message.ConversationID != r.conversation || !strings.HasPrefix(p.Message.Text, "reply ") {
			t.Errorf("reply %d delivered as %+v", r.id, p.Message)
		}
	}
	refusedN := rec.refusedN
	rec.mu.Unlock()
	rec.checkProblems(t)

	if err := srv.Stop(25 * time.Second); err != nil {
		t.Errorf("SIGTERM: server did not stop cleanly: %v", err)
	}

	// The database: each acknowledged message exactly once, nothing else,
	// one contact and one conversation per app contact, no job left behind.
	driver, dsn := "sqlite", "file:"+filepath.Join(dataDir, "atende.db")+"?_pragma=busy_timeout(5000)"
	if databaseURL != "" {
		driver, dsn = "pgx", databaseURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored := map[string][]string{}
	rows, err := db.Query(`SELECT external_id, content FROM messages WHERE external_id IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, content string
		if err := rows.Scan(&id, &content); err != nil {
			t.Fatal(err)
		}
		stored[id] = append(stored[id], content)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	missing, doubled := 0, 0
	for i := range plan.messages {
		got := stored[msgID(i)]
		switch {
		case !acked[i].Load():
			t.Errorf("message %s never acknowledged", msgID(i))
		case len(got) == 0:
			missing++
			t.Errorf("acknowledged message %s is not stored", msgID(i))
		case len(got) > 1:
			doubled++
			t.Errorf("message %s stored %d times", msgID(i), len(got))
		case got[0] != msgText(i):
			t.Errorf("message %s stored with text %q, want %q", msgID(i), got[0], msgText(i))
		}
		delete(stored, msgID(i))
	}
	for id := range stored {
		t.Errorf("stored message %q was never sent", id)
	}
	for table, want := range map[string]int{"contacts": plan.contacts, "contact_identities": plan.contacts, "conversations": plan.contacts} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d rows, want %d (one per app contact)", table, n, want)
		}
	}
	// jobs due later by design (the time-based rules scan that queues its
	// next run) are not left behind
	jrows, err := db.Query(`SELECT id, kind, status, attempts, last_error FROM jobs WHERE status <> 'done' AND NOT (status = 'queued' AND run_at > $1)`,
		time.Now().UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	for jrows.Next() {
		var id, attempts int64
		var kind, status, lastErr string
		if err := jrows.Scan(&id, &kind, &status, &attempts, &lastErr); err != nil {
			t.Fatal(err)
		}
		t.Errorf("job %d (%s) left %s after %d attempts: %s", id, kind, status, attempts, lastErr)
	}
	jrows.Close()
	var outbound, sent int
	if err := db.QueryRow(`SELECT count(*), count(CASE WHEN status = 'sent' THEN 1 END) FROM messages WHERE direction = 'out'`).Scan(&outbound, &sent); err != nil {
		t.Fatal(err)
	}
	if outbound != len(all) || sent != len(all) {
		t.Errorf("outbound messages: %d, %d sent; want %d, all sent", outbound, sent, len(all))
	}

	t.Logf("crash recovery (%s): %d messages sent by %d senders for %d contacts, %d acknowledged (%d as duplicates of an attempt cut by a kill), "+
		"%d stored, %d missing, %d stored twice; %d attempts retried; %d SIGKILLs (down %v); "+
		"%d replies queued while the app answered 500 (%d refused attempts, %d in flight at the kill), all delivered after the restart and marked sent (%d redeliveries); "+
		"%d replies accepted by the app while the server died, all delivered again with the same Idempotency-Key and marked sent; %v total",
		map[bool]string{true: "postgres", false: "sqlite"}[databaseURL != ""], plan.messages, plan.senders, plan.contacts,
		ackedN.Load(), dupAcks.Load(), plan.messages-missing, missing, doubled, retries.Load(), plan.kills, downtimes,
		len(replies), refusedN, inflightAtKill, extraDeliveries, len(redelivered), time.Since(began).Round(time.Millisecond))
}

// messageStatuses reads the delivery status of replies through the API.
func messageStatuses(a apiClient, replies []reply) (map[int64]string, error) {
	out := map[int64]string{}
	seen := map[int64]bool{}
	for _, r := range replies {
		if seen[r.conversation] {
			continue
		}
		seen[r.conversation] = true
		before := ""
		for {
			var page struct {
				Items  []sentMessage `json:"items"`
				Before string        `json:"before"`
			}
			path := fmt.Sprintf("/api/v1/conversations/%d/messages?limit=200", r.conversation)
			if before != "" {
				path += "&before=" + url.QueryEscape(before)
			}
			if _, err := a.do("GET", path, nil, &page); err != nil {
				return nil, err
			}
			for _, m := range page.Items {
				if m.Direction == "out" {
					out[m.ID] = m.Status
				}
			}
			if page.Before == "" || len(page.Items) == 0 {
				break
			}
			before = page.Before
		}
	}
	return out, nil
}

// postReplies posts perConv agent replies to each of the first convs
// conversations and returns them, checking each is queued for delivery.
func postReplies(t *testing.T, a apiClient, ids []int64, convs, perConv int, note string) []reply {
	t.Helper()
	var out []reply
	for _, id := range ids[:min(convs, len(ids))] {
		for j := range perConv {
			var m sentMessage
			a.must(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", id),
				map[string]any{"kind": "reply", "content": fmt.Sprintf("reply %d.%d %s", id, j, note)}, &m)
			if m.Status != "pending" || m.Direction != "out" {
				t.Fatalf("new reply %+v: want direction out, status pending", m)
			}
			out = append(out, reply{id: m.ID, conversation: id})
		}
	}
	if len(out) == 0 {
		t.Fatal("no conversation to reply to")
	}
	return out
}
