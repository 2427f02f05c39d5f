package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/widget"
)

// widgetChannel is a widget channel as its creator sees it.
type widgetChannel struct {
	ID     int64 `json:"id"`
	Widget struct {
		widget.Settings
		Key            string `json:"key"`
		Snippet        string `json:"snippet"`
		IdentitySecret string `json:"identity_secret"`
	} `json:"widget"`
}

func (h *testAPI) newWidgetChannel(settings map[string]any) widgetChannel {
	h.t.Helper()
	body := map[string]any{"kind": "widget", "name": h.uniq("Site")}
	if settings != nil {
		body["widget"] = settings
	}
	var c widgetChannel
	h.must(201, actAdmin, "POST", "/api/v1/channels", body).into(h.t, &c)
	return c
}

// visitor is a website visitor's session, as the widget frame holds it.
type visitor struct {
	h     *testAPI
	key   string
	token string
}

func (h *testAPI) newVisitor(key string, body map[string]any) visitor {
	h.t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	r := h.send(request{method: "POST", path: "/api/v1/widget/" + key + "/sessions", body: body})
	if r.status != 201 {
		h.t.Fatalf("new visitor session: %s", r)
	}
	var s struct {
		Token string `json:"token"`
	}
	r.into(h.t, &s)
	return visitor{h: h, key: key, token: s.Token}
}

func (v visitor) do(method, path string, body any) response {
	v.h.t.Helper()
	return v.h.send(request{method: method, path: "/api/v1/widget/" + v.key + path, token: v.token, body: body})
}

type widgetConv struct {
	Conversation *struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Rated  bool   `json:"rated"`
	} `json:"conversation"`
	Agent *struct {
		Name string `json:"name"`
	} `json:"agent"`
	Messages []widget.Message `json:"messages"`
}

func (v visitor) conversation() widgetConv {
	v.h.t.Helper()
	r := v.do("GET", "/conversation", nil)
	if r.status != 200 {
		v.h.t.Fatalf("visitor conversation: %s", r)
	}
	var c widgetConv
	r.into(v.h.t, &c)
	return c
}

