package httpapi_test

// Bad input on every write endpoint: malformed JSON, wrong types, unknown
// fields, oversized bodies, wrong Content-Type, unknown ids, invalid values
// and invalid transitions must answer a 4xx JSON error envelope and leave
// the database exactly as it was.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// badWorld is what the bad requests aim at.
type badWorld struct {
	queued, open, resolved, resolvedTaken convRef
	label, label2, qr, cr, channel        int64
	contact, user, dept, token            int64
	otherUser, otherDept, otherLabel      int64 // of WS2
	botToken                              string
	botConv                               int64 // run by the agent bot of botToken
}

func newBadWorld(h *testAPI) *badWorld {
	ctx := context.Background()
	f := h.fix
	w := &badWorld{
		queued:        h.newConvWith(tgtVendas, stQueued, false),
		open:          h.newConvWith(tgtVendas, stOpen, false),
		resolved:      h.newConvWith(tgtVendas, stResolved, false),
		resolvedTaken: h.newConvWith(tgtVendas, stResolved, false),
	}
	// the customer of resolvedTaken wrote again: reopening it would make two open cycles
	h.inbound(f.ChannelToken, inboundBody("", w.resolvedTaken.Customer, "voltei"), 201)
	// Financeiro is in use
	fin := h.newConvWith(tgtFin, stQueued, false)
	_ = fin
	w.label, w.label2 = h.makeObj(kLabel, tgtWS1), h.makeObj(kLabel, tgtWS1)
	w.qr, w.cr, w.channel = h.makeObj(kQuickReply, tgtWS1), h.makeObj(kClosingReason, tgtWS1), h.makeObj(kChannel, tgtWS1)
	w.contact, w.user, w.dept = h.makeObj(kContact, tgtWS1), h.makeObj(kUser, tgtWS1), h.makeObj(kDept, tgtWS1)
	w.otherUser, w.otherDept, w.otherLabel = h.makeObj(kUser, tgtWS2obj), h.makeObj(kDept, tgtWS2obj), h.makeObj(kLabel, tgtWS2obj)
	w.token = h.tokenID(actAdmin)
	// an agent bot running one queued conversation
	botToken, botHash := auth.NewToken(auth.PrefixBot)
	agent, err := h.db.W().CreateBot(ctx, store.Bot{WorkspaceID: f.WS.ID, Name: "Assistente", Kind: store.BotAgent, Enabled: true,
		URL: "https://bot.example.com/events", TokenHash: botHash, TokenPrefix: botToken[:10]})
	if err != nil {
		h.t.Fatal(err)
	}
	w.botToken, w.botConv = botToken, h.newConvWith(tgtVendas, stQueued, false).ID
	if err := h.db.W().SaveBotSession(ctx, store.BotSession{ConversationID: w.botConv, WorkspaceID: f.WS.ID, BotID: agent.ID, State: []byte("{}"),
		StartedAt: store.Now(), UpdatedAt: store.Now()}); err != nil {
		h.t.Fatal(err)
	}
	if err := h.db.W().SetContactLabel(ctx, f.WS.ID, w.contact, w.label, true); err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.conv.SetLabel(ctx, f.AdminV(), w.queued.ID, w.label, true); err != nil {
		h.t.Fatal(err)
	}
	return w
}

// badCase is one bad request and the status it must get.
type badCase struct {
	name  string
	path  string // "" for the route's path
	body  any
	ctype string // "" for application/json
	want  int
}

// badRoute lists the bad requests of one write route.
type badRoute struct {
	route string
	path  string // with real ids
	actor string // default admin; "channel" for the channel token
	// json: the route decodes a strict JSON body of at most limit bytes
	// (0: 1 MiB); valid is a body that passes decoding.
	json  bool
	limit int
	valid any
	// optionalBody: an empty body means "no options" (resolve)
	optionalBody bool
	// labelWant: what an unknown {labelID} answers when it is not 404
	// (labels on conversations and messages are validated as input, 422)
	labelWant int
	cases     []badCase
}

