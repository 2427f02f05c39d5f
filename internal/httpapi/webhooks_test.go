package httpapi_test

// Outbound webhooks (issue 6 part 6): deliveries signed per Standard
// Webhooks and checked by a verifier written from the spec, retries across
// a restart of the job runner, SSRF refusals, 410 Gone, resend, the
// delivery log, tenant isolation, and no jobs for workspaces that
// subscribed to nothing.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/secrets"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/webhook"
)

// swVerify checks a request per the Standard Webhooks specification: the
// three headers present, the timestamp within tolerance of now, and one
// of the space-separated "v1,<base64>" signatures equal (in constant time)
// to HMAC-SHA256 over "id.timestamp.body" keyed with the base64-decoded
// secret after its "whsec_" prefix. It returns the webhook-id.
func swVerify(secret string, hdr http.Header, body []byte, now time.Time, tolerance time.Duration) (string, error) {
	id, ts, sigs := hdr.Get("webhook-id"), hdr.Get("webhook-timestamp"), hdr.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return "", errors.New("missing webhook headers")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", fmt.Errorf("bad webhook-timestamp %q", ts)
	}
	if d := now.Sub(time.Unix(secs, 0)); d > tolerance || d < -tolerance {
		return "", fmt.Errorf("timestamp %d outside tolerance", secs)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return "", fmt.Errorf("secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return id, nil
		}
	}
	return "", errors.New("no matching signature")
}

