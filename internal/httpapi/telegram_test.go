package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel/telegram"
	"github.com/atende/atende/internal/store"
)

// tgChannel is a Telegram channel created through the API.
type tgChannel struct {
	ID           int64  `json:"id"`
	Kind         string `json:"kind"`
	Name         string `json:"name"`
	Account      string `json:"account"`
	WebhookURL   string `json:"webhook_url"`
	DepartmentID *int64 `json:"department_id"`
}

// hookPath is the channel's webhook path on the test server.
func (c tgChannel) hookPath(h *testAPI) string {
	return strings.TrimPrefix(c.WebhookURL, h.srv.URL)
}

// newTelegramChannel connects the fake bot as the workspace admin.
func (h *testAPI) newTelegramChannel() tgChannel {
	h.t.Helper()
	var c tgChannel
	h.must(201, actAdmin, "POST", "/api/v1/channels", map[string]any{"kind": "telegram", "name": h.uniq("Telegram"), "bot_token": fakeBotToken}).into(h.t, &c)
	return c
}

// postUpdate posts a webhook body with a secret token header ("" for none).
func (h *testAPI) postUpdate(path string, body []byte, secret string) response {
	h.t.Helper()
	hdr := http.Header{}
	if secret != "" {
		hdr.Set(telegram.HeaderSecretToken, secret)
	}
	return h.send(request{method: "POST", path: path, body: body, header: hdr})
}

func tgSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "channel", "telegram", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTelegramChannelLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		r := h.must(201, actAdmin, "POST", "/api/v1/channels", map[string]any{"kind": "telegram", "name": "Loja no Telegram",
			"bot_token": fakeBotToken, "department_id": h.fix.Financeiro.ID})
		var c tgChannel
		r.into(t, &c)
		if strings.Contains(string(r.body), fakeBotToken) || strings.Contains(string(r.body), "ABC-DEF") {
			t.Fatalf("the answer carries the bot token: %s", r)
		}
		prefix := h.srv.URL + "/api/v1/webhooks/telegram/"
		if c.Kind != "telegram" || c.Account != "@loja_atende_bot" || !strings.HasPrefix(c.WebhookURL, prefix) || len(c.WebhookURL) < len(prefix)+20 ||
			c.DepartmentID == nil || *c.DepartmentID != h.fix.Financeiro.ID {
			t.Fatalf("created channel: %+v", c)
		}
		if n := len(h.tg.callsOf("getMe")); n != 1 {
			t.Errorf("getMe called %d times, want 1", n)
		}
		hooks := h.tg.callsOf("setWebhook")
		if len(hooks) != 1 {
			t.Fatalf("setWebhook called %d times, want 1", len(hooks))
		}
		secret, _ := hooks[0].Params["secret_token"].(string)
		if hooks[0].Params["url"] != c.WebhookURL || !telegram.ValidSecretToken(secret) || len(secret) < 32 {
			t.Errorf("setWebhook params: %v", hooks[0].Params)
		}
		// the token and the secret are stored sealed
		if n := h.count(`SELECT count(*) FROM channels WHERE kind = 'telegram' AND (config LIKE '%' || $1 || '%' OR config LIKE '%' || $2 || '%' OR config = '')`,
			"ABC-DEF", secret); n != 0 {
			t.Errorf("%d channel rows keep the bot token or secret in the clear", n)
		}
		// neither reaches any reader of the channel
		for _, actor := range []string{actAdmin, actAgentA} {
			for _, path := range []string{"/api/v1/channels", fmt.Sprintf("/api/v1/channels/%d", c.ID)} {
				r := h.as(actor, "GET", path, nil)
				if strings.Contains(string(r.body), "ABC-DEF") || strings.Contains(string(r.body), secret) {
					t.Errorf("%s GET %s leaks a credential: %s", actor, path, r)
				}
			}
		}
		var got tgChannel
		h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/channels/%d", c.ID), nil).into(t, &got)
		if got.ID != c.ID || got.Account != c.Account || got.WebhookURL != c.WebhookURL || got.Name != c.Name || *got.DepartmentID != *c.DepartmentID {
			t.Errorf("GET channel = %+v, want %+v", got, c)
		}

		// test connection
		var res struct {
			OK      bool   `json:"ok"`
			Account string `json:"account"`
			Error   string `json:"error"`
		}
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/channels/%d/test", c.ID), nil).into(t, &res)
		if !res.OK || res.Account != "@loja_atende_bot" || len(h.tg.callsOf("getMe")) != 2 {
			t.Errorf("test connection: %+v", res)
		}
		h.must(200, actAdmin, "POST", fmt.Sprintf("/api/v1/channels/%d/test", h.fix.Channel.ID), nil).into(t, &res)
		if !res.OK {
			t.Errorf("test connection of the API channel: %+v", res)
		}

		// a token Telegram refuses is the admin's input
		bad := h.as(actAdmin, "POST", "/api/v1/channels", map[string]any{"kind": "telegram", "name": "X", "bot_token": "999:WRONG"})
		if bad.status != 422 {
			t.Errorf("refused token: %s, want 422", bad)
		}
		assertErrorEnvelope(t, bad, "refused token")

		// the channel's conversations keep working after it is deleted? no: they go with it
		h.must(204, actAdmin, "DELETE", fmt.Sprintf("/api/v1/channels/%d", c.ID), nil)
		if n := len(h.tg.callsOf("deleteWebhook")); n != 1 {
			t.Errorf("deleteWebhook called %d times, want 1", n)
		}
		gone := h.postUpdate(c.hookPath(h), tgSample(t, "text.json"), secret)
		if gone.status != 404 {
			t.Errorf("webhook of a deleted channel: %s, want 404", gone)
		}
		assertErrorEnvelope(t, gone, "deleted channel webhook")
	})
}

