// Package httpapi is the HTTP transport: the REST API under /api/v1, the
// realtime WebSocket, inbound channel endpoints and operations endpoints.
// Handlers decode, call a domain service or the store, and answer; the rules
// live in the domain packages and visibility in the store's queries.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/medialink"
	"github.com/atende/atende/internal/realtime"
	"github.com/atende/atende/internal/secrets"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/webhook"
	"github.com/atende/atende/internal/widget"
)

// Deps are what the HTTP layer needs, built once by the composition root.
type Deps struct {
	DB            *store.DB
	Conversations *conversation.Service
	Bus           events.Bus
	Hub           *realtime.Hub
	// WidgetHub pushes website visitors their conversations' events; nil
	// serves the widget without live updates.
	WidgetHub *widget.Hub
	Blobs     *blob.Store
	// Secrets seals channel credentials before they are stored.
	Secrets *secrets.Box
	// Providers reaches the messaging providers' APIs (Telegram…); one
	// with the public endpoints and Secrets when nil.
	Providers *providers.Settings
	// BaseURL is the server's public URL, the start of the webhook URLs
	// given to providers; the request's host when empty.
	BaseURL string
	// MediaLinks checks the signed links of GET /media/{token}, under which
	// providers fetch outbound media; nil serves none.
	MediaLinks *medialink.Signer
	Jobs       *jobs.Runner
	Log        *slog.Logger
	// Webhooks keeps outbound webhook subscriptions and their delivery
	// log; nil builds one that refuses private addresses.
	Webhooks *webhook.Service
	// CookieSecure sets the Secure flag on the session cookie.
	CookieSecure bool
	// SetupToken, when set, lets the first admin be created over HTTP once.
	SetupToken string
	// Registry receives the server's metrics; nil for a private one.
	Registry *prometheus.Registry
	// TrustedProxies are reverse proxies whose X-Forwarded-For names the
	// client address rate limits count.
	TrustedProxies []netip.Prefix
	// WidgetSessionsPerIP bounds new widget visitor sessions per address
	// per 10 minutes; 0 means DefaultWidgetSessionsPerIP.
	WidgetSessionsPerIP int
	// WidgetFiles are the website widget's built files (widget.js,
	// frame.html, assets/); nil when the widget was not built.
	WidgetFiles fs.FS
	// UI serves the web app for paths outside the API; nil for none.
	UI http.Handler
}

// Server is the HTTP API.
type Server struct {
	Deps
	log      *slog.Logger
	mux      *http.ServeMux
	loginIP  *auth.Limiter
	loginKey *auth.Limiter
	metrics  *metrics

	setupMu      sync.Mutex
	tokenTouched sync.Map // token hash → time.Time of the last recorded use
	// routeList is per server: a package-level list raced when two servers
	// were built at once (parallel tests).
	routeList []string
	// widgetLimits bound what website visitors may do (per node).
	widgetLimits widgetLimits
	// templates runs WhatsApp channels' template syncs, one per channel.
	templates templateSyncs
}

// New builds the server and its routes.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Providers == nil {
		d.Providers = &providers.Settings{Secrets: d.Secrets}
	}
	if d.Webhooks == nil {
		var n webhook.Notifier
		if d.Jobs != nil {
			n = d.Jobs
		}
		d.Webhooks = webhook.New(d.DB, d.Secrets, nil, n, d.Log)
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	s := &Server{Deps: d, log: d.Log, mux: http.NewServeMux(),
		loginIP:  auth.NewLimiter(30, 5*time.Minute),
		loginKey: auth.NewLimiter(10, 5*time.Minute), widgetLimits: newWidgetLimits(d.WidgetSessionsPerIP)}
	s.metrics = newMetrics(d.Registry, s)
	s.routes()
	if d.Hub != nil {
		d.Hub.OnTyping = s.onTyping
		d.Hub.OnConnect = func(v access.Viewer) { s.presenceOnConnect(v, true) }
		d.Hub.OnDisconnect = func(v access.Viewer) { s.presenceOnConnect(v, false) }
	}
	if d.WidgetHub != nil {
		d.WidgetHub.Frame = s.widgetFrame
		d.WidgetHub.OnTyping = func(v widget.Visitor) { s.visitorTyping(s.baseCtx(), v) }
	}
	return s
}