// hookCall is one request a receiver got.
type hookCall struct {
	ID     string
	Header http.Header
	Body   []byte
	Event  struct {
		Type      string          `json:"type"`
		Timestamp string          `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}
	Status int // what the receiver answered
	Err    error
}

// hookReceiver is an httptest receiver that verifies every request with
// secret (set once the subscription exists) and answers answer(n) for the
// n-th request (1-based).
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	secret string
	answer func(n int) int
	calls  []hookCall
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{answer: func(int) int { return 200 }}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		c := hookCall{Header: req.Header.Clone(), Body: body}
		c.ID, c.Err = swVerify(r.secret, req.Header, body, time.Now(), 5*time.Minute)
		if err := json.Unmarshal(body, &c.Event); err != nil && c.Err == nil {
			c.Err = err
		}
		c.Status = r.answer(len(r.calls) + 1)
		r.calls = append(r.calls, c)
		r.mu.Unlock()
		w.WriteHeader(c.Status)
		fmt.Fprintf(w, "answer %d", c.Status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *hookReceiver) setSecret(s string) { r.mu.Lock(); r.secret = s; r.mu.Unlock() }

func (r *hookReceiver) setAnswer(f func(n int) int) { r.mu.Lock(); r.answer = f; r.mu.Unlock() }

func (r *hookReceiver) got() []hookCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hookCall(nil), r.calls...)
}

type hookSub struct {
	ID             int64    `json:"id"`
	URL            string   `json:"url"`
	Events         []string `json:"events"`
	Active         bool     `json:"active"`
	DisabledReason string   `json:"disabled_reason"`
	Secret         string   `json:"secret"`
}

// subscribe creates a subscription of the fixture workspace to rcv.
func (h *testAPI) subscribe(rcv *hookReceiver, events ...string) hookSub {
	h.t.Helper()
	var s hookSub
	h.must(201, actAdmin, "POST", "/api/v1/webhook-subscriptions", map[string]any{"url": rcv.URL + "/hook", "events": events}).into(h.t, &s)
	if !strings.HasPrefix(s.Secret, "whsec_") {
		h.t.Fatalf("created subscription shows secret %q", s.Secret)
	}
	rcv.setSecret(s.Secret)
	return s
}

func (h *testAPI) deliveries(sub int64, query string) (out struct {
	Deliveries []store.WebhookDelivery `json:"deliveries"`
	NextBefore *int64                  `json:"next_before"`
}) {
	h.t.Helper()
	h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/webhook-subscriptions/%d/deliveries%s", sub, query), nil).into(h.t, &out)
	return out
}

func (h *testAPI) webhookJobs() int64 {
	return h.count(`SELECT count(*) FROM jobs WHERE kind = $1`, webhook.JobDeliver)
}

func TestWebhookDeliveriesVerifyPerStandardWebhooks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		rcv := newHookReceiver(t)
		sub := h.subscribe(rcv, "conversation.created", "conversation.updated", "conversation.resolved", "message.created")
		if r := h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/webhook-subscriptions/%d", sub.ID), nil); strings.Contains(string(r.body), "whsec_") {
			t.Errorf("GET shows the secret: %s", r)
		}

		in := h.inbound(h.fix.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "Olá, quero ajuda"), 201)
		eventually(t, 5*time.Second, "created events delivered", func() bool { return len(rcv.got()) >= 2 })
		reply := h.reply(actAdmin, in.ConversationID, "reply", "Claro!")
		h.reply(actAdmin, in.ConversationID, "note", "segredo interno")
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/resolve", in.ConversationID), nil)
		// created+message, updated+message (reply), updated (note), updated+resolved
		eventually(t, 5*time.Second, "all events delivered", func() bool { return len(rcv.got()) >= 7 })
		time.Sleep(100 * time.Millisecond) // nothing more may come
		calls := rcv.got()
		count := map[string]int{}
		ids := map[string]bool{}
		for _, c := range calls {
			if c.Err != nil {
				t.Errorf("delivery %s failed verification: %v", c.Body, c.Err)
			}
			if ids[c.ID] {
				t.Errorf("webhook-id %s used twice", c.ID)
			}
			ids[c.ID] = true
			count[c.Event.Type]++
			if _, err := time.Parse(time.RFC3339, c.Event.Timestamp); err != nil {
				t.Errorf("timestamp %q: %v", c.Event.Timestamp, err)
			}
			if ct := c.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var data map[string]any
			_ = json.Unmarshal(c.Event.Data, &data)
			switch c.Event.Type {
			case "message.created":
				if data["conversation_id"] != float64(in.ConversationID) || data["kind"] == "note" {
					t.Errorf("message.created data: %s", c.Event.Data)
				}
				if data["content"] == "segredo interno" {
					t.Error("a private note went out as message.created")
				}
			default:
				if data["id"] != float64(in.ConversationID) || data["status"] == nil {
					t.Errorf("%s data: %s", c.Event.Type, c.Event.Data)
				}
			}
			if c.Event.Type == "conversation.resolved" && data["status"] != "resolved" {
				t.Errorf("conversation.resolved with status %v", data["status"])
			}
		}
		want := map[string]int{"conversation.created": 1, "message.created": 2, "conversation.updated": 3, "conversation.resolved": 1}
		if fmt.Sprint(count) != fmt.Sprint(want) {
			t.Errorf("events = %v, want %v", count, want)
		}
		// a tampered body or another secret does not verify (the verifier can fail)
		c := calls[0]
		if _, err := swVerify(sub.Secret, c.Header, append([]byte(nil), append(c.Body, ' ')...), time.Now(), time.Minute); err == nil {
			t.Error("the verifier accepted a changed body")
		}
		if _, err := swVerify(webhook.NewSecret(), c.Header, c.Body, time.Now(), time.Minute); err == nil {
			t.Error("the verifier accepted another secret")
		}
		if _, err := swVerify(sub.Secret, c.Header, c.Body, time.Now().Add(10*time.Minute), 5*time.Minute); err == nil {
			t.Error("the verifier accepted an old timestamp")
		}
		_ = reply

		// the delivery log: newest first, delivered, 200 and the answer kept
		log := h.deliveries(sub.ID, "")
		if len(log.Deliveries) != 7 || log.NextBefore != nil {
			t.Fatalf("log has %d deliveries (next %v)", len(log.Deliveries), log.NextBefore)
		}
		for i, d := range log.Deliveries {
			if d.Status != "delivered" || d.LastStatusCode != 200 || d.Attempts != 1 || d.DeliveredAt == nil || d.ResponseSnippet != "answer 200" {
				t.Errorf("delivery %+v", d)
			}
			if i > 0 && d.ID >= log.Deliveries[i-1].ID {
				t.Error("log not newest first")
			}
			if !ids[d.EventID] {
				t.Errorf("logged event %s was not received", d.EventID)
			}
		}
		// keyset paging covers the log once
		seen := 0
		before := ""
		for page := 0; page < 10; page++ {
			p := h.deliveries(sub.ID, "?limit=3"+before)
			seen += len(p.Deliveries)
			if p.NextBefore == nil {
				break
			}
			before = fmt.Sprintf("&before=%d", *p.NextBefore)
		}
		if seen != 7 {
			t.Errorf("paging saw %d deliveries, want 7", seen)
		}

		// rotation: the next delivery verifies with the new secret only
		var rotated hookSub
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/webhook-subscriptions/%d/rotate-secret", sub.ID), nil).into(t, &rotated)
		if rotated.Secret == sub.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") {
			t.Fatalf("rotated secret %q", rotated.Secret)
		}
		rcv.setSecret(rotated.Secret)
		h.must(202, actAdmin, "POST", fmt.Sprintf("/api/v1/webhook-subscriptions/%d/test", sub.ID), nil)
		eventually(t, 5*time.Second, "test event", func() bool { return len(rcv.got()) == 8 })
		last := rcv.got()[7]
		if last.Err != nil || last.Event.Type != "webhook.test" {
			t.Errorf("test event %s: %v", last.Body, last.Err)
		}
		if _, err := swVerify(sub.Secret, last.Header, last.Body, time.Now(), time.Minute); err == nil {
			t.Error("the old secret still verifies after rotation")
		}
	})
}

// A receiver that is down gets retries; the runner stops mid-retry and a
// new one (another process) on the same database delivers once the
// receiver is back: exactly one 2xx, every attempt with the same webhook-id.
func TestWebhookRetriesSurviveRestart(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		rcv := newHookReceiver(t)
		var down atomic.Bool
		down.Store(true)
		rcv.setAnswer(func(int) int {
			if down.Load() {
				return http.StatusServiceUnavailable
			}
			return http.StatusNoContent
		})
		sub := h.subscribe(rcv, "message.created")
		h.inbound(h.fix.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201)

		newProcess := func() *jobs.Runner {
			log := slog.New(slog.DiscardHandler)
			box, err := secrets.New("harness secret key, not for production")
			if err != nil {
				t.Fatal(err)
			}
			r := jobs.New(h.db, log, 2)
			r.BaseBackoff = 20 * time.Millisecond
			r.Handle(webhook.JobDeliver, webhook.New(h.db, box, &webhook.Guard{AllowPrivate: true}, r, log).Handle)
			return r
		}
		stop := runUntilStopped(newProcess())
		eventually(t, 10*time.Second, "three failed attempts", func() bool { return len(rcv.got()) >= 3 })
		stop()
		attempts := len(rcv.got())
		d := h.deliveries(sub.ID, "").Deliveries[0]
		if d.Status != "pending" || d.LastStatusCode != 503 || d.Attempts != attempts || d.ResponseSnippet != "answer 503" || d.LastError == "" {
			t.Errorf("after %d attempts the log says %+v", attempts, d)
		}

		down.Store(false)
		stop = runUntilStopped(newProcess())
		defer stop()
		eventually(t, 10*time.Second, "delivered after the restart", func() bool {
			return h.count(`SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'`) == 1
		})
		time.Sleep(200 * time.Millisecond)
		calls := rcv.got()
		ok := 0
		for _, c := range calls {
			if c.Err != nil {
				t.Errorf("attempt failed verification: %v", c.Err)
			}
			if c.ID != calls[0].ID {
				t.Errorf("attempt with webhook-id %s, first was %s", c.ID, calls[0].ID)
			}
			if c.Status < 300 {
				ok++
			}
		}
		if ok != 1 {
			t.Errorf("%d successful deliveries, want exactly 1", ok)
		}
		d = h.deliveries(sub.ID, "").Deliveries[0]
		if d.Status != "delivered" || d.LastStatusCode != 204 || d.Attempts != len(calls) || d.LastError != "" {
			t.Errorf("final log %+v after %d calls", d, len(calls))
		}
		if n := h.count(`SELECT count(*) FROM jobs WHERE kind = $1 AND status = 'done'`, webhook.JobDeliver); n != 1 {
			t.Errorf("%d webhook jobs done, want 1", n)
		}
	})
}

