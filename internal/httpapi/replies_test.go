package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/store"
)

// TestReplyQuotes: a customer's quote-reply is linked to the message it
// answers and shown with it; an agent's reply to a customer's message goes
// out quoting it on WhatsApp (context.message_id) and Telegram
// (reply_parameters); a reply can only answer a message of the same contact.
func TestReplyQuotes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		ws := h.fix.WS.ID
		wa := h.newWhatsAppChannel()
		waPath := wa.hookPath(h)
		sendPath := "/v21.0/" + fakeWAPhoneNumberID + "/messages"

		waSays := func(id, text, context string) waAck {
			t.Helper()
			msg := map[string]any{"from": "16505551234", "id": id, "timestamp": "1749416383", "type": "text", "text": map[string]any{"body": text}}
			if context != "" {
				msg["context"] = map[string]any{"from": "15550783881", "id": context}
			}
			body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
				"id": fakeWABAID, "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
					"messaging_product": "whatsapp",
					"metadata":          map[string]any{"display_phone_number": "15550783881", "phone_number_id": fakeWAPhoneNumberID},
					"contacts":          []any{map[string]any{"profile": map[string]any{"name": "Sheena"}, "wa_id": "16505551234"}},
					"messages":          []any{msg}}}}}}})
			r := h.postWhatsApp(waPath, body, fakeWAAppSecret)
			if r.status != 200 {
				t.Fatalf("customer message: %s", r)
			}
			var a waAck
			r.into(t, &a)
			return a
		}
		settle := func(id int64) store.Message {
			t.Helper()
			var m store.Message
			eventually(t, 10*time.Second, "message "+strconv.FormatInt(id, 10)+" sent", func() bool {
				m = h.message(ws, id)
				return m.Status == store.DeliverySent
			})
			return m
		}
		timeline := func(conv int64) map[int64]store.Message {
			t.Helper()
			var page store.MessagePage
			h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/conversations/%d/messages", conv), nil).into(t, &page)
			out := map[int64]store.Message{}
			for _, m := range page.Items {
				out[m.ID] = m
			}
			return out
		}

		// the agent answers the customer's first message, quoting it
		first := waSays("wamid.Q1", "Qual o prazo de entrega?", "")
		var sent store.Message
		h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", first.ConversationID),
			map[string]any{"kind": "reply", "content": "Chega amanhã.", "reply_to_id": first.MessageID}).into(t, &sent)
		if sent.ReplyToID == nil || *sent.ReplyToID != first.MessageID || sent.ReplyTo == nil || sent.ReplyTo.Content != "Qual o prazo de entrega?" {
			t.Fatalf("reply answer: reply_to_id %v reply_to %+v", sent.ReplyToID, sent.ReplyTo)
		}
		sent = settle(sent.ID)
		var quoted []string
		for _, call := range h.wa.callsTo("POST", sendPath) {
			var b struct {
				Text    struct{ Body string } `json:"text"`
				Context *struct {
					MessageID string `json:"message_id"`
				} `json:"context"`
			}
			_ = json.Unmarshal(call.Body, &b)
			if b.Text.Body == "Chega amanhã." && b.Context != nil {
				quoted = append(quoted, b.Context.MessageID)
			}
		}
		if len(quoted) != 1 || quoted[0] != "wamid.Q1" {
			t.Fatalf("sends quoting the customer: %v, want [wamid.Q1]", quoted)
		}

		// the customer quote-replies to the agent's message: linked by its wamid
		back := waSays("wamid.Q2", "Perfeito, obrigado!", *sent.ExternalID)
		got := timeline(back.ConversationID)[back.MessageID]
		if got.ReplyToID == nil || *got.ReplyToID != sent.ID || got.ReplyTo == nil ||
			got.ReplyTo.Content != "Chega amanhã." || got.ReplyTo.Direction != store.DirOut || got.ReplyTo.SenderType != store.SenderUser {
			t.Fatalf("customer reply: reply_to_id %v reply_to %+v", got.ReplyToID, got.ReplyTo)
		}
		// a quote of a message Atende never stored is dropped, the text kept
		lost := waSays("wamid.Q3", "E a nota fiscal?", "wamid.UNKNOWN")
		if got := timeline(lost.ConversationID)[lost.MessageID]; got.ReplyToID != nil || got.Content != "E a nota fiscal?" {
			t.Fatalf("reply to an unknown message: %+v", got)
		}

		// a reply may quote only this contact's text or media messages
		other := h.newConv(tgtVendas, stOpen)
		note := h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", first.ConversationID),
			map[string]any{"kind": "note", "content": "nota"}).json()
		before := h.snapshot()
		for name, body := range map[string]map[string]any{
			"another contact's message": {"kind": "reply", "content": "x", "reply_to_id": other.MessageID},
			"a note":                    {"kind": "reply", "content": "x", "reply_to_id": note["id"]},
			"no such message":           {"kind": "reply", "content": "x", "reply_to_id": 1 << 40},
			"zero":                      {"kind": "reply", "content": "x", "reply_to_id": 0},
			"a template":                {"kind": "template", "template": map[string]any{"name": "x", "language": "en"}, "reply_to_id": first.MessageID},
		} {
			r := h.as(actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", first.ConversationID), body)
			if r.status != 422 {
				t.Errorf("%s: %s, want 422", name, r)
			}
			assertErrorEnvelope(t, r, name)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("refused replies wrote: %v", d)
		}
		// another workspace's admin cannot reach the message through a quote either
		r := h.as(actAdmin2, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", first.ConversationID),
			map[string]any{"kind": "reply", "content": "x", "reply_to_id": first.MessageID})
		if r.status != 404 {
			t.Errorf("other workspace: %s, want 404", r)
		}

		// Telegram: the reply goes out with reply_parameters naming the customer's message
		tg := h.newTelegramChannel()
		secret := h.tg.secret(t)
		customer := int64(5203391846)
		up := []byte(fmt.Sprintf(`{"update_id":9001,"message":{"message_id":77,"date":1736770800,"from":{"id":%d,"is_bot":false,"first_name":"Maria"},
			"chat":{"id":%d,"type":"private","first_name":"Maria"},"text":"Tem na cor azul?"}}`, customer, customer))
		ur := h.postUpdate(tg.hookPath(h), up, secret)
		if ur.status != 200 {
			t.Fatalf("telegram update: %s", ur)
		}
		var tgMsg store.Message
		eventually(t, 5*time.Second, "telegram message stored", func() bool {
			var err error
			tgMsg, err = h.db.R().MessageByExternalID(context.Background(), tg.ID, strconv.FormatInt(customer, 10)+":77")
			return err == nil
		})
		var tgReply store.Message
		h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", tgMsg.ConversationID),
			map[string]any{"kind": "reply", "content": "Temos sim!", "reply_to_id": tgMsg.ID}).into(t, &tgReply)
		settle(tgReply.ID)
		var params []string
		for _, c := range h.tg.callsOf("sendMessage") {
			if c.Params["text"] == "Temos sim!" {
				b, _ := json.Marshal(c.Params["reply_parameters"])
				params = append(params, string(b))
			}
		}
		if len(params) != 1 || !strings.Contains(params[0], `"message_id":77`) {
			t.Fatalf("telegram sends quoting the customer: %v", params)
		}
	})
}
