package httpapi_test

// What the web app's inbox needs beyond the lists: unread marks, search by
// contact, the channel list for every user, and the embedded app itself.

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/httpapi"
	"github.com/atende/atende/internal/spa"
	"github.com/atende/atende/internal/store/storetest"
)

// convSummary is what these tests read of a conversation answer.
type convSummary struct {
	ID     int64 `json:"id"`
	Unread *bool `json:"unread"`
}

func (h *testAPI) unreadOf(actor string, id int64) bool {
	h.t.Helper()
	var c convSummary
	h.must(200, actor, "GET", fmt.Sprintf("/api/v1/conversations/%d", id), nil).into(h.t, &c)
	if c.Unread == nil {
		h.t.Fatalf("GET conversation %d as %s: no unread field", id, actor)
	}
	return *c.Unread
}

func (h *testAPI) unreadMine(actor string) int64 {
	h.t.Helper()
	var c struct {
		UnreadMine *int64 `json:"unread_mine"`
	}
	h.must(200, actor, "GET", "/api/v1/conversations/counters", nil).into(h.t, &c)
	if c.UnreadMine == nil {
		h.t.Fatalf("counters as %s: no unread_mine", actor)
	}
	return *c.UnreadMine
}

// listUnread reads one list page as actor and returns the unread flag of id in it.
func (h *testAPI) listUnread(actor, query string, id int64) (unread, found bool) {
	h.t.Helper()
	var page struct {
		Items []convSummary `json:"items"`
	}
	h.must(200, actor, "GET", "/api/v1/conversations?"+query, nil).into(h.t, &page)
	for _, it := range page.Items {
		if it.Unread == nil {
			h.t.Fatalf("list %s as %s: conversation %d without unread", query, actor, it.ID)
		}
		if it.ID == id {
			return *it.Unread, true
		}
	}
	return false, false
}

// tick lets the millisecond clock move: a read marker and a message of
// the same millisecond would tie.
func tick() { time.Sleep(3 * time.Millisecond) }