// TestWidgetVisitor walks a website visitor through the widget API: the
// widget's public config, a session kept across page loads, the pre-chat
// form, a message routed to the chosen department, the agent's reply
// pushed live over the visitor's socket and shown with the agent's first
// name (never notes), read marks, resolve and a rating given once.
func TestWidgetVisitor(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		ch := h.newWidgetChannel(map[string]any{"color": "#0A7A5A", "position": "left", "language": "auto",
			"greeting_pt": "Olá! Em que podemos ajudar?", "greeting_en": "Hi! How can we help?",
			"prechat_enabled": true, "prechat_fields": []map[string]any{{"name": "name", "required": true}, {"name": "email", "required": false}},
			"prechat_department_ids": []int64{f.Financeiro.ID}, "offline_message_pt": "Deixe seu recado.", "offline_message_en": "Leave a message."})
		key := ch.Widget.Key
		if len(key) < 16 || ch.Widget.IdentitySecret == "" || !strings.Contains(ch.Widget.Snippet, `data-atende-key="`+key+`"`) ||
			!strings.Contains(ch.Widget.Snippet, h.srv.URL+"/widget.js") || ch.Widget.Color != "#0a7a5a" {
			t.Fatalf("created widget: %+v", ch.Widget)
		}
		// the secret is shown once; agents see no configuration at all
		var again widgetChannel
		h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/channels/%d", ch.ID), nil).into(t, &again)
		if again.Widget.IdentitySecret != "" || again.Widget.Key != key {
			t.Errorf("channel read back: %+v", again.Widget)
		}
		if b := h.must(200, actAgentA, "GET", "/api/v1/channels", nil).String(); strings.Contains(b, key) {
			t.Errorf("an agent sees the widget key: %s", b)
		}

		// public config, in the visitor's language
		var cfg struct {
			Name     string `json:"name"`
			Color    string `json:"color"`
			Position string `json:"position"`
			Greeting string `json:"greeting"`
			Language string `json:"language"`
			Online   bool   `json:"online"`
			Offline  string `json:"offline_message"`
			Prechat  struct {
				Enabled     bool `json:"enabled"`
				Departments []struct {
					ID   int64  `json:"id"`
					Name string `json:"name"`
				} `json:"departments"`
			} `json:"prechat"`
		}
		h.send(request{method: "GET", path: "/api/v1/widget/" + key + "/config", header: http.Header{"Accept-Language": {"pt-BR,pt;q=0.9"}}}).into(t, &cfg)
		if cfg.Language != "pt-BR" || cfg.Greeting != "Olá! Em que podemos ajudar?" || cfg.Offline != "Deixe seu recado." || cfg.Position != "left" ||
			!cfg.Prechat.Enabled || len(cfg.Prechat.Departments) != 1 || cfg.Prechat.Departments[0].ID != f.Financeiro.ID {
			t.Fatalf("config: %+v", cfg)
		}
		if cfg.Online {
			t.Errorf("online with every agent offline")
		}
		h.must(200, actAgentB, "PUT", "/api/v1/me/presence", map[string]any{"presence": "online"})
		h.send(request{method: "GET", path: "/api/v1/widget/" + key + "/config?lang=en"}).into(t, &cfg)
		if !cfg.Online || cfg.Language != "en" || cfg.Greeting != "Hi! How can we help?" {
			t.Errorf("config with an agent online, in English: %+v", cfg)
		}

		v := h.newVisitor(key, nil)
		// a page reload keeps the session
		r := h.send(request{method: "POST", path: "/api/v1/widget/" + key + "/sessions", body: map[string]any{"token": v.token}})
		if r.status != 200 || !strings.Contains(r.String(), v.token) {
			t.Fatalf("session kept: %s", r)
		}
		if c := v.conversation(); c.Conversation != nil || len(c.Messages) != 0 {
			t.Fatalf("a new visitor has history: %+v", c)
		}
		// the pre-chat form is required before the first message
		before := h.snapshot()
		for name, body := range map[string]map[string]any{
			"no pre-chat":       {"content": "Oi"},
			"no name":           {"content": "Oi", "prechat": map[string]any{"email": "ana@example.com"}},
			"bad e-mail":        {"content": "Oi", "prechat": map[string]any{"name": "Ana", "email": "ana@"}},
			"foreign dept":      {"content": "Oi", "prechat": map[string]any{"name": "Ana", "department_id": f.Vendas.ID}},
			"empty":             {"content": "  ", "prechat": map[string]any{"name": "Ana"}},
			"too long":          {"content": strings.Repeat("a", 5001), "prechat": map[string]any{"name": "Ana"}},
			"not my upload":     {"content": "x", "attachment_ids": []int64{99999}, "prechat": map[string]any{"name": "Ana"}},
			"unknown field":     {"content": "x", "prechat": map[string]any{"name": "Ana"}, "admin": true},
			"nul in the text":   {"content": "a\x00b", "prechat": map[string]any{"name": "Ana"}},
			"name on two lines": {"content": "x", "prechat": map[string]any{"name": "Ana\nBob"}},
		} {
			r := v.do("POST", "/messages", body)
			if r.status < 400 || r.status >= 500 {
				t.Errorf("%s: %s, want 4xx", name, r)
			}
			assertErrorEnvelope(t, r, name)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("refused visitor messages wrote: %v", d)
		}

		// the agents of the chosen department see the live conversation
		agent := h.dialAgent(t, actAgentB)
		var first widget.Message
		r = v.do("POST", "/messages", map[string]any{"content": "Quero a segunda via do boleto", "client_id": "c1",
			"prechat": map[string]any{"name": "Ana Souza", "email": "Ana@Example.com", "department_id": f.Financeiro.ID}})
		if r.status != 201 {
			t.Fatalf("first message: %s", r)
		}
		r.into(t, &first)
		if first.Direction != "in" || first.Sender != "visitor" || first.Content != "Quero a segunda via do boleto" || first.Status != store.DeliverySent {
			t.Fatalf("first message view: %+v", first)
		}
		// a retried send (same client_id) stores nothing new
		if r := v.do("POST", "/messages", map[string]any{"content": "Quero a segunda via do boleto", "client_id": "c1"}); r.status != 201 ||
			!strings.Contains(r.String(), fmt.Sprintf(`"id":%d`, first.ID)) {
			t.Errorf("retried send: %s", r)
		}
		agent.waitFor(t, "message.created", func(e map[string]any) bool { return strings.Contains(fmt.Sprint(e["data"]), "segunda via") })
		stored := h.message(f.WS.ID, first.ID)
		conv := h.conversation(f.WS.ID, stored.ConversationID)
		if conv.DepartmentID == nil || *conv.DepartmentID != f.Financeiro.ID || conv.ChannelID != ch.ID {
			t.Fatalf("conversation routed to %v on channel %d", conv.DepartmentID, conv.ChannelID)
		}
		var contact store.Contact
		h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/contacts/%d", conv.ContactID), nil).into(t, &contact)
		if contact.Name != "Ana Souza" || contact.Email != "ana@example.com" {
			t.Errorf("contact from the pre-chat form: %q %q", contact.Name, contact.Email)
		}

		// the visitor's socket: the agent's reply arrives live, a note never does
		sock := v.dial(t)
		h.must(200, actAgentB, "POST", fmt.Sprintf("/api/v1/conversations/%d/assign", conv.ID), map[string]any{"assignee_id": f.AgentB.ID})
		h.must(201, actAgentB, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), map[string]any{"kind": "note", "content": "cliente antiga, ver cadastro"})
		h.must(204, actAgentB, "POST", fmt.Sprintf("/api/v1/conversations/%d/typing", conv.ID), nil)
		typing := sock.waitFor(t, "typing", nil)
		var reply store.Message
		h.must(201, actAgentB, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), map[string]any{"kind": "reply", "content": "Claro! Segue o link."}).into(t, &reply)
		got := sock.waitFor(t, "message.created", func(e map[string]any) bool { return strings.Contains(fmt.Sprint(e["message"]), "Segue o link") })
		for _, e := range sock.seen() {
			if strings.Contains(fmt.Sprint(e), "cliente antiga") {
				t.Fatalf("the visitor received a private note: %v", e)
			}
		}
		// whoever answers has read: the visitor's message shows as seen by the team
		seen := sock.waitFor(t, "read", nil)
		if upTo, _ := seen["up_to"].(float64); int64(upTo) < first.CreatedAt {
			t.Errorf("read frame %v does not cover the visitor's message at %d", seen, first.CreatedAt)
		}
		msg := got["message"].(map[string]any)
		agentName := widget.FirstName(f.AgentB.Name)
		if msg["agent_name"] != agentName || msg["sender"] != "agent" || fmt.Sprint(typing["agent"]) != fmt.Sprint(map[string]any{"name": agentName, "initials": initialsOf(f.AgentB.Name)}) {
			t.Errorf("reply frame %v, typing frame %v", got, typing)
		}
		eventually(t, 5*time.Second, "reply delivered to the open widget", func() bool {
			s := h.message(f.WS.ID, reply.ID).Status
			return s == store.DeliveryDelivered
		})
		// the history a reload shows: no notes, no events, the agent by first name
		c := v.conversation()
		if c.Conversation == nil || c.Conversation.ID != conv.ID || c.Agent == nil || c.Agent.Name != agentName || len(c.Messages) != 2 ||
			c.Messages[0].ID != first.ID || c.Messages[1].ID != reply.ID || c.Messages[0].Status != store.DeliveryRead {
			t.Fatalf("visitor history: %+v", c)
		}
		// read marks
		if r := v.do("POST", "/read", map[string]any{"up_to": reply.ID}); r.status != 204 {
			t.Fatalf("read: %s", r)
		}
		if s := h.message(f.WS.ID, reply.ID).Status; s != store.DeliveryRead {
			t.Errorf("reply status after the visitor read it: %s", s)
		}
		other := h.newVisitor(key, nil)
		if r := other.do("POST", "/read", map[string]any{"up_to": reply.ID}); r.status != 204 {
			t.Errorf("a visitor with no conversation reading: %s", r)
		}

		// rating: only once resolved, only once
		if r := v.do("POST", "/rating", map[string]any{"score": 5}); r.status != 409 {
			t.Errorf("rating an open conversation: %s", r)
		}
		h.must(200, actAgentB, "POST", fmt.Sprintf("/api/v1/conversations/%d/resolve", conv.ID), map[string]any{})
		sock.waitFor(t, "conversation.updated", func(e map[string]any) bool { return strings.Contains(fmt.Sprint(e["conversation"]), "resolved") })
		for _, bad := range []map[string]any{{"score": 0}, {"score": 6}, {"score": 3, "comment": strings.Repeat("x", 1001)}} {
			if r := v.do("POST", "/rating", bad); r.status != 422 {
				t.Errorf("rating %v: %s", bad, r)
			}
		}
		if r := v.do("POST", "/rating", map[string]any{"score": 4, "comment": "Rápido e gentil"}); r.status != 201 {
			t.Fatalf("rating: %s", r)
		}
		if r := v.do("POST", "/rating", map[string]any{"score": 1}); r.status != 409 {
			t.Errorf("second rating: %s", r)
		}
		if c := v.conversation(); c.Conversation == nil || !c.Conversation.Rated {
			t.Errorf("conversation not rated: %+v", c.Conversation)
		}
		if n := h.count(`SELECT count(*) FROM conversation_ratings WHERE conversation_id = $1 AND score = 4 AND assignee_id = $2`, conv.ID, f.AgentB.ID); n != 1 {
			t.Errorf("%d ratings stored", n)
		}
		var rated bool
		for _, m := range h.messages(conv.ID) {
			rated = rated || (m.Event != nil && m.Event.Type == "rated" && m.Event.To == "4")
		}
		if !rated {
			t.Errorf("the rating is not in the timeline")
		}
		sock.close()
		agent.close()
	})
}

