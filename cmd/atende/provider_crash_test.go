package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/testproc"
)

// fakeCloudAPI is the WhatsApp Cloud (Graph) API on loopback: it answers the
// phone-number read and the template list a new channel makes, and counts
// the sends it accepted per text; while down it answers every send 500.
type fakeCloudAPI struct {
	down     atomic.Bool
	refused  atomic.Int64
	mu       sync.Mutex
	accepted map[string]int
}

func (f *fakeCloudAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	path := strings.TrimPrefix(r.URL.Path, "/v21.0/")
	switch {
	case r.Method == http.MethodGet && path == "106540352242922":
		_, _ = io.WriteString(w, `{"id":"106540352242922","display_phone_number":"+55 11 4000-1234","verified_name":"Loja"}`)
	case r.Method == http.MethodGet && strings.HasSuffix(path, "/message_templates"):
		_, _ = io.WriteString(w, `{"data":[],"paging":{}}`)
	case r.Method == http.MethodPost && path == "106540352242922/messages":
		var body struct {
			Text struct {
				Body string `json:"body"`
			} `json:"text"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		if f.down.Load() {
			f.refused.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"error":{"message":"Service temporarily unavailable","type":"OAuthException","code":2}}`)
			return
		}
		f.mu.Lock()
		f.accepted[body.Text.Body]++
		n := f.accepted[body.Text.Body]
		f.mu.Unlock()
		fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":"5511987650000","wa_id":"5511987650000"}],"messages":[{"id":"wamid.KILL%d"}]}`, n)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":{"message":"not in the fake","type":"GraphMethodException","code":100}}`)
	}
}

func (f *fakeCloudAPI) count(text string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.accepted[text]
}

// TestWhatsAppSendSurvivesKill: an agent's WhatsApp reply that Cloud API
// keeps refusing is retried by the durable job queue; the server process is
// SIGKILLed mid-retry; a new process on the same data finishes the job once
// Cloud API is back, and Cloud API received the reply exactly once.
func TestWhatsAppSendSurvivesKill(t *testing.T) {
	bin := atendeBinary(t)
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			var databaseURL string
			if engine == "postgres" {
				server := os.Getenv(envPostgres)
				if server == "" {
					skipLoudly(t, "%s not set: WhatsApp send across a kill on PostgreSQL NOT tested", envPostgres)
				}
				databaseURL = testproc.FreshPostgres(t, server, "atende_wakill")
			}
			runWhatsAppKill(t, bin, databaseURL)
		})
	}
}

func runWhatsAppKill(t *testing.T, bin, databaseURL string) {
	graph := &fakeCloudAPI{accepted: map[string]int{}}
	gs := httptest.NewServer(graph)
	t.Cleanup(gs.Close)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "server.log")
	addr := testproc.FreeAddr(t)
	base := "http://" + addr
	env := testproc.Env("ATENDE_ADDR="+addr, "ATENDE_DATA_DIR="+filepath.Join(dir, "data"), "ATENDE_BASE_URL="+base, "ATENDE_LOG_LEVEL=warn",
		"ATENDE_JOB_LEASE=2s", "ATENDE_JOB_BACKOFF=200ms", "ATENDE_WHATSAPP_API_URL="+gs.URL+"/v21.0")
	if databaseURL != "" {
		env = append(env, "ATENDE_DATABASE_URL="+databaseURL)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log (tail):\n%s", testproc.Tail(logPath, 60))
		}
	})
	if _, err := testproc.Run(bin, []string{"user", "create", "--workspace", "Loja", "--email", "admin@kill.test", "--name", "Admin",
		"--role", "admin", "--password-stdin"}, env, "kill-test-password\n"); err != nil {
		t.Fatal(err)
	}
	out, err := testproc.Run(bin, []string{"token", "create", "--email", "admin@kill.test"}, env, "")
	if err != nil {
		t.Fatal(err)
	}
	admin := newAPIClient(base, strings.TrimSpace(out))
	start := func() *testproc.Proc {
		p := testproc.Start(t, bin, []string{"serve"}, env, logPath)
		if err := p.WaitReady(base, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		return p
	}
	srv := start()

	const appSecret = "kill-test-app-secret"
	var ch struct {
		WebhookURL string `json:"webhook_url"`
	}
	admin.must(t, "POST", "/api/v1/channels", map[string]any{"kind": "whatsapp", "name": "WhatsApp", "phone_number_id": "106540352242922",
		"waba_id": "102290129340398", "access_token": "EAAkilltest", "app_secret": appSecret}, &ch)
	hook, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{"id": "102290129340398",
		"changes": []any{map[string]any{"field": "messages", "value": map[string]any{"messaging_product": "whatsapp",
			"metadata": map[string]any{"display_phone_number": "551140001234", "phone_number_id": "106540352242922"},
			"contacts": []any{map[string]any{"profile": map[string]any{"name": "Joana"}, "wa_id": "5511987650000"}},
			"messages": []any{map[string]any{"from": "5511987650000", "id": "wamid.KILLIN1", "timestamp": fmt.Sprint(time.Now().Unix()),
				"type": "text", "text": map[string]any{"body": "Meu pedido chegou?"}}}}}}}}})
	req, _ := http.NewRequest(http.MethodPost, ch.WebhookURL, bytes.NewReader(hook))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(whatsapp.HeaderSignature, whatsapp.Sign(hook, appSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("customer message: %v %v", resp, err)
	}
	resp.Body.Close()
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	admin.must(t, "GET", "/api/v1/conversations?view=all", nil, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d conversations", len(list.Items))
	}
	conv := list.Items[0].ID

	// Cloud API is down: the reply is attempted, refused and scheduled again
	graph.down.Store(true)
	const text = "Chegou sim, ontem às 15h."
	var reply sentMessage
	admin.must(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), map[string]any{"kind": "reply", "content": text}, &reply)
	waitFor(t, 15*time.Second, "two refused attempts", func() bool { return graph.refused.Load() >= 2 })

	// the process dies mid-retry; Cloud API comes back; a new process takes over
	srv.Kill()
	graph.down.Store(false)
	srv = start()
	waitFor(t, 20*time.Second, "the reply sent after the restart", func() bool {
		var m sentMessage
		var page struct {
			Items []sentMessage `json:"items"`
		}
		if _, err := admin.do("GET", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), nil, &page); err != nil {
			return false
		}
		for _, it := range page.Items {
			if it.ID == reply.ID {
				m = it
			}
		}
		return m.Status == "sent" && m.ExternalID != nil && *m.ExternalID == "wamid.KILL1"
	})
	time.Sleep(time.Second) // a second delivery would show by now
	if n := graph.count(text); n != 1 {
		t.Fatalf("Cloud API received the reply %d times, want exactly 1", n)
	}
	if err := srv.Stop(10 * time.Second); err != nil {
		t.Errorf("graceful stop: %v", err)
	}
}