func badRoutes(h *testAPI, w *badWorld) []badRoute {
	f := h.fix
	conv := func(ref convRef, suffix string) string {
		return fmt.Sprintf("/api/v1/conversations/%d%s", ref.ID, suffix)
	}
	obj := func(kind string, id int64, suffix string) string {
		return fmt.Sprintf("/api/v1/%s/%d%s", kind, id, suffix)
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	helpCat, helpArt := h.makeObj(kHelpCategory, tgtWS1), h.makeObj(kHelpArticle, tgtWS1)
	otherHelpCat, otherHelpArt := h.makeObj(kHelpCategory, tgtWS2obj), h.makeObj(kHelpArticle, tgtWS2obj)
	hook, otherHook := h.makeObj(kWebhook, tgtWS1), h.makeObj(kWebhook, tgtWS2obj)
	var hookDelivery, otherHookDelivery int64
	for id, dst := range map[int64]*int64{hook: &hookDelivery, otherHook: &otherHookDelivery} {
		if err := h.raw.QueryRow(`SELECT id FROM webhook_deliveries WHERE subscription_id = $1`, id).Scan(dst); err != nil {
			h.t.Fatal(err)
		}
	}
	hookBody := func(url string, events ...string) map[string]any { return map[string]any{"url": url, "events": events} }
	rule, otherRule := h.makeObj(kRoutingRule, tgtWS1), h.makeObj(kRoutingRule, tgtWS2obj)
	ruleCases := []badCase{
		{name: "blank name", body: map[string]any{"name": " ", "actions": map[string]any{"last_department": true}}, want: 422},
		{name: "empty actions", body: map[string]any{"name": "x", "actions": map[string]any{}}, want: 422},
		{name: "unknown condition key", body: map[string]any{"name": "x", "actions": map[string]any{"last_department": true}, "conditions": map[string]any{"chanel_ids": []int{1}}}, want: 422},
		{name: "unknown operator", body: map[string]any{"name": "x", "actions": map[string]any{"last_department": true},
			"conditions": map[string]any{"attributes": []map[string]any{{"key": "plano", "op": "like", "value": "x"}}}}, want: 422},
		{name: "another workspace's department", body: map[string]any{"name": "x", "actions": map[string]any{"department_id": h.fix.Dept2.ID}}, want: 422},
		{name: "conditions as a string", body: `{"name":"x","actions":{"last_department":true},"conditions":"all"}`, want: 422},
		{name: "enabled as string", body: `{"enabled":"yes"}`, want: 400},
		{name: "another workspace's rule", path: obj("routing-rules", otherRule, ""), body: map[string]any{"name": "x"}, want: 404},
	}
	bot, otherBot := h.makeObj(kBot, tgtWS1), h.makeObj(kBot, tgtWS2obj)
	handoffFlow := map[string]any{"start": "a", "steps": []map[string]any{{"id": "a", "type": "handoff"}}}
	botCases := []badCase{
		{name: "blank name", body: map[string]any{"name": " "}, want: 422},
		{name: "dangling next", body: map[string]any{"flow": map[string]any{"start": "a", "steps": []map[string]any{{"id": "a", "type": "message", "text": "oi", "next": "b"}}}}, want: 422},
		{name: "loop that never waits", body: map[string]any{"flow": map[string]any{"start": "a", "steps": []map[string]any{{"id": "a", "type": "message", "text": "oi", "next": "a"}}}}, want: 422},
		{name: "menu without options", body: map[string]any{"flow": map[string]any{"start": "a", "steps": []map[string]any{{"id": "a", "type": "menu", "text": "?"}}}}, want: 422},
		{name: "another workspace's department", body: map[string]any{"flow": map[string]any{"start": "a", "steps": []map[string]any{{"id": "a", "type": "transfer", "department_id": h.fix.Dept2.ID}}}}, want: 422},
		{name: "unknown validation", body: map[string]any{"flow": map[string]any{"start": "a", "steps": []map[string]any{{"id": "a", "type": "ask", "text": "?", "attribute": "x", "validate": "rg", "next": "b"}, {"id": "b", "type": "handoff"}}}}, want: 422},
		{name: "flow as a string", body: `{"flow":"start"}`, want: 422},
		{name: "url on a flow bot", body: map[string]any{"url": "https://bot.example.com"}, want: 422},
		{name: "enabled as string", body: `{"enabled":"yes"}`, want: 400},
		{name: "another workspace's bot", path: obj("bots", otherBot, ""), body: map[string]any{"name": "x"}, want: 404},
	}
	auto, otherAuto := h.makeObj(kAutomationRule, tgtWS1), h.makeObj(kAutomationRule, tgtWS2obj)
	autoActs := []map[string]any{{"type": "resolve"}}
	autoCases := []badCase{
		{name: "blank name", body: map[string]any{"name": " ", "event": "conversation.created", "actions": autoActs}, want: 422},
		{name: "unknown event", body: map[string]any{"name": "x", "event": "conversation.deleted", "actions": autoActs}, want: 422},
		{name: "time-based without minutes", body: map[string]any{"name": "x", "event": "no_agent_reply", "actions": autoActs}, want: 422},
		{name: "no actions", body: map[string]any{"name": "x", "event": "conversation.created", "actions": []any{}}, want: 422},
		{name: "unknown action", body: map[string]any{"name": "x", "event": "conversation.created", "actions": []map[string]any{{"type": "explode"}}}, want: 422},
		{name: "unknown condition key", body: map[string]any{"name": "x", "event": "conversation.created", "actions": autoActs, "conditions": map[string]any{"statuss": []string{"open"}}}, want: 422},
		{name: "message condition on another event", body: map[string]any{"name": "x", "event": "conversation.created", "actions": autoActs, "conditions": map[string]any{"message_from": "customer"}}, want: 422},
		{name: "another workspace's label", body: map[string]any{"name": "x", "event": "conversation.created", "actions": []map[string]any{{"type": "add_label", "label_id": h.makeObj(kLabel, tgtWS2obj)}}}, want: 422},
		{name: "another workspace's agent", body: map[string]any{"name": "x", "event": "conversation.created", "actions": []map[string]any{{"type": "assign_agent", "user_id": h.fix.Agent2.ID}}}, want: 422},
		{name: "another workspace's webhook", body: map[string]any{"name": "x", "event": "conversation.created", "actions": []map[string]any{{"type": "send_webhook", "webhook_id": otherHook}}}, want: 422},
		{name: "actions as an object", body: `{"name":"x","event":"conversation.created","actions":{"type":"resolve"}}`, want: 422},
		{name: "minutes as string", body: `{"minutes":"5"}`, want: 400},
		{name: "another workspace's rule", path: obj("automation-rules", otherAuto, ""), body: map[string]any{"name": "x"}, want: 404},
	}
	hookCases := []badCase{
		{name: "not a URL", body: hookBody("receiver", "message.created"), want: 422},
		{name: "ftp URL", body: hookBody("ftp://127.0.0.1/x", "message.created"), want: 422},
		{name: "credentials in URL", body: hookBody("http://u:p@127.0.0.1/x", "message.created"), want: 422},
		{name: "no events", body: `{"url":"http://127.0.0.1/x","events":[]}`, want: 422},
		{name: "unknown event", body: hookBody("http://127.0.0.1/x", "message.deleted"), want: 422},
		{name: "event twice", body: hookBody("http://127.0.0.1/x", "message.created", "message.created"), want: 422},
		{name: "events as a string", body: `{"url":"http://127.0.0.1/x","events":"message.created"}`, want: 400},
		{name: "long description", body: map[string]any{"url": "http://127.0.0.1/x", "events": []string{"message.created"}, "description": long(501)}, want: 422},
		{name: "active as string", body: `{"active":"yes"}`, want: 400},
		{name: "another workspace's subscription", path: obj("webhook-subscriptions", otherHook, ""), body: map[string]any{"description": "x"}, want: 404},
	}
	soon := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	sched := func(weekly map[string]any, tz string) map[string]any {
		return map[string]any{"enabled": true, "schedule": map[string]any{"timezone": tz, "weekly": weekly}}
	}
	okHours := sched(map[string]any{"mon": [][]string{{"08:00", "18:00"}}}, "America/Sao_Paulo")
	hoursCases := []badCase{
		{name: "no schedule", body: map[string]any{"enabled": true}, want: 422},
		{name: "unknown zone", body: sched(map[string]any{}, "America/Atlantis"), want: 422},
		{name: "overlap", body: sched(map[string]any{"mon": [][]string{{"08:00", "12:00"}, {"11:00", "13:00"}}}, "UTC"), want: 422},
		{name: "bad time", body: sched(map[string]any{"mon": [][]string{{"8h", "12:00"}}}, "UTC"), want: 422},
		{name: "unknown day", body: sched(map[string]any{"seg": [][]string{{"08:00", "12:00"}}}, "UTC"), want: 422},
		{name: "bad holiday", body: map[string]any{"enabled": true, "schedule": map[string]any{"timezone": "UTC", "holidays": []map[string]any{{"date": "25/12/2026"}}}}, want: 422},
		{name: "enabled as string", body: `{"enabled":"yes","schedule":{"timezone":"UTC"}}`, want: 400},
	}
	return []badRoute{
		{route: "POST /api/v1/auth/login", path: "/api/v1/auth/login", actor: actAnon, json: true, limit: 16 << 10,
			valid: map[string]any{"email": "", "password": ""}, cases: []badCase{
				{name: "missing fields", body: map[string]any{}, want: 422},
				{name: "password as number", body: `{"email":"a@b.c","password":123}`, want: 400},
			}},
		{route: "POST /api/v1/auth/logout", path: "/api/v1/auth/logout"}, // takes no body; nothing to refuse with a token
		{route: "POST /api/v1/setup", path: "/api/v1/setup", actor: actAnon, json: true, limit: 16 << 10, valid: map[string]any{"token": "guess"}, cases: []badCase{
			{name: "setup closed", body: map[string]any{"token": "setup_x", "workspace": "W", "name": "N", "email": "n@example.com", "password": "password123"}, want: 403},
		}},
		{route: "POST /api/v1/channels/api/messages", path: "/api/v1/channels/api/messages", actor: "channel", json: true, limit: 256<<10*4/3 + 64<<10,
			valid: inboundBody("m", "c", "oi"), cases: []badCase{
				{name: "contact id as number", body: `{"contact":{"id":5},"text":"x"}`, want: 400},
				{name: "no contact", body: map[string]any{"text": "x"}, want: 400},
				{name: "blank text", body: inboundBody("m", "c", "   "), want: 400},
				{name: "long text", body: inboundBody("m", "c", long(20001)), want: 400},
				{name: "long contact id", body: inboundBody("m", long(201), "x"), want: 400},
				{name: "bad base64", body: map[string]any{"contact": map[string]any{"id": "c"}, "attachment": map[string]any{"filename": "a.png", "data": "%%%"}}, want: 400},
				{name: "path in filename", body: map[string]any{"contact": map[string]any{"id": "c"}, "attachment": map[string]any{"filename": "../etc/passwd", "data": "aGk="}}, want: 400},
				{name: "attachment over the limit", body: map[string]any{"contact": map[string]any{"id": "c"},
					"attachment": map[string]any{"filename": "a.bin", "data": strings.Repeat("AAAA", (256<<10)/3+10)}}, want: 413},
				{name: "no token", body: inboundBody("m", "c", "oi"), want: 401},
			}},
		{route: "POST /api/v1/channels/api/statuses", path: "/api/v1/channels/api/statuses", actor: "channel", json: true, limit: 16 << 10,
			valid: map[string]any{"message_id": w.queued.MessageID, "status": "read"}, cases: []badCase{
				{name: "unknown status", body: map[string]any{"message_id": w.queued.MessageID, "status": "seen"}, want: 400},
				{name: "id as string", body: `{"message_id":"1","status":"read"}`, want: 400},
				{name: "unknown message", body: map[string]any{"message_id": 99999999, "status": "read"}, want: 404},
				{name: "inbound message", body: map[string]any{"message_id": w.queued.MessageID, "status": "read"}, want: 404},
			}},
		{route: "PUT /api/v1/me/presence", path: "/api/v1/me/presence", json: true, valid: map[string]any{"presence": "online"}, cases: []badCase{
			{name: "unknown presence", body: map[string]any{"presence": "busy"}, want: 422},
			{name: "presence as number", body: `{"presence":1}`, want: 400},
		}},
		{route: "PUT /api/v1/me/password", path: "/api/v1/me/password", json: true, limit: 16 << 10, valid: map[string]any{}, cases: []badCase{
			{name: "wrong current password", body: map[string]any{"current_password": "nope", "new_password": "long enough"}, want: 422},
			{name: "short new password", body: map[string]any{"current_password": storetest.Password, "new_password": "short"}, want: 422},
		}},
		{route: "POST /api/v1/tokens", path: "/api/v1/tokens", json: true, valid: map[string]any{"name": ""}, cases: []badCase{
			{name: "no name", body: map[string]any{"name": "  "}, want: 422},
			{name: "long name", body: map[string]any{"name": long(101)}, want: 422},
			{name: "name as number", body: `{"name":1}`, want: 400},
		}},
		{route: "DELETE /api/v1/tokens/{id}", path: obj("tokens", w.token, ""), cases: []badCase{
			{name: "another user's token", path: obj("tokens", h.tokenID(actAgentA), ""), want: 404},
		}},
		{route: "PATCH /api/v1/workspace", path: "/api/v1/workspace", json: true, valid: map[string]any{"name": ""}, cases: []badCase{
			{name: "unknown timezone", body: map[string]any{"timezone": "Mars/Olympus_Mons"}, want: 422},
			{name: "negative threshold", body: map[string]any{"thermometer_yellow_seconds": -1}, want: 422},
			{name: "red below yellow", body: map[string]any{"thermometer_yellow_seconds": 600, "thermometer_red_seconds": 60}, want: 422},
			{name: "blank name", body: map[string]any{"name": " "}, want: 422},
			{name: "bool as string", body: `{"closing_reason_required":"yes"}`, want: 400},
		}},
		{route: "POST /api/v1/users", path: "/api/v1/users", json: true, valid: map[string]any{}, cases: []badCase{
			{name: "missing password", body: map[string]any{"email": "n@example.com", "role": "agent"}, want: 422},
			{name: "short password", body: map[string]any{"email": "n@example.com", "role": "agent", "password": "short"}, want: 422},
			{name: "bad email", body: map[string]any{"email": "not-an-email", "role": "agent", "password": "password123"}, want: 422},
			{name: "bad role", body: map[string]any{"email": "n@example.com", "role": "god", "password": "password123"}, want: 422},
			{name: "bad scope", body: map[string]any{"email": "n@example.com", "role": "agent", "scope": "all", "password": "password123"}, want: 422},
			{name: "capacity", body: map[string]any{"email": "n@example.com", "role": "agent", "capacity": 5000, "password": "password123"}, want: 422},
			{name: "department of another workspace", body: map[string]any{"email": "n@example.com", "role": "agent", "password": "password123",
				"department_ids": []int64{w.otherDept}}, want: 422},
			{name: "e-mail taken", body: map[string]any{"email": strings.ToUpper(f.AgentA.Email), "role": "agent", "password": "password123"}, want: 409},
			{name: "department_ids as object", body: `{"department_ids":{"a":1}}`, want: 400},
		}},
		{route: "PATCH /api/v1/users/{id}", path: obj("users", w.user, ""), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "bad role", body: map[string]any{"role": "root"}, want: 422},
			{name: "bad email", body: map[string]any{"email": "x"}, want: 422},
			{name: "negative capacity", body: map[string]any{"capacity": -1}, want: 422},
			{name: "department of another workspace", body: map[string]any{"department_ids": []int64{f.Vendas.ID, w.otherDept}}, want: 422},
			{name: "short password", body: map[string]any{"name": "Changed", "password": "short"}, want: 422},
			{name: "e-mail taken", body: map[string]any{"email": f.AgentB.Email}, want: 409},
			{name: "demote myself", path: obj("users", f.Admin.ID, ""), body: map[string]any{"role": "agent"}, want: 422},
			{name: "deactivate myself", path: obj("users", f.Admin.ID, ""), body: map[string]any{"active": false}, want: 422},
			{name: "user of another workspace", path: obj("users", w.otherUser, ""), body: map[string]any{"name": "x"}, want: 404},
		}},
		{route: "DELETE /api/v1/users/{id}", path: obj("users", w.user, ""), cases: []badCase{
			{name: "myself", path: obj("users", f.Admin.ID, ""), want: 422},
			{name: "user of another workspace", path: obj("users", w.otherUser, ""), want: 404},
		}},
		{route: "POST /api/v1/departments", path: "/api/v1/departments", json: true, valid: map[string]any{}, cases: []badCase{
			{name: "no name", body: map[string]any{}, want: 422},
			{name: "long name", body: map[string]any{"name": long(101)}, want: 422},
			{name: "name taken", body: map[string]any{"name": "Vendas"}, want: 409},
		}},
		{route: "PATCH /api/v1/departments/{id}", path: obj("departments", w.dept, ""), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "blank name", body: map[string]any{"name": ""}, want: 422},
			{name: "undefault the default", path: obj("departments", f.Vendas.ID, ""), body: map[string]any{"is_default": false}, want: 422},
			{name: "name taken", body: map[string]any{"name": "Financeiro"}, want: 409},
			{name: "other workspace", path: obj("departments", w.otherDept, ""), body: map[string]any{"name": "x"}, want: 404},
			{name: "unknown bot", body: map[string]any{"bot_id": 99999999}, want: 422},
			{name: "bot id as string", body: `{"bot_id":"1"}`, want: 400},
		}},
		{route: "DELETE /api/v1/departments/{id}", path: obj("departments", w.dept, ""), cases: []badCase{
			{name: "the default", path: obj("departments", f.Vendas.ID, ""), want: 422},
			{name: "in use", path: obj("departments", f.Financeiro.ID, ""), want: 409},
			{name: "other workspace", path: obj("departments", w.otherDept, ""), want: 404},
		}},
		{route: "PUT /api/v1/departments/{id}/members", path: obj("departments", w.dept, "/members"), json: true, valid: map[string]any{"user_ids": []int64{}}, cases: []badCase{
			{name: "no user_ids", body: map[string]any{}, want: 422},
			{name: "user of another workspace", body: map[string]any{"user_ids": []int64{f.AgentA.ID, w.otherUser}}, want: 422},
			{name: "unknown user", body: map[string]any{"user_ids": []int64{99999999}}, want: 422},
			{name: "ids as strings", body: `{"user_ids":["1"]}`, want: 400},
		}},
		{route: "PUT /api/v1/business-hours", path: "/api/v1/business-hours", json: true, valid: map[string]any{}, cases: hoursCases},
		{route: "PUT /api/v1/departments/{id}/business-hours", path: obj("departments", w.dept, "/business-hours"), json: true, valid: map[string]any{},
			cases: append(hoursCases, badCase{name: "other workspace", path: obj("departments", w.otherDept, "/business-hours"), body: okHours, want: 404})},
		{route: "DELETE /api/v1/departments/{id}/business-hours", path: obj("departments", w.dept, "/business-hours"), cases: []badCase{
			{name: "other workspace", path: obj("departments", w.otherDept, "/business-hours"), want: 404},
		}},
		{route: "PUT /api/v1/departments/{id}/assignment", path: obj("departments", w.dept, "/assignment"), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "unknown mode", body: map[string]any{"mode": "random"}, want: 422},
			{name: "negative limit", body: map[string]any{"department_limit": -1}, want: 422},
			{name: "huge limit", body: map[string]any{"department_limit": 10001}, want: 422},
			{name: "long message", body: map[string]any{"queue_message": long(2001)}, want: 422},
			{name: "enabled without text", body: map[string]any{"queue_message": " ", "queue_message_enabled": true}, want: 422},
			{name: "limit as string", body: `{"department_limit":"3"}`, want: 400},
			{name: "unknown field", body: map[string]any{"modes": "off"}, want: 400},
			{name: "other workspace", path: obj("departments", w.otherDept, "/assignment"), body: map[string]any{"mode": "off"}, want: 404},
		}},
		{route: "PUT /api/v1/automation/messages", path: "/api/v1/automation/messages", json: true, valid: map[string]any{}, cases: []badCase{
			{name: "bad language", body: map[string]any{"language": "es"}, want: 422},
			{name: "long greeting", body: map[string]any{"greeting": long(2001)}, want: 422},
			{name: "enabled without text", body: map[string]any{"closing": " ", "closing_enabled": true}, want: 422},
			{name: "flag as string", body: `{"csat_enabled":"yes"}`, want: 400},
		}},
		{route: "PUT /api/v1/departments/{id}/automation-messages", path: obj("departments", w.dept, "/automation-messages"), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "bad language", body: map[string]any{"language": "es"}, want: 422},
			{name: "long out-of-hours text", body: map[string]any{"out_of_hours": long(2001)}, want: 422},
			{name: "enabled without text", body: map[string]any{"greeting": "", "greeting_enabled": true}, want: 422},
			{name: "other workspace", path: obj("departments", w.otherDept, "/automation-messages"), body: map[string]any{}, want: 404},
		}},
		{route: "DELETE /api/v1/departments/{id}/automation-messages", path: obj("departments", w.dept, "/automation-messages"), cases: []badCase{
			{name: "other workspace", path: obj("departments", w.otherDept, "/automation-messages"), want: 404},
		}},
		{route: "POST /api/v1/labels", path: "/api/v1/labels", json: true, valid: map[string]any{}, cases: []badCase{
			{name: "no name", body: map[string]any{"color": "#000000"}, want: 422},
			{name: "bad color", body: map[string]any{"name": "x", "color": "red"}, want: 422},
			{name: "name taken", body: map[string]any{"name": h.labelName(w.label)}, want: 409},
		}},
		{route: "PATCH /api/v1/labels/{id}", path: obj("labels", w.label, ""), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "bad color", body: map[string]any{"color": "#12345"}, want: 422},
			{name: "name taken", body: map[string]any{"name": h.labelName(w.label2)}, want: 409},
			{name: "other workspace", path: obj("labels", w.otherLabel, ""), body: map[string]any{"name": "x"}, want: 404},
		}},
		{route: "DELETE /api/v1/labels/{id}", path: obj("labels", w.label, ""), cases: []badCase{
			{name: "other workspace", path: obj("labels", w.otherLabel, ""), want: 404},
		}},
		{route: "POST /api/v1/quick-replies", path: "/api/v1/quick-replies", json: true, valid: map[string]any{}, cases: []badCase{
			{name: "missing content", body: map[string]any{"shortcut": "oi"}, want: 422},
			{name: "bad shortcut", body: map[string]any{"shortcut": "com espaço", "content": "x"}, want: 422},
			{name: "blank content", body: map[string]any{"shortcut": "oi", "content": "   "}, want: 422},
		}},
		{route: "PATCH /api/v1/quick-replies/{id}", path: obj("quick-replies", w.qr, ""), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "long content", body: map[string]any{"content": long(5001)}, want: 422},
			{name: "bad shortcut", body: map[string]any{"shortcut": "/"}, want: 422},
		}},
		{route: "DELETE /api/v1/quick-replies/{id}", path: obj("quick-replies", w.qr, "")},
		{route: "POST /api/v1/help/categories", path: "/api/v1/help/categories", json: true, valid: map[string]any{}, cases: []badCase{
			{name: "no language", body: map[string]any{"name": "x"}, want: 422},
			{name: "unknown language", body: map[string]any{"name": "x", "language": "es"}, want: 422},
			{name: "bad slug", body: map[string]any{"name": "x", "language": "en", "slug": "A B"}, want: 422},
		}},
		{route: "PATCH /api/v1/help/categories/{id}", path: obj("help/categories", helpCat, ""), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "blank name", body: map[string]any{"name": " "}, want: 422},
			{name: "negative position", body: map[string]any{"position": -1}, want: 422},
			{name: "other workspace", path: obj("help/categories", otherHelpCat, ""), body: map[string]any{"name": "x"}, want: 404},
		}},
		{route: "DELETE /api/v1/help/categories/{id}", path: obj("help/categories", helpCat, ""), cases: []badCase{
			{name: "other workspace", path: obj("help/categories", otherHelpCat, ""), want: 404},
		}},
		{route: "POST /api/v1/help/articles", path: "/api/v1/help/articles", json: true, valid: map[string]any{}, cases: []badCase{
			{name: "no title", body: map[string]any{"language": "en"}, want: 422},
			{name: "unknown language", body: map[string]any{"title": "x", "language": "es"}, want: 422},
			{name: "bad status", body: map[string]any{"title": "x", "language": "en", "status": "archived"}, want: 422},
			{name: "long body", body: map[string]any{"title": "x", "language": "en", "body_markdown": long(100_001)}, want: 422},
			{name: "category of another workspace", body: map[string]any{"title": "x", "language": "pt-BR", "category_id": otherHelpCat}, want: 422},
		}},
		{route: "PATCH /api/v1/help/articles/{id}", path: obj("help/articles", helpArt, ""), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "blank title", body: map[string]any{"title": " "}, want: 422},
			{name: "long title", body: map[string]any{"title": long(201)}, want: 422},
			{name: "unknown category", body: map[string]any{"category_id": 99999999}, want: 422},
			{name: "other workspace", path: obj("help/articles", otherHelpArt, ""), body: map[string]any{"title": "x"}, want: 404},
		}},
		{route: "DELETE /api/v1/help/articles/{id}", path: obj("help/articles", helpArt, ""), cases: []badCase{
			{name: "other workspace", path: obj("help/articles", otherHelpArt, ""), want: 404},
		}},
		{route: "POST /api/v1/closing-reasons", path: "/api/v1/closing-reasons", json: true, valid: map[string]any{}, cases: []badCase{
			{name: "no name", body: map[string]any{"active": true}, want: 422},
		}},
		{route: "PATCH /api/v1/closing-reasons/{id}", path: obj("closing-reasons", w.cr, ""), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "active as string", body: `{"active":"no"}`, want: 400},
			{name: "blank name", body: map[string]any{"name": ""}, want: 422},
		}},
		{route: "DELETE /api/v1/closing-reasons/{id}", path: obj("closing-reasons", w.cr, "")},
		{route: "POST /api/v1/channels", path: "/api/v1/channels", json: true, valid: map[string]any{}, cases: []badCase{
			{name: "unknown kind", body: map[string]any{"kind": "sms", "name": "x"}, want: 422},
			{name: "no name", body: map[string]any{"kind": "api"}, want: 422},
			{name: "ftp callback", body: map[string]any{"kind": "api", "name": "x", "callback_url": "ftp://example.com/x"}, want: 422},
			{name: "department of another workspace", body: map[string]any{"kind": "api", "name": "x", "department_id": w.otherDept}, want: 422},
			{name: "no kind", body: map[string]any{"name": "x"}, want: 422},
			{name: "bot token on an API channel", body: map[string]any{"kind": "api", "name": "x", "bot_token": "1:A"}, want: 422},
			{name: "telegram without bot token", body: map[string]any{"kind": "telegram", "name": "x"}, want: 422},
			{name: "telegram blank bot token", body: map[string]any{"kind": "telegram", "name": "x", "bot_token": "  "}, want: 422},
			{name: "telegram malformed bot token", body: map[string]any{"kind": "telegram", "name": "x", "bot_token": "../getMe?x"}, want: 422},
			{name: "telegram bot token as number", body: `{"kind":"telegram","name":"x","bot_token":123}`, want: 400},
			{name: "telegram without name", body: map[string]any{"kind": "telegram", "bot_token": "1:A"}, want: 422},
			{name: "telegram with callback", body: map[string]any{"kind": "telegram", "name": "x", "bot_token": "1:A", "callback_url": "https://x.example"}, want: 422},
			{name: "whatsapp without credentials", body: map[string]any{"kind": "whatsapp", "name": "x"}, want: 422},
			{name: "whatsapp path in phone number id", body: map[string]any{"kind": "whatsapp", "name": "x", "phone_number_id": "1/../2", "waba_id": "1",
				"access_token": "EAA", "app_secret": "s"}, want: 422},
			{name: "whatsapp without app secret", body: map[string]any{"kind": "whatsapp", "name": "x", "phone_number_id": "1", "waba_id": "1",
				"access_token": "EAA"}, want: 422},
			{name: "whatsapp token with spaces", body: map[string]any{"kind": "whatsapp", "name": "x", "phone_number_id": "1", "waba_id": "1",
				"access_token": "EAA x", "app_secret": "s"}, want: 422},
			{name: "whatsapp phone number id as number", body: `{"kind":"whatsapp","name":"x","phone_number_id":1}`, want: 400},
			{name: "app secret on an API channel", body: map[string]any{"kind": "api", "name": "x", "app_secret": "s"}, want: 422},
			{name: "email without settings", body: map[string]any{"kind": "email", "name": "x"}, want: 422},
			{name: "email bad address", body: map[string]any{"kind": "email", "name": "x", "email": map[string]any{"address": "x",
				"smtp": map[string]any{"host": "smtp.example", "port": 25}}}, want: 422},
			{name: "email settings on an API channel", body: map[string]any{"kind": "api", "name": "x", "email": map[string]any{"address": "a@b.example"}}, want: 422},
			{name: "email port as string", body: `{"kind":"email","name":"x","email":{"address":"a@b.example","smtp":{"host":"h","port":"25"}}}`, want: 400},
			{name: "messenger without credentials", body: map[string]any{"kind": "messenger", "name": "x"}, want: 422},
			{name: "messenger path in page id", body: map[string]any{"kind": "messenger", "name": "x", "page_id": "1/../2",
				"page_access_token": "EAA", "app_secret": "s"}, want: 422},
			{name: "messenger without app secret", body: map[string]any{"kind": "messenger", "name": "x", "page_id": "1", "page_access_token": "EAA"}, want: 422},
			{name: "messenger token with spaces", body: map[string]any{"kind": "messenger", "name": "x", "page_id": "1",
				"page_access_token": "EAA x", "app_secret": "s"}, want: 422},
			{name: "messenger page id as number", body: `{"kind":"messenger","name":"x","page_id":1}`, want: 400},
			{name: "instagram without account id", body: map[string]any{"kind": "instagram", "name": "x", "page_access_token": "EAA", "app_secret": "s"}, want: 422},
			{name: "page token on an API channel", body: map[string]any{"kind": "api", "name": "x", "page_access_token": "EAA"}, want: 422},
		}},
		{route: "PATCH /api/v1/channels/{id}", path: obj("channels", w.channel, ""), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "change kind", body: map[string]any{"kind": "api"}, want: 422},
			{name: "change bot token", body: map[string]any{"bot_token": "1:A"}, want: 422},
			{name: "change whatsapp token", body: map[string]any{"access_token": "EAA"}, want: 422},
			{name: "change page token", body: map[string]any{"page_access_token": "EAA"}, want: 422},
			{name: "change page id", body: map[string]any{"page_id": "1"}, want: 422},
			{name: "script callback", body: map[string]any{"callback_url": "javascript:alert(1)"}, want: 422},
			{name: "unknown department", body: map[string]any{"department_id": 99999999}, want: 422},
		}},
		{route: "DELETE /api/v1/channels/{id}", path: obj("channels", w.channel, "")},
		{route: "POST /api/v1/channels/{id}/rotate-token", path: obj("channels", w.channel, "/rotate-token")},
		{route: "POST /api/v1/channels/{id}/test", path: obj("channels", w.channel, "/test")},
		{route: "POST /api/v1/channels/{id}/templates/sync", path: obj("channels", w.channel, "/templates/sync")},
		{route: "POST /api/v1/webhook-subscriptions", path: "/api/v1/webhook-subscriptions", json: true,
			valid: hookBody("http://127.0.0.1:1/hook", "message.created"),
			cases: append([]badCase{{name: "missing url", body: map[string]any{"events": []string{"message.created"}}, want: 422}}, hookCases[:len(hookCases)-1]...)},
		{route: "PATCH /api/v1/webhook-subscriptions/{id}", path: obj("webhook-subscriptions", hook, ""), json: true, valid: map[string]any{}, cases: hookCases},
		{route: "POST /api/v1/routing-rules", path: "/api/v1/routing-rules", json: true,
			valid: map[string]any{"name": "ok", "enabled": false, "actions": map[string]any{"last_department": true}},
			cases: append([]badCase{{name: "missing actions", body: map[string]any{"name": "x"}, want: 422}}, ruleCases[:len(ruleCases)-1]...)},
		{route: "PATCH /api/v1/routing-rules/{id}", path: obj("routing-rules", rule, ""), json: true, valid: map[string]any{}, cases: ruleCases},
		{route: "DELETE /api/v1/routing-rules/{id}", path: obj("routing-rules", rule, ""), cases: []badCase{
			{name: "another workspace's rule", path: obj("routing-rules", otherRule, ""), want: 404}}},
		{route: "POST /api/v1/bots", path: "/api/v1/bots", json: true,
			valid: map[string]any{"name": "ok", "kind": "flow", "enabled": false, "flow": handoffFlow},
			cases: append([]badCase{
				{name: "missing kind", body: map[string]any{"name": "x", "flow": handoffFlow}, want: 422},
				{name: "unknown kind", body: map[string]any{"name": "x", "kind": "llm", "flow": handoffFlow}, want: 422},
				{name: "flow bot without flow", body: map[string]any{"name": "x", "kind": "flow"}, want: 422},
				{name: "agent bot without url", body: map[string]any{"name": "x", "kind": "agent"}, want: 422},
				{name: "agent bot url not http", body: map[string]any{"name": "x", "kind": "agent", "url": "ftp://bot.example.com"}, want: 422},
				{name: "agent bot with a flow", body: map[string]any{"name": "x", "kind": "agent", "url": "https://bot.example.com", "flow": handoffFlow}, want: 422},
			}, botCases[:len(botCases)-1]...)},
		{route: "PATCH /api/v1/bots/{id}", path: obj("bots", bot, ""), json: true, valid: map[string]any{}, cases: append(botCases,
			badCase{name: "change kind", body: map[string]any{"kind": "agent"}, want: 422},
			badCase{name: "rotate a flow bot's token", body: map[string]any{"rotate_token": true}, want: 422})},
		{route: "DELETE /api/v1/bots/{id}", path: obj("bots", bot, ""), cases: []badCase{
			{name: "another workspace's bot", path: obj("bots", otherBot, ""), want: 404}}},
		{route: "POST /api/v1/bots/{id}/test", path: obj("bots", bot, "/test"), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "broken draft", body: map[string]any{"flow": map[string]any{"start": "x", "steps": []any{}}}, want: 422},
			{name: "state as a string", body: `{"state":"main"}`, want: 400},
			{name: "another workspace's bot", path: obj("bots", otherBot, "/test"), want: 404}}},
		{route: "POST /api/v1/bot/conversations/{id}/messages", path: obj("bot/conversations", w.botConv, "/messages"), actor: "bot", json: true,
			valid: map[string]any{"content": "oi"}, cases: []badCase{
				{name: "no content", body: map[string]any{"content": " "}, want: 422},
				{name: "too many choices", body: map[string]any{"content": "x", "choices": []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}}, want: 422},
				{name: "blank choice", body: map[string]any{"content": "x", "choices": []string{" "}}, want: 422},
				{name: "choices as a string", body: `{"content":"x","choices":"sim"}`, want: 400},
				{name: "a conversation the bot does not run", path: obj("bot/conversations", w.queued.ID, "/messages"), body: map[string]any{"content": "x"}, want: 404},
			}},
		{route: "POST /api/v1/bot/conversations/{id}/handoff", path: obj("bot/conversations", w.botConv, "/handoff"), actor: "bot", json: true,
			valid: map[string]any{}, cases: []badCase{
				{name: "unknown department", body: map[string]any{"department_id": 99999999}, want: 422},
				{name: "another workspace's department", body: map[string]any{"department_id": h.fix.Dept2.ID}, want: 422},
				{name: "negative department", body: map[string]any{"department_id": -1}, want: 422},
				{name: "a conversation the bot does not run", path: obj("bot/conversations", w.open.ID, "/handoff"), body: map[string]any{}, want: 404},
			}},
		{route: "POST /api/v1/bot/conversations/{id}/transfer", path: obj("bot/conversations", w.botConv, "/transfer"), actor: "bot", json: true,
			valid: map[string]any{"department_id": h.fix.Financeiro.ID}, cases: []badCase{
				{name: "no department", body: map[string]any{}, want: 422},
				{name: "another workspace's department", body: map[string]any{"department_id": h.fix.Dept2.ID}, want: 422},
				{name: "department as a string", body: `{"department_id":"2"}`, want: 400},
			}},
		{route: "POST /api/v1/bot/conversations/{id}/resolve", path: obj("bot/conversations", w.botConv, "/resolve"), actor: "bot", cases: []badCase{
			{name: "a conversation the bot does not run", path: obj("bot/conversations", w.queued.ID, "/resolve"), want: 404},
		}},
		{route: "POST /api/v1/automation-rules", path: "/api/v1/automation-rules", json: true,
			valid: map[string]any{"name": "ok", "enabled": false, "event": "conversation.created", "actions": autoActs},
			cases: append([]badCase{{name: "missing event", body: map[string]any{"name": "x", "actions": autoActs}, want: 422}}, autoCases[:len(autoCases)-1]...)},
		{route: "PATCH /api/v1/automation-rules/{id}", path: obj("automation-rules", auto, ""), json: true, valid: map[string]any{}, cases: autoCases},
		{route: "DELETE /api/v1/automation-rules/{id}", path: obj("automation-rules", auto, ""), cases: []badCase{
			{name: "another workspace's rule", path: obj("automation-rules", otherAuto, ""), want: 404}}},
		{route: "PUT /api/v1/routing-rules/order", path: "/api/v1/routing-rules/order", json: true, cases: []badCase{
			{name: "no ids", body: map[string]any{}, want: 422},
			{name: "another workspace's rule", body: map[string]any{"ids": []int64{rule, otherRule}}, want: 422},
			{name: "rule twice", body: map[string]any{"ids": []int64{rule, rule}}, want: 422},
			{name: "ids as string", body: `{"ids":"1"}`, want: 400}}},
		{route: "DELETE /api/v1/webhook-subscriptions/{id}", path: obj("webhook-subscriptions", hook, ""), cases: []badCase{
			{name: "another workspace's subscription", path: obj("webhook-subscriptions", otherHook, ""), want: 404}}},
		{route: "POST /api/v1/webhook-subscriptions/{id}/rotate-secret", path: obj("webhook-subscriptions", hook, "/rotate-secret"), cases: []badCase{
			{name: "another workspace's subscription", path: obj("webhook-subscriptions", otherHook, "/rotate-secret"), want: 404}}},
		{route: "POST /api/v1/webhook-subscriptions/{id}/test", path: obj("webhook-subscriptions", hook, "/test"), cases: []badCase{
			{name: "another workspace's subscription", path: obj("webhook-subscriptions", otherHook, "/test"), want: 404}}},
		{route: "POST /api/v1/webhook-subscriptions/{id}/deliveries/{deliveryID}/resend",
			path: obj("webhook-subscriptions", hook, fmt.Sprintf("/deliveries/%d/resend", hookDelivery)), cases: []badCase{
				{name: "another workspace's delivery", path: obj("webhook-subscriptions", otherHook, fmt.Sprintf("/deliveries/%d/resend", otherHookDelivery)), want: 404},
				{name: "another workspace's delivery under mine", path: obj("webhook-subscriptions", hook, fmt.Sprintf("/deliveries/%d/resend", otherHookDelivery)), want: 404},
				{name: "another subscription's delivery", path: obj("webhook-subscriptions", h.makeObj(kWebhook, tgtWS1), fmt.Sprintf("/deliveries/%d/resend", hookDelivery)), want: 404},
			}},
		// a real Telegram channel's bad requests are in TestTelegramWebhook
		{route: "POST /api/v1/webhooks/telegram/{key}", path: "/api/v1/webhooks/telegram/no-such-key", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: map[string]any{"update_id": 1, "message": map[string]any{"message_id": 1, "chat": map[string]any{"id": 5, "type": "private"}, "text": "oi"}}, want: 404},
		}},
		// a real WhatsApp channel's bad requests are in TestWhatsAppWebhook
		{route: "POST /api/v1/webhooks/whatsapp/{key}", path: "/api/v1/webhooks/whatsapp/no-such-key", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: map[string]any{"object": "whatsapp_business_account", "entry": []any{}}, want: 404},
			{name: "malformed on an unknown key", body: `{"object":`, want: 404},
		}},
		// a real Messenger / Instagram channel's bad requests are in TestMetaWebhook
		{route: "POST /api/v1/webhooks/meta/{key}", path: "/api/v1/webhooks/meta/no-such-key", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: map[string]any{"object": "page", "entry": []any{}}, want: 404},
			{name: "malformed on an unknown key", body: `{"object":`, want: 404},
		}},
		// a real widget's bad requests, made with a visitor's token, are in
		// TestWidgetVisitor, TestWidgetIsolation and TestWidgetIdentityAndLimits
		{route: "POST /api/v1/widget/{key}/sessions", path: "/api/v1/widget/no-such-key/sessions", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: map[string]any{}, want: 404},
		}},
		{route: "POST /api/v1/widget/{key}/messages", path: "/api/v1/widget/no-such-key/messages", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: map[string]any{"content": "oi"}, want: 404},
		}},
		{route: "POST /api/v1/widget/{key}/attachments", path: "/api/v1/widget/no-such-key/attachments", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: map[string]any{}, want: 404},
		}},
		{route: "POST /api/v1/widget/{key}/typing", path: "/api/v1/widget/no-such-key/typing", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: map[string]any{}, want: 404},
		}},
		{route: "POST /api/v1/widget/{key}/read", path: "/api/v1/widget/no-such-key/read", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: map[string]any{"up_to": 1}, want: 404},
		}},
		{route: "POST /api/v1/widget/{key}/offline", path: "/api/v1/widget/no-such-key/offline", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: map[string]any{"name": "x", "email": "x@example.com", "message": "oi"}, want: 404},
		}},
		{route: "POST /api/v1/widget/{key}/rating", path: "/api/v1/widget/no-such-key/rating", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: map[string]any{"score": 5}, want: 404},
		}},
		// a real SMS channel's bad requests are in TestSMSWebhook
		{route: "POST /api/v1/webhooks/sms/{key}", path: "/api/v1/webhooks/sms/no-such-key", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: "MessageSid=SM1&From=%2B5511987654321&Body=oi", want: 404},
		}},
		{route: "POST /api/v1/webhooks/sms/{key}/status", path: "/api/v1/webhooks/sms/no-such-key/status", actor: actAnon, cases: []badCase{
			{name: "unknown key", body: "MessageSid=SM1&MessageStatus=delivered", want: 404},
		}},
		{route: "POST /api/v1/contacts", path: "/api/v1/contacts", json: true, valid: map[string]any{}, cases: []badCase{
			{name: "nothing", body: map[string]any{}, want: 422},
			{name: "letters in phone", body: map[string]any{"phone": "call me"}, want: 422},
			{name: "bad email", body: map[string]any{"email": "a@"}, want: 422},
			{name: "short phone in phones", body: map[string]any{"phones": []string{"+55 11 98765-4321", "1234567"}}, want: 422},
			{name: "eleven phones", body: map[string]any{"phones": numbered("+55 11 90000-%04d", 11)}, want: 422},
			{name: "bad e-mail in emails", body: map[string]any{"name": "x", "emails": []string{"a@b@c.org"}}, want: 422},
			{name: "eleven e-mails", body: map[string]any{"emails": numbered("c%d@example.com", 11)}, want: 422},
			{name: "phones as string", body: `{"phones":"+55 11 98765-4321"}`, want: 400},
			{name: "owner of another workspace", body: map[string]any{"name": "x", "owner_id": w.otherUser}, want: 422},
			{name: "long name", body: map[string]any{"name": long(201)}, want: 422},
			{name: "too many attributes", body: map[string]any{"name": "x", "attributes": manyKeys(101)}, want: 422},
			{name: "attributes as list", body: `{"name":"x","attributes":[1]}`, want: 400},
		}},
		{route: "PATCH /api/v1/contacts/{id}", path: obj("contacts", w.contact, ""), json: true, valid: map[string]any{}, cases: []badCase{
			{name: "letters in phone", body: map[string]any{"phone": "abc"}, want: 422},
			{name: "letters in phones", body: map[string]any{"phones": []string{"+55 11 98765-4321", "call me"}}, want: 422},
			{name: "e-mail without domain in emails", body: map[string]any{"emails": []string{"a@x.org", "b@"}}, want: 422},
			{name: "eleven e-mails", body: map[string]any{"emails": numbered("c%d@example.com", 11)}, want: 422},
			{name: "phone disagrees with phones", body: map[string]any{"phone": "+55 11 98765-4321", "phones": []string{"+55 11 91234-5678"}}, want: 422},
			{name: "e-mails as numbers", body: `{"emails":[1]}`, want: 400},
			{name: "unknown owner", body: map[string]any{"owner_id": 99999999}, want: 422},
			{name: "long notes", body: map[string]any{"notes": long(20001)}, want: 422},
		}},
		{route: "DELETE /api/v1/contacts/{id}", path: obj("contacts", w.contact, "")},
		{route: "PUT /api/v1/contacts/{id}/labels/{labelID}", path: obj("contacts", w.contact, fmt.Sprintf("/labels/%d", w.label2)), cases: []badCase{
			{name: "label of another workspace", path: obj("contacts", w.contact, fmt.Sprintf("/labels/%d", w.otherLabel)), want: 404},
		}},
		{route: "DELETE /api/v1/contacts/{id}/labels/{labelID}", path: obj("contacts", w.contact, fmt.Sprintf("/labels/%d", w.label))},
		{route: "PATCH /api/v1/conversations/{id}", path: conv(w.queued, ""), json: true, valid: map[string]any{"priority": "high"}, cases: []badCase{
			{name: "nothing to change", body: map[string]any{}, want: 422},
			{name: "unknown priority", body: map[string]any{"priority": "critical"}, want: 422},
			{name: "priority as number", body: `{"priority":3}`, want: 400},
		}},
		{route: "POST /api/v1/conversations/{id}/messages", path: conv(w.queued, "/messages"), json: true, valid: map[string]any{"kind": "note", "content": "x"}, cases: []badCase{
			{name: "unknown kind", body: map[string]any{"kind": "shout", "content": "x"}, want: 422},
			{name: "empty", body: map[string]any{"kind": "reply", "content": "  "}, want: 422},
			{name: "too long", body: map[string]any{"kind": "reply", "content": long(20001)}, want: 422},
			{name: "unknown attachment", body: map[string]any{"kind": "reply", "content": "x", "attachment_ids": []int64{99999999}}, want: 422},
			{name: "eleven attachments", body: map[string]any{"kind": "reply", "attachment_ids": []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}, want: 422},
			{name: "reply to resolved", path: conv(w.resolved, "/messages"), body: map[string]any{"kind": "reply", "content": "x"}, want: 409},
			{name: "content as number", body: `{"kind":"reply","content":5}`, want: 400},
			{name: "template without one", body: map[string]any{"kind": "template"}, want: 422},
			{name: "template on an API channel", body: map[string]any{"kind": "template", "template": map[string]any{"name": "t", "language": "pt_BR"}}, want: 422},
			{name: "template with content", body: map[string]any{"kind": "template", "content": "x", "template": map[string]any{"name": "t", "language": "pt_BR"}}, want: 422},
			{name: "template on a reply", body: map[string]any{"kind": "reply", "content": "x", "template": map[string]any{"name": "t", "language": "pt_BR"}}, want: 422},
			{name: "template parameters as numbers", body: `{"kind":"template","template":{"name":"t","language":"pt_BR","parameters":[1]}}`, want: 400},
			{name: "template unknown field", body: `{"kind":"template","template":{"name":"t","language":"pt_BR","zz":1}}`, want: 400},
			{name: "cc outside e-mail", body: map[string]any{"kind": "reply", "content": "x", "cc": []string{"a@b.example"}}, want: 422},
			{name: "cc on a note", body: map[string]any{"kind": "note", "content": "x", "cc": []string{"a@b.example"}}, want: 422},
			{name: "cc as string", body: `{"kind":"reply","content":"x","cc":"a@b.example"}`, want: 400},
		}},
		{route: "POST /api/v1/conversations", path: "/api/v1/conversations", json: true, valid: map[string]any{"channel_id": f.Channel.ID, "phone": "5511988887777",
			"template": map[string]any{"name": "t", "language": "pt_BR"}}, cases: []badCase{
			{name: "no channel", body: map[string]any{"phone": "5511988887777", "template": map[string]any{"name": "t", "language": "pt_BR"}}, want: 422},
			{name: "an API channel", body: map[string]any{"channel_id": f.Channel.ID, "phone": "5511988887777", "template": map[string]any{"name": "t", "language": "pt_BR"}}, want: 422},
			{name: "another workspace's channel", body: map[string]any{"channel_id": f.Channel2.ID, "phone": "5511988887777", "template": map[string]any{"name": "t", "language": "pt_BR"}}, want: 422},
			{name: "no contact", body: map[string]any{"channel_id": f.Channel.ID, "template": map[string]any{"name": "t", "language": "pt_BR"}}, want: 422},
			{name: "contact and phone", body: map[string]any{"channel_id": f.Channel.ID, "contact_id": 1, "phone": "5511988887777", "template": map[string]any{"name": "t", "language": "pt_BR"}}, want: 422},
			{name: "no template", body: map[string]any{"channel_id": f.Channel.ID, "phone": "5511988887777"}, want: 422},
			{name: "channel as string", body: `{"channel_id":"1","phone":"5511988887777"}`, want: 400},
		}},
		{route: "POST /api/v1/conversations/{id}/assign", path: conv(w.queued, "/assign"), json: true, valid: map[string]any{"assignee_id": f.AgentA.ID}, cases: []badCase{
			{name: "no assignee", body: map[string]any{"assignee_id": 0}, want: 422},
			{name: "user of another workspace", body: map[string]any{"assignee_id": f.Agent2.ID}, want: 422},
			{name: "not a member of the department", body: map[string]any{"assignee_id": f.AgentB.ID}, want: 422},
			{name: "resolved", path: conv(w.resolved, "/assign"), body: map[string]any{"assignee_id": f.AgentA.ID}, want: 409},
		}},
		{route: "POST /api/v1/conversations/{id}/transfer", path: conv(w.queued, "/transfer"), json: true, valid: map[string]any{"department_id": f.Financeiro.ID}, cases: []badCase{
			{name: "no department", body: map[string]any{"department_id": 0}, want: 422},
			{name: "department of another workspace", body: map[string]any{"department_id": f.Dept2.ID}, want: 422},
			{name: "negative assignee", body: map[string]any{"department_id": f.Financeiro.ID, "assignee_id": -1}, want: 422},
			{name: "assignee outside the department", body: map[string]any{"department_id": f.Financeiro.ID, "assignee_id": f.AgentA.ID}, want: 422},
			{name: "resolved", path: conv(w.resolved, "/transfer"), body: map[string]any{"department_id": f.Financeiro.ID}, want: 409},
		}},
		{route: "POST /api/v1/conversations/{id}/return", path: conv(w.open, "/return"), cases: []badCase{
			{name: "queued", path: conv(w.queued, "/return"), want: 409},
			{name: "resolved", path: conv(w.resolved, "/return"), want: 409},
		}},
		{route: "POST /api/v1/conversations/{id}/snooze", path: conv(w.queued, "/snooze"), json: true, valid: map[string]any{"until": soon}, cases: []badCase{
			{name: "no time", body: map[string]any{}, want: 422},
			{name: "in the past", body: map[string]any{"until": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)}, want: 422},
			{name: "two years ahead", body: map[string]any{"until": time.Now().AddDate(2, 0, 0).UTC().Format(time.RFC3339)}, want: 422},
			{name: "not a time", body: map[string]any{"until": "amanhã"}, want: 400},
			{name: "resolved", path: conv(w.resolved, "/snooze"), body: map[string]any{"until": soon}, want: 409},
		}},
		{route: "POST /api/v1/conversations/{id}/unsnooze", path: conv(w.queued, "/unsnooze"), cases: []badCase{
			{name: "not snoozed", want: 409},
		}},
		{route: "POST /api/v1/conversations/{id}/resolve", path: conv(w.resolved, "/resolve"), json: true, valid: map[string]any{}, optionalBody: true, cases: []badCase{
			{name: "resolve twice", body: map[string]any{}, want: 409},
			{name: "resolve twice without a body", body: nil, ctype: "-", want: 409},
			{name: "negative reason", path: conv(w.queued, "/resolve"), body: map[string]any{"closing_reason_id": -1}, want: 422},
			{name: "unknown reason", path: conv(w.queued, "/resolve"), body: map[string]any{"closing_reason_id": 99999999}, want: 422},
		}},
		{route: "POST /api/v1/conversations/{id}/reopen", path: conv(w.resolved, "/reopen"), cases: []badCase{
			{name: "not resolved", path: conv(w.queued, "/reopen"), want: 409},
			{name: "the customer has a newer open cycle", path: conv(w.resolvedTaken, "/reopen"), want: 409},
		}},
		{route: "PUT /api/v1/conversations/{id}/labels/{labelID}", path: conv(w.queued, fmt.Sprintf("/labels/%d", w.label2)), cases: []badCase{
			{name: "label of another workspace", path: conv(w.queued, fmt.Sprintf("/labels/%d", w.otherLabel)), want: 404},
			{name: "unknown label", path: conv(w.queued, "/labels/99999999"), want: 404},
		}},
		{route: "DELETE /api/v1/conversations/{id}/labels/{labelID}", path: conv(w.queued, fmt.Sprintf("/labels/%d", w.label)), cases: []badCase{
			{name: "label of another workspace", path: conv(w.queued, fmt.Sprintf("/labels/%d", w.otherLabel)), want: 404},
		}},
		{route: "PUT /api/v1/conversations/{id}/star", path: conv(w.queued, "/star")},
		{route: "DELETE /api/v1/conversations/{id}/star", path: conv(w.queued, "/star")},
		{route: "PUT /api/v1/conversations/{id}/read", path: conv(w.queued, "/read")},
		{route: "POST /api/v1/conversations/{id}/typing", path: conv(w.queued, "/typing")},
		{route: "PUT /api/v1/messages/{id}/labels/{labelID}", path: fmt.Sprintf("/api/v1/messages/%d/labels/%d", w.queued.MessageID, w.label), cases: []badCase{
			{name: "label of another workspace", path: fmt.Sprintf("/api/v1/messages/%d/labels/%d", w.queued.MessageID, w.otherLabel), want: 404},
		}},
		{route: "DELETE /api/v1/messages/{id}/labels/{labelID}", path: fmt.Sprintf("/api/v1/messages/%d/labels/%d", w.queued.MessageID, w.label)},
		{route: "POST /api/v1/attachments", path: "/api/v1/attachments", cases: []badCase{
			{name: "JSON instead of multipart", body: map[string]any{"file": "x"}, want: 400},
			{name: "no body", body: nil, ctype: "-", want: 400},
			{name: "no file part", body: "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n", ctype: "multipart/form-data; boundary=b", want: 400},
			{name: "truncated multipart", body: "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc", ctype: "multipart/form-data; boundary=b", want: 400},
			multipartCase("file over the limit", "big.bin", make([]byte, 256<<10+1), 413),
			multipartCase("no file name", "", []byte("x"), 422),
			multipartCase("long file name", long(256), []byte("x"), 422),
		}},
	}
}