// initialsOf mirrors what the widget shows for an agent without a photo.
func initialsOf(full string) string {
	a := widget.Agent(full)
	if a == nil {
		return ""
	}
	return a.Initials
}

// TestWidgetIsolation: a visitor reaches only their own widget, session,
// conversation and files; unknown keys are 404 and other channels' tokens 401.
func TestWidgetIsolation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		a := h.newWidgetChannel(nil)
		b := h.newWidgetChannel(map[string]any{"color": "#123456", "position": "right", "language": "en"})
		va, vb := h.newVisitor(a.Widget.Key, nil), h.newVisitor(b.Widget.Key, nil)
		// default pre-chat asks for a name
		if r := va.do("POST", "/messages", map[string]any{"content": "oi", "prechat": map[string]any{"name": "Ana"}}); r.status != 201 {
			t.Fatalf("visitor A writes: %s", r)
		}
		// an upload travels with the message; only its visitor can fetch it
		body, ctype := multipartFile("file", "foto.png", pngBytes)
		up := h.send(request{method: "POST", path: "/api/v1/widget/" + a.Widget.Key + "/attachments", token: va.token, body: body, contentType: ctype})
		if up.status != 201 {
			t.Fatalf("upload: %s", up)
		}
		var u struct{ ID int64 }
		up.into(t, &u)
		var withFile widget.Message
		r := va.do("POST", "/messages", map[string]any{"content": "", "attachment_ids": []int64{u.ID}})
		if r.status != 201 {
			t.Fatalf("send the file: %s", r)
		}
		r.into(t, &withFile)
		if len(withFile.Attachments) != 1 {
			t.Fatalf("message with file: %+v", withFile)
		}
		fileURL := strings.TrimPrefix(withFile.Attachments[0].URL, "/api/v1/widget/"+a.Widget.Key)
		if r := va.do("GET", fileURL, nil); r.status != 200 || string(r.body) != string(pngBytes) {
			t.Errorf("visitor A's own file: %d", r.status)
		}
		vb2 := visitor{h: h, key: a.Widget.Key, token: h.newVisitor(a.Widget.Key, nil).token}
		for name, r := range map[string]response{
			"another visitor's file":        vb2.do("GET", fileURL, nil),
			"B's token on A's widget":       visitor{h: h, key: a.Widget.Key, token: vb.token}.do("GET", "/conversation", nil),
			"no token":                      visitor{h: h, key: a.Widget.Key}.do("GET", "/conversation", nil),
			"a user's token":                visitor{h: h, key: a.Widget.Key, token: h.tokens[actAdmin]}.do("GET", "/conversation", nil),
			"unknown key":                   h.send(request{method: "GET", path: "/api/v1/widget/nokey/config"}),
			"the upload sent already":       va.do("POST", "/messages", map[string]any{"content": "", "attachment_ids": []int64{u.ID}}),
			"another visitor's unsent file": vb2.do("POST", "/messages", map[string]any{"content": "x", "attachment_ids": []int64{u.ID}, "prechat": map[string]any{"name": "X"}}),
		} {
			want := map[string]int{"another visitor's file": 404, "B's token on A's widget": 401, "no token": 401, "a user's token": 401,
				"unknown key": 404, "the upload sent already": 422, "another visitor's unsent file": 422}[name]
			if r.status != want {
				t.Errorf("%s: %s, want %d", name, r, want)
			}
			assertErrorEnvelope(t, r, name)
		}
		if c := vb2.conversation(); c.Conversation != nil || len(c.Messages) != 0 {
			t.Errorf("another visitor sees history: %+v", c)
		}
		// an API channel's or provider's key is not a widget
		if r := h.send(request{method: "GET", path: "/api/v1/widget/" + h.newTelegramChannel().hookPath(h)[len("/api/v1/webhooks/telegram/"):] + "/config"}); r.status != 404 {
			t.Errorf("a Telegram key as a widget: %s", r)
		}
	})
}