func TestWebhookSSRFRefused(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		var rebound atomic.Bool
		guard := &webhook.Guard{Lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			if rebound.Load() || host == "localhost" {
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
			}
			return []netip.Addr{netip.MustParseAddr("203.0.113.10")}, nil
		}}
		h := newTestAPI(t, engine, withWebhookGuard(guard))
		rcv := newHookReceiver(t)
		before := h.snapshot()
		for _, u := range []string{"http://127.0.0.1/", "http://10.0.0.1/", "http://[::1]/", "http://169.254.169.254/latest/meta-data",
			"http://100.64.1.1/", "http://[::ffff:127.0.0.1]/", "http://localhost:8080/", rcv.URL} {
			r := h.as(actAdmin, "POST", "/api/v1/webhook-subscriptions", map[string]any{"url": u, "events": []string{"message.created"}})
			if r.status != 422 {
				t.Errorf("subscribe %s: %s, want 422", u, r)
			}
			assertErrorEnvelope(t, r, u)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("refused subscriptions changed the database: %v", d)
		}

		// DNS rebinding: public when subscribed, loopback at delivery
		port := rcv.URL[strings.LastIndex(rcv.URL, ":")+1:]
		var sub hookSub
		h.must(201, actAdmin, "POST", "/api/v1/webhook-subscriptions", map[string]any{"url": "http://hooks.rebind.test:" + port + "/hook",
			"events": []string{"message.created"}}).into(t, &sub)
		// moving it to a private address later is refused too
		h.must(422, actAdmin, "PATCH", fmt.Sprintf("/api/v1/webhook-subscriptions/%d", sub.ID), map[string]any{"url": "http://10.1.2.3/"})
		rebound.Store(true)
		h.inbound(h.fix.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201)
		eventually(t, 5*time.Second, "delivery refused", func() bool {
			return h.count(`SELECT count(*) FROM webhook_deliveries WHERE status = 'failed'`) == 1
		})
		d := h.deliveries(sub.ID, "").Deliveries[0]
		if !strings.Contains(d.LastError, "not allowed") || d.Attempts != 1 || d.LastStatusCode != 0 {
			t.Errorf("refused delivery logged as %+v", d)
		}
		if n := len(rcv.got()); n != 0 {
			t.Errorf("the loopback receiver got %d requests", n)
		}
	})
}

