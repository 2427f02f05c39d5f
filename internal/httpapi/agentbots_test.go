package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/atende/atende/internal/store"
)

// TestAgentBot: an outside bot runs Vendas' conversations. It hears of
// each one, and of each customer message, by signed webhook; it answers
// and hands off through the bot API with its token. The BotConversa rules
// hold for it as for a flow bot: once a person writes, it hears nothing
// more and may not act.
func TestAgentBot(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		recv := newHookReceiver(t)
		var created struct {
			store.Bot
			Token  string `json:"token"`
			Secret string `json:"secret"`
		}
		h.must(201, actAdmin, "POST", "/api/v1/bots", map[string]any{"name": "Assistente", "kind": "agent", "url": recv.URL + "/events"}).into(t, &created)
		recv.setSecret(created.Secret)
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/departments/%d", f.Vendas.ID), map[string]any{"bot_id": created.ID})
		asBot := func(want int, method, path string, body any) response {
			t.Helper()
			r := h.do(method, path, created.Token, body)
			if r.status != want {
				t.Fatalf("%s %s as the bot: %d %s, want %d", method, path, r.status, r.body, want)
			}
			return r
		}
		type eventData struct {
			BotID        int64              `json:"bot_id"`
			Conversation store.Conversation `json:"conversation"`
			Message      *store.Message     `json:"message"`
		}
		events := func(n int) []eventData {
			t.Helper()
			eventually(t, 10*time.Second, fmt.Sprintf("%d events at the bot", n), func() bool { return len(recv.got()) >= n })
			var out []eventData
			for _, c := range recv.got() {
				if c.Err != nil {
					t.Fatalf("event %s: %v", c.ID, c.Err)
				}
				var d eventData
				if err := json.Unmarshal(c.Event.Data, &d); err != nil {
					t.Fatal(err)
				}
				out = append(out, d)
			}
			return out
		}

		customer := h.uniq("lia")
		conv := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), customer, "oi"), 201).ConversationID
		if c := h.conversation(f.WS.ID, conv); c.Status != store.StatusBot {
			t.Fatalf("new conversation %s, want bot", c.Status)
		}
		evs := events(1)
		if got := recv.got()[0].Event.Type; got != "conversation.bot_started" || evs[0].Conversation.ID != conv || evs[0].Message == nil || evs[0].Message.Content != "oi" || evs[0].BotID != created.ID {
			t.Fatalf("first event %s %+v", got, evs[0])
		}
		botPath := fmt.Sprintf("/api/v1/bot/conversations/%d", conv)
		asBot(200, "GET", botPath, nil)
		asBot(200, "GET", botPath+"/messages", nil)
		var m store.Message
		asBot(201, "POST", botPath+"/messages", map[string]any{"content": "Olá! Quer ver nosso catálogo?", "choices": []string{"Sim", "Não"}}).into(t, &m)
		if m.SenderType != store.SenderBot || !slices.Equal(m.Choices, []string{"Sim", "Não"}) {
			t.Fatalf("bot message %+v", m)
		}
		if c := h.conversation(f.WS.ID, conv); c.AutomationPaused || c.Waiting() {
			t.Fatalf("after the bot answered: paused %v waiting %v", c.AutomationPaused, c.Waiting())
		}
		h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), customer, "quero falar com alguém"), 201)
		evs = events(2)
		if got := recv.got()[1].Event.Type; got != "message.created" || evs[1].Message.Content != "quero falar com alguém" {
			t.Fatalf("second event %s %+v", got, evs[1])
		}
		asBot(422, "POST", botPath+"/transfer", map[string]any{"department_id": f.Dept2.ID})
		asBot(200, "POST", botPath+"/handoff", map[string]any{"department_id": f.Financeiro.ID})
		c := h.conversation(f.WS.ID, conv)
		if c.Status != store.StatusQueued || c.Dept() != f.Financeiro.ID {
			t.Fatalf("after the hand-off: %s in %d", c.Status, c.Dept())
		}
		// the bot's part is over: the conversation is no longer its own
		asBot(404, "POST", botPath+"/messages", map[string]any{"content": "ainda aqui"})
		asBot(404, "GET", botPath, nil)

		// a person writes first: the bot hears nothing more and may not act
		other := h.uniq("rui")
		conv2 := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), other, "bom dia"), 201).ConversationID
		events(3)
		h.reply(actSupervisor, conv2, "reply", "Bom dia! Sou a supervisora.")
		h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), other, "obrigado"), 201)
		time.Sleep(300 * time.Millisecond)
		if n := len(recv.got()); n != 3 {
			t.Fatalf("the bot heard %d events, want 3 (nothing after a person wrote)", n)
		}
		r := asBot(409, "POST", fmt.Sprintf("/api/v1/bot/conversations/%d/messages", conv2), map[string]any{"content": "posso ajudar?"})
		if !containsCode(r.body, "bot_not_running") {
			t.Fatalf("refusal %s", r.body)
		}

		// tokens: a user's token, a wrong one and another workspace's ids
		if r := h.as(actAdmin, "GET", botPath, nil); r.status != http.StatusUnauthorized {
			t.Fatalf("a user's token on the bot API: %d", r.status)
		}
		if r := h.do("GET", botPath, "atb_nope", nil); r.status != http.StatusUnauthorized {
			t.Fatalf("an unknown bot token: %d", r.status)
		}
		other2 := h.inbound(f.Channel2Token, inboundBody(h.uniq("m"), h.uniq("x"), "oi"), 201).ConversationID
		asBot(404, "GET", fmt.Sprintf("/api/v1/bot/conversations/%d", other2), nil)
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/bots/%d", created.ID), map[string]any{"enabled": false})
		if r := h.do("GET", botPath, created.Token, nil); r.status != http.StatusUnauthorized {
			t.Fatalf("a disabled bot's token: %d", r.status)
		}
	})
}

// TestAgentBotRetries: the bot's endpoint fails twice; the event is posted
// again with the same webhook-id until it is taken.
func TestAgentBotRetries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		recv := newHookReceiver(t)
		recv.setAnswer(func(n int) int {
			if n <= 2 {
				return 503
			}
			return 200
		})
		var created struct {
			store.Bot
			Secret string `json:"secret"`
		}
		h.must(201, actAdmin, "POST", "/api/v1/bots", map[string]any{"name": "Assistente", "kind": "agent", "url": recv.URL}).into(t, &created)
		recv.setSecret(created.Secret)
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/departments/%d", f.Vendas.ID), map[string]any{"bot_id": created.ID})
		h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201)
		eventually(t, 20*time.Second, "taken on the third try", func() bool { return len(recv.got()) >= 3 })
		time.Sleep(200 * time.Millisecond)
		calls := recv.got()
		if len(calls) != 3 || calls[2].Status != 200 {
			t.Fatalf("%d calls", len(calls))
		}
		for _, c := range calls {
			if c.Err != nil || c.ID != calls[0].ID || string(c.Body) != string(calls[0].Body) {
				t.Fatalf("retry differs: %v %s vs %s", c.Err, c.ID, calls[0].ID)
			}
		}
	})
}

// containsCode reports whether body is the JSON error envelope with code.
func containsCode(body []byte, code string) bool {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	return json.Unmarshal(body, &e) == nil && e.Error.Code == code
}
