package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/store"
)

type templateRow struct {
	Name       string   `json:"name"`
	Language   string   `json:"language"`
	Category   string   `json:"category"`
	Body       string   `json:"body"`
	ParamCount int      `json:"param_count"`
	ParamNames []string `json:"param_names"`
}

// waSendBody is the JSON of one template send to Cloud API.
type waSendBody struct {
	MessagingProduct string `json:"messaging_product"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Template         struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []struct {
			Type       string `json:"type"`
			Parameters []struct {
				Type          string `json:"type"`
				Text          string `json:"text"`
				ParameterName string `json:"parameter_name"`
			} `json:"parameters"`
		} `json:"components"`
	} `json:"template"`
}

func TestWhatsAppTemplates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		c := h.newWhatsAppChannel()
		ws := h.fix.WS.ID
		tplPath := fmt.Sprintf("/api/v1/channels/%d/templates", c.ID)

		// listed for any user of the workspace: approved, body-only ones
		var list struct {
			Items []templateRow `json:"items"`
		}
		h.must(200, actAgentB, "GET", tplPath, nil).into(t, &list)
		if len(list.Items) != 2 || list.Items[0].Name != "order_update" || list.Items[0].ParamCount != 2 || list.Items[0].Category != "UTILITY" ||
			list.Items[0].Body != "Olá {{1}}, seu pedido {{2}} saiu para entrega." || list.Items[1].Name != "hello_named" ||
			len(list.Items[1].ParamNames) != 1 || list.Items[1].ParamNames[0] != "first_name" {
			t.Fatalf("templates = %+v", list.Items)
		}
		h.must(200, actAgentA, "GET", tplPath, nil)
		if n := len(h.wa.callsTo("GET", "/v21.0/"+fakeWABAID+"/message_templates")); n != 1 {
			t.Errorf("Graph API asked %d times for templates, want 1 (cached)", n)
		}
		h.must(404, actAdmin2, "GET", tplPath, nil)
		h.must(404, actAdmin, "GET", fmt.Sprintf("/api/v1/channels/%d/templates", h.fix.Channel.ID), nil) // an API channel

		// the customer wrote 25 hours ago: free text 422, a template 201 and delivered
		var a waAck
		h.postWhatsApp(c.hookPath(h), waSample(t, "text.json"), fakeWAAppSecret).into(t, &a)
		h.conv.SetClock(func() time.Time { return time.Now().Add(25 * time.Hour) })
		msgs := fmt.Sprintf("/api/v1/conversations/%d/messages", a.ConversationID)
		r := h.as(actAdmin, "POST", msgs, map[string]any{"kind": "reply", "content": "Oi?"})
		if r.status != 422 || !strings.Contains(string(r.body), `"window_closed"`) {
			t.Fatalf("free text outside the window: %s", r)
		}
		for _, bad := range []map[string]any{
			{"kind": "template"},
			{"kind": "template", "template": map[string]any{"name": "order_update", "language": "pt_BR", "parameters": []string{"Ana"}}},
			{"kind": "template", "template": map[string]any{"name": "order_update", "language": "pt_BR", "parameters": []string{"Ana", " "}}},
			{"kind": "template", "template": map[string]any{"name": "pending_one", "language": "pt_BR", "parameters": []string{}}},
			{"kind": "template", "template": map[string]any{"name": "promo_image", "language": "pt_BR"}},
			{"kind": "template", "template": map[string]any{"name": "order_update", "language": "en_US", "parameters": []string{"a", "b"}}},
			{"kind": "template", "content": "x", "template": map[string]any{"name": "order_update", "language": "pt_BR", "parameters": []string{"a", "b"}}},
			{"kind": "reply", "content": "x", "template": map[string]any{"name": "order_update", "language": "pt_BR"}},
		} {
			if r := h.as(actAdmin, "POST", msgs, bad); r.status != 422 {
				t.Errorf("%v: %s, want 422", bad, r)
			}
		}
		var m store.Message
		h.must(201, actAdmin, "POST", msgs, map[string]any{"kind": "template",
			"template": map[string]any{"name": "order_update", "language": "pt_BR", "parameters": []string{"Ana", "#42"}}}).into(t, &m)
		if m.Content != "Olá Ana, seu pedido #42 saiu para entrega." || m.Direction != store.DirOut {
			t.Fatalf("template message = %+v", m)
		}
		eventually(t, 10*time.Second, "template delivered", func() bool { return h.message(ws, m.ID).Status == store.DeliverySent })
		sends := h.wa.callsTo("POST", "/v21.0/"+fakeWAPhoneNumberID+"/messages")
		var body waSendBody
		if err := json.Unmarshal(sends[len(sends)-1].Body, &body); err != nil {
			t.Fatal(err)
		}
		tp := body.Template
		if body.MessagingProduct != "whatsapp" || body.Type != "template" || tp.Name != "order_update" || tp.Language.Code != "pt_BR" ||
			len(tp.Components) != 1 || tp.Components[0].Type != "body" || len(tp.Components[0].Parameters) != 2 ||
			tp.Components[0].Parameters[0].Type != "text" || tp.Components[0].Parameters[0].Text != "Ana" || tp.Components[0].Parameters[1].Text != "#42" {
			t.Fatalf("template send = %s", sends[len(sends)-1].Body)
		}

		// a named template carries the parameter names
		h.must(201, actAdmin, "POST", msgs, map[string]any{"kind": "template",
			"template": map[string]any{"name": "hello_named", "language": "en_US", "parameters": []string{"Ana"}}}).into(t, &m)
		if m.Content != "Hi Ana, welcome back!" {
			t.Errorf("named template content = %q", m.Content)
		}
		eventually(t, 10*time.Second, "named template delivered", func() bool { return h.message(ws, m.ID).Status == store.DeliverySent })
		sends = h.wa.callsTo("POST", "/v21.0/"+fakeWAPhoneNumberID+"/messages")
		if err := json.Unmarshal(sends[len(sends)-1].Body, &body); err != nil {
			t.Fatal(err)
		}
		if p := body.Template.Components[0].Parameters; len(p) != 1 || p[0].ParameterName != "first_name" || p[0].Text != "Ana" {
			t.Errorf("named template send = %s", sends[len(sends)-1].Body)
		}
	})
}

type convCreated struct {
	ID         int64  `json:"id"`
	Status     string `json:"status"`
	AssigneeID *int64 `json:"assignee_id"`
	ContactID  int64  `json:"contact_id"`
}

func TestNewConversationFromTemplate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		c := h.newWhatsAppChannel()
		ws := h.fix.WS.ID
		tmpl := map[string]any{"name": "order_update", "language": "pt_BR", "parameters": []string{"Bia", "7"}}
		body := map[string]any{"channel_id": c.ID, "phone": "+55 (11) 98888-7777", "name": "Bia", "template": tmpl}

		for _, bad := range []map[string]any{
			{"channel_id": c.ID, "template": tmpl},
			{"channel_id": c.ID, "phone": "12", "template": tmpl},
			{"channel_id": c.ID, "phone": "5511988887777"},
			{"channel_id": h.fix.Channel.ID, "phone": "5511988887777", "template": tmpl},
			{"channel_id": c.ID, "phone": "5511988887777", "template": map[string]any{"name": "order_update", "language": "pt_BR"}},
		} {
			if r := h.as(actAgentA, "POST", "/api/v1/conversations", bad); r.status != 422 {
				t.Errorf("%v: %s, want 422", bad, r)
			}
		}
		// an agent outside the channel's department (Vendas, the default)
		h.must(403, actAgentB, "POST", "/api/v1/conversations", body)
		if r := h.as(actAdmin2, "POST", "/api/v1/conversations", body); r.status != 422 {
			t.Errorf("another workspace's channel: %s", r)
		}

		var conv convCreated
		h.must(201, actAgentA, "POST", "/api/v1/conversations", body).into(t, &conv)
		if conv.Status != store.StatusOpen || conv.AssigneeID == nil || *conv.AssigneeID != h.fix.AgentA.ID {
			t.Fatalf("new conversation = %+v", conv)
		}
		msgs := h.messages(conv.ID)
		last := msgs[len(msgs)-1]
		if last.Direction != store.DirOut || last.Content != "Olá Bia, seu pedido 7 saiu para entrega." {
			t.Fatalf("first message = %+v", last)
		}
		eventually(t, 10*time.Second, "first template delivered", func() bool { return h.message(ws, last.ID).Status == store.DeliverySent })
		sends := h.wa.callsTo("POST", "/v21.0/"+fakeWAPhoneNumberID+"/messages")
		var sb waSendBody
		if err := json.Unmarshal(sends[len(sends)-1].Body, &sb); err != nil {
			t.Fatal(err)
		}
		if sb.To != "5511988887777" || sb.Type != "template" || sb.Template.Name != "order_update" {
			t.Errorf("first send = %s", sends[len(sends)-1].Body)
		}

		// again: 409 naming the open conversation, by phone or by contact
		for _, again := range []map[string]any{body, {"channel_id": c.ID, "contact_id": conv.ContactID, "template": tmpl}} {
			r := h.as(actSupervisor, "POST", "/api/v1/conversations", again)
			var e struct {
				Error struct {
					Code           string `json:"code"`
					ConversationID int64  `json:"conversation_id"`
				} `json:"error"`
			}
			r.into(t, &e)
			if r.status != 409 || e.Error.Code != "conversation_open" || e.Error.ConversationID != conv.ID {
				t.Errorf("second start: %s", r)
			}
		}
	})
}