func TestUnreadMarks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		var mu sync.Mutex
		var convEvents []json.RawMessage
		unsubscribe := h.bus.Subscribe(func(e events.Event) {
			if e.Type == events.ConversationCreated || e.Type == events.ConversationUpdated {
				mu.Lock()
				convEvents = append(convEvents, e.Data)
				mu.Unlock()
			}
		})
		defer unsubscribe()

		ref := h.newConvWith(tgtVendas, stQueued, false)
		path := fmt.Sprintf("/api/v1/conversations/%d", ref.ID)
		customer := func(text string) {
			t.Helper()
			tick()
			h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), ref.Customer, text), http.StatusCreated)
		}
		type want struct{ agentA, supervisor bool }
		view := "all"
		expect := func(step string, w want, mineA int64) {
			t.Helper()
			if got := h.unreadOf(actAgentA, ref.ID); got != w.agentA {
				t.Errorf("%s: unread for agent A = %v, want %v", step, got, w.agentA)
			}
			if got := h.unreadOf(actSupervisor, ref.ID); got != w.supervisor {
				t.Errorf("%s: unread for the supervisor = %v, want %v", step, got, w.supervisor)
			}
			if got, found := h.listUnread(actAgentA, "view="+view, ref.ID); !found || got != w.agentA {
				t.Errorf("%s: list %s as agent A: found %v unread %v, want %v", step, view, found, got, w.agentA)
			}
			if got := h.unreadMine(actAgentA); got != mineA {
				t.Errorf("%s: unread_mine of agent A = %d, want %d", step, got, mineA)
			}
		}

		expect("new conversation", want{true, true}, 0)
		h.must(200, actAdmin, "POST", path+"/assign", map[string]any{"assignee_id": f.AgentA.ID})
		expect("assigned to agent A", want{true, true}, 1)
		if got, found := h.listUnread(actAgentA, "view=mine", ref.ID); !found || !got {
			t.Errorf("mine view: found %v unread %v", found, got)
		}

		tick()
		var read convSummary
		h.must(200, actAgentA, "PUT", path+"/read", nil).into(t, &read)
		if read.ID != ref.ID || read.Unread == nil || *read.Unread {
			t.Errorf("PUT read answered %+v", read)
		}
		expect("read by agent A", want{false, true}, 0)
		h.must(200, actAgentA, "PUT", path+"/read", nil) // again: still fine

		customer("ainda preciso de ajuda")
		expect("the customer wrote again", want{true, true}, 1)

		tick()
		h.must(201, actAgentA, "POST", path+"/messages", map[string]any{"kind": "note", "content": "verificando"})
		expect("agent A wrote a note", want{false, true}, 0)

		customer("alô?")
		expect("the customer wrote once more", want{true, true}, 1)
		tick()
		h.must(201, actSupervisor, "POST", path+"/messages", map[string]any{"kind": "reply", "content": "Estamos vendo!"})
		expect("the supervisor replied: nobody waits", want{false, false}, 0)

		customer("obrigado")
		expect("a new customer message after the reply", want{true, true}, 1)
		h.must(200, actAgentA, "POST", path+"/resolve", map[string]any{})
		view = "resolved"
		expect("resolved", want{false, false}, 0)

		// the contact's history carries the flag too
		var hist struct {
			Items []convSummary `json:"items"`
		}
		h.must(200, actAgentA, "GET", fmt.Sprintf("/api/v1/contacts/%d/conversations", ref.ContactID), nil).into(t, &hist)
		if len(hist.Items) != 1 || hist.Items[0].Unread == nil {
			t.Errorf("contact history %+v", hist.Items)
		}

		// who may not see the conversation cannot mark it, and learns nothing
		for _, actor := range []string{actAgentB, actAdmin2} {
			r := h.as(actor, "PUT", path+"/read", nil)
			if r.status != http.StatusNotFound {
				t.Errorf("PUT read as %s: %s, want 404", actor, r)
			}
			assertErrorEnvelope(t, r, "PUT read as "+actor)
		}
		if n := h.count(`SELECT count(*) FROM conversation_reads WHERE user_id IN ($1, $2)`, f.AgentB.ID, f.Admin2.ID); n != 0 {
			t.Errorf("refused PUT read stored %d markers", n)
		}

		// realtime events are shared by every viewer: no personal flag in them
		mu.Lock()
		defer mu.Unlock()
		if len(convEvents) == 0 {
			t.Fatal("no conversation events seen")
		}
		for _, data := range convEvents {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			if _, has := m["unread"]; has {
				t.Fatalf("a broadcast conversation event carries a personal unread flag: %s", data)
			}
		}
	})
}

func TestSearchConversationsByContactAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		f := h.fix
		type person struct {
			name, phone, email string
			target             string
		}
		people := []person{
			{"Maria Souza", "+55 (11) 98765-4321", "maria@loja.com.br", tgtVendas},
			{"Mariana Lima", "", "mari@example.com", tgtFin},
			{"João Silva", "21 3333-4444", "", tgtVendas},
			{"Maria do Outro Lado", "+55 11 98765-4321", "", tgtWS2},
		}
		ids := map[string]int64{}
		for _, p := range people {
			token := f.ChannelToken
			if p.target == tgtWS2 {
				token = f.Channel2Token
			}
			res := h.inbound(token, map[string]any{"message_id": h.uniq("m"), "text": "Olá",
				"contact": map[string]any{"id": h.uniq("c"), "name": p.name, "phone": p.phone, "email": p.email}}, http.StatusCreated)
			ids[p.name] = res.ConversationID
			if p.target == tgtFin {
				if _, err := h.conv.Transfer(t.Context(), f.AdminV(), res.ConversationID, f.Financeiro.ID, 0); err != nil {
					t.Fatal(err)
				}
			}
		}
		search := func(actor, query string) []int64 {
			t.Helper()
			var page struct {
				Items []convSummary `json:"items"`
			}
			h.must(200, actor, "GET", "/api/v1/conversations?"+query, nil).into(t, &page)
			got := []int64{}
			for _, it := range page.Items {
				if it.Unread == nil {
					t.Fatalf("search result %d without unread", it.ID)
				}
				got = append(got, it.ID)
			}
			sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
			return got
		}
		of := func(names ...string) []int64 {
			out := []int64{}
			for _, n := range names {
				out = append(out, ids[n])
			}
			sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
			return out
		}
		for _, c := range []struct {
			actor, query string
			want         []int64
		}{
			{actAdmin, "q=maria", of("Maria Souza", "Mariana Lima")},
			{actAdmin, "q=MARIA&view=unassigned", of("Maria Souza", "Mariana Lima")},
			{actAgentA, "q=maria", of("Maria Souza")},
			{actAgentB, "q=maria", of("Mariana Lima")},
			{actAgentC, "q=maria", of()},
			{actAdmin2, "q=maria", of("Maria do Outro Lado")},
			{actAdmin, "q=joao", of("João Silva")},
			{actAdmin, "q=" + url.QueryEscape("jOãO"), of("João Silva")},
			{actAdmin, "q=" + url.QueryEscape("11 98765"), of("Maria Souza")},
			{actAdmin, "q=" + url.QueryEscape("(21) 3333"), of("João Silva")},
			{actAdmin, "q=mari%40", of("Mariana Lima")},
			{actAdmin, "q=loja.com", of()},
			{actAdmin, "q=maria&view=resolved", of()},
			{actAdmin, "q=maria&view=mine", of()},
			{actAdmin, fmt.Sprintf("q=maria&department_id=%d", f.Financeiro.ID), of("Mariana Lima")},
			{actAdmin, "q=maria&sort=waiting&limit=1", of("Maria Souza")},
			{actAdmin, "q=" + url.QueryEscape("   "), of("Maria Souza", "Mariana Lima", "João Silva")},
		} {
			if got := search(c.actor, c.query); !slices.Equal(got, c.want) {
				t.Errorf("%s ?%s: got %v, want %v", c.actor, c.query, got, c.want)
			}
		}
		// newest first, and the cursor pages through the search
		var page struct {
			Items      []convSummary `json:"items"`
			NextCursor string        `json:"next_cursor"`
		}
		h.must(200, actAdmin, "GET", "/api/v1/conversations?q=maria&limit=1", nil).into(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != ids["Mariana Lima"] || page.NextCursor == "" {
			t.Fatalf("first page %+v", page)
		}
		next := page.NextCursor
		page.Items, page.NextCursor = nil, ""
		h.must(200, actAdmin, "GET", "/api/v1/conversations?q=maria&limit=1&cursor="+url.QueryEscape(next), nil).into(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != ids["Maria Souza"] || page.NextCursor != "" {
			t.Fatalf("second page %+v", page)
		}

		for name, query := range map[string]string{
			"too long":     "q=" + strings.Repeat("a", 101),
			"NUL":          "q=a%00b",
			"not UTF-8":    "q=%ff%fe",
			"bad cursor":   "q=maria&cursor=nope",
			"unknown view": "q=maria&view=everything",
		} {
			r := h.as(actAdmin, "GET", "/api/v1/conversations?"+query, nil)
			if r.status != http.StatusBadRequest {
				t.Errorf("%s: %s, want 400", name, r)
			}
			assertErrorEnvelope(t, r, name)
		}
		if r := h.as(actAdmin, "GET", "/api/v1/conversations?q="+strings.Repeat("á", 100), nil); r.status != 200 {
			t.Errorf("a 100-character query: %s", r)
		}
	})
}