func multipartCase(name, filename string, content []byte, want int) badCase {
	body, ctype := multipartFile("file", filename, content)
	return badCase{name: name, body: body, ctype: ctype, want: want}
}

// numbered is n values of format with %d (or %04d) from 0.
func numbered(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i)
	}
	return out
}

func manyKeys(n int) map[string]any {
	m := map[string]any{}
	for i := 0; i < n; i++ {
		m[fmt.Sprintf("k%d", i)] = i
	}
	return m
}

func (h *testAPI) labelName(id int64) string {
	h.t.Helper()
	l, err := h.db.R().Label(context.Background(), h.fix.WS.ID, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return l.Name
}

// idVariants replaces each numeric path segment of the route's path, in
// turn, with ids that name nothing.
func idVariants(r badRoute) []badCase {
	var out []badCase
	segs := strings.Split(r.path, "/")
	for i, s := range segs {
		if s == "" || strings.Trim(s, "0123456789") != "" {
			continue
		}
		for _, bad := range []string{"99999999", "0", "-1", "abc", "1e3", "9223372036854775808"} {
			c := append([]string(nil), segs...)
			c[i] = bad
			want := http.StatusNotFound
			// a well-formed but unknown label id is input, not the resource
			if i > 0 && segs[i-1] == "labels" && r.labelWant != 0 && bad == "99999999" {
				want = r.labelWant
			}
			out = append(out, badCase{name: fmt.Sprintf("segment %d = %s", i, bad), path: strings.Join(c, "/"), want: want})
		}
	}
	return out
}

// genericJSONCases are the decoding failures every JSON endpoint must refuse.
func genericJSONCases(r badRoute) []badCase {
	limit := r.limit
	if limit == 0 {
		limit = 1 << 20
	}
	empty := badCase{name: "empty body", body: ``, want: 400}
	if r.optionalBody {
		empty.want = 0 // decided by the case list
	}
	cases := []badCase{
		{name: "malformed JSON", body: `{"name":`, want: 400},
		{name: "not an object", body: `[1,2,3]`, want: 400},
		{name: "a string", body: `"hello"`, want: 400},
		{name: "unknown field", body: `{"zz_not_a_field":1}`, want: 400},
		{name: "trailing data", body: `{} {}`, want: 400},
		{name: "oversized body", body: `{"name":"` + strings.Repeat("a", limit) + `"}`, want: 413},
		{name: "text/plain", body: r.valid, ctype: "text/plain", want: 415},
		{name: "form encoded", body: "name=x", ctype: "application/x-www-form-urlencoded", want: 415},
		{name: "NUL in a string", body: `{"name":"a\u0000"}`, want: 400},
	}
	if empty.want != 0 {
		cases = append(cases, empty)
	}
	return cases
}

func TestBadInputOnEveryWriteEndpoint(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner(), withMaxBlob(256<<10))
		w := newBadWorld(h)
		routes := badRoutes(h, w)

		// every write route has a row
		have := map[string]bool{}
		for _, r := range routes {
			have[r.route] = true
		}
		for _, r := range h.api.Routes() {
			if !strings.HasPrefix(r, "GET ") && !have[r] {
				t.Errorf("write route %q has no bad-input row", r)
			}
		}

		total := 0
		for _, r := range routes {
			cases := r.cases
			if r.json {
				cases = append(genericJSONCases(r), cases...)
			}
			if strings.Contains(r.route, "{id}") {
				cases = append(cases, idVariants(r)...)
			}
			total += len(cases)
			t.Run(strings.ReplaceAll(r.route, "/", "_"), func(t *testing.T) {
				outer := h.t
				h.t = t
				defer func() { h.t = outer }()
				method := strings.SplitN(r.route, " ", 2)[0]
				token := h.tokens[actAdmin]
				switch r.actor {
				case actAnon:
					token = ""
				case "channel":
					token = h.fix.ChannelToken
				case "bot":
					token = w.botToken
				}
				run := func(c badCase) response {
					path := c.path
					if path == "" {
						path = r.path
					}
					tok := token
					if c.name == "no token" {
						tok = ""
					}
					body := c.body
					if body == nil && c.want == 404 && r.json {
						body = r.valid // so that only the id is wrong
					}
					return h.send(request{method: method, path: path, token: tok, body: body, contentType: c.ctype})
				}
				before := h.snapshot()
				for _, c := range cases {
					got := run(c)
					if got.status != c.want {
						t.Errorf("%s: got %s, want %d", c.name, got, c.want)
						continue
					}
					assertErrorEnvelope(t, got, c.name)
				}
				if d := before.diff(h.snapshot()); len(d) > 0 {
					// find the culprit
					for _, c := range cases {
						b := h.snapshot()
						run(c)
						if d := b.diff(h.snapshot()); len(d) > 0 {
							t.Errorf("%s changed the database: %v", c.name, d)
						}
					}
					t.Errorf("bad requests changed the database: %v", d)
				}
			})
		}
		t.Logf("%s: %d bad requests over %d write routes", engine, total, len(routes))
	})
}

