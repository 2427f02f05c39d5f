package httpapi_test

// A reply to a WhatsApp or Telegram customer survives a restart of the job
// runner in the middle of its retries: the provider answers 500 then 429,
// the runner stops (cleanly, or "crashes" holding the job's lease), a new
// runner with its own deliverers, providers settings and blob store starts
// on the same database and blob directory, the provider comes back, and
// the reply reaches the provider exactly once and ends "sent" with the
// provider's id.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/channel/meta"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/channel/sms"
	"github.com/atende/atende/internal/channel/telegram"
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/secrets"
	"github.com/atende/atende/internal/store"
)

// runUntilStopped runs r until the returned stop is called; stop waits
// for the jobs in flight, as the server's shutdown does.
func runUntilStopped(r *jobs.Runner) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// restartedRunner is the job runner of a new server process on the same
// database and blob directory: nothing is shared with the first one but
// the store handle, the event bus and the fake providers.
func (h *testAPI) restartedRunner(t *testing.T) *jobs.Runner {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	blobs, err := blob.New(h.blobDir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	box, err := secrets.New("harness secret key, not for production")
	if err != nil {
		t.Fatal(err)
	}
	runner := jobs.New(h.db, log, 4)
	runner.BaseBackoff = 20 * time.Millisecond
	conv := conversation.New(h.db, h.bus, runner, log)
	provs := &providers.Settings{TelegramAPIURL: h.tg.URL, WhatsAppAPIURL: h.wa.apiURL(), SMSAPIURL: h.sms.URL, MetaAPIURL: h.meta.apiURL(),
		HTTP: &http.Client{Timeout: 5 * time.Second}, Secrets: box}
	api := &apichannel.Deliverer{DB: h.db, Blobs: blobs, Status: conv, Client: &http.Client{Timeout: 5 * time.Second}, Secrets: box}
	tg := &providers.TelegramDeliverer{DB: h.db, Blobs: blobs, Status: conv, Providers: provs}
	wa := &providers.WhatsAppDeliverer{DB: h.db, Blobs: blobs, Status: conv, Providers: provs, Now: conv.Now}
	sm := &providers.SMSDeliverer{DB: h.db, Blobs: blobs, Status: conv, Providers: provs}
	mt := &providers.MetaDeliverer{DB: h.db, Blobs: blobs, Status: conv, Providers: provs, Now: conv.Now}
	dispatch := &providers.Dispatcher{DB: h.db, Status: conv, Kinds: map[string]jobs.Handler{
		apichannel.Kind: api.Handle, telegram.Kind: tg.Handle, whatsapp.Kind: wa.Handle, sms.Kind: sm.Handle,
		meta.KindMessenger: mt.Handle, meta.KindInstagram: mt.Handle,
	}}
	runner.Handle(conversation.JobDeliver, dispatch.Handle)
	runner.Handle(conversation.JobWake, conv.HandleWake)
	return runner
}

// restartProvider is one provider under test: how a customer writes, and
// the fake's send answers.
type restartProvider struct {
	name string
	// customerWrites stores a customer message and returns its conversation.
	customerWrites func(t *testing.T, h *testAPI) int64
	// answer makes the fake answer the n-th send with fail(n) while it
	// returns a status, else with success; sends counts every send call.
	answer func(h *testAPI, fail func(n int) int)
	sends  func(h *testAPI) int
	// sentID is the provider id the fake gives the n-th send.
	sentID func(n int) string
}

var restartProviders = []restartProvider{
	{
		name: "whatsapp",
		customerWrites: func(t *testing.T, h *testAPI) int64 {
			c := h.newWhatsAppChannel()
			r := h.postWhatsApp(c.hookPath(h), waSample(t, "text.json"), fakeWAAppSecret)
			var a waAck
			r.into(t, &a)
			return a.ConversationID
		},
		answer: func(h *testAPI, fail func(n int) int) {
			h.wa.mu.Lock()
			defer h.wa.mu.Unlock()
			h.wa.send = func(n int) (int, string, string) {
				if st := fail(n); st != 0 {
					if st == http.StatusTooManyRequests {
						return st, "1", `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"fbtrace_id":"A2"}}`
					}
					return st, "", `{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"is_transient":true,"fbtrace_id":"A3"}}`
				}
				return 0, "", ""
			}
		},
		sends:  func(h *testAPI) int { return len(h.wa.callsTo("POST", "/v21.0/"+fakeWAPhoneNumberID+"/messages")) },
		sentID: func(n int) string { return "wamid.OUT" + strconv.Itoa(n) },
	},
	{
		name: "telegram",
		customerWrites: func(t *testing.T, h *testAPI) int64 {
			c := h.newTelegramChannel()
			r := h.postUpdate(c.hookPath(h), tgSample(t, "text.json"), h.tg.secret(t))
			var a waAck
			r.into(t, &a)
			return a.ConversationID
		},
		answer: func(h *testAPI, fail func(n int) int) {
			h.tg.mu.Lock()
			defer h.tg.mu.Unlock()
			h.tg.send = func(n int) (int, string) {
				switch fail(n) {
				case 0:
					return 0, ""
				case http.StatusTooManyRequests:
					return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`
				default:
					return 500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`
				}
			}
		},
		sends:  func(h *testAPI) int { return len(h.tg.callsOf("sendMessage")) },
		sentID: func(n int) string { return strconv.Itoa(9000 + n) },
	},
}

func TestProviderSendSurvivesRestart(t *testing.T) {
	for _, p := range restartProviders {
		for _, crash := range []bool{false, true} {
			name := p.name + "/stopped"
			if crash {
				name = p.name + "/crashed_holding_lease"
			}
			t.Run(name, func(t *testing.T) {
				forEachEngine(t, func(t *testing.T, engine string) { testSendSurvivesRestart(t, engine, p, crash) })
			})
		}
	}
}

func testSendSurvivesRestart(t *testing.T, engine string, p restartProvider, crash bool) {
	h := newTestAPI(t, engine, withoutRunner())
	ctx := context.Background()
	conv := p.customerWrites(t, h)
	if conv == 0 {
		t.Fatal("the customer message opened no conversation")
	}

	// down: 500 for the first attempt, 429 after
	p.answer(h, func(n int) int {
		if n == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusTooManyRequests
	})
	var m store.Message
	text := "Seu pedido foi enviado, " + p.name
	h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), map[string]any{"kind": "reply", "content": text}).into(t, &m)
	job := func() (status string, attempts int, runAt, lockedUntil int64) {
		t.Helper()
		if err := h.raw.QueryRowContext(ctx, `SELECT status, attempts, run_at, locked_until FROM jobs WHERE kind = $1 ORDER BY id DESC LIMIT 1`,
			conversation.JobDeliver).Scan(&status, &attempts, &runAt, &lockedUntil); err != nil {
			t.Fatalf("delivery job: %v", err)
		}
		return
	}

	// the first server tries (500), then stops before its retry runs
	h.runner.BaseBackoff = 2 * time.Second
	stop := runUntilStopped(h.runner)
	eventually(t, 10*time.Second, "the first attempt", func() bool {
		st, n, _, _ := job()
		return st == "queued" && n == 1
	})
	stop()
	if n := p.sends(h); n != 1 {
		t.Fatalf("%d sends before the restart, want 1 (refused)", n)
	}
	if st := h.message(h.fix.WS.ID, m.ID).Status; st != store.DeliveryPending {
		t.Fatalf("after a refused attempt the reply is %q, want pending", st)
	}
	if crash {
		// another server claims the job and dies before answering: the job
		// stays leased (running) until the lease runs out
		_, _, runAt, _ := job()
		claimed, err := h.db.W().ClaimJobs(ctx, max(runAt, store.Now()), 10, 1500)
		if err != nil || len(claimed) == 0 {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		if st, n, _, locked := job(); st != "running" || n != 2 || locked <= store.Now() {
			t.Fatalf("crashed job: %s, %d attempts, locked until %d", st, n, locked)
		}
	}

	// a new server on the same database and files; the provider rate-limits
	// once more, then comes back
	p.answer(h, func(n int) int {
		if n == 2 {
			return http.StatusTooManyRequests
		}
		return 0
	})
	restarted := h.restartedRunner(t)
	stop = runUntilStopped(restarted)
	defer stop()
	eventually(t, 20*time.Second, "the reply sent after the restart", func() bool {
		return h.message(h.fix.WS.ID, m.ID).Status == store.DeliverySent
	})
	time.Sleep(300 * time.Millisecond) // room for a duplicate send to show
	got := h.message(h.fix.WS.ID, m.ID)
	// sends: the refused one, the rate-limited one, the accepted one
	if n := p.sends(h); n != 3 {
		t.Fatalf("%d send calls, want 3 (500, 429, then the one accepted)", n)
	}
	if got.Status != store.DeliverySent || got.ExternalID == nil || !strings.Contains(*got.ExternalID, p.sentID(3)) {
		t.Fatalf("reply %q with provider id %v, want sent with %s", got.Status, got.ExternalID, p.sentID(3))
	}
	if st, _, _, _ := job(); st != "done" {
		t.Fatalf("delivery job %s, want done", st)
	}
}