// TestWidgetIdentityAndLimits: a site-signed user id is the same contact on
// every device, a forged one is refused; a widget may insist on it; new
// sessions and messages are rate-limited; the offline form queues a
// message with how to reach the visitor.
func TestWidgetIdentityAndLimits(t *testing.T) {
	h := newTestAPI(t, "sqlite", withWidgetSessionsPerIP(20))
	ch := h.newWidgetChannel(map[string]any{"color": "#123456", "position": "right", "language": "pt-BR", "prechat_enabled": false})
	key, secret := ch.Widget.Key, ch.Widget.IdentitySecret
	hash := widget.SignUser(secret, "cliente-42")
	phone := h.newVisitor(key, map[string]any{"user_id": "cliente-42", "user_hash": hash, "name": "Bia"})
	if r := phone.do("POST", "/messages", map[string]any{"content": "Oi do celular"}); r.status != 201 {
		t.Fatalf("identified visitor writes: %s", r)
	}
	laptop := h.newVisitor(key, map[string]any{"user_id": "cliente-42", "user_hash": strings.ToUpper(hash)})
	if c := laptop.conversation(); len(c.Messages) != 1 || c.Messages[0].Content != "Oi do celular" {
		t.Fatalf("the same customer on another device: %+v", c)
	}
	for name, body := range map[string]map[string]any{
		"forged hash":  {"user_id": "cliente-43", "user_hash": hash},
		"hash missing": {"user_id": "cliente-42"},
		"short hash":   {"user_id": "cliente-42", "user_hash": "abc"},
	} {
		r := h.send(request{method: "POST", path: "/api/v1/widget/" + key + "/sessions", body: body})
		if r.status != 401 {
			t.Errorf("%s: %s", name, r)
		}
	}
	strict := h.newWidgetChannel(map[string]any{"color": "#123456", "position": "right", "language": "pt-BR", "require_identity": true})
	if r := h.send(request{method: "POST", path: "/api/v1/widget/" + strict.Widget.Key + "/sessions", body: map[string]any{}}); r.status != 401 ||
		!strings.Contains(r.String(), "identity_required") {
		t.Errorf("anonymous visitor on a strict widget: %s", r)
	}

	// the offline form: name and a way back are required
	off := h.newVisitor(key, nil)
	for _, bad := range []map[string]any{{"name": "Caio", "message": "oi"}, {"email": "c@example.com", "message": "oi"}, {"name": "Caio", "email": "c@example.com"}} {
		if r := off.do("POST", "/offline", bad); r.status != 422 {
			t.Errorf("offline %v: %s", bad, r)
		}
	}
	if r := off.do("POST", "/offline", map[string]any{"name": "Caio", "phone": "+55 11 98888-7777", "message": "Me liguem amanhã"}); r.status != 201 {
		t.Fatalf("offline message: %s", r)
	}
	if n := h.count(`SELECT count(*) FROM contacts WHERE name = 'Caio' AND phone = '+5511988887777'`); n != 1 {
		t.Errorf("offline contact stored %d times", n)
	}

	// abuse limits: messages per visitor per minute, sessions per address
	flood := h.newVisitor(key, nil)
	var limited response
	for i := 0; i < 30 && limited.status == 0; i++ {
		if r := flood.do("POST", "/messages", map[string]any{"content": fmt.Sprintf("spam %d", i)}); r.status == 429 {
			limited = r
		}
	}
	if limited.status != 429 || limited.header.Get("Retry-After") == "" {
		t.Errorf("a visitor flooding messages was not limited")
	}
	var sessions int
	for i := 0; i < 40; i++ {
		if r := h.send(request{method: "POST", path: "/api/v1/widget/" + key + "/sessions", body: map[string]any{}}); r.status == 201 {
			sessions++
		}
	}
	if sessions >= 40 {
		t.Errorf("one address opened %d sessions without a limit", sessions)
	}
}