func TestChannelListHidesSecrets(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		f := h.fix
		h.must(201, actAdmin, "POST", "/api/v1/channels", map[string]any{"kind": "api", "name": "Loja", "callback_url": "https://hook.secret.example/atende",
			"department_id": f.Financeiro.ID})
		for _, actor := range []string{actAdmin, actSupervisor, actAgentA, actAgentB, actAgentC, actAdmin2, actAgent2} {
			r := h.must(200, actor, "GET", "/api/v1/channels", nil)
			var page struct {
				Items []map[string]any `json:"items"`
			}
			r.into(t, &page)
			wantN := 2
			if actorWS(actor) == tgtWS2obj {
				wantN = 1
			}
			if len(page.Items) != wantN {
				t.Errorf("%s lists %d channels, want %d", actor, len(page.Items), wantN)
			}
			for _, it := range page.Items {
				var keys []string
				for k := range it {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				want := []string{"department_id", "id", "kind", "name"}
				if actorRole(actor) == access.RoleAdmin {
					want = []string{"callback_url", "department_id", "id", "kind", "name"}
				}
				if !slices.Equal(keys, want) {
					t.Errorf("%s sees channel fields %v, want %v", actor, keys, want)
				}
			}
			if leaked := strings.Contains(string(r.body), "secret.example"); leaked != (actor == actAdmin) {
				t.Errorf("%s: callback URL in the answer = %v", actor, leaked)
			}
		}
		// the single channel stays an admin's business
		r := h.as(actAgentA, "GET", fmt.Sprintf("/api/v1/channels/%d", f.Channel.ID), nil)
		if r.status != http.StatusForbidden {
			t.Errorf("GET one channel as an agent: %s, want 403", r)
		}
	})
}

// TestWebAppAndHealth: /healthz reports whether the web app is built in,
// ?require=ui fails without it, and with it the app answers /, its routes
// and /setup while the API keeps its JSON answers.
func TestWebAppAndHealth(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.SQLite)
	index := "<!doctype html><title>Atende app</title><div id=root></div>"
	app := spa.New(fstest.MapFS{"index.html": {Data: []byte(index)}, "assets/app-1.js": {Data: []byte("export {}")}})
	servers := map[string]*httptest.Server{}
	for name, ui := range map[string]http.Handler{"missing": nil, "embedded": app} {
		srv := httptest.NewServer(httpapi.New(httpapi.Deps{DB: db, Log: slog.New(slog.DiscardHandler), UI: ui}))
		t.Cleanup(srv.Close)
		servers[name] = srv
	}
	get := func(base, path string) response {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return response{status: resp.StatusCode, header: resp.Header, body: body}
	}
	for _, c := range []struct {
		ui, path string
		status   int
		contains string // in the body
		envelope bool
	}{
		{"missing", "/healthz", 200, `{"status":"ok","ui":"missing"}`, false},
		{"missing", "/healthz?require=ui", 503, `{"status":"ui missing","ui":"missing"}`, false},
		{"missing", "/healthz?require=everything", 400, "", true},
		{"missing", "/", 200, "make build", false},
		{"missing", "/setup?token=setup_x", 200, `<form id="f">`, false},
		{"missing", "/inbox/mine/42", 404, "", true},
		{"embedded", "/healthz", 200, `{"status":"ok","ui":"embedded"}`, false},
		{"embedded", "/healthz?require=ui", 200, `{"status":"ok","ui":"embedded"}`, false},
		{"embedded", "/", 200, index, false},
		{"embedded", "/inbox/mine/42", 200, index, false},
		{"embedded", "/settings/labels", 200, index, false},
		{"embedded", "/login", 200, index, false},
		{"embedded", "/setup?token=setup_x", 200, index, false},
		{"embedded", "/assets/app-1.js", 200, "export {}", false},
		{"embedded", "/assets/app-2.js", 404, "", true},
		{"embedded", "/api/v1/nothing/here", 404, "", true},
		{"embedded", "/api/v1/setup", 200, `"needs_setup"`, false},
		{"embedded", "/api/v1/me", 401, "", true},
	} {
		r := get(servers[c.ui].URL, c.path)
		if r.status != c.status || !strings.Contains(string(r.body), c.contains) {
			t.Errorf("ui %s, GET %s: %s, want %d with %q", c.ui, c.path, r, c.status, c.contains)
		}
		if c.envelope {
			assertErrorEnvelope(t, r, "ui "+c.ui+" GET "+c.path)
		}
	}
	r := get(servers["embedded"].URL, "/inbox")
	if r.header.Get("Cache-Control") != spa.CacheRevalidate {
		t.Errorf("app route Cache-Control %q", r.header.Get("Cache-Control"))
	}
	if r := get(servers["embedded"].URL, "/assets/app-1.js"); r.header.Get("Cache-Control") != spa.CacheImmutable {
		t.Errorf("asset Cache-Control %q", r.header.Get("Cache-Control"))
	}
}
