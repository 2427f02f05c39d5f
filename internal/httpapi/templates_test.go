package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/store"
)

type templateListAnswer struct {
	Items     []templateRow `json:"items"`
	SyncedAt  *int64        `json:"synced_at"`
	SyncError string        `json:"sync_error"`
}

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

		// listed for any user of the workspace: approved, body-only ones, by name
		var list templateListAnswer
		h.must(200, actAgentB, "GET", tplPath, nil).into(t, &list)
		if len(list.Items) != 2 || list.Items[1].Name != "order_update" || list.Items[1].ParamCount != 2 || list.Items[1].Category != "UTILITY" ||
			list.Items[1].Body != "Olá {{1}}, seu pedido {{2}} saiu para entrega." || list.Items[0].Name != "hello_named" ||
			len(list.Items[0].ParamNames) != 1 || list.Items[0].ParamNames[0] != "first_name" {
			t.Fatalf("templates = %+v", list.Items)
		}
		if list.SyncedAt == nil || list.SyncError != "" {
			t.Errorf("synced_at = %v, sync_error = %q after connecting", list.SyncedAt, list.SyncError)
		}
		h.must(200, actAgentA, "GET", tplPath, nil)
		if n := len(h.wa.callsTo("GET", "/v21.0/"+fakeWABAID+"/message_templates")); n != 1 {
			t.Errorf("Graph API asked %d times for templates, want 1 (synced on connect)", n)
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

// waTemplatesAnswer is a template list the fake's Graph API answers.
func waTemplatesAnswer(templates ...string) string {
	return `{"data":[` + strings.Join(templates, ",") + `],"paging":{"cursors":{"before":"a"}}}`
}

const (
	waOrderUpdate = `{"id":"1","name":"order_update","language":"pt_BR","status":"APPROVED","category":"UTILITY","parameter_format":"POSITIONAL",
 "components":[{"type":"BODY","text":"Olá {{1}}, seu pedido {{2}} saiu para entrega."}]}`
	waHelloNamed = `{"id":"2","name":"hello_named","language":"en_US","status":"APPROVED","category":"MARKETING","parameter_format":"NAMED",
 "components":[{"type":"BODY","text":"Hi {{first_name}}, welcome back!"}]}`
	waGraphDown = `{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"is_transient":true}}`
)

func (h *testAPI) templateCalls() int {
	return len(h.wa.callsTo("GET", "/v21.0/"+fakeWABAID+"/message_templates"))
}

func (h *testAPI) setWATemplates(fn func() (int, string)) {
	h.wa.mu.Lock()
	h.wa.templates = fn
	h.wa.mu.Unlock()
}

func templateNames(l templateListAnswer) string {
	var out []string
	for _, x := range l.Items {
		out = append(out, x.Name)
	}
	return strings.Join(out, ",")
}

// TestTemplateSync covers the stored template list: synced on connect,
// forced by admins only, removals at the provider, an outage served from
// the stored rows, and sends that never ask the provider for templates.
func TestTemplateSync(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withBackoff(20*time.Millisecond))
		ws := h.fix.WS.ID
		c := h.newWhatsAppChannel()
		tplPath := fmt.Sprintf("/api/v1/channels/%d/templates", c.ID)
		syncPath := tplPath + "/sync"
		if n := h.templateCalls(); n != 1 {
			t.Fatalf("connecting asked for templates %d times, want 1", n)
		}
		var first templateListAnswer
		h.must(200, actAgentA, "GET", tplPath, nil).into(t, &first)
		if templateNames(first) != "hello_named,order_update" || first.SyncedAt == nil || first.SyncError != "" {
			t.Fatalf("list after connecting = %+v", first)
		}

		// only admins force a sync; other workspaces see nothing
		for _, actor := range []string{actSupervisor, actAgentA} {
			r := h.as(actor, "POST", syncPath, nil)
			if r.status != 403 {
				t.Errorf("%s forced a sync: %s", actor, r)
			}
			assertErrorEnvelope(t, r, actor+" sync")
		}
		h.must(404, actAdmin2, "POST", syncPath, nil)
		h.must(404, actAdmin2, "GET", tplPath, nil)
		h.must(404, actAdmin, "POST", fmt.Sprintf("/api/v1/channels/%d/templates/sync", h.fix.Channel.ID), nil) // an API channel
		if n := h.templateCalls(); n != 1 {
			t.Errorf("refused syncs called the provider: %d calls", n)
		}

		// a template removed at the provider goes with the next sync
		h.setWATemplates(func() (int, string) { return 200, waTemplatesAnswer(waOrderUpdate) })
		time.Sleep(2 * time.Millisecond) // a later synced_at
		var synced templateListAnswer
		h.must(200, actAdmin, "POST", syncPath, nil).into(t, &synced)
		if templateNames(synced) != "order_update" || synced.SyncedAt == nil || *synced.SyncedAt <= *first.SyncedAt || synced.SyncError != "" {
			t.Fatalf("after removing hello_named = %+v", synced)
		}
		var list templateListAnswer
		h.must(200, actAgentA, "GET", tplPath, nil).into(t, &list)
		if templateNames(list) != "order_update" {
			t.Errorf("list after the removal = %s", templateNames(list))
		}

		// an inbound conversation to send templates in
		var a waAck
		h.postWhatsApp(c.hookPath(h), waSample(t, "text.json"), fakeWAAppSecret).into(t, &a)
		msgs := fmt.Sprintf("/api/v1/conversations/%d/messages", a.ConversationID)
		named := map[string]any{"kind": "template", "template": map[string]any{"name": "hello_named", "language": "en_US", "parameters": []string{"Ana"}}}
		if r := h.as(actAdmin, "POST", msgs, named); r.status != 422 {
			t.Errorf("a removed template was sent: %s", r)
		}

		// the provider goes down: the forced sync says so, the stored list stays
		h.setWATemplates(func() (int, string) { return 500, waGraphDown })
		r := h.as(actAdmin, "POST", syncPath, nil)
		if r.status != 502 {
			t.Errorf("sync with the provider down: %s, want 502", r)
		}
		assertErrorEnvelope(t, r, "sync down")
		h.must(200, actAgentA, "GET", tplPath, nil).into(t, &list)
		if templateNames(list) != "order_update" || list.SyncError == "" || list.SyncedAt == nil || *list.SyncedAt != *synced.SyncedAt {
			t.Errorf("list while the provider is down = %+v", list)
		}

		// a send of a stored template works without asking the provider for templates
		calls := h.templateCalls()
		var m store.Message
		h.must(201, actAgentA, "POST", msgs, map[string]any{"kind": "template",
			"template": map[string]any{"name": "order_update", "language": "pt_BR", "parameters": []string{"Ana", "#9"}}}).into(t, &m)
		if m.Content != "Olá Ana, seu pedido #9 saiu para entrega." {
			t.Errorf("template message = %q", m.Content)
		}
		eventually(t, 10*time.Second, "template delivered", func() bool { return h.message(ws, m.ID).Status == store.DeliverySent })
		if n := h.templateCalls(); n != calls {
			t.Errorf("the send asked the provider for templates %d times", n-calls)
		}

		// back up: a sync clears the error and brings hello_named back
		h.setWATemplates(nil)
		h.must(200, actAdmin, "POST", syncPath, nil).into(t, &list)
		if templateNames(list) != "hello_named,order_update" || list.SyncError != "" {
			t.Errorf("after the provider came back = %+v", list)
		}
		h.must(201, actAdmin, "POST", msgs, named)
	})
}