func TestWebhookGoneDisablesSubscription(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		rcv := newHookReceiver(t)
		rcv.setAnswer(func(int) int { return http.StatusGone })
		sub := h.subscribe(rcv, "message.created")
		h.inbound(h.fix.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201)
		eventually(t, 5*time.Second, "subscription disabled", func() bool {
			var s hookSub
			h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/webhook-subscriptions/%d", sub.ID), nil).into(t, &s)
			return !s.Active && s.DisabledReason != ""
		})
		if d := h.deliveries(sub.ID, "").Deliveries[0]; d.Status != "failed" || d.LastStatusCode != 410 || d.Attempts != 1 {
			t.Errorf("410 delivery logged as %+v", d)
		}
		jobsBefore := h.webhookJobs()
		h.inbound(h.fix.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "de novo"), 201)
		if n := h.webhookJobs(); n != jobsBefore {
			t.Errorf("a disabled subscription got %d new jobs", n-jobsBefore)
		}
		if n := len(rcv.got()); n != 1 {
			t.Errorf("receiver got %d requests, want 1", n)
		}
		// switching it back on clears the reason and deliveries resume
		rcv.setAnswer(func(int) int { return 200 })
		var s hookSub
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/webhook-subscriptions/%d", sub.ID), map[string]any{"active": true}).into(t, &s)
		if !s.Active || s.DisabledReason != "" {
			t.Errorf("re-enabled subscription %+v", s)
		}
		h.inbound(h.fix.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "terceira"), 201)
		eventually(t, 5*time.Second, "delivery resumed", func() bool { return len(rcv.got()) == 2 })
	})
}

