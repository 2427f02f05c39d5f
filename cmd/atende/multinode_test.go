package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/testproc"
)

// TestTwoNodesShareOneWorkspace runs two `atende serve` processes on one
// PostgreSQL database and one NATS server: they start together on the empty
// database, an event of an inbound message posted to node A reaches a
// WebSocket client of node B, and replies posted on B are delivered to the
// app exactly once while both nodes' job runners compete for them.
func TestTwoNodesShareOneWorkspace(t *testing.T) {
	pgURL, natsURL := os.Getenv(envPostgres), os.Getenv(envNATS)
	if pgURL == "" || natsURL == "" {
		skipLoudly(t, "%s and %s must both be set: two nodes sharing PostgreSQL and NATS NOT tested", envPostgres, envNATS)
	}
	bin := atendeBinary(t)
	dbURL := testproc.FreshPostgres(t, pgURL, "atende_multi")
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	dir := t.TempDir()

	type node struct {
		name, base, log string
		env             []string
		proc            *testproc.Proc
	}
	nodes := make([]*node, 2)
	for i, name := range []string{"A", "B"} {
		addr := testproc.FreeAddr(t)
		n := &node{name: name, base: "http://" + addr, log: filepath.Join(dir, name+".log")}
		n.env = testproc.Env("ATENDE_ADDR="+addr, "ATENDE_DATA_DIR="+filepath.Join(dir, name), "ATENDE_BASE_URL="+n.base,
			"ATENDE_DATABASE_URL="+dbURL, "ATENDE_NATS_URL="+natsURL, "ATENDE_SECRET_KEY="+hex.EncodeToString(key), "ATENDE_LOG_LEVEL=warn",
			// few workers, so that node B cannot drain the queue alone before node A polls
			"ATENDE_WORKERS=2")
		nodes[i] = n
	}
	a, b := nodes[0], nodes[1]
	t.Cleanup(func() {
		if t.Failed() {
			for _, n := range nodes {
				t.Logf("node %s log (tail):\n%s", n.name, testproc.Tail(n.log, 40))
			}
		}
	})

	// Both nodes start at the same moment on the empty database: their
	// migrations must not trip over each other.
	for _, n := range nodes {
		n.proc = testproc.Start(t, bin, []string{"serve"}, n.env, n.log)
	}
	for _, n := range nodes {
		if err := n.proc.WaitReady(n.base, 30*time.Second); err != nil {
			t.Fatalf("node %s: %v", n.name, err)
		}
	}

	if _, err := testproc.Run(bin, []string{"user", "create", "--workspace", "Two Nodes", "--email", "admin@multi.test",
		"--role", "admin", "--password-stdin"}, a.env, "multi-node-password\n"); err != nil {
		t.Fatal(err)
	}
	out, err := testproc.Run(bin, []string{"token", "create", "--email", "admin@multi.test"}, b.env, "")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out)
	apiA, apiB := newAPIClient(a.base, token), newAPIClient(b.base, token)

	rec := newCallbackRecorder()
	rec.delay = 100 * time.Millisecond // keeps jobs running long enough for both runners to take some
	cb := httptest.NewServer(rec)
	t.Cleanup(cb.Close)
	var ch createdChannel
	apiA.must(t, "POST", "/api/v1/channels", map[string]any{"kind": "api", "name": "App", "callback_url": cb.URL}, &ch)
	rec.setSecret(ch.Secret)
	inbound := apiClient{base: a.base, token: ch.Token, client: &http.Client{Timeout: 10 * time.Second}}

	// A WebSocket client of node B (no Origin header: not a browser).
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(ctx, strings.Replace(b.base, "http://", "ws://", 1)+"/api/v1/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		t.Fatalf("websocket to node B: %v (response %+v)", err, resp)
	}
	defer ws.CloseNow()
	type arrival struct {
		externalID string
		content    string
		at         time.Time
	}
	arrivals := make(chan arrival, 1024)
	go func() {
		for {
			_, data, err := ws.Read(ctx)
			if err != nil {
				close(arrivals)
				return
			}
			at := time.Now()
			var e events.Event
			var m sentMessage
			if json.Unmarshal(data, &e) != nil || e.Type != events.MessageCreated || json.Unmarshal(e.Data, &m) != nil || m.ExternalID == nil {
				continue
			}
			arrivals <- arrival{externalID: *m.ExternalID, content: m.Content, at: at}
		}
	}()
	post := func(id, contact, text string) int64 {
		t.Helper()
		var res struct {
			ConversationID int64 `json:"conversation_id"`
		}
		if _, err := inbound.do("POST", "/api/v1/channels/api/messages",
			apichannel.InboundPayload{MessageID: id, Text: text, Contact: apichannel.ContactPayload{ID: contact}}, &res); err != nil {
			t.Fatal(err)
		}
		return res.ConversationID
	}
	await := func(id string, timeout time.Duration) (arrival, bool) {
		t.Helper()
		deadline := time.After(timeout)
		for {
			select {
			case got, ok := <-arrivals:
				if !ok {
					t.Fatal("websocket to node B closed")
				}
				if got.externalID == id {
					return got, true
				}
			case <-deadline:
				return arrival{}, false
			}
		}
	}

	// The hub registers the socket just after the handshake; warm up until
	// an event gets through, then measure.
	warm := false
	for i := 0; i < 20 && !warm; i++ {
		id := fmt.Sprintf("warmup-%d", i)
		post(id, "warmup", "warming up")
		_, warm = await(id, 500*time.Millisecond)
	}
	if !warm {
		t.Fatal("no message.created event from node A reached node B's WebSocket")
	}
	const probes = 30
	var latencies []time.Duration
	var convIDs []int64
	for i := range probes {
		id, text := fmt.Sprintf("probe-%03d", i), fmt.Sprintf("cross-node probe %d", i)
		sent := time.Now()
		conv := post(id, fmt.Sprintf("contact-%d", i%5), text)
		got, ok := await(id, 5*time.Second)
		if !ok {
			t.Fatalf("message %s posted to node A: no event on node B within 5s", id)
		}
		if got.content != text {
			t.Errorf("event for %s carries %q, want %q", id, got.content, text)
		}
		latencies = append(latencies, got.at.Sub(sent))
		if !slices.Contains(convIDs, conv) {
			convIDs = append(convIDs, conv)
		}
	}
	slices.Sort(latencies)
	t.Logf("inbound POST to node A → message.created on node B's WebSocket, %d probes: min %v, median %v, p95 %v, max %v",
		probes, latencies[0], latencies[probes/2], latencies[probes*95/100], latencies[probes-1])

	// Replies posted on B, both runners competing: each reaches the app once.
	const perConv = 8
	var (
		mu      sync.Mutex
		replies []reply
		wg      sync.WaitGroup
	)
	for _, conv := range convIDs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range perConv {
				var m sentMessage
				if _, err := apiB.do("POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv),
					map[string]any{"kind": "reply", "content": fmt.Sprintf("reply %d to conversation %d", j, conv)}, &m); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				replies = append(replies, reply{id: m.ID, conversation: conv})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	waitFor(t, 30*time.Second, "every reply delivered", func() bool {
		for _, r := range replies {
			if ok, _ := rec.count(deliveryKey(r.id)); ok == 0 {
				return false
			}
		}
		return true
	})
	// Leave time for a second delivery to show up: both runners poll at
	// least every second.
	time.Sleep(1500 * time.Millisecond)
	rec.mu.Lock()
	for _, r := range replies {
		if n := rec.ok[deliveryKey(r.id)]; n != 1 {
			t.Errorf("reply %d delivered %d times, want exactly once", r.id, n)
		}
	}
	if rec.okTotal != len(replies) {
		t.Errorf("the app received %d deliveries for %d replies", rec.okTotal, len(replies))
	}
	rec.mu.Unlock()
	rec.checkProblems(t)
	waitFor(t, 10*time.Second, `every reply marked "sent" (read on node A)`, func() bool {
		st, err := messageStatuses(apiA, replies)
		if err != nil {
			t.Log(err)
			return false
		}
		for _, r := range replies {
			if st[r.id] != "sent" {
				return false
			}
		}
		return true
	})
	doneA, doneB := jobsDone(t, a.base), jobsDone(t, b.base)
	// jobs of other kinds (the time-based rules scan) also ran on the nodes
	var others int
	if err := queryOne(dbURL, `SELECT count(*) FROM jobs WHERE status = 'done' AND kind <> 'message.deliver'`, &others); err != nil {
		t.Fatal(err)
	}
	if doneA+doneB-others != len(replies) {
		t.Errorf("jobs completed: %d on A + %d on B, %d of them not deliveries, want %d deliveries in all", doneA, doneB, others, len(replies))
	}
	if doneA == 0 || doneB == 0 {
		t.Errorf("jobs completed: %d on A, %d on B: the runners did not compete, so exactly-once was not tested", doneA, doneB)
	}
	t.Logf("%d replies posted on node B delivered exactly once each; delivery jobs run by node A: %d, node B: %d", len(replies), doneA, doneB)

	for _, n := range nodes {
		if err := n.proc.Stop(25 * time.Second); err != nil {
			t.Errorf("node %s: SIGTERM: %v", n.name, err)
		}
	}
}

// jobsDone reads atende_jobs_done_total from a node's /metrics.
// queryOne reads one value from the PostgreSQL database at url.
func queryOne(url, query string, dst any) error {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRow(query).Scan(dst)
}

func jobsDone(t *testing.T, base string) int {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "atende_jobs_done_total "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metrics: %q: %v", sc.Text(), err)
			}
			return int(f)
		}
	}
	t.Fatalf("metrics of %s: no atende_jobs_done_total", base)
	return 0
}