func TestTelegramWebhook(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		c := h.newTelegramChannel()
		secret := h.tg.secret(t)
		path := c.hookPath(h)
		ctx := context.Background()
		ws := h.fix.WS.ID

		entries, err := os.ReadDir(filepath.Join("..", "channel", "telegram", "testdata"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".json") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		if len(names) < 15 {
			t.Fatalf("only %d samples", len(names))
		}
		stored := 0
		for _, name := range names {
			body := tgSample(t, name)
			u, err := telegram.Parse(body)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			// forged, then missing, secrets store nothing
			before := h.snapshot()
			for _, s := range []string{"forged-" + secret, ""} {
				r := h.postUpdate(path, body, s)
				if r.status != 401 {
					t.Errorf("%s with secret %q: %s, want 401", name, s, r)
				}
				assertErrorEnvelope(t, r, name+" forged")
			}
			if d := before.diff(h.snapshot()); len(d) > 0 {
				t.Errorf("%s with a forged secret changed the database: %v", name, d)
			}
			if n := len(h.tg.callsOf("getFile")); n != 0 && stored == 0 {
				t.Errorf("%s with a forged secret fetched a file", name)
			}

			files := h.blobFiles()
			var ack struct {
				OK             bool   `json:"ok"`
				Result         string `json:"result"`
				MessageID      int64  `json:"message_id"`
				ConversationID int64  `json:"conversation_id"`
			}
			// Telegram re-delivers until it gets a 2xx: 3 times stores once
			for i := 0; i < 3; i++ {
				r := h.postUpdate(path, body, secret)
				if r.status != 200 {
					t.Fatalf("%s #%d: %s", name, i+1, r)
				}
				var a = ack
				r.into(t, &a)
				want := "duplicate"
				switch {
				case !u.CustomerMessage():
					want = "ignored"
				case i == 0:
					want = "stored"
				}
				if a.Result != want || !a.OK {
					t.Errorf("%s #%d: result %q, want %q", name, i+1, a.Result, want)
				}
				if i == 0 {
					ack = a
				}
			}
			if !u.CustomerMessage() {
				if n := h.count(`SELECT count(*) FROM messages WHERE channel_id = $1 AND direction = 'in'`, c.ID); n != int64(stored) {
					t.Errorf("%s (%s, ignored) left %d inbound messages, want %d", name, u.Kind, n, stored)
				}
				continue
			}
			stored++
			if n := h.count(`SELECT count(*) FROM messages WHERE channel_id = $1 AND external_id = $2`, c.ID, u.Inbound.ExternalID); n != 1 {
				t.Errorf("%s: %d messages with external id %s, want 1", name, n, u.Inbound.ExternalID)
			}
			m := h.message(ws, ack.MessageID)
			if m.Direction != store.DirIn || m.ChannelID != c.ID || m.ExternalID == nil || *m.ExternalID != u.Inbound.ExternalID {
				t.Errorf("%s: stored message %+v", name, m)
			}
			if len(u.Inbound.Media) > 0 {
				if len(m.Attachments) != 1 || m.Attachments[0].Size != int64(len(pngBytes)) || h.blobFiles() != files+1 {
					t.Errorf("%s: attachments %+v, blob files %d → %d", name, m.Attachments, files, h.blobFiles())
				}
			} else if len(m.Attachments) != 0 || h.blobFiles() != files {
				t.Errorf("%s: unexpected attachment %+v", name, m.Attachments)
			}
			if u.Inbound.Text != "" && !strings.Contains(m.Content, u.Inbound.Text) {
				t.Errorf("%s: content %q lacks the text %q", name, m.Content, u.Inbound.Text)
			}
			if m.Content == "" && len(m.Attachments) == 0 {
				t.Errorf("%s: an empty message", name)
			}
			conv := h.conversation(ws, ack.ConversationID)
			if conv.ChannelID != c.ID {
				t.Errorf("%s: conversation on channel %d", name, conv.ChannelID)
			}
			contact, err := h.db.R().Contact(ctx, ws, conv.ContactID)
			if err != nil {
				t.Fatal(err)
			}
			var tgID string
			for _, id := range u.Inbound.Contact.Identities {
				if id.Kind == "telegram_id" {
					tgID = id.Value
				}
			}
			found := false
			for _, id := range contact.Identities {
				found = found || id.ChannelID == c.ID && id.ExternalID == tgID
			}
			if !found {
				t.Errorf("%s: contact %+v is not keyed on telegram id %s", name, contact.Identities, tgID)
			}
		}
		if stored < 12 {
			t.Errorf("only %d samples stored", stored)
		}

		// text.json: the customer as Telegram names them, the text as sent
		u, _ := telegram.Parse(tgSample(t, "text.json"))
		id, err := h.db.R().ContactByIdentity(ctx, c.ID, "5203391846")
		if err != nil {
			t.Fatal(err)
		}
		ct, _ := h.db.R().Contact(ctx, ws, id)
		if ct.Name != "Maria Souza" || ct.Attributes["telegram_username"] != "mariasouza" {
			t.Errorf("contact of text.json: %+v", ct)
		}
		m, err := h.db.R().MessageByExternalID(ctx, c.ID, u.Inbound.ExternalID)
		if err != nil || m.Content != "Olá! Meu pedido #4821 ainda não chegou." {
			t.Errorf("message of text.json: %+v %v", m, err)
		}

		// bad input on a real channel stores nothing
		before := h.snapshot()
		for _, bad := range []struct {
			name string
			body string
			want int
		}{
			{"malformed JSON", `{"update_id":`, 400},
			{"no update_id", `{"message":{}}`, 400},
			{"message without chat", `{"update_id":9,"message":{"message_id":1,"text":"x"}}`, 400},
			{"oversized", `{"update_id":9,"message":{"text":"` + strings.Repeat("a", 1<<20) + `"}}`, 413},
		} {
			r := h.postUpdate(path, []byte(bad.body), secret)
			if r.status != bad.want {
				t.Errorf("%s: %s, want %d", bad.name, r, bad.want)
			}
			assertErrorEnvelope(t, r, bad.name)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("bad webhook bodies changed the database: %v", d)
		}
	})
}

func TestTelegramDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		c := h.newTelegramChannel()
		secret := h.tg.secret(t)
		ws := h.fix.WS.ID

		// each case: a customer writes, the admin answers, the fake answers the send
		customer := int64(5203391846)
		update := func(n int) []byte {
			return []byte(fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1736770800,"from":{"id":%d,"is_bot":false,"first_name":"Maria"},
				"chat":{"id":%d,"type":"private","first_name":"Maria"},"text":"Oi %d"}}`, 100+n, n, customer, customer, n))
		}
		reply := func(n int, text string) store.Message {
			t.Helper()
			r := h.postUpdate(c.hookPath(h), update(n), secret)
			if r.status != 200 {
				t.Fatalf("customer message: %s", r)
			}
			var ack struct {
				ConversationID int64 `json:"conversation_id"`
			}
			r.into(t, &ack)
			var m store.Message
			h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", ack.ConversationID),
				map[string]any{"kind": "reply", "content": text}).into(t, &m)
			return m
		}
		settle := func(id int64, status string) store.Message {
			t.Helper()
			var m store.Message
			defer func() {
				if t.Failed() {
					var e string
					_ = h.raw.QueryRow(`SELECT COALESCE(string_agg(kind || ':' || status || ':' || last_error, ' | '), '') FROM jobs`).Scan(&e)
					t.Logf("jobs: %s", e)
				}
			}()
			eventually(t, 10*time.Second, "message "+strconv.FormatInt(id, 10)+" "+status, func() bool {
				m = h.message(ws, id)
				return m.Status == status
			})
			return m
		}
		sendsWith := func(text string) []tgCall {
			var out []tgCall
			for _, c := range h.tg.callsOf("sendMessage") {
				if c.Params["text"] == text {
					out = append(out, c)
				}
			}
			return out
		}

		// delivered once, to the customer's chat, with the agent's text
		m := reply(1, "Seu pedido saiu para entrega hoje.")
		m = settle(m.ID, store.DeliverySent)
		time.Sleep(100 * time.Millisecond) // a second delivery would show by now
		sends := sendsWith("Seu pedido saiu para entrega hoje.")
		if len(sends) != 1 {
			t.Fatalf("sendMessage called %d times with the reply, want 1", len(sends))
		}
		if chat, _ := sends[0].Params["chat_id"].(json.Number); chat.String() != strconv.FormatInt(customer, 10) {
			t.Errorf("sendMessage chat_id = %v, want %d", sends[0].Params["chat_id"], customer)
		}
		if m.ExternalID == nil || !strings.HasPrefix(*m.ExternalID, strconv.FormatInt(customer, 10)+":") {
			t.Errorf("sent message external id = %v", m.ExternalID)
		}

		// flood control: retried after retry_after, then delivered
		h.tg.mu.Lock()
		base := h.tg.sends
		h.tg.send = func(n int) (int, string) {
			if n == base+1 {
				return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`
			}
			return 0, ""
		}
		h.tg.mu.Unlock()
		start := time.Now()
		m = reply(2, "Pode confirmar o endereço?")
		settle(m.ID, store.DeliverySent)
		if waited := time.Since(start); waited < time.Second {
			t.Errorf("delivered %v after a 429 asking for 1s", waited)
		}
		if n := len(sendsWith("Pode confirmar o endereço?")); n != 2 {
			t.Errorf("sendMessage called %d times with the rate-limited reply, want 2", n)
		}

		// blocked by the user: failed at once, with Telegram's reason
		h.tg.mu.Lock()
		h.tg.send = func(n int) (int, string) {
			return 403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`
		}
		h.tg.mu.Unlock()
		m = reply(3, "Olá?")
		m = settle(m.ID, store.DeliveryFailed)
		if !strings.Contains(m.Error, "blocked") {
			t.Errorf("failed message error = %q", m.Error)
		}
		time.Sleep(100 * time.Millisecond)
		if n := len(sendsWith("Olá?")); n != 1 {
			t.Errorf("a refused send was tried %d times, want 1", n)
		}
	})
}