// TestTemplateSyncOnRead covers the reads that sync: a channel never
// synced is synced before answering, a stale list is answered as stored
// and refreshed once in the background however many read it, and a
// channel whose first sync failed answers an empty list with the reason.
func TestTemplateSyncOnRead(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		ctx := context.Background()
		ws := h.fix.WS.ID

		// a WhatsApp channel stored without the API: never synced
		sealed, err := h.provs.SealConfig(providers.WhatsAppConfig{AccessToken: fakeWAToken, AppSecret: fakeWAAppSecret,
			VerifyToken: "v", PhoneNumberID: fakeWAPhoneNumberID, WABAID: fakeWABAID})
		if err != nil {
			t.Fatal(err)
		}
		ch, err := h.db.W().CreateChannel(ctx, store.Channel{WorkspaceID: ws, Kind: "whatsapp", Name: "Stored", Config: sealed,
			WebhookKey: h.uniq("key")}, h.uniq("hash"))
		if err != nil {
			t.Fatal(err)
		}
		tplPath := fmt.Sprintf("/api/v1/channels/%d/templates", ch.ID)
		var list templateListAnswer
		h.must(200, actAgentA, "GET", tplPath, nil).into(t, &list)
		if templateNames(list) != "hello_named,order_update" || list.SyncedAt == nil || h.templateCalls() != 1 {
			t.Fatalf("first read of a never-synced channel = %+v after %d calls", list, h.templateCalls())
		}

		// make the list stale, and hold the provider until every read answered
		old := time.Now().Add(-7 * time.Hour).UnixMilli()
		stored, err := h.db.R().ChannelTemplates(ctx, ws, ch.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.db.Tx(ctx, func(q store.Q) error { return q.ReplaceChannelTemplates(ctx, ws, ch.ID, stored, old) }); err != nil {
			t.Fatal(err)
		}
		release := make(chan struct{})
		h.setWATemplates(func() (int, string) {
			<-release
			return 200, waTemplatesAnswer(waOrderUpdate)
		})
		var wg sync.WaitGroup
		for i := 0; i < 5; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var l templateListAnswer
				r := h.as(actAgentA, "GET", tplPath, nil)
				if r.status != 200 || json.Unmarshal(r.body, &l) != nil {
					t.Errorf("stale read: %s", r)
				} else if templateNames(l) != "hello_named,order_update" || l.SyncedAt == nil || *l.SyncedAt != old {
					t.Errorf("stale read = %+v", l)
				}
			}()
		}
		wg.Wait()
		close(release)
		eventually(t, 10*time.Second, "background refresh", func() bool {
			s, _ := h.db.R().TemplateSyncState(ctx, ws, ch.ID)
			return s.At > old
		})
		if n := h.templateCalls(); n != 2 {
			t.Errorf("5 stale reads asked the provider %d times, want 1", n-1)
		}
		h.must(200, actAgentA, "GET", tplPath, nil).into(t, &list)
		if templateNames(list) != "order_update" {
			t.Errorf("after the refresh = %s", templateNames(list))
		}

		// connecting while the provider is down: created, with an empty list saying why
		h.setWATemplates(func() (int, string) { return 500, waGraphDown })
		c := h.newWhatsAppChannel()
		calls := h.templateCalls()
		h.must(200, actAgentA, "GET", fmt.Sprintf("/api/v1/channels/%d/templates", c.ID), nil).into(t, &list)
		if len(list.Items) != 0 || list.SyncedAt != nil || list.SyncError == "" {
			t.Errorf("list of a channel whose first sync failed = %+v", list)
		}
		if h.templateCalls() != calls {
			t.Errorf("a read right after a failed sync asked the provider again")
		}
		r := h.as(actAgentA, "POST", "/api/v1/conversations", map[string]any{"channel_id": c.ID, "phone": "5511977770000",
			"template": map[string]any{"name": "order_update", "language": "pt_BR", "parameters": []string{"a", "b"}}})
		if r.status != 422 || !strings.Contains(string(r.body), "could not be synced") {
			t.Errorf("start with an unsynced list: %s", r)
		}
	})
}
