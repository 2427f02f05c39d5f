package httpapi_test

// The authorization matrix: every route × every kind of caller × every kind
// of target, with the status DESIGN §3 demands — 401 without credentials,
// 403 for a role-gated action, 404 (never 403) for what the caller may not
// see — and proof that a refused write left the database untouched.

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

// gate is who a route admits before looking at any object.
type gate int

const (
	gPublic  gate = iota // anyone
	gChannel             // an API channel token only
	gBot                 // an agent bot token only
	gUser                // any signed-in user
	gManager             // admin or supervisor
	gAdmin               // admin only
)

// objKind is what the {id} of a route names.
type objKind int

const (
	kNone objKind = iota
	kConv
	kMsg        // a customer message of a conversation target
	kAttachment // the attachment of that message
	kContact
	kUser
	kDept
	kLabel
	kQuickReply
	kClosingReason
	kChannel
	kToken
	kHelpCategory
	kHelpArticle
	kWebhook        // a webhook subscription with one logged delivery
	kRoutingRule    // a disabled routing rule (an enabled one would route the matrix's conversations)
	kAutomationRule // a disabled automation rule (an enabled one would act on the matrix's conversations)
	kBot            // a disabled flow bot (no department uses it)
)

// Targets of workspace-scoped objects, and of tokens.
const (
	tgtWS1        = "ws1"
	tgtWS2obj     = "ws2"
	tgtOwnToken   = "own"   // a token of the caller
	tgtOtherToken = "other" // a token of another user of WS
	tgtNone       = "-"
)

func targetsOf(k objKind) []string {
	switch k {
	case kConv, kMsg, kAttachment:
		return []string{tgtVendas, tgtFin, tgtMineC, tgtWS2}
	case kToken:
		return []string{tgtOwnToken, tgtOtherToken, tgtWS2obj}
	case kNone:
		return []string{tgtNone}
	default:
		return []string{tgtWS1, tgtWS2obj}
	}
}

var matrixActors = []string{actAdmin, actSupervisor, actAgentA, actAgentB, actAgentC, actAdmin2, actAnon}

// convVisible is DESIGN §3 for the conversation targets, written out.
var convVisible = map[string]map[string]bool{
	actAdmin:      {tgtVendas: true, tgtFin: true, tgtMineC: true},
	actSupervisor: {tgtVendas: true, tgtMineC: true},
	actAgentA:     {tgtVendas: true, tgtMineC: true},
	actAgentB:     {tgtFin: true},
	actAgentC:     {tgtMineC: true},
	actAdmin2:     {tgtWS2: true},
}

func actorWS(actor string) string {
	if actor == actAdmin2 || actor == actAgent2 {
		return tgtWS2obj
	}
	return tgtWS1
}

func actorRole(actor string) access.Role {
	switch actor {
	case actAdmin, actAdmin2:
		return access.RoleAdmin
	case actSupervisor:
		return access.RoleSupervisor
	}
	return access.RoleAgent
}

// cell is one (route, actor, target) of the matrix.
type cell struct {
	h      *testAPI
	w      *authzWorld
	actor  string
	target string
	token  string
	conv   convRef // conversation targets
	id     int64   // the object the route's {id} names
}

func (c cell) ws() string { return actorWS(c.actor) }

// authzRoute is one row of the matrix.
type authzRoute struct {
	route string
	gate  gate
	kind  objKind
	ok    int    // status of an allowed call
	state string // state of fresh conversations for allowed calls
	fresh bool   // allowed calls get a fresh target (they change it)
	// writes names the tables an allowed call must change; refused calls
	// must change nothing at all
	writes string
	// rule returns the status of a caller who sees the target but whom a
	// domain rule refuses, or 0.
	rule func(c cell) int
	body func(c cell) any
	prep func(c *cell) // after a fresh target was made, for allowed calls
	path string        // overrides the route's path (query strings)
	run  func(c cell) response
}

// agentOnOthers: an agent may not act on a conversation assigned to another agent.
func agentOnOthers(c cell) int {
	if actorRole(c.actor) == access.RoleAgent && c.target == tgtMineC && c.actor != actAgentC {
		return http.StatusForbidden
	}
	return 0
}