// TestClientAddressBehindProxy: behind a trusted reverse proxy the limits
// count the visitor's address from X-Forwarded-For; from anyone else the
// header is ignored, so a visitor cannot dodge a limit by forging it.
func TestClientAddressBehindProxy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []netip.Prefix
		// sessions opened by two visitors (2 each) behind the same peer
		want []int
	}{
		{"trusted loopback proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, []int{201, 201, 429, 201, 201, 429}},
		{"untrusted peer", nil, []int{201, 201, 429, 429, 429, 429}},
		{"another proxy trusted", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, []int{201, 201, 429, 429, 429, 429}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestAPI(t, "sqlite", withWidgetSessionsPerIP(2), withTrustedProxies(tc.proxies...))
			key := h.newWidgetChannel(nil).Widget.Key
			var got []int
			for _, xff := range []string{"203.0.113.5", "198.51.100.1, 203.0.113.5", "203.0.113.5", "203.0.113.6", "203.0.113.6", "203.0.113.6"} {
				r := h.send(request{method: "POST", path: "/api/v1/widget/" + key + "/sessions", body: map[string]any{},
					header: http.Header{"X-Forwarded-For": {xff}}})
				got = append(got, r.status)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("statuses %v, want %v", got, tc.want)
			}
		})
	}
}