func TestWebhookResendKeepsID(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		rcv := newHookReceiver(t)
		sub := h.subscribe(rcv, "message.created")
		var d store.WebhookDelivery
		h.must(202, actAdmin, "POST", fmt.Sprintf("/api/v1/webhook-subscriptions/%d/test", sub.ID), nil).into(t, &d)
		eventually(t, 5*time.Second, "test delivered", func() bool { return len(rcv.got()) == 1 })
		h.must(202, actAdmin, "POST", fmt.Sprintf("/api/v1/webhook-subscriptions/%d/deliveries/%d/resend", sub.ID, d.ID), nil)
		eventually(t, 5*time.Second, "resent", func() bool { return len(rcv.got()) == 2 })
		calls := rcv.got()
		for _, c := range calls {
			if c.Err != nil || c.ID != d.EventID {
				t.Errorf("call id %s (want %s): %v", c.ID, d.EventID, c.Err)
			}
		}
		if string(calls[0].Body) != string(calls[1].Body) {
			t.Errorf("resend changed the body:\n%s\n%s", calls[0].Body, calls[1].Body)
		}
		eventually(t, 5*time.Second, "log counts both attempts", func() bool {
			got := h.deliveries(sub.ID, "").Deliveries
			return len(got) == 1 && got[0].Attempts == 2 && got[0].Status == "delivered"
		})
	})
}

func TestWebhooksOfOtherWorkspaceAreNotFound(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		rcv := newHookReceiver(t)
		sub := h.subscribe(rcv, "message.created")
		var d store.WebhookDelivery
		h.must(202, actAdmin, "POST", fmt.Sprintf("/api/v1/webhook-subscriptions/%d/test", sub.ID), nil).into(t, &d)
		before := h.snapshot()
		base := fmt.Sprintf("/api/v1/webhook-subscriptions/%d", sub.ID)
		for _, c := range []struct{ method, path string }{
			{"GET", base}, {"PATCH", base}, {"DELETE", base}, {"POST", base + "/rotate-secret"}, {"POST", base + "/test"},
			{"GET", base + "/deliveries"}, {"POST", fmt.Sprintf("%s/deliveries/%d/resend", base, d.ID)},
		} {
			var body any
			if c.method == "PATCH" {
				body = map[string]any{"active": false}
			}
			if r := h.as(actAdmin2, c.method, c.path, body); r.status != 404 {
				t.Errorf("%s %s as the other workspace's admin: %s", c.method, c.path, r)
			}
		}
		var list []hookSub
		h.must(200, actAdmin2, "GET", "/api/v1/webhook-subscriptions", nil).into(t, &list)
		if len(list) != 0 {
			t.Errorf("other workspace lists %d subscriptions", len(list))
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("refused calls changed the database: %v", d)
		}
	})
}

// The outbox costs a workspace without subscriptions no job and no row;
// a subscription receives only the events it chose.
func TestWebhookOutboxOnlyForSubscribers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		in := h.inbound(h.fix.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201)
		h.reply(actAdmin, in.ConversationID, "reply", "olá")
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/resolve", in.ConversationID), nil)
		if n := h.webhookJobs(); n != 0 {
			t.Fatalf("no subscriptions, yet %d webhook jobs", n)
		}
		// another workspace's subscription does not make this one's events go out
		var other hookSub
		h.must(201, actAdmin2, "POST", "/api/v1/webhook-subscriptions", map[string]any{"url": "http://127.0.0.1:9/x",
			"events": []string{"message.created", "conversation.created"}}).into(t, &other)
		h.inbound(h.fix.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201)
		if n := h.webhookJobs(); n != 0 {
			t.Errorf("another workspace's subscription made %d jobs here", n)
		}
		// one chosen event: only it is enqueued, one job per event
		rcv := newHookReceiver(t)
		h.subscribe(rcv, "conversation.resolved")
		in2 := h.inbound(h.fix.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201)
		h.reply(actAdmin, in2.ConversationID, "reply", "olá")
		if n := h.webhookJobs(); n != 0 {
			t.Errorf("unsubscribed events made %d jobs", n)
		}
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/resolve", in2.ConversationID), nil)
		if n := h.webhookJobs(); n != 1 {
			t.Errorf("resolve made %d jobs, want 1", n)
		}
		if n := h.count(`SELECT count(*) FROM jobs WHERE kind = $1 AND dedup_key LIKE 'webhook:%'`, webhook.JobDeliver); n != 1 {
			t.Errorf("webhook job without its de-duplication key (%d keyed)", n)
		}
		if n := h.count(`SELECT count(*) FROM webhook_deliveries WHERE event_type = 'conversation.resolved'`); n != 1 {
			t.Errorf("%d resolved deliveries", n)
		}
	})
}