// TestTextWithNUL: JSON may carry U+0000, which PostgreSQL text cannot
// store; it must be a client error on both engines, never a 500.
func TestTextWithNUL(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		conv := h.newConvWith(tgtVendas, stQueued, false)
		before := h.snapshot()
		for _, c := range []struct {
			name, method, path, token string
			body                      string
		}{
			{"inbound text", "POST", "/api/v1/channels/api/messages", h.fix.ChannelToken, `{"contact":{"id":"c1"},"text":"a\u0000b"}`},
			{"inbound contact name", "POST", "/api/v1/channels/api/messages", h.fix.ChannelToken, `{"contact":{"id":"c1","name":"A\u0000"},"text":"oi"}`},
			{"inbound contact id", "POST", "/api/v1/channels/api/messages", h.fix.ChannelToken, `{"contact":{"id":"c\u0000"},"text":"oi"}`},
			{"inbound message id", "POST", "/api/v1/channels/api/messages", h.fix.ChannelToken, `{"message_id":"m\u0000","contact":{"id":"c1"},"text":"oi"}`},
			{"reply", "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", conv.ID), h.tokens[actAgentA], `{"kind":"reply","content":"a\u0000b"}`},
			{"contact", "POST", "/api/v1/contacts", h.tokens[actAgentA], `{"name":"a\u0000b"}`},
			{"label", "POST", "/api/v1/labels", h.tokens[actAdmin], `{"name":"a\u0000b"}`},
			{"token", "POST", "/api/v1/tokens", h.tokens[actAdmin], `{"name":"a\u0000b"}`},
		} {
			r := h.do(c.method, c.path, c.token, c.body)
			if r.status != http.StatusBadRequest && r.status != http.StatusUnprocessableEntity {
				t.Errorf("%s with NUL: got %s, want 400 or 422", c.name, r)
			}
			assertErrorEnvelope(t, r, c.name)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("NUL requests changed the database: %v", d)
		}
	})
}