// TestWidgetFiles: the loader, the frame (framed only by the widget's
// allowed sites) and the assets.
func TestWidgetFiles(t *testing.T) {
	files := fstest.MapFS{
		"widget.js":          {Data: []byte("/*loader*/")},
		"frame.html":         {Data: []byte("<!doctype html><title>chat</title>")},
		"assets/frame-1.js":  {Data: []byte("/*app*/")},
		"assets/frame-1.css": {Data: []byte("body{}")},
	}
	h := newTestAPI(t, "sqlite", withWidgetFiles(files))
	open := h.newWidgetChannel(nil)
	shut := h.newWidgetChannel(map[string]any{"color": "#123456", "position": "right", "language": "auto",
		"allowed_origins": []string{"https://www.Loja.example/", "http://localhost:3000"}})
	r := h.send(request{method: "GET", path: "/widget.js"})
	if r.status != 200 || string(r.body) != "/*loader*/" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("loader: %s %v", r, r.header)
	}
	r = h.send(request{method: "GET", path: "/widget/frame.html?key=" + open.Widget.Key})
	if r.status != 200 || !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors *") {
		t.Errorf("open frame: %d %v", r.status, r.header)
	}
	r = h.send(request{method: "GET", path: "/widget/frame.html?key=" + shut.Widget.Key})
	if csp := r.header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors https://www.loja.example http://localhost:3000") {
		t.Errorf("restricted frame CSP: %q", csp)
	}
	for path, want := range map[string]int{"/widget/frame.html": 404, "/widget/frame.html?key=nope": 404, "/widget/assets/frame-1.js": 200,
		"/widget/assets/../widget.js": 404, "/widget/assets/none.js": 404} {
		if r := h.send(request{method: "GET", path: path}); r.status != want {
			t.Errorf("%s: %d, want %d", path, r.status, want)
		}
	}
	if r := h.send(request{method: "GET", path: "/widget/assets/frame-1.css"}); !strings.Contains(r.header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
		t.Errorf("asset headers: %v", r.header)
	}
	// a bad setting is refused, nothing changes
	before := h.snapshot()
	for _, bad := range []map[string]any{{"color": "red", "position": "right", "language": "auto"}, {"color": "#123456", "position": "top", "language": "auto"},
		{"color": "#123456", "position": "right", "language": "fr"}, {"color": "#123456", "position": "right", "language": "auto", "allowed_origins": []string{"javascript:alert(1)"}},
		{"color": "#123456", "position": "right", "language": "auto", "prechat_fields": []map[string]any{{"name": "cpf"}}},
		{"color": "#123456", "position": "right", "language": "auto", "prechat_department_ids": []int64{h.fix.Dept2.ID}}} {
		if r := h.as(actAdmin, "PATCH", fmt.Sprintf("/api/v1/channels/%d", open.ID), map[string]any{"widget": bad}); r.status != 422 {
			t.Errorf("widget %v: %s", bad, r)
		}
	}
	if d := before.diff(h.snapshot()); len(d) > 0 {
		t.Errorf("refused settings wrote: %v", d)
	}
	h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/channels/%d", open.ID), map[string]any{"widget": map[string]any{"color": "#ABCDEF", "position": "left", "language": "en"}})
	var cfg struct{ Color, Position string }
	h.send(request{method: "GET", path: "/api/v1/widget/" + open.Widget.Key + "/config"}).into(t, &cfg)
	if cfg.Color != "#abcdef" || cfg.Position != "left" {
		t.Errorf("patched config: %+v", cfg)
	}
	if r := h.as(actAdmin, "PATCH", fmt.Sprintf("/api/v1/channels/%d", h.newTelegramChannel().ID), map[string]any{"widget": map[string]any{"color": "#123456", "position": "left", "language": "en"}}); r.status != 422 {
		t.Errorf("widget settings on a Telegram channel: %s", r)
	}
}

