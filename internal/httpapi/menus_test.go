package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/channel/meta"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// menuContent is a bot's menu as it is stored: the prompt, a blank line
// and the numbered choices, which text-only channels show as they are.
const menuContent = "Olá! Com qual departamento deseja falar?\n\n1 – Vendas\n2 – Financeiro\n3 – Suporte"

var menuChoices = []string{"Vendas", "Financeiro", "Suporte"}

// sendMenu stores a bot's menu in conversation convID and queues its
// delivery, as the bot engine does.
func (h *testAPI) sendMenu(convID int64, content string, choices []string) store.Message {
	h.t.Helper()
	ctx := context.Background()
	ws := h.fix.WS.ID
	c := h.conversation(ws, convID)
	var m store.Message
	err := h.db.Tx(ctx, func(q store.Q) error {
		var err error
		m, err = q.InsertMessage(ctx, store.Message{WorkspaceID: ws, ConversationID: c.ID, Kind: store.KindText, Direction: store.DirOut,
			SenderType: store.SenderBot, Content: content, ChannelID: c.ChannelID, Status: store.DeliveryPending, CreatedAt: store.Now(), Choices: choices})
		if err != nil {
			return err
		}
		payload, _ := json.Marshal(conversation.DeliveryPayload{MessageID: m.ID})
		return q.EnqueueJob(ctx, store.Job{WorkspaceID: ws, Kind: conversation.JobDeliver, Key: conversation.DeliveryKey(m.ID), Payload: string(payload)})
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.runner.Notify()
	return m
}

func sameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("not JSON: %s", got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("body\n%s\nwant\n%s", got, want)
	}
}

// A bot's menu goes out on every channel through the delivery job: as
// reply buttons or a list on WhatsApp, a reply keyboard on Telegram, quick
// replies on Messenger and Instagram, "choices" beside the text on the API
// channel; choices that do not fit go out as the text alone. A tap comes
// back as the customer's text.
func TestBotMenuDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		ws := h.fix.WS.ID
		sent := func(m store.Message) {
			t.Helper()
			h.waitStatus(ws, m.ID, store.DeliverySent)
		}

		t.Run("whatsapp", func(t *testing.T) {
			h.t = t
			c := h.newWhatsAppChannel()
			r := h.postWhatsApp(c.hookPath(h), []byte(strings.ReplaceAll(string(waSample(t, "text.json")), "wamid.", "wamid.MENU")), fakeWAAppSecret)
			var a waAck
			r.into(t, &a)
			sendPath := "/v21.0/" + fakeWAPhoneNumberID + "/messages"
			before := len(h.wa.callsTo("POST", sendPath))
			sent(h.sendMenu(a.ConversationID, menuContent, menuChoices))
			long := h.sendMenu(a.ConversationID, "Qual?\n\n1 – Segunda via de boleto com desconto", []string{"Segunda via de boleto com desconto"})
			sent(long)
			calls := h.wa.callsTo("POST", sendPath)[before:]
			if len(calls) != 2 {
				t.Fatalf("%d sends", len(calls))
			}
			var to struct {
				To string `json:"to"`
			}
			_ = json.Unmarshal(calls[0].Body, &to)
			head := `{"messaging_product":"whatsapp","recipient_type":"individual","to":"` + to.To + `",`
			sameJSON(t, calls[0].Body, head+`"type":"interactive","interactive":{"type":"button","body":{"text":"Olá! Com qual departamento deseja falar?"},`+
				`"action":{"buttons":[{"type":"reply","reply":{"id":"1","title":"Vendas"}},{"type":"reply","reply":{"id":"2","title":"Financeiro"}},`+
				`{"type":"reply","reply":{"id":"3","title":"Suporte"}}]}}}`)
			sameJSON(t, calls[1].Body, head+`"type":"text","text":{"body":"Qual?\n\n1 – Segunda via de boleto com desconto"}}`)

			// the customer taps "Financeiro": it arrives as their text
			tap := `{"object":"whatsapp_business_account","entry":[{"id":"` + fakeWABAID + `","changes":[{"field":"messages","value":{` +
				`"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"` + fakeWAPhoneNumberID + `"},` +
				`"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"` + to.To + `"}],"messages":[{"from":"` + to.To + `","id":"wamid.TAP1",` +
				`"timestamp":"` + strconv.FormatInt(time.Now().Unix(), 10) + `","type":"interactive",` +
				`"interactive":{"type":"button_reply","button_reply":{"id":"2","title":"Financeiro"}}}]}}]}]}`
			if r := h.postWhatsApp(c.hookPath(h), []byte(tap), fakeWAAppSecret); r.status != 200 {
				t.Fatalf("tap: %s", r)
			}
			msgs := h.messages(a.ConversationID)
			if last := msgs[len(msgs)-1]; last.Direction != store.DirIn || last.Content != "Financeiro" {
				t.Fatalf("the tap arrived as %+v", last)
			}
		})

		t.Run("telegram", func(t *testing.T) {
			h.t = t
			c := h.newTelegramChannel()
			update := `{"update_id":7001,"message":{"message_id":71,"date":1736770800,"from":{"id":5203391846,"is_bot":false,"first_name":"Maria"},` +
				`"chat":{"id":5203391846,"type":"private","first_name":"Maria"},"text":"Oi"}}`
			r := h.postUpdate(c.hookPath(h), []byte(update), h.tg.secret(t))
			var ack struct {
				ConversationID int64 `json:"conversation_id"`
			}
			r.into(t, &ack)
			before := len(h.tg.callsOf("sendMessage"))
			sent(h.sendMenu(ack.ConversationID, menuContent, menuChoices))
			sent(h.sendMenu(ack.ConversationID, "Qual?", []string{"Vendas", "Vendas"}))
			calls := h.tg.callsOf("sendMessage")[before:]
			if len(calls) != 2 {
				t.Fatalf("%d sends", len(calls))
			}
			got, _ := json.Marshal(calls[0].Params)
			sameJSON(t, got, `{"chat_id":5203391846,"text":`+strconv.Quote(menuContent)+`,"reply_markup":{"keyboard":[[{"text":"Vendas"}],[{"text":"Financeiro"}],`+
				`[{"text":"Suporte"}]],"one_time_keyboard":true,"resize_keyboard":true}}`)
			got, _ = json.Marshal(calls[1].Params)
			sameJSON(t, got, `{"chat_id":5203391846,"text":"Qual?"}`)
		})

		for _, kind := range []string{meta.KindMessenger, meta.KindInstagram} {
			t.Run(kind, func(t *testing.T) {
				h.t = t
				c := h.newMetaChannel(kind)
				sample, page, user := "messenger_text.json", fakeMetaPageID, fakeMetaPSID
				if kind == meta.KindInstagram {
					sample, page, user = "instagram_quick_reply.json", "me", fakeMetaIGSID
				}
				r := h.postMeta(c.hookPath(h), metaSample(t, sample), fakeMetaAppSecret)
				var a waAck
				r.into(t, &a)
				if kind == meta.KindInstagram {
					// a tapped quick reply arrives as its title
					if msgs := h.messages(a.ConversationID); msgs[len(msgs)-1].Content != "Financeiro" {
						t.Fatalf("quick reply arrived as %q", msgs[len(msgs)-1].Content)
					}
				}
				sendPath := "/v25.0/" + page + "/messages"
				before := len(h.meta.callsTo("POST", sendPath))
				sent(h.sendMenu(a.ConversationID, menuContent, menuChoices))
				sent(h.sendMenu(a.ConversationID, "Qual?", []string{"Vendas", "Segunda via de boleto"}))
				calls := h.meta.callsTo("POST", sendPath)[before:]
				if len(calls) != 2 {
					t.Fatalf("%d sends on %s", len(calls), sendPath)
				}
				sameJSON(t, calls[0].Body, `{"recipient":{"id":"`+user+`"},"messaging_type":"RESPONSE","message":{"text":`+strconv.Quote(menuContent)+
					`,"quick_replies":[{"content_type":"text","title":"Vendas","payload":"Vendas"},{"content_type":"text","title":"Financeiro","payload":"Financeiro"},`+
					`{"content_type":"text","title":"Suporte","payload":"Suporte"}]}}`)
				sameJSON(t, calls[1].Body, `{"recipient":{"id":"`+user+`"},"messaging_type":"RESPONSE","message":{"text":"Qual?"}}`)
			})
		}

		t.Run("api channel", func(t *testing.T) {
			h.t = t
			cb := newCallback(t)
			_, token, _ := h.apiChannel(cb)
			in := h.inbound(token, inboundBody("menu1", "cliente-menu", "Oi"), 201)
			sent(h.sendMenu(in.ConversationID, menuContent, menuChoices))
			reply := h.reply(actAgentA, in.ConversationID, "reply", "Um momento.")
			sent(reply)
			calls := cb.calls()
			if len(calls) != 2 {
				t.Fatalf("%d callbacks", len(calls))
			}
			var menu, plain struct {
				Message map[string]any `json:"message"`
			}
			if json.Unmarshal(calls[0].body, &menu) != nil || json.Unmarshal(calls[1].body, &plain) != nil {
				t.Fatal("callbacks are not JSON")
			}
			if got := fmt.Sprint(menu.Message["choices"]); got != "[Vendas Financeiro Suporte]" || menu.Message["text"] != menuContent {
				t.Fatalf("menu callback %s", calls[0].body)
			}
			if _, ok := plain.Message["choices"]; ok {
				t.Fatalf("an agent's reply carries choices: %s", calls[1].body)
			}
			var p apichannel.OutboundPayload
			if err := json.Unmarshal(calls[0].body, &p); err != nil || !reflect.DeepEqual(p.Message.Choices, menuChoices) {
				t.Fatalf("payload %+v, %v", p, err)
			}
		})
	})
}