func matrixRoutes() []authzRoute {
	js := func(v any) func(cell) any { return func(cell) any { return v } }
	uniqName := func(p string) func(c cell) any {
		return func(c cell) any { return map[string]any{"name": c.h.uniq(p)} }
	}
	deptAgent := func(c cell) any {
		f := c.h.fix
		id := map[string]int64{tgtVendas: f.AgentA.ID, tgtFin: f.AgentB.ID, tgtMineC: f.AgentA.ID, tgtWS2: f.Agent2.ID}[c.target]
		return map[string]any{"assignee_id": id}
	}
	otherDept := func(c cell) any {
		f := c.h.fix
		id := map[string]int64{tgtVendas: f.Financeiro.ID, tgtFin: f.Vendas.ID, tgtMineC: f.Financeiro.ID, tgtWS2: f.Dept2.ID}[c.target]
		return map[string]any{"department_id": id}
	}
	hoursBody := func(c cell) any {
		return map[string]any{"enabled": true, "schedule": map[string]any{"timezone": "America/Sao_Paulo",
			"weekly":   map[string]any{"mon": [][]string{{"08:00", "18:00"}}},
			"holidays": []map[string]any{{"date": "2026-12-25", "name": c.h.uniq("Natal")}}}}
	}
	ctx := context.Background()
	return []authzRoute{
		// operations and public endpoints: the same answer for everybody
		{route: "GET /healthz", gate: gPublic, ok: 200},
		{route: "GET /readyz", gate: gPublic, ok: 200},
		{route: "GET /metrics", gate: gPublic, ok: 200},
		{route: "GET /api/v1/openapi.json", gate: gPublic, ok: 200},
		{route: "GET /setup", gate: gPublic, ok: 200},
		{route: "GET /api/v1/setup", gate: gPublic, ok: 200},
		{route: "POST /api/v1/setup", gate: gPublic, ok: 403, // setup is closed once users exist
			body: js(map[string]any{"token": "setup_guess", "workspace": "Hack", "name": "H", "email": "h@example.com", "password": "password123"})},
		{route: "POST /api/v1/auth/login", gate: gPublic, ok: 422, body: js(map[string]any{"email": "", "password": ""})},
		{route: "POST /api/v1/auth/logout", gate: gPublic, ok: 204},

		// inbound channel endpoints take a channel token, never a user's
		{route: "POST /api/v1/channels/api/messages", gate: gChannel, body: func(c cell) any { return inboundBody(c.h.uniq("m"), c.h.uniq("c"), "oi") }},
		{route: "POST /api/v1/channels/api/statuses", gate: gChannel,
			body: func(c cell) any { return map[string]any{"message_id": c.w.conv[tgtVendas].MessageID, "status": "read"} }},

		// the signed-in user
		{route: "GET /api/v1/me", gate: gUser, ok: 200},
		{route: "PUT /api/v1/me/presence", gate: gUser, ok: 200, writes: "users", body: js(map[string]any{"presence": "away"})},
		{route: "PUT /api/v1/me/password", gate: gUser, ok: 204, writes: "users",
			body: js(map[string]any{"current_password": storetest.Password, "new_password": storetest.Password})},
		{route: "GET /api/v1/tokens", gate: gUser, ok: 200},
		{route: "POST /api/v1/tokens", gate: gUser, ok: 201, writes: "api_tokens", body: uniqName("tok")},
		{route: "DELETE /api/v1/tokens/{id}", gate: gUser, kind: kToken, ok: 204, fresh: true, writes: "api_tokens"},
		{route: "GET /api/v1/ws", gate: gUser, ok: http.StatusSwitchingProtocols, run: func(c cell) response { return c.h.dialStatus(c.token) }},

		// workspace configuration
		{route: "GET /api/v1/workspace", gate: gUser, ok: 200},
		{route: "PATCH /api/v1/workspace", gate: gAdmin, ok: 200, writes: "workspaces", body: uniqName("Loja")},
		{route: "GET /api/v1/users", gate: gUser, ok: 200},
		{route: "POST /api/v1/users", gate: gAdmin, ok: 201, writes: "users", body: func(c cell) any {
			return map[string]any{"email": c.h.uniq("new") + "@example.com", "password": "password123", "role": "agent"}
		}},
		{route: "GET /api/v1/users/{id}", gate: gUser, kind: kUser, ok: 200},
		{route: "PATCH /api/v1/users/{id}", gate: gAdmin, kind: kUser, ok: 200, fresh: true, writes: "users", body: uniqName("Renomeado")},
		{route: "DELETE /api/v1/users/{id}", gate: gAdmin, kind: kUser, ok: 204, fresh: true, writes: "users"},
		{route: "GET /api/v1/departments", gate: gUser, ok: 200},
		{route: "POST /api/v1/departments", gate: gAdmin, ok: 201, writes: "departments", body: uniqName("Dept")},
		{route: "GET /api/v1/departments/{id}", gate: gUser, kind: kDept, ok: 200},
		{route: "PATCH /api/v1/departments/{id}", gate: gAdmin, kind: kDept, ok: 200, fresh: true, writes: "departments", body: uniqName("Dept")},
		{route: "DELETE /api/v1/departments/{id}", gate: gAdmin, kind: kDept, ok: 204, fresh: true, writes: "departments"},
		{route: "PUT /api/v1/departments/{id}/members", gate: gAdmin, kind: kDept, ok: 200, fresh: true, writes: "department_members",
			body: js(map[string]any{"user_ids": []int64{}})},
		{route: "GET /api/v1/departments/{id}/business-hours", gate: gUser, kind: kDept, ok: 200},
		{route: "PUT /api/v1/departments/{id}/business-hours", gate: gAdmin, kind: kDept, ok: 200, fresh: true, writes: "business_hours", body: hoursBody},
		{route: "DELETE /api/v1/departments/{id}/business-hours", gate: gAdmin, kind: kDept, ok: 204, fresh: true},
		{route: "GET /api/v1/departments/{id}/assignment", gate: gUser, kind: kDept, ok: 200},
		{route: "PUT /api/v1/departments/{id}/assignment", gate: gAdmin, kind: kDept, ok: 200, fresh: true, writes: "assignment_settings",
			body: js(map[string]any{"mode": "least_busy", "department_limit": 3})},
		{route: "GET /api/v1/business-hours", gate: gUser, ok: 200},
		{route: "PUT /api/v1/business-hours", gate: gAdmin, ok: 200, writes: "business_hours", body: hoursBody},
		{route: "GET /api/v1/automation/messages", gate: gUser, ok: 200},
		{route: "GET /api/v1/departments/{id}/automation-messages", gate: gUser, kind: kDept, ok: 200},
		{route: "PUT /api/v1/departments/{id}/automation-messages", gate: gAdmin, kind: kDept, ok: 200, fresh: true, writes: "automation_messages",
			body: js(map[string]any{"greeting": "Olá, aqui é o financeiro!", "greeting_enabled": true})},
		{route: "DELETE /api/v1/departments/{id}/automation-messages", gate: gAdmin, kind: kDept, ok: 204, fresh: true},
		{route: "PUT /api/v1/automation/messages", gate: gAdmin, ok: 200, writes: "automation_messages",
			body: func(c cell) any { return map[string]any{"greeting": c.h.uniq("Olá"), "greeting_enabled": false} }},
		{route: "GET /api/v1/labels", gate: gUser, ok: 200},
		{route: "POST /api/v1/labels", gate: gManager, ok: 201, writes: "labels", body: uniqName("Etiqueta")},
		{route: "PATCH /api/v1/labels/{id}", gate: gManager, kind: kLabel, ok: 200, fresh: true, writes: "labels", body: uniqName("Etiqueta")},
		{route: "DELETE /api/v1/labels/{id}", gate: gManager, kind: kLabel, ok: 204, fresh: true, writes: "labels"},
		{route: "GET /api/v1/help/categories", gate: gUser, ok: 200},
		{route: "POST /api/v1/help/categories", gate: gManager, ok: 201, writes: "help_categories",
			body: func(c cell) any { return map[string]any{"name": c.h.uniq("Categoria"), "language": "pt-BR"} }},
		{route: "GET /api/v1/help/categories/{id}", gate: gUser, kind: kHelpCategory, ok: 200},
		{route: "PATCH /api/v1/help/categories/{id}", gate: gManager, kind: kHelpCategory, ok: 200, fresh: true, writes: "help_categories", body: uniqName("Categoria")},
		{route: "DELETE /api/v1/help/categories/{id}", gate: gManager, kind: kHelpCategory, ok: 204, fresh: true, writes: "help_categories"},
		{route: "GET /api/v1/help/articles", gate: gUser, ok: 200},
		{route: "POST /api/v1/help/articles", gate: gManager, ok: 201, writes: "help_articles",
			body: func(c cell) any { return map[string]any{"title": c.h.uniq("Artigo"), "language": "pt-BR"} }},
		{route: "GET /api/v1/help/articles/{id}", gate: gUser, kind: kHelpArticle, ok: 200},
		{route: "PATCH /api/v1/help/articles/{id}", gate: gManager, kind: kHelpArticle, ok: 200, fresh: true, writes: "help_articles",
			body: func(c cell) any { return map[string]any{"title": c.h.uniq("Artigo")} }},
		{route: "DELETE /api/v1/help/articles/{id}", gate: gManager, kind: kHelpArticle, ok: 204, fresh: true, writes: "help_articles"},
		// the public help centre answers everybody alike, credentials or not
		{route: "GET /api/v1/public/help/{workspace}/search", gate: gPublic, ok: 200,
			run: func(c cell) response { return c.h.page("/api/v1/public/help/"+c.h.fix.WS.Slug+"/search?q=artigo", nil) }},
		{route: "GET /help/{workspace}", gate: gPublic, ok: 200, run: func(c cell) response { return c.h.page("/help/"+c.h.fix.WS.Slug, nil) }},
		{route: "GET /help/{workspace}/{slug}", gate: gPublic, ok: 200, run: func(c cell) response {
			a, err := c.h.db.W().CreateHelpArticle(context.Background(), c.h.fix.WS.ID, store.HelpArticle{Language: "en", Status: "published", Title: "Public"})
			if err != nil {
				c.h.t.Fatal(err)
			}
			return c.h.page("/help/"+c.h.fix.WS.Slug+"/"+a.Slug, nil)
		}},
		{route: "GET /api/v1/quick-replies", gate: gUser, ok: 200},
		{route: "POST /api/v1/quick-replies", gate: gManager, ok: 201, writes: "quick_replies",
			body: func(c cell) any { return map[string]any{"shortcut": c.h.uniq("oi"), "content": "Olá!"} }},
		{route: "PATCH /api/v1/quick-replies/{id}", gate: gManager, kind: kQuickReply, ok: 200, fresh: true, writes: "quick_replies",
			body: func(c cell) any { return map[string]any{"content": c.h.uniq("Novo texto")} }},
		{route: "DELETE /api/v1/quick-replies/{id}", gate: gManager, kind: kQuickReply, ok: 204, fresh: true, writes: "quick_replies"},
		{route: "GET /api/v1/closing-reasons", gate: gUser, ok: 200},
		{route: "POST /api/v1/closing-reasons", gate: gAdmin, ok: 201, writes: "closing_reasons", body: uniqName("Motivo")},
		{route: "PATCH /api/v1/closing-reasons/{id}", gate: gAdmin, kind: kClosingReason, ok: 200, fresh: true, writes: "closing_reasons", body: uniqName("Motivo")},
		{route: "DELETE /api/v1/closing-reasons/{id}", gate: gAdmin, kind: kClosingReason, ok: 204, fresh: true, writes: "closing_reasons"},
		{route: "GET /api/v1/webhook-subscriptions", gate: gAdmin, ok: 200},
		{route: "POST /api/v1/webhook-subscriptions", gate: gAdmin, ok: 201, writes: "webhook_subscriptions",
			body: js(map[string]any{"url": "http://127.0.0.1:1/hook", "events": []string{"message.created"}})},
		{route: "GET /api/v1/webhook-subscriptions/{id}", gate: gAdmin, kind: kWebhook, ok: 200},
		{route: "PATCH /api/v1/webhook-subscriptions/{id}", gate: gAdmin, kind: kWebhook, ok: 200, fresh: true, writes: "webhook_subscriptions",
			body: js(map[string]any{"description": "renamed"})},
		{route: "DELETE /api/v1/webhook-subscriptions/{id}", gate: gAdmin, kind: kWebhook, ok: 204, fresh: true, writes: "webhook_subscriptions,webhook_deliveries"},
		{route: "POST /api/v1/webhook-subscriptions/{id}/rotate-secret", gate: gAdmin, kind: kWebhook, ok: 200, fresh: true, writes: "webhook_subscriptions"},
		{route: "POST /api/v1/webhook-subscriptions/{id}/test", gate: gAdmin, kind: kWebhook, ok: 202, fresh: true, writes: "webhook_deliveries,jobs"},
		{route: "GET /api/v1/webhook-subscriptions/{id}/deliveries", gate: gAdmin, kind: kWebhook, ok: 200},
		{route: "POST /api/v1/webhook-subscriptions/{id}/deliveries/{deliveryID}/resend", gate: gAdmin, kind: kWebhook, ok: 202, fresh: true, writes: "webhook_deliveries,jobs"},
		{route: "GET /api/v1/routing-rules", gate: gUser, ok: 200},
		{route: "POST /api/v1/routing-rules", gate: gAdmin, ok: 201, writes: "routing_rules",
			body: func(c cell) any {
				return map[string]any{"name": c.h.uniq("Regra"), "enabled": false, "actions": map[string]any{"last_department": true}}
			}},
		{route: "PUT /api/v1/routing-rules/order", gate: gAdmin, ok: 200, writes: "routing_rules",
			body: func(c cell) any {
				list, err := c.h.db.R().RoutingRules(context.Background(), c.h.wsID(c.ws()))
				if err != nil {
					c.h.t.Fatal(err)
				}
				ids := []int64{}
				for i := len(list) - 1; i >= 0; i-- {
					ids = append(ids, list[i].ID)
				}
				return map[string]any{"ids": ids}
			}},
		{route: "GET /api/v1/routing-rules/{id}", gate: gUser, kind: kRoutingRule, ok: 200},
		{route: "PATCH /api/v1/routing-rules/{id}", gate: gAdmin, kind: kRoutingRule, ok: 200, fresh: true, writes: "routing_rules", body: uniqName("Regra")},
		{route: "DELETE /api/v1/routing-rules/{id}", gate: gAdmin, kind: kRoutingRule, ok: 204, fresh: true, writes: "routing_rules"},
		{route: "GET /api/v1/bots", gate: gUser, ok: 200},
		{route: "POST /api/v1/bots", gate: gAdmin, ok: 201, writes: "bots",
			body: func(c cell) any {
				return map[string]any{"name": c.h.uniq("Robô"), "kind": "flow", "enabled": false,
					"flow": map[string]any{"start": "a", "steps": []map[string]any{{"id": "a", "type": "handoff"}}}}
			}},
		{route: "GET /api/v1/bots/{id}", gate: gUser, kind: kBot, ok: 200},
		{route: "PATCH /api/v1/bots/{id}", gate: gAdmin, kind: kBot, ok: 200, fresh: true, writes: "bots", body: uniqName("Robô")},
		{route: "DELETE /api/v1/bots/{id}", gate: gAdmin, kind: kBot, ok: 204, fresh: true, writes: "bots"},
		{route: "POST /api/v1/bots/{id}/test", gate: gManager, kind: kBot, ok: 200, body: js(map[string]any{"input": "oi"})},
		// the bot API admits agent bot tokens only (TestAgentBot covers them)
		{route: "GET /api/v1/bot/conversations/{id}", gate: gBot, kind: kConv},
		{route: "GET /api/v1/bot/conversations/{id}/messages", gate: gBot, kind: kConv},
		{route: "POST /api/v1/bot/conversations/{id}/messages", gate: gBot, kind: kConv, body: js(map[string]any{"content": "oi"})},
		{route: "POST /api/v1/bot/conversations/{id}/handoff", gate: gBot, kind: kConv, body: js(map[string]any{})},
		{route: "POST /api/v1/bot/conversations/{id}/transfer", gate: gBot, kind: kConv, body: js(map[string]any{"department_id": 1})},
		{route: "POST /api/v1/bot/conversations/{id}/resolve", gate: gBot, kind: kConv, body: js(map[string]any{})},
		{route: "GET /api/v1/automation-rules", gate: gUser, ok: 200},
		{route: "POST /api/v1/automation-rules", gate: gAdmin, ok: 201, writes: "automation_rules",
			body: func(c cell) any {
				return map[string]any{"name": c.h.uniq("Automação"), "enabled": false, "event": "conversation.created",
					"actions": []any{map[string]any{"type": "set_priority", "priority": "low"}}}
			}},
		{route: "GET /api/v1/automation-rules/{id}", gate: gUser, kind: kAutomationRule, ok: 200},
		{route: "PATCH /api/v1/automation-rules/{id}", gate: gAdmin, kind: kAutomationRule, ok: 200, fresh: true, writes: "automation_rules", body: uniqName("Automação")},
		{route: "DELETE /api/v1/automation-rules/{id}", gate: gAdmin, kind: kAutomationRule, ok: 204, fresh: true, writes: "automation_rules"},
		{route: "GET /api/v1/channels", gate: gUser, ok: 200}, // summaries without secrets for non-admins (TestChannelListHidesSecrets)
		{route: "POST /api/v1/channels", gate: gAdmin, ok: 201, writes: "channels",
			body: func(c cell) any { return map[string]any{"kind": "api", "name": c.h.uniq("Canal")} }},
		{route: "GET /api/v1/channels/{id}", gate: gAdmin, kind: kChannel, ok: 200},
		{route: "PATCH /api/v1/channels/{id}", gate: gAdmin, kind: kChannel, ok: 200, fresh: true, writes: "channels", body: uniqName("Canal")},
		{route: "DELETE /api/v1/channels/{id}", gate: gAdmin, kind: kChannel, ok: 204, fresh: true, writes: "channels"},
		{route: "POST /api/v1/channels/{id}/rotate-token", gate: gAdmin, kind: kChannel, ok: 200, fresh: true, writes: "channels"},
		{route: "POST /api/v1/channels/{id}/test", gate: gAdmin, kind: kChannel, ok: 200}, // an API channel has nothing to reach: ok
		// templates are WhatsApp's: the API channel target answers 404 for
		// everyone (TestWhatsAppTemplates covers a WhatsApp channel)
		{route: "GET /api/v1/channels/{id}/templates", gate: gUser, kind: kChannel, ok: 404},
		{route: "POST /api/v1/channels/{id}/templates/sync", gate: gAdmin, kind: kChannel, ok: 404},
		// provider webhooks authenticate by the provider's secret, not a
		// session (TestTelegramWebhook, TestWhatsAppWebhook); an unknown key is 404 for anyone
		{route: "POST /api/v1/webhooks/telegram/{key}", gate: gPublic, ok: 404, path: "/api/v1/webhooks/telegram/no-such-key",
			body: func(c cell) any { return map[string]any{"update_id": 1} }},
		{route: "GET /api/v1/webhooks/whatsapp/{key}", gate: gPublic, ok: 404,
			path: "/api/v1/webhooks/whatsapp/no-such-key?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"},
		{route: "POST /api/v1/webhooks/whatsapp/{key}", gate: gPublic, ok: 404, path: "/api/v1/webhooks/whatsapp/no-such-key",
			body: func(c cell) any { return map[string]any{"object": "whatsapp_business_account", "entry": []any{}} }},
		// Messenger / Instagram webhooks authenticate by X-Hub-Signature-256 (TestMetaWebhook)
		{route: "GET /api/v1/webhooks/meta/{key}", gate: gPublic, ok: 404,
			path: "/api/v1/webhooks/meta/no-such-key?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"},
		{route: "POST /api/v1/webhooks/meta/{key}", gate: gPublic, ok: 404, path: "/api/v1/webhooks/meta/no-such-key",
			body: func(c cell) any { return map[string]any{"object": "page", "entry": []any{}} }},
		// signed media links are the key themselves (TestSMSMediaLink); a bad one is 404 for anyone
		{route: "GET /media/{token}", gate: gPublic, ok: 404, path: "/media/not-a-token"},
		// the website widget: visitors authenticate by their own session token
		// (TestWidgetVisitor, TestWidgetIsolation); an unknown key is 404 for
		// anyone, and the harness serves no built widget files
		{route: "GET /api/v1/widget/{key}/config", gate: gPublic, ok: 404, path: "/api/v1/widget/no-such-key/config"},
		{route: "POST /api/v1/widget/{key}/sessions", gate: gPublic, ok: 404, path: "/api/v1/widget/no-such-key/sessions", body: js(map[string]any{})},
		{route: "GET /api/v1/widget/{key}/conversation", gate: gPublic, ok: 404, path: "/api/v1/widget/no-such-key/conversation"},
		{route: "POST /api/v1/widget/{key}/messages", gate: gPublic, ok: 404, path: "/api/v1/widget/no-such-key/messages", body: js(map[string]any{"content": "oi"})},
		{route: "POST /api/v1/widget/{key}/attachments", gate: gPublic, ok: 404, path: "/api/v1/widget/no-such-key/attachments"},
		{route: "GET /api/v1/widget/{key}/attachments/{id}", gate: gPublic, ok: 404, path: "/api/v1/widget/no-such-key/attachments/1"},
		{route: "POST /api/v1/widget/{key}/typing", gate: gPublic, ok: 404, path: "/api/v1/widget/no-such-key/typing"},
		{route: "POST /api/v1/widget/{key}/read", gate: gPublic, ok: 404, path: "/api/v1/widget/no-such-key/read", body: js(map[string]any{"up_to": 1})},
		{route: "POST /api/v1/widget/{key}/offline", gate: gPublic, ok: 404, path: "/api/v1/widget/no-such-key/offline", body: js(map[string]any{})},
		{route: "POST /api/v1/widget/{key}/rating", gate: gPublic, ok: 404, path: "/api/v1/widget/no-such-key/rating", body: js(map[string]any{"score": 5})},
		{route: "GET /api/v1/widget/{key}/ws", gate: gPublic, ok: 404, path: "/api/v1/widget/no-such-key/ws"},
		{route: "GET /widget.js", gate: gPublic, ok: 404},
		{route: "GET /widget/frame.html", gate: gPublic, ok: 404, path: "/widget/frame.html?key=no-such-key"},
		{route: "GET /widget/assets/{file}", gate: gPublic, ok: 404, path: "/widget/assets/frame.js"},
		// SMS webhooks authenticate by X-Twilio-Signature (TestSMSWebhook)
		{route: "POST /api/v1/webhooks/sms/{key}", gate: gPublic, ok: 404, path: "/api/v1/webhooks/sms/no-such-key",
			body: func(c cell) any { return "MessageSid=SM1&From=%2B5511987654321&Body=oi" }},
		{route: "POST /api/v1/webhooks/sms/{key}/status", gate: gPublic, ok: 404, path: "/api/v1/webhooks/sms/no-such-key/status",
			body: func(c cell) any { return "MessageSid=SM1&MessageStatus=delivered" }},

		// contacts: shared by the workspace; erasing one is for managers
		{route: "GET /api/v1/contacts", gate: gUser, ok: 200},
		{route: "POST /api/v1/contacts", gate: gUser, ok: 201, writes: "contacts", body: uniqName("Contato")},
		{route: "GET /api/v1/contacts/{id}", gate: gUser, kind: kContact, ok: 200},
		{route: "PATCH /api/v1/contacts/{id}", gate: gUser, kind: kContact, ok: 200, fresh: true, writes: "contacts", body: uniqName("Contato")},
		{route: "DELETE /api/v1/contacts/{id}", gate: gManager, kind: kContact, ok: 204, fresh: true, writes: "contacts"},
		{route: "PUT /api/v1/contacts/{id}/labels/{labelID}", gate: gUser, kind: kContact, ok: 200, fresh: true, writes: "contact_labels"},
		{route: "DELETE /api/v1/contacts/{id}/labels/{labelID}", gate: gUser, kind: kContact, ok: 200, fresh: true, writes: "contact_labels",
			prep: func(c *cell) {
				if err := c.h.db.W().SetContactLabel(ctx, c.h.wsID(c.target), c.id, c.w.labelOn[c.ws()], true); err != nil {
					c.h.t.Fatal(err)
				}
			}},
		{route: "GET /api/v1/contacts/{id}/conversations", gate: gUser, kind: kContact, ok: 200},

		// conversations
		{route: "GET /api/v1/conversations", gate: gUser, ok: 200},
		// starting a conversation needs a WhatsApp channel: the API channel
		// is refused before anything is written (TestNewConversationFromTemplate)
		{route: "POST /api/v1/conversations", gate: gUser, ok: 422, body: func(c cell) any {
			return map[string]any{"channel_id": c.h.fix.Channel.ID, "phone": "5511988887777",
				"template": map[string]any{"name": "order_update", "language": "pt_BR"}}
		}},
		{route: "GET /api/v1/conversations/counters", gate: gUser, ok: 200},
		{route: "GET /api/v1/conversations/{id}", gate: gUser, kind: kConv, ok: 200},
		{route: "PATCH /api/v1/conversations/{id}", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversations,messages",
			body: js(map[string]any{"priority": "high"})},
		{route: "GET /api/v1/conversations/{id}/messages", gate: gUser, kind: kConv, ok: 200},
		{route: "POST /api/v1/conversations/{id}/messages", gate: gUser, kind: kConv, ok: 201, fresh: true, writes: "messages,conversations,jobs,conversation_reads",
			body: js(map[string]any{"kind": "reply", "content": "Resposta"})},
		{route: "GET /api/v1/conversations/{id}/export.csv", gate: gUser, kind: kConv, ok: 200},
		{route: "POST /api/v1/conversations/{id}/assign", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversations,messages", rule: agentOnOthers, body: deptAgent},
		{route: "POST /api/v1/conversations/{id}/transfer", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversations,messages", rule: agentOnOthers, body: otherDept},
		{route: "POST /api/v1/conversations/{id}/return", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversations,messages", rule: agentOnOthers, state: stOpen},
		{route: "POST /api/v1/conversations/{id}/snooze", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversations,messages,jobs", rule: agentOnOthers,
			body: js(map[string]any{"until": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)})},
		{route: "POST /api/v1/conversations/{id}/unsnooze", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversations,messages", state: stSnoozed},
		{route: "POST /api/v1/conversations/{id}/resolve", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversations,messages", rule: agentOnOthers,
			body: js(map[string]any{})},
		{route: "POST /api/v1/conversations/{id}/reopen", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversations,messages", state: stResolved},
		{route: "PUT /api/v1/conversations/{id}/labels/{labelID}", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversation_labels"},
		{route: "DELETE /api/v1/conversations/{id}/labels/{labelID}", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversation_labels",
			prep: func(c *cell) {
				if _, err := c.h.conv.SetLabel(ctx, c.h.adminViewer(c.target), c.id, c.w.labelOn[c.ws()], true); err != nil {
					c.h.t.Fatal(err)
				}
			}},
		{route: "PUT /api/v1/conversations/{id}/star", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversation_stars"},
		{route: "DELETE /api/v1/conversations/{id}/star", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversation_stars",
			prep: func(c *cell) {
				if err := c.h.conv.SetStar(ctx, c.h.users[c.actor].Viewer(), c.id, true); err != nil {
					c.h.t.Fatal(err)
				}
			}},
		{route: "PUT /api/v1/conversations/{id}/read", gate: gUser, kind: kConv, ok: 200, fresh: true, writes: "conversation_reads"},
		{route: "POST /api/v1/conversations/{id}/typing", gate: gUser, kind: kConv, ok: 204},
		{route: "PUT /api/v1/messages/{id}/labels/{labelID}", gate: gUser, kind: kMsg, ok: 200, fresh: true, writes: "message_labels"},
		{route: "DELETE /api/v1/messages/{id}/labels/{labelID}", gate: gUser, kind: kMsg, ok: 200, fresh: true, writes: "message_labels",
			prep: func(c *cell) {
				if _, err := c.h.conv.SetMessageLabel(ctx, c.h.adminViewer(c.target), c.id, c.w.labelOn[c.ws()], true); err != nil {
					c.h.t.Fatal(err)
				}
			}},
		{route: "GET /api/v1/search/messages", gate: gUser, ok: 200, path: "/api/v1/search/messages?q=ajuda"},
		{route: "POST /api/v1/attachments", gate: gUser, ok: 201, writes: "attachments", run: func(c cell) response {
			body, ctype := multipartFile("file", "foto.png", pngBytes)
			return c.h.send(request{method: http.MethodPost, path: "/api/v1/attachments", token: c.token, body: body, contentType: ctype})
		}},
		{route: "GET /api/v1/attachments/{id}", gate: gUser, kind: kAttachment, ok: 200},
	}
}

// expected is the status the matrix demands for c on route r.
func expected(r authzRoute, c cell) int {
	switch {
	case r.gate == gPublic:
		return r.ok
	case r.gate == gChannel || r.gate == gBot || c.actor == actAnon:
		return http.StatusUnauthorized
	}
	role := actorRole(c.actor)
	if (r.gate == gAdmin && role != access.RoleAdmin) || (r.gate == gManager && role == access.RoleAgent) {
		return http.StatusForbidden
	}
	visible := true
	switch r.kind {
	case kConv, kMsg, kAttachment:
		visible = convVisible[c.actor][c.target]
	case kToken:
		visible = c.target == tgtOwnToken
	case kNone:
	default:
		visible = c.target == c.ws()
	}
	if !visible {
		return http.StatusNotFound
	}
	if r.rule != nil {
		if s := r.rule(c); s != 0 {
			return s
		}
	}
	return r.ok
}

// authzWorld holds the stable targets the refused calls aim at.
type authzWorld struct {
	conv              map[string]convRef
	obj               map[objKind]map[string]int64 // per workspace key
	labelOn, labelOff map[string]int64             // per workspace key
	tokenOf           map[string]int64             // an extra token of each fixture actor
}

func (h *testAPI) wsID(key string) int64 {
	if key == tgtWS2obj || key == tgtWS2 {
		return h.fix.WS2.ID
	}
	return h.fix.WS.ID
}

func (h *testAPI) adminViewer(target string) access.Viewer {
	if target == tgtWS2 || target == tgtWS2obj {
		return h.fix.Admin2V()
	}
	return h.fix.AdminV()
}

// makeObj creates one object of kind k in workspace key ws, directly in the store.
func (h *testAPI) makeObj(k objKind, ws string) int64 {
	h.t.Helper()
	ctx := context.Background()
	wid := h.wsID(ws)
	var id int64
	err := h.db.Tx(ctx, func(q store.Q) error {
		switch k {
		case kContact:
			c, err := q.CreateContact(ctx, store.Contact{WorkspaceID: wid, Name: h.uniq("Contato")})
			id = c.ID
			return err
		case kUser:
			u, err := q.CreateUser(ctx, store.User{WorkspaceID: wid, Email: h.uniq("alvo") + "@example.com", Name: "Alvo",
				Role: access.RoleAgent, PasswordHash: "x"})
			id = u.ID
			return err
		case kDept:
			d, err := q.CreateDepartment(ctx, wid, h.uniq("Extra"), false)
			if err != nil {
				return err
			}
			id = d.ID
			member := h.fix.AgentA.ID
			if ws == tgtWS2obj {
				member = h.fix.Agent2.ID
			}
			return q.SetDepartmentMembers(ctx, wid, id, []int64{member})
		case kLabel:
			l, err := q.CreateLabel(ctx, wid, store.Label{Name: h.uniq("Etiqueta"), Color: "#112233"})
			id = l.ID
			return err
		case kQuickReply:
			r, err := q.CreateQuickReply(ctx, wid, store.QuickReply{Shortcut: h.uniq("atalho"), Content: "Olá {{contact.first_name}}"})
			id = r.ID
			return err
		case kClosingReason:
			r, err := q.CreateClosingReason(ctx, wid, store.ClosingReason{Name: h.uniq("Motivo"), Active: true})
			id = r.ID
			return err
		case kHelpCategory:
			c, err := q.CreateHelpCategory(ctx, wid, store.HelpCategory{Language: "pt-BR", Name: h.uniq("Categoria")})
			id = c.ID
			return err
		case kHelpArticle:
			a, err := q.CreateHelpArticle(ctx, wid, store.HelpArticle{Language: "pt-BR", Status: "draft", Title: h.uniq("Artigo")})
			id = a.ID
			return err
		case kWebhook:
			s, err := q.CreateWebhook(ctx, store.WebhookSubscription{WorkspaceID: wid, URL: "http://127.0.0.1:1/" + h.uniq("hook"),
				Events: []string{"message.created"}, Secret: "v1:sealed", Active: true})
			if err != nil {
				return err
			}
			id = s.ID
			_, err = q.InsertDelivery(ctx, store.WebhookDelivery{WorkspaceID: wid, SubscriptionID: s.ID, EventID: h.uniq("msg_authz"),
				EventType: "message.created", Payload: "{}"})
			return err
		case kAutomationRule:
			r, err := q.CreateAutomationRule(ctx, store.AutomationRule{WorkspaceID: wid, Name: h.uniq("Automação"), Enabled: false,
				Event: "conversation.created", Conditions: []byte(`{}`), Actions: []byte(`[{"type":"set_priority","priority":"high"}]`)})
			id = r.ID
			return err
		case kBot:
			b, err := q.CreateBot(ctx, store.Bot{WorkspaceID: wid, Name: h.uniq("Robô"), Kind: store.BotFlow,
				Flow: []byte(`{"start":"a","steps":[{"id":"a","type":"handoff"}]}`)})
			id = b.ID
			return err
		case kRoutingRule:
			r, err := q.CreateRoutingRule(ctx, store.RoutingRule{WorkspaceID: wid, Name: h.uniq("Regra"), Enabled: false,
				Conditions: []byte(`{}`), Actions: []byte(`{"last_department":true}`)})
			id = r.ID
			return err
		case kChannel:
			_, hash := auth.NewToken(auth.PrefixChannel)
			c, err := q.CreateChannel(ctx, store.Channel{WorkspaceID: wid, Kind: "api", Name: h.uniq("Canal")}, hash)
			id = c.ID
			return err
		}
		return fmt.Errorf("makeObj: kind %d", k)
	})
	if err != nil {
		h.t.Fatalf("make object %d in %s: %v", k, ws, err)
	}
	return id
}

// tokenID creates an extra API token for actor and returns its id.
func (h *testAPI) tokenID(actor string) int64 {
	h.t.Helper()
	u := h.users[actor]
	_, hash := auth.NewToken(auth.PrefixUser)
	tk, err := h.db.W().CreateAPIToken(context.Background(), u.WorkspaceID, u.ID, h.uniq("extra"), hash, "atu_xxxx")
	if err != nil {
		h.t.Fatal(err)
	}
	return tk.ID
}

func newAuthzWorld(h *testAPI) *authzWorld {
	ctx := context.Background()
	w := &authzWorld{conv: map[string]convRef{}, obj: map[objKind]map[string]int64{},
		labelOn: map[string]int64{}, labelOff: map[string]int64{}, tokenOf: map[string]int64{}}
	for _, ws := range []string{tgtWS1, tgtWS2obj} {
		for _, k := range []objKind{kContact, kUser, kDept, kLabel, kQuickReply, kClosingReason, kChannel, kHelpCategory, kHelpArticle, kWebhook, kRoutingRule, kAutomationRule, kBot} {
			if w.obj[k] == nil {
				w.obj[k] = map[string]int64{}
			}
			w.obj[k][ws] = h.makeObj(k, ws)
		}
		w.labelOn[ws], w.labelOff[ws] = h.makeObj(kLabel, ws), h.makeObj(kLabel, ws)
		// the stable contact wears labelOn, so a wrongly allowed removal shows
		if err := h.db.W().SetContactLabel(ctx, h.wsID(ws), w.obj[kContact][ws], w.labelOn[ws], true); err != nil {
			h.t.Fatal(err)
		}
	}
	for _, tgt := range targetsOf(kConv) {
		st := stQueued
		if tgt == tgtMineC {
			st = stOpen
		}
		ref := h.newConv(tgt, st)
		ws := tgtWS1
		if tgt == tgtWS2 {
			ws = tgtWS2obj
		}
		// labelOn on the conversation and its message, so refused removals are observable
		if _, err := h.conv.SetLabel(ctx, h.adminViewer(tgt), ref.ID, w.labelOn[ws], true); err != nil {
			h.t.Fatal(err)
		}
		if _, err := h.conv.SetMessageLabel(ctx, h.adminViewer(tgt), ref.MessageID, w.labelOn[ws], true); err != nil {
			h.t.Fatal(err)
		}
		w.conv[tgt] = ref
	}
	for _, a := range []string{actAdmin, actSupervisor, actAgentA, actAgentB, actAgentC, actAdmin2, actAgent2} {
		w.tokenOf[a] = h.tokenID(a)
	}
	return w
}

// resolve fills c.id (and c.conv) for a stable or a fresh target.
func (w *authzWorld) resolve(r authzRoute, c *cell, fresh bool) {
	h := c.h
	switch r.kind {
	case kNone:
	case kConv, kMsg, kAttachment:
		if fresh {
			st := r.state
			if st == "" {
				st = stQueued
				if c.target == tgtMineC {
					st = stOpen
				}
			}
			c.conv = h.newConvWith(c.target, st, false)
		} else {
			c.conv = w.conv[c.target]
		}
		c.id = map[objKind]int64{kConv: c.conv.ID, kMsg: c.conv.MessageID, kAttachment: c.conv.AttachmentID}[r.kind]
	case kToken:
		switch {
		case c.target == tgtOwnToken && fresh:
			c.id = h.tokenID(c.actor)
		case c.target == tgtOwnToken:
			c.id = w.tokenOf[actAdmin] // only anon is refused its "own" token
		case c.target == tgtOtherToken && c.actor == actSupervisor:
			c.id = w.tokenOf[actAgentB]
		case c.target == tgtOtherToken:
			c.id = w.tokenOf[actSupervisor]
		default:
			c.id = w.tokenOf[actAgent2]
		}
	default:
		if fresh {
			c.id = h.makeObj(r.kind, c.target)
		} else {
			c.id = w.obj[r.kind][c.target]
		}
	}
}

// drop deletes the fresh target of an allowed call (it may be gone already).
func (w *authzWorld) drop(r authzRoute, c cell) {
	ctx := context.Background()
	h := c.h
	ws := h.wsID(c.target)
	q := h.db.W()
	switch r.kind {
	case kConv, kMsg, kAttachment:
		_, _ = q.DeleteContact(ctx, c.conv.ws, c.conv.ContactID)
	case kToken:
		u := h.users[c.actor]
		_ = q.DeleteAPIToken(ctx, u.WorkspaceID, u.ID, c.id)
	case kContact:
		_, _ = q.DeleteContact(ctx, ws, c.id)
	case kUser:
		_ = h.db.Tx(ctx, func(q store.Q) error { return q.DeleteUser(ctx, ws, c.id) })
	case kDept:
		_ = q.DeleteDepartment(ctx, ws, c.id)
	case kLabel:
		_ = q.DeleteLabel(ctx, ws, c.id)
	case kQuickReply:
		_ = q.DeleteQuickReply(ctx, ws, c.id)
	case kClosingReason:
		_ = q.DeleteClosingReason(ctx, ws, c.id)
	case kChannel:
		_, _ = q.DeleteChannel(ctx, ws, c.id)
	case kHelpCategory:
		_ = q.DeleteHelpCategory(ctx, ws, c.id)
	case kHelpArticle:
		_ = q.DeleteHelpArticle(ctx, ws, c.id)
	case kWebhook:
		_ = q.DeleteWebhook(ctx, ws, c.id)
	}
}

func (c cell) path(r authzRoute) string {
	if r.path != "" {
		return r.path
	}
	p := strings.SplitN(r.route, " ", 2)[1]
	p = strings.ReplaceAll(p, "{id}", fmt.Sprint(c.id))
	label := c.w.labelOff[c.ws()]
	if strings.HasPrefix(r.route, "DELETE") {
		label = c.w.labelOn[c.ws()]
	}
	if strings.Contains(p, "{deliveryID}") {
		var did int64
		if err := c.h.raw.QueryRow(`SELECT id FROM webhook_deliveries WHERE subscription_id = $1`, c.id).Scan(&did); err != nil {
			c.h.t.Fatalf("delivery of webhook %d: %v", c.id, err)
		}
		p = strings.ReplaceAll(p, "{deliveryID}", fmt.Sprint(did))
	}
	return strings.ReplaceAll(p, "{labelID}", fmt.Sprint(label))
}

func (c cell) call(r authzRoute) response {
	if r.run != nil {
		return r.run(c)
	}
	var body any
	if r.body != nil {
		body = r.body(c)
	}
	return c.h.do(strings.SplitN(r.route, " ", 2)[0], c.path(r), c.token, body)
}

// dialStatus opens the realtime socket with token and reports the HTTP
// status of the handshake (101 when it was upgraded).
func (h *testAPI) dialStatus(token string) response {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hdr := http.Header{"Origin": {h.srv.URL}}
	if token != "" {
		hdr.Set("Authorization", "Bearer "+token)
	}
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(h.srv.URL, "http")+"/api/v1/ws", &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		if resp == nil {
			h.t.Fatalf("dial: %v", err)
		}
		return response{status: resp.StatusCode, header: resp.Header}
	}
	conn.Close(websocket.StatusNormalClosure, "")
	return response{status: http.StatusSwitchingProtocols}
}

func TestAuthorizationMatrix(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		w := newAuthzWorld(h)
		rows := matrixRoutes()

		// a new route without a row fails here
		covered := map[string]bool{}
		for _, r := range rows {
			if covered[r.route] {
				t.Errorf("route %q has two rows", r.route)
			}
			covered[r.route] = true
		}
		var missing, extra []string
		for _, r := range h.api.Routes() {
			if !covered[r] {
				missing = append(missing, r)
			}
			delete(covered, r)
		}
		for r := range covered {
			extra = append(extra, r)
		}
		sort.Strings(extra)
		if len(missing) > 0 || len(extra) > 0 {
			t.Fatalf("the matrix does not match the routes:\n  routes without a row: %q\n  rows without a route: %q", missing, extra)
		}

		cells, denied := 0, 0
		for _, r := range rows {
			t.Run(strings.ReplaceAll(r.route, "/", "_"), func(t *testing.T) {
				outer := h.t
				h.t = t
				defer func() { h.t = outer }()
				type planned struct {
					c    cell
					want int
				}
				var refuse, allow []planned
				for _, actor := range matrixActors {
					for _, tgt := range targetsOf(r.kind) {
						c := cell{h: h, w: w, actor: actor, target: tgt, token: h.tokens[actor]}
						want := expected(r, c)
						if want >= 400 {
							refuse = append(refuse, planned{c, want})
						} else {
							allow = append(allow, planned{c, want})
						}
					}
				}
				cells += len(refuse) + len(allow)
				denied += len(refuse)

				// Refused calls aim at the stable targets and, together, must not change one row.
				unsafe := !strings.HasPrefix(r.route, "GET ")
				var before dbSnapshot
				if unsafe {
					before = h.snapshot()
				}
				for _, p := range refuse {
					c := p.c
					w.resolve(r, &c, false)
					got := c.call(r)
					if got.status != p.want {
						t.Errorf("%s on %s target: got %s, want %d", c.actor, c.target, got, p.want)
					} else if r.run == nil {
						assertErrorEnvelope(t, got, c.actor+" on "+c.target)
					}
				}
				if unsafe {
					if d := before.diff(h.snapshot()); len(d) > 0 {
						t.Errorf("refused calls changed the database:\n  %s", strings.Join(d, "\n  "))
					}
				}

				// Allowed calls get fresh targets when they change them, and must change what they say.
				tables := strings.Split(r.writes, ",")
				for _, p := range allow {
					c := p.c
					w.resolve(r, &c, r.fresh)
					if r.prep != nil {
						r.prep(&c)
					}
					var snap dbSnapshot
					if r.writes != "" {
						snap = h.snapshotTables(tables...)
					}
					got := c.call(r)
					if got.status != p.want {
						t.Errorf("%s on %s target: got %s, want %d", c.actor, c.target, got, p.want)
					} else if r.writes != "" && len(snap.diff(h.snapshotTables(tables...))) == 0 {
						t.Errorf("%s on %s target: answered %d but changed nothing in %s", c.actor, c.target, got.status, r.writes)
					}
					if r.fresh {
						w.drop(r, c) // keep the database small: snapshots read all of it
					}
				}
			})
		}
		t.Logf("%s: %d routes × callers × targets = %d cells, %d of them refused", engine, len(rows), cells, denied)
	})
}

// TestListsShowOnlyVisible checks that lists, counters, search, contact
// history and attachments filter by the same rules as single reads.
func TestListsShowOnlyVisible(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		w := newAuthzWorld(h)
		all := []string{tgtVendas, tgtFin, tgtMineC, tgtWS2}
		for _, actor := range matrixActors[:6] {
			var want []int64
			for _, tgt := range all {
				if convVisible[actor][tgt] {
					want = append(want, w.conv[tgt].ID)
				}
			}
			slices.Sort(want)

			var page struct {
				Items []struct {
					ID int64 `json:"id"`
				} `json:"items"`
			}
			h.must(200, actor, "GET", "/api/v1/conversations?view=all&limit=200", nil).into(t, &page)
			var got []int64
			for _, it := range page.Items {
				got = append(got, it.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s lists %v, want %v", actor, got, want)
			}

			var hits struct {
				Items []struct {
					ConversationID int64 `json:"conversation_id"`
				} `json:"items"`
			}
			h.must(200, actor, "GET", "/api/v1/search/messages?q=ajuda", nil).into(t, &hits)
			got = got[:0]
			for _, it := range hits.Items {
				got = append(got, it.ConversationID)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s search finds conversations %v, want %v", actor, got, want)
			}

			var counters struct {
				All        int64 `json:"all"`
				Unassigned int64 `json:"unassigned"`
				Mine       int64 `json:"mine"`
			}
			h.must(200, actor, "GET", "/api/v1/conversations/counters", nil).into(t, &counters)
			if counters.All != int64(len(want)) {
				t.Errorf("%s counters.all = %d, want %d", actor, counters.All, len(want))
			}

			// the history of each target's contact shows only what the actor may see
			for _, tgt := range all {
				if actorWS(actor) != map[bool]string{true: tgtWS2obj, false: tgtWS1}[tgt == tgtWS2] {
					continue
				}
				var hist struct {
					Items []struct {
						ID int64 `json:"id"`
					} `json:"items"`
				}
				h.must(200, actor, "GET", fmt.Sprintf("/api/v1/contacts/%d/conversations", w.conv[tgt].ContactID), nil).into(t, &hist)
				if n := len(hist.Items); (n == 1) != convVisible[actor][tgt] {
					t.Errorf("%s sees %d conversations in the history of the %s contact, want visible=%v", actor, n, tgt, convVisible[actor][tgt])
				}
			}
		}
	})
}

// TestChannelTokensAreScoped: a channel token reports statuses only for
// its own channel's messages and cannot be used as a user token.
func TestChannelTokensAreScoped(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		ref := h.newConv(tgtVendas, stQueued)
		reply := h.must(201, actAdmin, "POST", fmt.Sprintf("/api/v1/conversations/%d/messages", ref.ID), map[string]any{"kind": "reply", "content": "oi"}).json()
		msgID := int64(reply["id"].(float64))
		before := h.snapshot()
		for _, c := range []struct {
			name, token string
			body        any
			want        int
		}{
			{"other workspace's channel", h.fix.Channel2Token, map[string]any{"message_id": msgID, "status": "read"}, 404},
			{"inbound message", h.fix.ChannelToken, map[string]any{"message_id": ref.MessageID, "status": "read"}, 404},
			{"user token", h.tokens[actAdmin], map[string]any{"message_id": msgID, "status": "read"}, 401},
			{"unknown channel token", "atc_unknown", map[string]any{"message_id": msgID, "status": "read"}, 401},
		} {
			r := h.do("POST", "/api/v1/channels/api/statuses", c.token, c.body)
			if r.status != c.want {
				t.Errorf("%s: got %s, want %d", c.name, r, c.want)
			}
			assertErrorEnvelope(t, r, c.name)
		}
		if r := h.do("GET", "/api/v1/me", h.fix.ChannelToken, nil); r.status != 401 {
			t.Errorf("channel token as user token: got %s, want 401", r)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("refused status reports changed the database: %v", d)
		}
		// the right channel may report it
		if r := h.do("POST", "/api/v1/channels/api/statuses", h.fix.ChannelToken, map[string]any{"message_id": msgID, "status": "read"}); r.status != 204 {
			t.Fatalf("own channel status: %s", r)
		}
		if m := h.message(h.fix.WS.ID, msgID); m.Status != store.DeliveryRead {
			t.Errorf("status %q, want read", m.Status)
		}
	})
}