// ServeHTTP makes Server an http.Handler, with request metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.metrics.serve(s.mux, w, r)
}

// h adapts a handler that returns an error.
func (s *Server) h(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// Route lists every API route as "METHOD /path" (the OpenAPI test checks them).
func (s *Server) Routes() []string { return slices.Clone(s.routeList) }

func (s *Server) handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
	s.routeList = appendUnique(s.routeList, pattern)
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

func (s *Server) routes() {
	// operations
	s.handle("GET /healthz", s.h(s.healthz))
	s.handle("GET /readyz", s.h(s.readyz))
	s.handle("GET /metrics", s.metrics.handler())
	s.handle("GET /api/v1/openapi.json", http.HandlerFunc(serveOpenAPI))

	// sessions and setup
	s.handle("POST /api/v1/auth/login", s.h(s.login))
	s.handle("POST /api/v1/auth/logout", s.h(s.logout))
	s.handle("GET /api/v1/setup", s.h(s.setupStatus))
	s.handle("POST /api/v1/setup", s.h(s.setup))
	s.handle("GET /setup", s.h(s.setupForm))

	// inbound channel traffic, authenticated by the channel's token
	s.handle("POST /api/v1/channels/api/messages", s.h(s.apiInbound))
	s.handle("POST /api/v1/channels/api/statuses", s.h(s.apiStatus))
	// provider webhooks, authenticated by the provider's secret or signature
	s.handle("POST /api/v1/webhooks/telegram/{key}", s.h(s.telegramWebhook))
	s.handle("GET /api/v1/webhooks/whatsapp/{key}", s.h(s.whatsappVerify))
	s.handle("POST /api/v1/webhooks/whatsapp/{key}", s.h(s.whatsappWebhook))
	s.handle("GET /api/v1/webhooks/meta/{key}", s.h(s.metaVerify))
	s.handle("POST /api/v1/webhooks/meta/{key}", s.h(s.metaWebhook))
	s.handle("POST /api/v1/webhooks/sms/{key}", s.h(s.smsWebhook))
	s.handle("POST /api/v1/webhooks/sms/{key}/status", s.h(s.smsStatusWebhook))
	s.handle("GET /media/{token}", s.h(s.publicMedia)) // signed link, for providers fetching outbound media

	// the website widget's visitors, authenticated by their session token
	s.handle("GET /api/v1/widget/{key}/config", s.h(s.widgetConfig))
	s.handle("POST /api/v1/widget/{key}/sessions", s.h(s.widgetSession))
	s.handle("GET /api/v1/widget/{key}/conversation", s.h(s.widgetConversation))
	s.handle("POST /api/v1/widget/{key}/messages", s.h(s.widgetMessage))
	s.handle("POST /api/v1/widget/{key}/attachments", s.h(s.widgetUpload))
	s.handle("GET /api/v1/widget/{key}/attachments/{id}", s.h(s.widgetAttachment))
	s.handle("POST /api/v1/widget/{key}/typing", s.h(s.widgetTyping))
	s.handle("POST /api/v1/widget/{key}/read", s.h(s.widgetRead))
	s.handle("POST /api/v1/widget/{key}/offline", s.h(s.widgetOffline))
	s.handle("POST /api/v1/widget/{key}/rating", s.h(s.widgetRating))
	s.handle("GET /api/v1/widget/{key}/ws", s.h(s.widgetSocket))
	s.handle("GET /widget.js", s.h(s.widgetLoader))
	s.handle("GET /widget/frame.html", s.h(s.widgetFrameHTML))
	s.handle("GET /widget/assets/{file}", s.h(s.widgetAsset))

	// the signed-in user
	s.handle("GET /api/v1/me", s.user(s.me))
	s.handle("PUT /api/v1/me/presence", s.user(s.setPresence))
	s.handle("PUT /api/v1/me/password", s.user(s.changePassword))
	s.handle("GET /api/v1/tokens", s.user(s.listTokens))
	s.handle("POST /api/v1/tokens", s.user(s.createToken))
	s.handle("DELETE /api/v1/tokens/{id}", s.user(s.deleteToken))
	s.handle("GET /api/v1/ws", s.user(s.websocket))

	// workspace configuration
	s.handle("GET /api/v1/workspace", s.user(s.getWorkspace))
	s.handle("PATCH /api/v1/workspace", s.admin(s.patchWorkspace))
	s.handle("GET /api/v1/users", s.user(s.listUsers))
	s.handle("POST /api/v1/users", s.admin(s.createUser))
	s.handle("GET /api/v1/users/{id}", s.user(s.getUser))
	s.handle("PATCH /api/v1/users/{id}", s.admin(s.patchUser))
	s.handle("DELETE /api/v1/users/{id}", s.admin(s.deleteUser))
	s.handle("GET /api/v1/departments", s.user(s.listDepartments))
	s.handle("POST /api/v1/departments", s.admin(s.createDepartment))
	s.handle("GET /api/v1/departments/{id}", s.user(s.getDepartment))
	s.handle("PATCH /api/v1/departments/{id}", s.admin(s.patchDepartment))
	s.handle("DELETE /api/v1/departments/{id}", s.admin(s.deleteDepartment))
	s.handle("PUT /api/v1/departments/{id}/members", s.admin(s.setDepartmentMembers))
	s.handle("GET /api/v1/departments/{id}/business-hours", s.user(s.getDepartmentHours))
	s.handle("PUT /api/v1/departments/{id}/business-hours", s.admin(s.putDepartmentHours))
	s.handle("DELETE /api/v1/departments/{id}/business-hours", s.admin(s.deleteDepartmentHours))
	s.handle("GET /api/v1/departments/{id}/assignment", s.user(s.getAssignment))
	s.handle("PUT /api/v1/departments/{id}/assignment", s.admin(s.putAssignment))
	s.handle("GET /api/v1/business-hours", s.user(s.getBusinessHours))
	s.handle("PUT /api/v1/business-hours", s.admin(s.putBusinessHours))
	s.handle("GET /api/v1/automation/messages", s.user(s.getAutomationMessages))
	s.handle("PUT /api/v1/automation/messages", s.admin(s.putAutomationMessages))
	s.handle("GET /api/v1/departments/{id}/automation-messages", s.user(s.getDepartmentMessages))
	s.handle("PUT /api/v1/departments/{id}/automation-messages", s.admin(s.putDepartmentMessages))
	s.handle("DELETE /api/v1/departments/{id}/automation-messages", s.admin(s.deleteDepartmentMessages))
	s.handle("GET /api/v1/labels", s.user(s.listLabels))
	s.handle("POST /api/v1/labels", s.manager(s.createLabel))
	s.handle("PATCH /api/v1/labels/{id}", s.manager(s.patchLabel))
	s.handle("DELETE /api/v1/labels/{id}", s.manager(s.deleteIn(store.Q.DeleteLabel)))
	s.handle("GET /api/v1/quick-replies", s.user(s.listQuickReplies))
	s.handle("POST /api/v1/quick-replies", s.manager(s.createQuickReply))
	s.handle("PATCH /api/v1/quick-replies/{id}", s.manager(s.patchQuickReply))
	s.handle("DELETE /api/v1/quick-replies/{id}", s.manager(s.deleteIn(store.Q.DeleteQuickReply)))
	s.handle("GET /api/v1/closing-reasons", s.user(s.listClosingReasons))
	s.handle("POST /api/v1/closing-reasons", s.admin(s.createClosingReason))
	s.handle("PATCH /api/v1/closing-reasons/{id}", s.admin(s.patchClosingReason))
	s.handle("DELETE /api/v1/closing-reasons/{id}", s.admin(s.deleteIn(store.Q.DeleteClosingReason)))
	s.handle("GET /api/v1/channels", s.user(s.listChannels))
	s.handle("POST /api/v1/channels", s.admin(s.createChannel))
	s.handle("GET /api/v1/channels/{id}", s.admin(s.getChannel))
	s.handle("PATCH /api/v1/channels/{id}", s.admin(s.patchChannel))
	s.handle("DELETE /api/v1/channels/{id}", s.admin(s.deleteChannel))
	s.handle("POST /api/v1/channels/{id}/rotate-token", s.admin(s.rotateChannelToken))
	s.handle("POST /api/v1/channels/{id}/test", s.admin(s.testChannel))
	s.handle("GET /api/v1/channels/{id}/templates", s.user(s.listTemplates))
	s.handle("POST /api/v1/channels/{id}/templates/sync", s.admin(s.syncChannelTemplates))
	s.handle("GET /api/v1/webhook-subscriptions", s.admin(s.listWebhooks))
	s.handle("POST /api/v1/webhook-subscriptions", s.admin(s.createWebhook))
	s.handle("GET /api/v1/webhook-subscriptions/{id}", s.admin(s.getWebhook))
	s.handle("PATCH /api/v1/webhook-subscriptions/{id}", s.admin(s.patchWebhook))
	s.handle("DELETE /api/v1/webhook-subscriptions/{id}", s.admin(s.deleteWebhook))
	s.handle("POST /api/v1/webhook-subscriptions/{id}/rotate-secret", s.admin(s.rotateWebhookSecret))
	s.handle("POST /api/v1/webhook-subscriptions/{id}/test", s.admin(s.testWebhook))
	s.handle("GET /api/v1/webhook-subscriptions/{id}/deliveries", s.admin(s.listWebhookDeliveries))
	s.handle("POST /api/v1/webhook-subscriptions/{id}/deliveries/{deliveryID}/resend", s.admin(s.resendWebhookDelivery))
	s.handle("GET /api/v1/routing-rules", s.user(s.listRoutingRules))
	s.handle("POST /api/v1/routing-rules", s.admin(s.createRoutingRule))
	s.handle("PUT /api/v1/routing-rules/order", s.admin(s.orderRoutingRules))
	s.handle("GET /api/v1/routing-rules/{id}", s.user(s.getRoutingRule))
	s.handle("PATCH /api/v1/routing-rules/{id}", s.admin(s.patchRoutingRule))
	s.handle("DELETE /api/v1/routing-rules/{id}", s.admin(s.deleteRoutingRule))
	s.handle("GET /api/v1/automation-rules", s.user(s.listAutomationRules))
	s.handle("POST /api/v1/automation-rules", s.admin(s.createAutomationRule))
	s.handle("GET /api/v1/automation-rules/{id}", s.user(s.getAutomationRule))
	s.handle("PATCH /api/v1/automation-rules/{id}", s.admin(s.patchAutomationRule))
	s.handle("DELETE /api/v1/automation-rules/{id}", s.admin(s.deleteAutomationRule))
	s.handle("GET /api/v1/bots", s.user(s.listBots))
	s.handle("POST /api/v1/bots", s.admin(s.createBot))
	s.handle("GET /api/v1/bots/{id}", s.user(s.getBot))
	s.handle("PATCH /api/v1/bots/{id}", s.admin(s.patchBot))
	s.handle("DELETE /api/v1/bots/{id}", s.admin(s.deleteBot))
	s.handle("POST /api/v1/bots/{id}/test", s.manager(s.testBot))
	s.handle("GET /api/v1/bot/conversations/{id}", s.agentBot(s.botGetConversation))
	s.handle("GET /api/v1/bot/conversations/{id}/messages", s.agentBot(s.botListMessages))
	s.handle("POST /api/v1/bot/conversations/{id}/messages", s.agentBot(s.botSend))
	s.handle("POST /api/v1/bot/conversations/{id}/handoff", s.agentBot(s.botHandOff))
	s.handle("POST /api/v1/bot/conversations/{id}/transfer", s.agentBot(s.botTransfer))
	s.handle("POST /api/v1/bot/conversations/{id}/resolve", s.agentBot(s.botResolve))

	// contacts
	s.handle("GET /api/v1/contacts", s.user(s.listContacts))
	s.handle("POST /api/v1/contacts", s.user(s.createContact))
	s.handle("GET /api/v1/contacts/{id}", s.user(s.getContact))
	s.handle("PATCH /api/v1/contacts/{id}", s.user(s.patchContact))
	s.handle("DELETE /api/v1/contacts/{id}", s.manager(s.deleteContact))
	s.handle("PUT /api/v1/contacts/{id}/labels/{labelID}", s.user(s.contactLabel(true)))
	s.handle("DELETE /api/v1/contacts/{id}/labels/{labelID}", s.user(s.contactLabel(false)))
	s.handle("GET /api/v1/contacts/{id}/conversations", s.user(s.contactConversations))

	// conversations and messages
	s.handle("GET /api/v1/conversations", s.user(s.listConversations))
	s.handle("POST /api/v1/conversations", s.user(s.createConversation))
	s.handle("GET /api/v1/conversations/counters", s.user(s.counters))
	s.handle("GET /api/v1/conversations/{id}", s.user(s.getConversation))
	s.handle("PATCH /api/v1/conversations/{id}", s.user(s.patchConversation))
	s.handle("GET /api/v1/conversations/{id}/messages", s.user(s.listMessages))
	s.handle("POST /api/v1/conversations/{id}/messages", s.user(s.sendMessage))
	s.handle("GET /api/v1/conversations/{id}/export.csv", s.user(s.exportConversation))
	s.handle("POST /api/v1/conversations/{id}/assign", s.user(s.assign))
	s.handle("POST /api/v1/conversations/{id}/transfer", s.user(s.transfer))
	s.handle("POST /api/v1/conversations/{id}/return", s.user(s.returnToQueue))
	s.handle("POST /api/v1/conversations/{id}/snooze", s.user(s.snooze))
	s.handle("POST /api/v1/conversations/{id}/unsnooze", s.user(s.unsnooze))
	s.handle("POST /api/v1/conversations/{id}/resolve", s.user(s.resolve))
	s.handle("POST /api/v1/conversations/{id}/reopen", s.user(s.reopen))
	s.handle("PUT /api/v1/conversations/{id}/labels/{labelID}", s.user(s.conversationLabel(true)))
	s.handle("DELETE /api/v1/conversations/{id}/labels/{labelID}", s.user(s.conversationLabel(false)))
	s.handle("PUT /api/v1/conversations/{id}/star", s.user(s.star(true)))
	s.handle("DELETE /api/v1/conversations/{id}/star", s.user(s.star(false)))
	s.handle("PUT /api/v1/conversations/{id}/read", s.user(s.markRead))
	s.handle("POST /api/v1/conversations/{id}/typing", s.user(s.typing))
	s.handle("PUT /api/v1/messages/{id}/labels/{labelID}", s.user(s.messageLabel(true)))
	s.handle("DELETE /api/v1/messages/{id}/labels/{labelID}", s.user(s.messageLabel(false)))
	s.handle("GET /api/v1/search/messages", s.user(s.searchMessages))
	s.handle("POST /api/v1/attachments", s.user(s.uploadAttachment))
	s.handle("GET /api/v1/attachments/{id}", s.user(s.getAttachment))

	// help centre: written by managers, read by every user, and public
	s.handle("GET /api/v1/help/categories", s.user(s.listHelpCategories))
	s.handle("POST /api/v1/help/categories", s.manager(s.createHelpCategory))
	s.handle("GET /api/v1/help/categories/{id}", s.user(s.getHelpCategory))
	s.handle("PATCH /api/v1/help/categories/{id}", s.manager(s.patchHelpCategory))
	s.handle("DELETE /api/v1/help/categories/{id}", s.manager(s.deleteIn(store.Q.DeleteHelpCategory)))
	s.handle("GET /api/v1/help/articles", s.user(s.listHelpArticles))
	s.handle("POST /api/v1/help/articles", s.manager(s.createHelpArticle))
	s.handle("GET /api/v1/help/articles/{id}", s.user(s.getHelpArticle))
	s.handle("PATCH /api/v1/help/articles/{id}", s.manager(s.patchHelpArticle))
	s.handle("DELETE /api/v1/help/articles/{id}", s.manager(s.deleteIn(store.Q.DeleteHelpArticle)))
	s.handle("GET /api/v1/public/help/{workspace}/search", s.h(s.helpSearchJSON))
	s.handle("GET /help/{workspace}", s.h(s.helpIndex))
	s.handle("GET /help/{workspace}/{slug}", s.h(s.helpArticlePage))

	s.mux.Handle("/api/", s.h(func(w http.ResponseWriter, r *http.Request) error { return errNotFound() }))
	if s.UI != nil {
		s.mux.Handle("/", s.UI)
	} else {
		s.mux.Handle("/", s.h(s.root))
	}
}

// WithoutCancel is a small alias kept for readability in background publishes.
func detached(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }
