package httpapi_test

// End-to-end flows through the real HTTP server: sessions and CSRF, tokens,
// inbound messages, delivery to the app's callback with retries and
// statuses, attachments, snooze timers, resolve, lists, counters, search,
// CSV export and the realtime WebSocket.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/httpapi"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func cookieHeader(c *http.Cookie, csrf string) http.Header {
	h := http.Header{"Cookie": {c.Name + "=" + c.Value}}
	if csrf != "" {
		h.Set(httpapi.CSRFHeader, csrf)
	}
	return h
}

func TestSessionLoginCSRFLogout(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		// e-mail is matched case-insensitively and trimmed
		login := h.send(request{method: "POST", path: "/api/v1/auth/login",
			body: map[string]any{"email": "  " + strings.ToUpper(h.fix.AgentA.Email), "password": storetest.Password}})
		if login.status != 200 {
			t.Fatalf("login: %s", login)
		}
		var lr struct {
			User      store.User `json:"user"`
			CSRFToken string     `json:"csrf_token"`
		}
		login.into(t, &lr)
		if lr.User.ID != h.fix.AgentA.ID || lr.CSRFToken == "" {
			t.Fatalf("login answered %s", login)
		}
		if strings.Contains(string(login.body), "password") {
			t.Errorf("login response mentions the password hash: %s", login)
		}
		var cookie *http.Cookie
		for _, c := range (&http.Response{Header: login.header}).Cookies() {
			if c.Name == httpapi.SessionCookie {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" {
			t.Fatalf("session cookie %+v", cookie)
		}

		me := h.send(request{method: "GET", path: "/api/v1/me", header: cookieHeader(cookie, "")})
		if me.status != 200 || me.json()["csrf_token"] != lr.CSRFToken {
			t.Fatalf("GET /me with the cookie: %s", me)
		}

		// unsafe methods need the CSRF token with a cookie session
		before := h.snapshot()
		for name, csrf := range map[string]string{"no token": "", "wrong token": "x" + lr.CSRFToken} {
			for _, rq := range []request{
				{method: "POST", path: "/api/v1/tokens", body: map[string]any{"name": "cli"}},
				{method: "PUT", path: "/api/v1/me/presence", body: map[string]any{"presence": "away"}},
				{method: "POST", path: "/api/v1/auth/logout"},
			} {
				rq.header = cookieHeader(cookie, csrf)
				r := h.send(rq)
				if r.status != 403 || r.json()["error"].(map[string]any)["code"] != "csrf_failed" {
					t.Errorf("%s %s with %s: got %s, want 403 csrf_failed", rq.method, rq.path, name, r)
				}
			}
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("requests refused for CSRF changed the database: %v", d)
		}
		r := h.send(request{method: "POST", path: "/api/v1/tokens", body: map[string]any{"name": "cli"}, header: cookieHeader(cookie, lr.CSRFToken)})
		if r.status != 201 {
			t.Fatalf("POST /tokens with CSRF token: %s", r)
		}
		// a bearer token needs no CSRF token
		h.must(200, actAgentA, "PUT", "/api/v1/me/presence", map[string]any{"presence": "online"})

		// logout ends the session
		r = h.send(request{method: "POST", path: "/api/v1/auth/logout", header: cookieHeader(cookie, lr.CSRFToken)})
		if r.status != 204 || !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("logout: %s %v", r, r.header)
		}
		if r := h.send(request{method: "GET", path: "/api/v1/me", header: cookieHeader(cookie, "")}); r.status != 401 {
			t.Errorf("session after logout: %s, want 401", r)
		}

		// a wrong password is 401 without saying which part was wrong
		r = h.send(request{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": h.fix.AgentA.Email, "password": "wrong password"}})
		if r.status != 401 || r.json()["error"].(map[string]any)["code"] != "invalid_credentials" {
			t.Errorf("wrong password: %s", r)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		login := func(email, password string) response {
			return h.send(request{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": email, "password": password}})
		}
		victim := h.fix.AgentB.Email
		for i := 0; i < 10; i++ {
			if r := login(victim, "guess "+strconv.Itoa(i)); r.status != 401 {
				t.Fatalf("attempt %d: %s, want 401", i+1, r)
			}
		}
		r := login(victim, "guess 11")
		if r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Fatalf("11th attempt: %s (Retry-After %q), want 429 with Retry-After", r, r.header.Get("Retry-After"))
		}
		assertErrorEnvelope(t, r, "rate limited")
		// the right password does not get through the limit either
		if r := login(victim, storetest.Password); r.status != 429 {
			t.Errorf("right password while limited: %s, want 429", r)
		}
		// the per-address limit (30 attempts) stops guessing across accounts
		for i := 0; i < 18; i++ {
			login(victim, "x")
		}
		if r := login(h.fix.AgentA.Email, storetest.Password); r.status != 429 {
			t.Errorf("31st attempt from one address: %s, want 429", r)
		}
		if n := h.count(`SELECT count(*) FROM sessions`); n != 0 {
			t.Errorf("%d sessions created while rate limited", n)
		}
	})
}

func TestPersonalTokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		r := h.must(201, actSupervisor, "POST", "/api/v1/tokens", map[string]any{"name": "integração"})
		var created struct {
			ID     int64  `json:"id"`
			Token  string `json:"token"`
			Prefix string `json:"prefix"`
		}
		r.into(t, &created)
		if !strings.HasPrefix(created.Token, "atu_") || !strings.HasPrefix(created.Token, created.Prefix) || len(created.Token) < 40 {
			t.Fatalf("created token %+v", created)
		}
		// shown once: the list has no secret, and the database only its hash
		list := h.must(200, actSupervisor, "GET", "/api/v1/tokens", nil)
		if bytes.Contains(list.body, []byte(created.Token)) || !bytes.Contains(list.body, []byte("integração")) {
			t.Errorf("token list: %s", list)
		}
		if n := h.count(`SELECT count(*) FROM api_tokens WHERE token_hash = $1`, created.Token); n != 0 {
			t.Errorf("the token is stored in clear")
		}
		// works as a bearer token for its owner
		var me struct {
			User store.User `json:"user"`
		}
		h.do("GET", "/api/v1/me", created.Token, nil).into(t, &me)
		if me.User.ID != h.fix.Supervisor.ID {
			t.Fatalf("token authenticates user %d, want %d", me.User.ID, h.fix.Supervisor.ID)
		}
		// another user cannot delete it; its owner can, and then it stops working
		h.must(404, actAgentA, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), nil)
		if r := h.do("GET", "/api/v1/me", created.Token, nil); r.status != 200 {
			t.Fatalf("token after a refused delete: %s", r)
		}
		h.must(204, actSupervisor, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), nil)
		if r := h.do("GET", "/api/v1/me", created.Token, nil); r.status != 401 {
			t.Errorf("deleted token: %s, want 401", r)
		}
		h.must(404, actSupervisor, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), nil)
		// malformed credentials
		for _, hdr := range []string{"Bearer", "Bearer ", "Basic abc", "bearer " + h.tokens[actAdmin], "Bearer atu_nope", "Bearer " + h.fix.ChannelToken} {
			r := h.send(request{method: "GET", path: "/api/v1/me", header: http.Header{"Authorization": {hdr}}})
			if r.status != 401 {
				t.Errorf("Authorization %q: %s, want 401", hdr, r)
			}
			assertErrorEnvelope(t, r, hdr)
		}
	})
}

func TestInboundCreatesQueuedConversation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		body := inboundBody("app-msg-1", "user-42", "Quero comprar")
		body["contact"] = map[string]any{"id": "user-42", "name": "Ana Souza", "phone": "+55 11 99999-0000", "email": "ana@example.com"}
		first := h.inbound(h.fix.ChannelToken, body, 201)

		var c conversation.View
		h.must(200, actAgentA, "GET", fmt.Sprintf("/api/v1/conversations/%d", first.ConversationID), nil).into(t, &c)
		if c.Status != store.StatusQueued || c.DepartmentID == nil || *c.DepartmentID != h.fix.Vendas.ID || c.AssigneeID != nil {
			t.Errorf("new conversation: status %s department %v assignee %v, want queued in Vendas (the default)", c.Status, c.DepartmentID, c.AssigneeID)
		}
		if c.ContactName != "Ana Souza" || c.WaitingSeconds == nil || c.Thermometer != conversation.Green {
			t.Errorf("new conversation view: %+v", c)
		}
		var ct store.Contact
		h.must(200, actAgentB, "GET", fmt.Sprintf("/api/v1/contacts/%d", first.ContactID), nil).into(t, &ct)
		if ct.Phone != "+55 11 99999-0000" || ct.Email != "ana@example.com" || len(ct.Identities) != 1 || ct.Identities[0].ExternalID != "user-42" {
			t.Errorf("contact %+v", ct)
		}
		// the same message_id again: stored once
		again := h.inbound(h.fix.ChannelToken, body, 200)
		if !again.Duplicate || again.MessageID != first.MessageID || again.ConversationID != first.ConversationID {
			t.Errorf("duplicate answered %+v, want the first message %+v", again, first)
		}
		if n := h.count(`SELECT count(*) FROM messages WHERE direction = 'in'`); n != 1 {
			t.Errorf("%d customer messages after a repeated delivery, want 1", n)
		}
		// the same message id on another channel is another message
		other := h.inbound(h.fix.Channel2Token, body, 201)
		if other.ConversationID == first.ConversationID {
			t.Error("the other workspace's channel reused the conversation")
		}
		// a new message from the same customer joins the open conversation
		next := h.inbound(h.fix.ChannelToken, inboundBody("app-msg-2", "user-42", "Tem desconto?"), 201)
		if next.ConversationID != first.ConversationID || next.ContactID != first.ContactID {
			t.Errorf("second message opened %+v", next)
		}
		// a channel with its own department routes there
		var ch struct {
			store.Channel
			Token string `json:"token"`
		}
		h.must(201, actAdmin, "POST", "/api/v1/channels", map[string]any{"kind": "api", "name": "Cobrança", "department_id": h.fix.Financeiro.ID}).into(t, &ch)
		fin := h.inbound(ch.Token, inboundBody("", "user-42", "Segunda via do boleto"), 201)
		h.must(404, actAgentA, "GET", fmt.Sprintf("/api/v1/conversations/%d", fin.ConversationID), nil)
		h.must(200, actAgentB, "GET", fmt.Sprintf("/api/v1/conversations/%d", fin.ConversationID), nil).into(t, &c)
		if *c.DepartmentID != h.fix.Financeiro.ID {
			t.Errorf("department %d, want Financeiro", *c.DepartmentID)
		}
		// rotating the token retires the old one
		var rot struct {
			Token string `json:"token"`
		}
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/channels/%d/rotate-token", ch.ID), nil).into(t, &rot)
		h.inbound(ch.Token, inboundBody("", "user-42", "x"), 401)
		h.inbound(rot.Token, inboundBody("", "user-42", "y"), 201)
	})
}

// callbackRecorder is the company's app: it records what Atende POSTs and
// answers with the scripted statuses (200 when the script runs out).
type callbackRecorder struct {
	mu     sync.Mutex
	script []int
	got    []recordedCallback
	srv    *httptest.Server
}

type recordedCallback struct {
	header http.Header
	body   []byte
}

func newCallback(t *testing.T, script ...int) *callbackRecorder {
	cb := &callbackRecorder{script: script}
	cb.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		cb.mu.Lock()
		cb.got = append(cb.got, recordedCallback{header: r.Header.Clone(), body: body})
		status := 200
		if len(cb.script) > 0 {
			status, cb.script = cb.script[0], cb.script[1:]
		}
		cb.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(cb.srv.Close)
	return cb
}

func (cb *callbackRecorder) calls() []recordedCallback {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return slices.Clone(cb.got)
}

// apiChannel creates an API channel whose callback is cb and returns its token and secret.
func (h *testAPI) apiChannel(cb *callbackRecorder) (id int64, token, secret string) {
	h.t.Helper()
	var ch struct {
		ID     int64  `json:"id"`
		Token  string `json:"token"`
		Secret string `json:"secret"`
	}
	h.must(201, actAdmin, "POST", "/api/v1/channels", map[string]any{"kind": "api", "name": h.uniq("App"), "callback_url": cb.srv.URL}).into(h.t, &ch)
	if ch.Token == "" || ch.Secret == "" {
		h.t.Fatalf("channel secrets not shown at creation: %+v", ch)
	}
	stored, err := h.db.R().Channel(context.Background(), h.fix.WS.ID, ch.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	if !strings.HasPrefix(stored.Secret, "v1:") || strings.Contains(stored.Secret, ch.Secret) {
		h.t.Fatalf("signing secret stored in the clear: %q", stored.Secret)
	}
	return ch.ID, ch.Token, ch.Secret
}

func (h *testAPI) reply(actor string, convID int64, kind, content string, attachments ...int64) store.Message {
	h.t.Helper()
	var m store.Message
	body := map[string]any{"kind": kind, "content": content}
	if len(attachments) > 0 {
		body["attachment_ids"] = attachments
	}
	h.must(201, actor, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", convID), body).into(h.t, &m)
	return m
}

func (h *testAPI) waitStatus(ws, msgID int64, want string) store.Message {
	h.t.Helper()
	var m store.Message
	eventually(h.t, 10*time.Second, "message "+strconv.FormatInt(msgID, 10)+" "+want, func() bool {
		m = h.message(ws, msgID)
		return m.Status == want
	})
	return m
}

func TestReplyDeliveredToCallback(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		ws := h.fix.WS.ID

		t.Run("signed delivery", func(t *testing.T) {
			h.t = t
			cb := newCallback(t)
			_, token, secret := h.apiChannel(cb)
			in := h.inbound(token, inboundBody("m1", "cliente-7", "Oi"), 201)
			m := h.reply(actAgentA, in.ConversationID, "reply", "Olá! Como posso ajudar?")
			if m.Status != store.DeliveryPending || m.Direction != store.DirOut {
				t.Errorf("new reply %+v", m)
			}
			h.waitStatus(ws, m.ID, store.DeliverySent)
			calls := cb.calls()
			if len(calls) != 1 {
				t.Fatalf("%d callbacks, want 1", len(calls))
			}
			c := calls[0]
			ts, err := strconv.ParseInt(c.header.Get(apichannel.HeaderTimestamp), 10, 64)
			if err != nil || time.Since(time.Unix(ts, 0)) > time.Minute {
				t.Errorf("timestamp header %q", c.header.Get(apichannel.HeaderTimestamp))
			}
			if got, want := c.header.Get(apichannel.HeaderSignature), apichannel.Sign(secret, ts, c.body); got != want {
				t.Errorf("signature %q, want %q", got, want)
			}
			if got := c.header.Get(apichannel.HeaderDelivery); got != "msg-"+strconv.FormatInt(m.ID, 10) {
				t.Errorf("idempotency key %q", got)
			}
			if ct := c.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
			var p apichannel.OutboundPayload
			if err := json.Unmarshal(c.body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Event != "message.created" || p.Message.ID != m.ID || p.Message.ConversationID != in.ConversationID ||
				p.Message.Text != "Olá! Como posso ajudar?" || p.Message.SenderName != "AgentA" || p.Contact.ID != "cliente-7" {
				t.Errorf("payload %s", c.body)
			}

			// delivery statuses only move forward
			for _, st := range []struct{ report, want string }{{"delivered", "delivered"}, {"read", "read"}, {"delivered", "read"}} {
				if r := h.do("POST", "/api/v1/channels/api/statuses", token, map[string]any{"message_id": m.ID, "status": st.report}); r.status != 204 {
					t.Fatalf("status %s: %s", st.report, r)
				}
				if got := h.message(ws, m.ID).Status; got != st.want {
					t.Errorf("after %q: status %q, want %q", st.report, got, st.want)
				}
			}
			if r := h.do("POST", "/api/v1/channels/api/statuses", token, map[string]any{"message_id": m.ID, "status": "seen"}); r.status != 400 {
				t.Errorf("unknown status: %s, want 400", r)
			}
		})

		t.Run("retried after 500", func(t *testing.T) {
			h.t = t
			cb := newCallback(t, 500, 503)
			_, token, _ := h.apiChannel(cb)
			in := h.inbound(token, inboundBody("m1", "c1", "Oi"), 201)
			m := h.reply(actAgentA, in.ConversationID, "reply", "resposta")
			h.waitStatus(ws, m.ID, store.DeliverySent)
			calls := cb.calls()
			if len(calls) != 3 {
				t.Fatalf("%d callbacks, want 3 (500, 503, 200)", len(calls))
			}
			for _, c := range calls {
				if c.header.Get(apichannel.HeaderDelivery) != calls[0].header.Get(apichannel.HeaderDelivery) {
					t.Error("retries changed the idempotency key")
				}
			}
		})

		t.Run("400 fails for good", func(t *testing.T) {
			h.t = t
			cb := newCallback(t, 400)
			_, token, _ := h.apiChannel(cb)
			in := h.inbound(token, inboundBody("m1", "c1", "Oi"), 201)
			m := h.reply(actAgentA, in.ConversationID, "reply", "resposta")
			failed := h.waitStatus(ws, m.ID, store.DeliveryFailed)
			if !strings.Contains(failed.Error, "400") {
				t.Errorf("error %q does not say what the app answered", failed.Error)
			}
			time.Sleep(100 * time.Millisecond) // several backoffs
			if n := len(cb.calls()); n != 1 {
				t.Errorf("%d callbacks after a 400, want 1 (no retry)", n)
			}
			var api store.Message
			var page store.MessagePage
			h.must(200, actAgentA, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages", in.ConversationID), nil).into(t, &page)
			for _, x := range page.Items {
				if x.ID == m.ID {
					api = x
				}
			}
			if api.Status != store.DeliveryFailed || api.Error == "" {
				t.Errorf("the API shows %+v", api)
			}
		})

		t.Run("private notes are never delivered", func(t *testing.T) {
			h.t = t
			cb := newCallback(t)
			_, token, _ := h.apiChannel(cb)
			in := h.inbound(token, inboundBody("m1", "c1", "Oi"), 201)
			note := h.reply(actAgentA, in.ConversationID, "note", "cliente difícil, cuidado")
			if note.Kind != store.KindNote || note.Status != store.DeliveryNone || note.Direction != store.DirInternal {
				t.Errorf("note %+v", note)
			}
			m := h.reply(actAgentA, in.ConversationID, "reply", "resposta")
			h.waitStatus(ws, m.ID, store.DeliverySent)
			calls := cb.calls()
			if len(calls) != 1 || bytes.Contains(calls[0].body, []byte("cuidado")) {
				t.Errorf("callbacks %d: %s", len(calls), calls)
			}
			if n := h.count(`SELECT count(*) FROM jobs WHERE payload LIKE $1`, fmt.Sprintf(`%%"message_id":%d}%%`, note.ID)); n != 0 {
				t.Errorf("a delivery job exists for the note")
			}
			if st := h.message(ws, note.ID).Status; st != store.DeliveryNone {
				t.Errorf("note status %q", st)
			}
			// the note does not answer the customer
			c := h.conversation(ws, in.ConversationID)
			if c.FirstReplyAt == nil || *c.FirstReplyAt < m.CreatedAt {
				t.Errorf("first reply at %v, want the reply's time %d (not the note's)", c.FirstReplyAt, m.CreatedAt)
			}
		})

		t.Run("attachment delivered inline", func(t *testing.T) {
			h.t = t
			cb := newCallback(t)
			_, token, _ := h.apiChannel(cb)
			in := h.inbound(token, inboundBody("m1", "c1", "Oi"), 201)
			var at store.Attachment
			h.upload(actAgentA, "foto.png", pngBytes).into(t, &at)
			m := h.reply(actAgentA, in.ConversationID, "reply", "", at.ID)
			h.waitStatus(ws, m.ID, store.DeliverySent)
			var p apichannel.OutboundPayload
			_ = json.Unmarshal(cb.calls()[0].body, &p)
			if len(p.Message.Attachments) != 1 || p.Message.Attachments[0].Data != base64.StdEncoding.EncodeToString(pngBytes) ||
				p.Message.Attachments[0].ContentType != "image/png" {
				t.Errorf("delivered attachments %+v", p.Message.Attachments)
			}
		})
		h.t = t
	})
}

func TestAttachments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner(), withMaxBlob(64<<10))
		conv := h.newConvWith(tgtVendas, stQueued, false)

		// the type is sniffed from the bytes, not taken from the name
		r := h.upload(actAgentA, "relatorio.txt", pngBytes)
		if r.status != 201 {
			t.Fatalf("upload: %s", r)
		}
		var at store.Attachment
		r.into(t, &at)
		sum := sha256.Sum256(pngBytes)
		if at.ContentType != "image/png" || at.Size != int64(len(pngBytes)) || at.SHA256 != hex.EncodeToString(sum[:]) || at.MessageID != nil {
			t.Errorf("uploaded %+v", at)
		}
		path := fmt.Sprintf("/api/v1/attachments/%d", at.ID)
		// an unsent upload is its uploader's alone
		h.must(200, actAgentA, "GET", path, nil)
		for _, a := range []string{actSupervisor, actAdmin, actAgentB, actAdmin2} {
			h.must(404, a, "GET", path, nil)
		}
		// someone else cannot send my upload
		before := h.snapshot()
		h.must(422, actSupervisor, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), map[string]any{"kind": "reply", "content": "x", "attachment_ids": []int64{at.ID}})
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("refused send changed the database: %v", d)
		}

		m := h.reply(actAgentA, conv.ID, "reply", "segue a foto", at.ID)
		if m.Kind != store.KindMedia || len(m.Attachments) != 1 || m.Attachments[0].ID != at.ID {
			t.Fatalf("sent %+v", m)
		}
		// now everybody who sees the conversation may read it, nobody else
		for actor, want := range map[string]int{actAgentA: 200, actSupervisor: 200, actAdmin: 200, actAgentB: 404, actAgentC: 404, actAdmin2: 404, actAnon: 401} {
			r := h.as(actor, "GET", path, nil)
			if r.status != want {
				t.Errorf("%s GET attachment: %s, want %d", actor, r, want)
				continue
			}
			if want == 200 {
				if !bytes.Equal(r.body, pngBytes) || r.header.Get("Content-Type") != "image/png" || r.header.Get("X-Content-Type-Options") != "nosniff" ||
					!strings.HasPrefix(r.header.Get("Content-Disposition"), "inline") {
					t.Errorf("%s GET attachment: headers %v, %d bytes", actor, r.header, len(r.body))
				}
			} else {
				assertErrorEnvelope(t, r, actor+" GET attachment")
			}
		}
		// an upload is claimed once
		before = h.snapshot()
		h.must(422, actAgentA, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), map[string]any{"kind": "reply", "content": "de novo", "attachment_ids": []int64{at.ID}})
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("refused re-send changed the database: %v", d)
		}

		// an HTML upload can never render in our origin
		var page store.Attachment
		h.upload(actAgentA, "x.png", []byte("<!doctype html><html><script>alert(1)</script></html>")).into(t, &page)
		r = h.as(actAgentA, "GET", fmt.Sprintf("/api/v1/attachments/%d", page.ID), nil)
		if page.ContentType != "text/html; charset=utf-8" || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") ||
			!strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("html upload: type %q, headers %v", page.ContentType, r.header)
		}

		// too large: 413, and nothing kept
		before = h.snapshot()
		r = h.upload(actAgentA, "grande.bin", bytes.Repeat([]byte{7}, 64<<10+1))
		if r.status != 413 {
			t.Errorf("oversized upload: %s, want 413", r)
		}
		assertErrorEnvelope(t, r, "oversized upload")
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("oversized upload left: %v", d)
		}
		// exactly the limit is fine
		if r := h.upload(actAgentA, "limite.bin", bytes.Repeat([]byte{7}, 64<<10)); r.status != 201 {
			t.Errorf("upload of exactly the limit: %s", r)
		}
		// not multipart, or no file part
		for name, rq := range map[string]request{
			"json body": {body: map[string]any{"file": "x"}},
			"no file":   {body: []byte("--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n"), contentType: "multipart/form-data; boundary=b"},
		} {
			rq.method, rq.path, rq.token = "POST", "/api/v1/attachments", h.tokens[actAgentA]
			if r := h.send(rq); r.status != 400 {
				t.Errorf("%s: %s, want 400", name, r)
			}
		}
	})
}

func TestSnoozeIsWokenByTimer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		ws := h.fix.WS.ID
		conv := h.newConvWith(tgtVendas, stQueued, false)
		until := time.Now().Add(1500 * time.Millisecond)
		var v conversation.View
		h.must(200, actAgentA, "POST", fmt.Sprintf("/api/v1/conversations/%d/snooze", conv.ID), map[string]any{"until": until.Format(time.RFC3339Nano)}).into(t, &v)
		if v.Status != store.StatusSnoozed || v.SnoozedUntil == nil || *v.SnoozedUntil != until.UnixMilli() {
			t.Fatalf("snoozed %+v", v.Conversation)
		}
		var counters httpapi.Counters
		h.must(200, actAgentA, "GET", "/api/v1/conversations/counters", nil).into(t, &counters)
		if counters.Snoozed != 1 || counters.Unassigned != 0 {
			t.Errorf("counters while snoozed %+v", counters)
		}
		eventually(t, 15*time.Second, "the snooze timer", func() bool { return h.conversation(ws, conv.ID).Status == store.StatusQueued })
		if time.Now().Before(until) {
			t.Errorf("woke before its time")
		}
		var woke bool
		for _, m := range h.messages(conv.ID) {
			woke = woke || (m.Event != nil && m.Event.Type == "woke" && m.Event.Detail == "timer")
		}
		if !woke {
			t.Error("no woke event in the timeline")
		}
		// a customer message wakes a snoozed conversation early
		h.must(200, actAgentA, "POST", fmt.Sprintf("/api/v1/conversations/%d/snooze", conv.ID), map[string]any{"until": time.Now().Add(time.Hour).Format(time.RFC3339)})
		h.inbound(h.fix.ChannelToken, inboundBody("", conv.Customer, "voltei"), 201)
		if st := h.conversation(ws, conv.ID).Status; st != store.StatusQueued {
			t.Errorf("after a customer message: %s, want queued", st)
		}
	})
}

func TestResolveWithClosingReason(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		conv := h.newConvWith(tgtVendas, stQueued, false)
		path := fmt.Sprintf("/api/v1/conversations/%d/resolve", conv.ID)
		h.must(200, actAdmin, "PATCH", "/api/v1/workspace", map[string]any{"closing_reason_required": true})
		var inactive, reason store.ClosingReason
		h.must(201, actAdmin, "POST", "/api/v1/closing-reasons", map[string]any{"name": "Antigo"}).into(t, &inactive)
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/closing-reasons/%d", inactive.ID), map[string]any{"active": false})
		h.must(201, actAdmin, "POST", "/api/v1/closing-reasons", map[string]any{"name": "Venda realizada"}).into(t, &reason)

		before := h.snapshot()
		for name, body := range map[string]any{"no body": nil, "no reason": map[string]any{}, "inactive reason": map[string]any{"closing_reason_id": inactive.ID},
			"unknown reason": map[string]any{"closing_reason_id": 987654}} {
			r := h.as(actAgentA, "POST", path, body)
			if r.status != 422 {
				t.Errorf("%s: %s, want 422", name, r)
			}
			assertErrorEnvelope(t, r, name)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("refused resolves changed the database: %v", d)
		}
		var v conversation.View
		h.must(200, actAgentA, "POST", path, map[string]any{"closing_reason_id": reason.ID}).into(t, &v)
		if v.Status != store.StatusResolved || v.ClosingReasonID == nil || *v.ClosingReasonID != reason.ID || v.ResolvedAt == nil {
			t.Errorf("resolved %+v", v.Conversation)
		}
		r := h.as(actAgentA, "POST", path, map[string]any{"closing_reason_id": reason.ID})
		if r.status != 409 || r.json()["error"].(map[string]any)["code"] != "invalid_transition" {
			t.Errorf("resolve twice: %s, want 409 invalid_transition", r)
		}
		// a later customer message opens a new cycle
		next := h.inbound(h.fix.ChannelToken, inboundBody("", conv.Customer, "de novo"), 201)
		if next.ConversationID == conv.ID {
			t.Error("a message after resolve went into the resolved conversation")
		}
	})
}

type convPage struct {
	Items      []conversation.View `json:"items"`
	NextCursor string              `json:"next_cursor"`
}

// listAll follows next_cursor through every page.
func (h *testAPI) listAll(actor, query string) []conversation.View {
	h.t.Helper()
	var all []conversation.View
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 50 {
			h.t.Fatal("pagination does not end")
		}
		q := query
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		var p convPage
		h.must(200, actor, "GET", "/api/v1/conversations?"+q, nil).into(h.t, &p)
		all = append(all, p.Items...)
		if p.NextCursor == "" {
			return all
		}
		cursor = p.NextCursor
	}
}

func ids(list []conversation.View) []int64 {
	out := make([]int64, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	return out
}

func TestListViewsSortsAndPagination(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		ctx := context.Background()
		f := h.fix
		var vendas []convRef
		for i := 0; i < 7; i++ {
			vendas = append(vendas, h.newConvWith(tgtVendas, stQueued, false))
			time.Sleep(3 * time.Millisecond) // distinct times, though ties must page right too
		}
		fin := h.newConvWith(tgtFin, stQueued, false)
		// vendas[1] and [2] are AgentA's; [1] was answered
		for _, i := range []int{1, 2} {
			if _, err := h.conv.Assign(ctx, f.AgentAV(), vendas[i].ID, f.AgentA.ID); err != nil {
				t.Fatal(err)
			}
		}
		h.reply(actAgentA, vendas[1].ID, "reply", "respondido")
		h.must(200, actAgentA, "POST", fmt.Sprintf("/api/v1/conversations/%d/snooze", vendas[3].ID), map[string]any{"until": time.Now().Add(time.Hour).Format(time.RFC3339)})
		h.must(200, actAgentA, "POST", fmt.Sprintf("/api/v1/conversations/%d/resolve", vendas[4].ID), nil)
		h.must(200, actAgentA, "PUT", fmt.Sprintf("/api/v1/conversations/%d/star", vendas[5].ID), nil)
		var label store.Label
		h.must(201, actSupervisor, "POST", "/api/v1/labels", map[string]any{"name": "VIP", "color": "#ff0000"}).into(t, &label)
		h.must(200, actAgentA, "PUT", fmt.Sprintf("/api/v1/conversations/%d/labels/%d", vendas[6].ID, label.ID), nil)
		// a later customer message moves vendas[0] to the top of "latest"
		time.Sleep(3 * time.Millisecond)
		h.inbound(f.ChannelToken, inboundBody("", vendas[0].Customer, "alguém aí?"), 201)

		active := []int64{vendas[0].ID, vendas[1].ID, vendas[2].ID, vendas[5].ID, vendas[6].ID}
		// latest first, every page a keyset continuation, Financeiro never shown
		all := h.listAll(actAgentA, "view=all&limit=2")
		if got := ids(all); !sameSet(got, active) {
			t.Fatalf("view=all lists %v, want %v", got, active)
		}
		if all[0].ID != vendas[0].ID {
			t.Errorf("latest first: got %d first, want %d", all[0].ID, vendas[0].ID)
		}
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			if a.LastMessageAt < b.LastMessageAt || (a.LastMessageAt == b.LastMessageAt && a.ID < b.ID) {
				t.Errorf("not sorted by latest message: %d (%d) before %d (%d)", a.ID, a.LastMessageAt, b.ID, b.LastMessageAt)
			}
		}
		admin := ids(h.listAll(actAdmin, "limit=1"))
		if !sameSet(admin, append(slices.Clone(active), fin.ID)) {
			t.Errorf("admin with limit=1 pages %v", admin)
		}

		// longest waiting first; the answered one (not waiting) last
		waiting := h.listAll(actAgentA, "sort=waiting&limit=3")
		if last := waiting[len(waiting)-1]; last.ID != vendas[1].ID || last.WaitingSince != nil {
			t.Errorf("sort=waiting: last is %d (waiting since %v), want the answered %d", last.ID, last.WaitingSince, vendas[1].ID)
		}
		for i := 1; i < len(waiting)-1; i++ {
			if *waiting[i-1].WaitingSince > *waiting[i].WaitingSince {
				t.Errorf("sort=waiting out of order at %d", i)
			}
		}
		inService := h.listAll(actAgentA, "sort=in_service&limit=2")
		for i := 1; i < len(inService); i++ {
			if inService[i-1].OpenedAt > inService[i].OpenedAt {
				t.Errorf("sort=in_service out of order at %d", i)
			}
		}

		for _, c := range []struct {
			query string
			want  []int64
		}{
			{"view=mine", []int64{vendas[1].ID, vendas[2].ID}},
			{"view=unassigned", []int64{vendas[0].ID, vendas[5].ID, vendas[6].ID}},
			{"view=snoozed", []int64{vendas[3].ID}},
			{"view=resolved", []int64{vendas[4].ID}},
			{"view=starred", []int64{vendas[5].ID}},
			{"status=open", []int64{vendas[1].ID, vendas[2].ID}},
			{"status=snoozed,resolved", []int64{vendas[3].ID, vendas[4].ID}},
			{fmt.Sprintf("label_id=%d", label.ID), []int64{vendas[6].ID}},
			{fmt.Sprintf("agent_id=%d", f.AgentA.ID), []int64{vendas[1].ID, vendas[2].ID}},
			{fmt.Sprintf("department_id=%d", f.Financeiro.ID), nil}, // not AgentA's department
			{fmt.Sprintf("channel_id=%d", f.Channel.ID), active},
			{fmt.Sprintf("channel_id=%d", f.Channel2.ID), nil},
		} {
			if got := ids(h.listAll(actAgentA, c.query+"&limit=2")); !sameSet(got, c.want) {
				t.Errorf("%s: %v, want %v", c.query, got, c.want)
			}
		}
		if got := ids(h.listAll(actAgentB, fmt.Sprintf("department_id=%d", f.Vendas.ID))); len(got) != 0 {
			t.Errorf("AgentB filtering by Vendas sees %v", got)
		}
		if got := ids(h.listAll(actAgentB, fmt.Sprintf("agent_id=%d", f.AgentA.ID))); len(got) != 0 {
			t.Errorf("AgentB filtering by AgentA sees %v", got)
		}

		before := h.snapshot()
		for _, q := range []string{"cursor=garbage", "cursor=" + base64.RawURLEncoding.EncodeToString([]byte("1:x")), "sort=oldest", "view=everything",
			"status=pending", "limit=201", "limit=-1", "department_id=abc", "label_id=-3"} {
			r := h.as(actAgentA, "GET", "/api/v1/conversations?"+q, nil)
			if r.status != 400 {
				t.Errorf("%s: %s, want 400", q, r)
			}
			assertErrorEnvelope(t, r, q)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("bad list queries changed the database: %v", d)
		}

		// counters: one answer, the same visibility
		var ca, cadm httpapi.Counters
		h.must(200, actAgentA, "GET", "/api/v1/conversations/counters", nil).into(t, &ca)
		if ca.Mine != 2 || ca.Unassigned != 3 || ca.All != 5 || ca.Snoozed != 1 || ca.Resolved != 1 {
			t.Errorf("AgentA counters %+v", ca)
		}
		if len(ca.Departments) != 1 || ca.Departments[0].ID != f.Vendas.ID || ca.Departments[0].Queued != 3 || ca.Departments[0].Open != 2 {
			t.Errorf("AgentA department counters %+v", ca.Departments)
		}
		h.must(200, actAdmin, "GET", "/api/v1/conversations/counters", nil).into(t, &cadm)
		if cadm.All != 6 || cadm.Unassigned != 4 || len(cadm.Departments) != 2 {
			t.Errorf("admin counters %+v", cadm)
		}
		var agentOpen int64 = -1
		for _, a := range cadm.Agents {
			if a.ID == f.AgentA.ID {
				agentOpen = a.Open
			}
			if a.ID == f.Admin2.ID {
				t.Error("counters list a user of another workspace")
			}
		}
		if agentOpen != 2 {
			t.Errorf("AgentA has %d open in the admin's counters, want 2", agentOpen)
		}
		var cb httpapi.Counters
		h.must(200, actAgentB, "GET", "/api/v1/conversations/counters", nil).into(t, &cb)
		if cb.All != 1 || cb.Unassigned != 1 || len(cb.Departments) != 1 || cb.Departments[0].ID != f.Financeiro.ID {
			t.Errorf("AgentB counters %+v", cb)
		}
	})
}

func sameSet(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestSearchAndExport(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		f := h.fix
		v := h.inbound(f.ChannelToken, inboundBody("", "v1", "Quero comprar um sapato azul"), 201)
		fin := h.inbound(f.ChannelToken, inboundBody("", "f1", "Meu boleto veio com valor errado"), 201)
		if _, err := h.conv.Transfer(context.Background(), f.AdminV(), fin.ConversationID, f.Financeiro.ID, 0); err != nil {
			t.Fatal(err)
		}
		h.reply(actAgentB, fin.ConversationID, "note", "verificar boleto no banco")
		h.inbound(f.Channel2Token, inboundBody("", "w2", "boleto do outro cliente"), 201)

		search := func(actor, q string) []store.SearchHit {
			var res struct {
				Items []store.SearchHit `json:"items"`
			}
			h.must(200, actor, "GET", "/api/v1/search/messages?q="+url.QueryEscape(q), nil).into(t, &res)
			return res.Items
		}
		if hits := search(actAgentB, "boleto"); len(hits) != 2 || hits[0].ConversationID != fin.ConversationID || hits[0].ID < hits[1].ID {
			t.Errorf("AgentB searching boleto: %+v", hits)
		}
		if hits := search(actAgentA, "boleto"); len(hits) != 0 {
			t.Errorf("AgentA finds Financeiro's messages: %+v", hits)
		}
		if hits := search(actAdmin2, "boleto"); len(hits) != 1 {
			t.Errorf("admin2 finds %d, want only its own workspace's", len(hits))
		}
		if hits := search(actAgentA, "SAPATO azul"); len(hits) != 1 || hits[0].ConversationID != v.ConversationID || hits[0].ContactName == "" {
			t.Errorf("AgentA searching sapato azul: %+v", hits)
		}
		if hits := search(actAgentA, "sapato vermelho"); len(hits) != 0 {
			t.Errorf("every word must match: %+v", hits)
		}
		for _, q := range []string{`"`, `a*`, `NEAR(a b)`, `x')--`, `';`, `boleto OR sapato`, `-boleto`, `col:boleto`, `^boleto`} {
			search(actAdmin, q) // FTS syntax in user input is text, never an error
		}
		for _, q := range []string{"", "  ", strings.Repeat("a", 201)} {
			if r := h.as(actAdmin, "GET", "/api/v1/search/messages?q="+url.QueryEscape(q), nil); r.status != 400 {
				t.Errorf("q=%q: %s, want 400", q, r)
			}
		}

		// CSV export: every message, formula injection defused
		h.reply(actAgentA, v.ConversationID, "reply", "=HYPERLINK(\"http://evil\")")
		r := h.must(200, actAgentA, "GET", fmt.Sprintf("/api/v1/conversations/%d/export.csv", v.ConversationID), nil)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("export headers %v", r.header)
		}
		rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatalf("export is not CSV: %v\n%s", err, r.body)
		}
		if len(rows) != 1+len(h.messages(v.ConversationID)) || rows[0][0] != "id" || rows[0][6] != "content" {
			t.Fatalf("export rows %q", rows)
		}
		var texts []string
		for _, row := range rows[1:] {
			texts = append(texts, row[6])
		}
		if !slices.Contains(texts, "Quero comprar um sapato azul") || !slices.Contains(texts, "'=HYPERLINK(\"http://evil\")") {
			t.Errorf("exported contents %q", texts)
		}
		h.must(404, actAgentB, "GET", fmt.Sprintf("/api/v1/conversations/%d/export.csv", v.ConversationID), nil)
	})
}

func TestWebSocketPushesVisibleEventsOnly(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		f := h.fix
		wsURL := "ws" + strings.TrimPrefix(h.srv.URL, "http") + "/api/v1/ws"
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()

		// another site's page cannot open the socket with the user's credentials
		_, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{
			"Authorization": {"Bearer " + h.tokens[actAgentA]}, "Origin": {"https://evil.example"}}})
		if err == nil || resp == nil || resp.StatusCode != 403 {
			t.Errorf("foreign origin: err %v, resp %v", err, resp)
		}
		if r := h.dialStatus(""); r.status != 401 {
			t.Errorf("no credentials: %d, want 401", r.status)
		}

		conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{
			"Authorization": {"Bearer " + h.tokens[actAgentA]}, "Origin": {h.srv.URL}}})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.CloseNow()
		// the connection marks AgentA online
		eventually(t, 5*time.Second, "presence online", func() bool {
			u, err := h.db.R().User(ctx, f.WS.ID, f.AgentA.ID)
			return err == nil && u.Presence == store.PresenceOnline
		})

		fin := h.inbound(f.ChannelToken, inboundBody("", "fin-1", "boleto"), 201)
		// (routed to Vendas, then moved: both steps happen before AgentA's event below)
		if _, err := h.conv.Transfer(ctx, f.AdminV(), fin.ConversationID, f.Financeiro.ID, 0); err != nil {
			t.Fatal(err)
		}
		other := h.inbound(f.Channel2Token, inboundBody("", "w2", "oi"), 201)
		finMsg := h.inbound(f.ChannelToken, inboundBody("", "fin-1", "ainda esperando"), 201) // Financeiro now
		v := h.inbound(f.ChannelToken, inboundBody("", "vendas-1", "quero comprar"), 201)

		seen := map[int64]bool{}
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				t.Fatalf("read: %v (seen %v)", err, seen)
			}
			var e events.Event
			if err := json.Unmarshal(data, &e); err != nil {
				t.Fatalf("event %s: %v", data, err)
			}
			if e.WorkspaceID != f.WS.ID {
				t.Errorf("event of another workspace: %s", data)
			}
			if e.ConversationID == other.ConversationID && e.WorkspaceID == f.WS2.ID {
				t.Errorf("WS2 conversation pushed: %s", data)
			}
			if e.Type == events.MessageCreated {
				var m store.Message
				_ = json.Unmarshal(e.Data, &m)
				seen[m.ID] = true
				if m.ID == finMsg.MessageID {
					t.Errorf("AgentA got a message of a Financeiro conversation: %s", data)
				}
				if m.ID == v.MessageID {
					if e.ConversationID != v.ConversationID || e.DepartmentID != f.Vendas.ID || m.Content != "quero comprar" {
						t.Errorf("message.created %s", data)
					}
					break
				}
			}
		}
		if !seen[fin.MessageID] {
			t.Error("AgentA missed the first message while the conversation was still in Vendas")
		}
	})
}

// TestContactEraseRemovesFiles: erasing a contact (LGPD) removes its
// conversations, messages and the files of their attachments.
func TestContactEraseRemovesFiles(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		keep := h.newConv(tgtFin, stQueued) // another customer's file stays
		filesBefore := h.blobFiles()
		conv := h.newConv(tgtVendas, stQueued) // arrives with a file
		var at store.Attachment
		h.upload(actAgentA, "resposta.png", pngBytes).into(t, &at)
		h.reply(actAgentA, conv.ID, "reply", "segue", at.ID)
		if n := h.blobFiles(); n != filesBefore+2 {
			t.Fatalf("%d files, want %d", n, filesBefore+2)
		}
		h.must(403, actAgentA, "DELETE", fmt.Sprintf("/api/v1/contacts/%d", conv.ContactID), nil)
		h.must(204, actSupervisor, "DELETE", fmt.Sprintf("/api/v1/contacts/%d", conv.ContactID), nil)
		if n := h.blobFiles(); n != filesBefore {
			t.Errorf("%d files after the erase, want %d", n, filesBefore)
		}
		if n := h.count(`SELECT count(*) FROM messages WHERE conversation_id = $1`, conv.ID); n != 0 {
			t.Errorf("%d messages left", n)
		}
		h.must(404, actAdmin, "GET", fmt.Sprintf("/api/v1/conversations/%d", conv.ID), nil)
		h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/attachments/%d", keep.AttachmentID), nil)
	})
}