// wsClient is a test WebSocket client that keeps every frame it received.
type wsClient struct {
	conn   *websocket.Conn
	frames chan map[string]any
	all    []map[string]any
	cancel context.CancelFunc
}

func (c *wsClient) seen() []map[string]any { return c.all }

// waitFor returns the first frame of type typ matching match (nil: any).
func (c *wsClient) waitFor(t testing.TB, typ string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	for _, e := range c.all {
		if e["type"] == typ && (match == nil || match(e)) {
			return e
		}
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-c.frames:
			if !ok {
				t.Fatalf("socket closed waiting for %s", typ)
			}
			c.all = append(c.all, e)
			if e["type"] == typ && (match == nil || match(e)) {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s frame within 10 s; got %v", typ, c.all)
		}
	}
}

func (c *wsClient) close() {
	c.cancel()
	c.conn.CloseNow()
}

func dialWS(t testing.TB, url string, hdr http.Header) *wsClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		cancel()
		t.Fatalf("dial %s: %v", url, err)
	}
	c := &wsClient{conn: conn, frames: make(chan map[string]any, 256), cancel: cancel}
	go func() {
		defer close(c.frames)
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				return
			}
			var e map[string]any
			if json.Unmarshal(b, &e) == nil {
				c.frames <- e
			}
		}
	}()
	t.Cleanup(c.close)
	return c
}

func (v visitor) dial(t testing.TB) *wsClient {
	c := dialWS(t, "ws"+strings.TrimPrefix(v.h.srv.URL, "http")+"/api/v1/widget/"+v.key+"/ws?token="+v.token, nil)
	c.waitFor(t, "ready", nil) // registered: no later event is missed
	return c
}

func (h *testAPI) dialAgent(t testing.TB, actor string) *wsClient {
	before := h.hub.Clients()
	c := dialWS(t, "ws"+strings.TrimPrefix(h.srv.URL, "http")+"/api/v1/ws", http.Header{"Authorization": {"Bearer " + h.tokens[actor]}})
	// the handshake ends before the hub registers the socket
	eventually(t, 5*time.Second, "agent socket registered", func() bool { return h.hub.Clients() > before })
	return c
}

// TestWidgetOnlineFollowsBusinessHours: with an agent online, the widget
// offers the chat within business hours and the offline form outside them.
func TestWidgetOnlineFollowsBusinessHours(t *testing.T) {
	h := newTestAPI(t, "sqlite")
	key := h.newWidgetChannel(nil).Widget.Key
	h.must(200, actAgentA, "PUT", "/api/v1/me/presence", map[string]any{"presence": "online"})
	online := func() bool {
		t.Helper()
		var cfg struct{ Online bool }
		h.send(request{method: "GET", path: "/api/v1/widget/" + key + "/config"}).into(t, &cfg)
		return cfg.Online
	}
	if !online() {
		t.Fatal("an online agent and no business hours: offline")
	}
	h.must(200, actAdmin, "PUT", "/api/v1/business-hours", map[string]any{"enabled": true, "schedule": map[string]any{
		"timezone": "America/Sao_Paulo", "weekly": map[string]any{"mon": [][]string{{"08:00", "18:00"}}}}})
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC), true},  // Monday 10:00 in São Paulo
		{time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC), false}, // Monday 19:00
		{time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC), false}, // Tuesday: closed all day
	} {
		h.conv.SetClock(func() time.Time { return tc.at })
		if got := online(); got != tc.want {
			t.Errorf("at %s: online %v, want %v", tc.at, got, tc.want)
		}
	}
}
