package httpapi

// The website chat widget's visitor API (DESIGN M5, issue 5): everything
// under /api/v1/widget/{key}, used by the widget's frame (served by Atende
// itself, so same-origin) on behalf of an anonymous or site-identified
// visitor, and the agent-side creation of widget channels.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/mail"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/widget"
)

// Visitor abuse limits, per node (see auth.Limiter).
const (
	// DefaultWidgetSessionsPerIP bounds new sessions per address per 10
	// minutes: generous, since a mobile carrier's NAT puts many visitors
	// behind one address.
	DefaultWidgetSessionsPerIP = 300
	widgetMessagesPerVisit     = 20 // messages per visitor per minute
	maxWidgetMessage           = 5000
)

// widgetLimits are the visitor API's rate limiters.
type widgetLimits struct {
	sessions *auth.Limiter // key: IP
	messages *auth.Limiter // key: session id
	ip       *auth.Limiter // key: IP, every write
}

func newWidgetLimits(sessionsPerIP int) widgetLimits {
	if sessionsPerIP <= 0 {
		sessionsPerIP = DefaultWidgetSessionsPerIP
	}
	return widgetLimits{
		sessions: auth.NewLimiter(sessionsPerIP, 10*time.Minute),
		messages: auth.NewLimiter(widgetMessagesPerVisit, time.Minute),
		// the visitors behind one address, each well within its own limit
		ip: auth.NewLimiter(2*sessionsPerIP, time.Minute),
	}
}

func rateLimited(w http.ResponseWriter, wait time.Duration, what string) error {
	w.Header().Set("Retry-After", strconv.FormatInt(int64(wait/time.Second)+1, 10))
	return &apiError{http.StatusTooManyRequests, "rate_limited", "too many " + what + "; wait a little and try again"}
}

// allowWrite applies the per-IP limit of visitor writes.
func (s *Server) allowWrite(w http.ResponseWriter, r *http.Request) error {
	if ok, wait := s.widgetLimits.ip.Allow(s.clientIP(r)); !ok {
		return rateLimited(w, wait, "requests")
	}
	return nil
}

// widgetChannel reads the widget channel named by the path's key and its
// settings; an unknown key is 404.
func (s *Server) widgetChannel(r *http.Request) (store.Channel, widget.Config, error) {
	var cfg widget.Config
	key := r.PathValue("key")
	if key == "" || len(key) > 64 {
		return store.Channel{}, cfg, errNotFound()
	}
	ch, err := s.DB.R().ChannelByWebhookKey(r.Context(), widget.Kind, key)
	if errors.Is(err, store.ErrNotFound) {
		return ch, cfg, errNotFound()
	} else if err != nil {
		return ch, cfg, err
	}
	if err := s.Providers.OpenConfig(ch, &cfg); err != nil {
		return ch, cfg, err
	}
	return ch, cfg, nil
}

// visitorToken reads the visitor's bearer token (or ?token= for the
// WebSocket, which browsers cannot give headers).
func visitorToken(r *http.Request) string {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return t
	}
	if r.Method == http.MethodGet && r.URL.Path == "/api/v1/widget/"+r.PathValue("key")+"/ws" {
		return r.URL.Query().Get("token")
	}
	return ""
}

// widgetVisitor authenticates the visitor of a widget channel.
func (s *Server) widgetVisitor(r *http.Request) (store.Channel, widget.Config, store.WidgetSession, error) {
	ch, cfg, err := s.widgetChannel(r)
	if err != nil {
		return ch, cfg, store.WidgetSession{}, err
	}
	token := visitorToken(r)
	if !strings.HasPrefix(token, auth.PrefixVisitor) {
		return ch, cfg, store.WidgetSession{}, &apiError{http.StatusUnauthorized, "unauthenticated", "start a visitor session first (POST /sessions)"}
	}
	sess, err := s.DB.R().WidgetSessionByToken(r.Context(), ch.ID, auth.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return ch, cfg, sess, &apiError{http.StatusUnauthorized, "unauthenticated", "unknown or expired visitor session"}
	}
	if err == nil && time.Since(time.UnixMilli(sess.SeenAt)) > time.Minute {
		_ = s.DB.W().TouchWidgetSession(r.Context(), sess.ID)
	}
	return ch, cfg, sess, err
}

type widgetConfigView struct {
	Name           string              `json:"name"`
	Color          string              `json:"color"`
	Position       string              `json:"position"`
	Greeting       string              `json:"greeting"`
	Language       string              `json:"language"`
	Prechat        widgetPrechatView   `json:"prechat"`
	Online         bool                `json:"online"`
	OfflineMessage string              `json:"offline_message"`
	Help           widgetHelpView      `json:"help"`
	Identity       widgetIdentityRules `json:"identity"`
}

type widgetPrechatView struct {
	Enabled     bool             `json:"enabled"`
	Fields      []widget.Field   `json:"fields"`
	Departments []widgetDeptView `json:"departments"`
}

type widgetDeptView struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type widgetHelpView struct {
	Enabled   bool   `json:"enabled"`
	Workspace string `json:"workspace"`
}

type widgetIdentityRules struct {
	Required bool `json:"required"`
}

// widgetConfig answers GET /widget/{key}/config: what the frame needs to
// draw itself, in the visitor's language.
func (s *Server) widgetConfig(w http.ResponseWriter, r *http.Request) error {
	ch, cfg, err := s.widgetChannel(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := s.DB.R()
	ws, err := q.Workspace(ctx, ch.WorkspaceID)
	if err != nil {
		return err
	}
	lang := cfg.ResolveLanguage(firstNonEmpty(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language")))
	online, err := s.widgetOnline(ctx, ch)
	if err != nil {
		return err
	}
	v := widgetConfigView{Name: ch.Name, Color: cfg.Color, Position: cfg.Position, Greeting: cfg.Greeting(lang), Language: lang,
		Online: online, OfflineMessage: cfg.OfflineMessage(lang), Identity: widgetIdentityRules{Required: cfg.RequireIdentity},
		Prechat: widgetPrechatView{Enabled: cfg.PrechatEnabled, Fields: cfg.PrechatFields, Departments: []widgetDeptView{}}}
	if v.Prechat.Fields == nil {
		v.Prechat.Fields = []widget.Field{}
	}
	if len(cfg.PrechatDepartmentIDs) > 0 {
		depts, err := q.Departments(ctx, ch.WorkspaceID)
		if err != nil {
			return err
		}
		for _, id := range cfg.PrechatDepartmentIDs {
			for _, d := range depts {
				if d.ID == id {
					v.Prechat.Departments = append(v.Prechat.Departments, widgetDeptView{ID: d.ID, Name: d.Name})
				}
			}
		}
	}
	help, err := q.HasPublishedHelp(ctx, ch.WorkspaceID)
	if err != nil {
		return err
	}
	v.Help = widgetHelpView{Enabled: help, Workspace: ws.Slug}
	w.Header().Set("Vary", "Accept-Language")
	writeJSON(w, http.StatusOK, v)
	return nil
}

// widgetOnline reports whether someone can answer the widget's chats now:
// within the business hours of its department (or the workspace) and with
// an online agent of that department (any online user when it has none).
func (s *Server) widgetOnline(ctx context.Context, ch store.Channel) (bool, error) {
	var dept int64
	if ch.DepartmentID != nil {
		dept = *ch.DepartmentID
	}
	if open, err := s.Conversations.OpenNow(ctx, ch.WorkspaceID, dept); err != nil || !open {
		return false, err
	}
	n, err := s.DB.R().AgentsOnline(ctx, ch.WorkspaceID, dept)
	return n > 0, err
}

type widgetSessionRequest struct {
	Token    string `json:"token"`
	UserID   string `json:"user_id"`
	UserHash string `json:"user_hash"`
	Name     string `json:"name"`
	Email    string `json:"email"`
}

type widgetSessionView struct {
	Token      string             `json:"token"`
	Visitor    widgetVisitorFacts `json:"visitor"`
	Identified bool               `json:"identified"`
}

type widgetVisitorFacts struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// widgetSession answers POST /widget/{key}/sessions: the visitor's session,
// kept (200) when the browser still holds a valid one for the same person,
// new (201) otherwise. A site-signed user id makes the visitor that
// customer on every device.
func (s *Server) widgetSession(w http.ResponseWriter, r *http.Request) error {
	ch, cfg, err := s.widgetChannel(r)
	if err != nil {
		return err
	}
	var req widgetSessionRequest
	if err := decode(w, r, &req, 16<<10); err != nil {
		return err
	}
	ctx := r.Context()
	externalID, identified := "", false
	if req.UserID != "" || req.UserHash != "" {
		if !widget.VerifyUser(cfg.IdentitySecret, req.UserID, req.UserHash) {
			return &apiError{http.StatusUnauthorized, "identity_invalid", "user_hash does not match user_id: sign the user id with the widget's identity secret (HMAC-SHA256, hex)"}
		}
		externalID, identified = "user:"+req.UserID, true
	} else if cfg.RequireIdentity {
		return &apiError{http.StatusUnauthorized, "identity_required", "this widget talks only to customers the site has identified"}
	}
	name, email, _, err := visitorFacts(req.Name, req.Email, "")
	if err != nil {
		return err
	}
	if req.Token != "" {
		sess, err := s.DB.R().WidgetSessionByToken(ctx, ch.ID, auth.HashToken(req.Token))
		if err == nil && (!identified || sess.ExternalID == externalID) {
			writeJSON(w, http.StatusOK, widgetSessionView{Token: req.Token, Identified: sess.Identified,
				Visitor: widgetVisitorFacts{Name: sess.Name, Email: sess.Email, Phone: sess.Phone}})
			return nil
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if ok, wait := s.widgetLimits.sessions.Allow(s.clientIP(r)); !ok {
		return rateLimited(w, wait, "new chat sessions from this address")
	}
	if !identified {
		externalID = "visitor:" + providers.NewWebhookKey()
	}
	token, hash := auth.NewToken(auth.PrefixVisitor)
	sess, err := s.DB.W().CreateWidgetSession(ctx, store.WidgetSession{WorkspaceID: ch.WorkspaceID, ChannelID: ch.ID, ExternalID: externalID,
		Name: name, Email: email, Identified: identified}, hash)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, widgetSessionView{Token: token, Identified: identified,
		Visitor: widgetVisitorFacts{Name: sess.Name, Email: sess.Email, Phone: sess.Phone}})
	return nil
}

// visitorFacts checks what a visitor says about themselves.
func visitorFacts(name, email, phone string) (string, string, string, error) {
	name, email, phone = strings.TrimSpace(name), strings.TrimSpace(email), strings.TrimSpace(phone)
	if utf8.RuneCountInString(name) > 200 || !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\n\r") {
		return "", "", "", errValidation("name has at most 200 characters on one line")
	}
	if email != "" {
		a, err := mail.ParseAddress(email)
		if err != nil || a.Address != email || len(email) > 254 {
			return "", "", "", errValidation("email is not an e-mail address")
		}
		email = strings.ToLower(email)
	}
	if phone != "" {
		digits, ok := waPhone(phone)
		if !ok {
			return "", "", "", errValidation("phone must be a number with its area code, 8 to 15 digits")
		}
		phone = "+" + digits
	}
	return name, email, phone, nil
}

// widgetConversationView is GET /widget/{key}/conversation.
type widgetConversationView struct {
	Conversation *widget.ConversationView `json:"conversation"`
	Agent        *widget.AgentView        `json:"agent"`
	Messages     []widget.Message         `json:"messages"`
}

func (s *Server) attachmentPath(key string) string { return "/api/v1/widget/" + key + "/attachments/" }

// agentNames reads agents' names for the visitor's view of messages.
func (s *Server) agentNames(ctx context.Context, ws int64) func(int64) string {
	cache := map[int64]string{}
	return func(id int64) string {
		if n, ok := cache[id]; ok {
			return n
		}
		u, err := s.DB.R().User(ctx, ws, id)
		if err != nil {
			return ""
		}
		cache[id] = u.Name
		return u.Name
	}
}

func (s *Server) widgetConversation(w http.ResponseWriter, r *http.Request) error {
	ch, _, sess, err := s.widgetVisitor(r)
	if err != nil {
		return err
	}
	out := widgetConversationView{Messages: []widget.Message{}}
	if sess.ContactID == 0 {
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	var before int64
	if b := r.URL.Query().Get("before"); b != "" {
		if before, err = strconv.ParseInt(b, 10, 64); err != nil || before <= 0 {
			return errBadRequest("before must be a message id")
		}
	}
	ctx := r.Context()
	q := s.DB.R()
	c, err := q.LatestConversation(ctx, ch.WorkspaceID, sess.ContactID, ch.ID)
	if errors.Is(err, store.ErrNotFound) {
		writeJSON(w, http.StatusOK, out)
		return nil
	} else if err != nil {
		return err
	}
	names := s.agentNames(ctx, ch.WorkspaceID)
	if out.Conversation, err = s.visitorConversation(ctx, c); err != nil {
		return err
	}
	if c.AssigneeID != nil {
		out.Agent = widget.Agent(names(*c.AssigneeID))
	}
	list, err := q.CustomerMessages(ctx, ch.WorkspaceID, sess.ContactID, ch.ID, before, 200)
	if err != nil {
		return err
	}
	key := r.PathValue("key")
	var convIDs []int64
	for _, m := range list {
		if len(convIDs) == 0 || convIDs[len(convIDs)-1] != m.ConversationID {
			convIDs = append(convIDs, m.ConversationID)
		}
	}
	readUpTo, err := q.TeamReadUpTo(ctx, convIDs)
	if err != nil {
		return err
	}
	for _, m := range list {
		out.Messages = append(out.Messages, widget.View(m, names, s.attachmentPath(key), readUpTo[m.ConversationID]))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// visitorConversation is the visitor's view of a conversation's state.
func (s *Server) visitorConversation(ctx context.Context, c store.Conversation) (*widget.ConversationView, error) {
	v := &widget.ConversationView{ID: c.ID, Status: c.Status}
	if c.Status == store.StatusResolved {
		rt, err := s.DB.R().RatingOf(ctx, c.WorkspaceID, c.ID)
		if err == nil {
			v.Rated, v.Rating = true, &widget.RatingView{Score: rt.Score, Comment: rt.Comment}
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return v, nil
}

type widgetPrechat struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	DepartmentID int64  `json:"department_id"`
}

type widgetMessageRequest struct {
	Content       string         `json:"content"`
	AttachmentIDs []int64        `json:"attachment_ids"`
	Prechat       *widgetPrechat `json:"prechat"`
	// ClientID makes a retried send idempotent: the same id twice stores
	// one message.
	ClientID string `json:"client_id"`
}

// widgetMessage answers POST /widget/{key}/messages: the visitor writes.
// The message goes through the same inbound path as every channel's.
func (s *Server) widgetMessage(w http.ResponseWriter, r *http.Request) error {
	ch, cfg, sess, err := s.widgetVisitor(r)
	if err != nil {
		return err
	}
	if err := s.allowWrite(w, r); err != nil {
		return err
	}
	var req widgetMessageRequest
	if err := decode(w, r, &req, 64<<10); err != nil {
		return err
	}
	req.Content = strings.TrimSpace(req.Content)
	if req.Content == "" && len(req.AttachmentIDs) == 0 {
		return errValidation("a message needs content or attachments")
	}
	if utf8.RuneCountInString(req.Content) > maxWidgetMessage || !utf8.ValidString(req.Content) || strings.ContainsRune(req.Content, 0) {
		return errValidation(fmt.Sprintf("a message has at most %d characters", maxWidgetMessage))
	}
	if len(req.AttachmentIDs) > 10 {
		return errValidation("a message has at most 10 attachments")
	}
	if len(req.ClientID) > 64 {
		return errValidation("client_id has at most 64 characters")
	}
	if ok, wait := s.widgetLimits.messages.Allow(strconv.FormatInt(sess.ID, 10)); !ok {
		return rateLimited(w, wait, "messages")
	}
	in, target, err := s.visitorInbound(r, ch, cfg, sess, req.Prechat)
	if err != nil {
		return err
	}
	msg, err := s.receiveVisitor(r, target, sess, in, req.Content, req.AttachmentIDs, req.ClientID)
	if err != nil {
		return err
	}
	names := s.agentNames(r.Context(), ch.WorkspaceID)
	writeJSON(w, http.StatusCreated, widget.View(msg, names, s.attachmentPath(r.PathValue("key")), 0))
	return nil
}

// visitorInbound is the customer side of a visitor's message: who they
// are (their session, plus the pre-chat form on the first message) and
// the channel as routed (a department the visitor chose).
func (s *Server) visitorInbound(r *http.Request, ch store.Channel, cfg widget.Config, sess store.WidgetSession, pre *widgetPrechat) (conversation.Inbound, store.Channel, error) {
	in := conversation.Inbound{ContactExternalID: sess.ExternalID, ContactName: sess.Name, ContactEmail: sess.Email, ContactPhone: sess.Phone}
	target := ch
	if pre != nil {
		name, email, phone, err := visitorFacts(pre.Name, pre.Email, pre.Phone)
		if err != nil {
			return in, target, err
		}
		if sess.ContactID == 0 && cfg.PrechatEnabled {
			for _, f := range cfg.PrechatFields {
				if f.Required && map[string]string{widget.FieldName: name, widget.FieldEmail: email, widget.FieldPhone: phone}[f.Name] == "" {
					return in, target, errValidation(fmt.Sprintf("prechat.%s is required", f.Name))
				}
			}
		}
		if pre.DepartmentID != 0 {
			ok := false
			for _, id := range cfg.PrechatDepartmentIDs {
				ok = ok || id == pre.DepartmentID
			}
			if !ok {
				return in, target, errValidation("prechat.department_id is not a department this widget offers")
			}
			target.DepartmentID = &pre.DepartmentID
		}
		in.ContactName = firstNonEmpty(name, in.ContactName)
		in.ContactEmail = firstNonEmpty(email, in.ContactEmail)
		in.ContactPhone = firstNonEmpty(phone, in.ContactPhone)
	} else if sess.ContactID == 0 && cfg.PrechatEnabled {
		for _, f := range cfg.PrechatFields {
			if f.Required {
				return in, target, errValidation("prechat is required before the first message")
			}
		}
	}
	if in.ContactName == "" {
		in.ContactName = visitorName(cfg.ResolveLanguage(r.Header.Get("Accept-Language")), sess.ExternalID)
	}
	return in, target, nil
}

// visitorName names an anonymous visitor in the inbox ("Visitante 4f2a").
func visitorName(lang, externalID string) string {
	tail := externalID
	if len(tail) > 4 {
		tail = tail[len(tail)-4:]
	}
	if lang == "pt-BR" {
		return "Visitante " + tail
	}
	return "Visitor " + tail
}

// receiveVisitor stores a visitor's message (one per attachment, the text
// with the first) and binds the session to the contact it created.
func (s *Server) receiveVisitor(r *http.Request, ch store.Channel, sess store.WidgetSession, in conversation.Inbound, content string, attachmentIDs []int64, clientID string) (store.Message, error) {
	ctx := r.Context()
	var first store.Message
	parts := max(1, len(attachmentIDs))
	for i := 0; i < parts; i++ {
		msg := in
		if i == 0 {
			msg.Text = content
		}
		if clientID != "" {
			msg.ExternalID = "visitor:" + strconv.FormatInt(sess.ID, 10) + ":" + clientID + ":" + strconv.Itoa(i)
		}
		if len(attachmentIDs) > 0 {
			u, err := s.DB.W().TakeWidgetUpload(ctx, sess.ID, attachmentIDs[i])
			if errors.Is(err, store.ErrNotFound) {
				if i > 0 {
					break // the rest went with an earlier try of the same send
				}
				if clientID != "" {
					if m, err := s.DB.R().MessageByExternalID(ctx, ch.ID, msg.ExternalID); err == nil {
						return m, nil // a retry of a send that was stored
					}
				}
				return first, errValidation(fmt.Sprintf("attachment %d is not an unsent upload of this visitor", attachmentIDs[i]))
			} else if err != nil {
				return first, err
			}
			msg.Attachment = &store.Attachment{Filename: u.Filename, ContentType: u.ContentType, Size: u.Size, SHA256: u.SHA256, StorageKey: u.StorageKey}
		}
		res, err := s.Conversations.Receive(ctx, ch, msg)
		if err != nil {
			return first, err
		}
		if i == 0 {
			first = res.Message
		}
		if sess.ContactID == 0 {
			contactID := res.Conversation.ContactID
			if contactID == 0 {
				contactID = *res.Message.SenderID
			}
			if err := s.DB.W().BindWidgetSession(ctx, sess.ID, contactID, in.ContactName, in.ContactEmail, in.ContactPhone); err != nil {
				return first, err
			}
			sess.ContactID = contactID
			data, _ := json.Marshal(widget.Bound{SessionID: sess.ID, ContactID: contactID})
			if s.Bus != nil {
				_ = s.Bus.Publish(detached(ctx), events.Event{Type: events.WidgetBound, WorkspaceID: ch.WorkspaceID, Data: data})
			}
		}
	}
	return first, nil
}

// widgetUpload answers POST /widget/{key}/attachments: a visitor's file,
// kept until a message sends it.
func (s *Server) widgetUpload(w http.ResponseWriter, r *http.Request) error {
	_, _, sess, err := s.widgetVisitor(r)
	if err != nil {
		return err
	}
	if err := s.allowWrite(w, r); err != nil {
		return err
	}
	if ok, wait := s.widgetLimits.messages.Allow(strconv.FormatInt(sess.ID, 10)); !ok {
		return rateLimited(w, wait, "uploads")
	}
	b, name, err := s.receiveUpload(w, r)
	if err != nil {
		return err
	}
	u, err := s.DB.W().InsertWidgetUpload(r.Context(), store.WidgetUpload{SessionID: sess.ID, Filename: name, ContentType: b.ContentType,
		Size: b.Size, SHA256: b.SHA256, StorageKey: b.Key})
	if err != nil {
		_ = s.Blobs.Remove(b.Key)
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

// widgetAttachment answers GET /widget/{key}/attachments/{id}: a file of
// the visitor's own conversations.
func (s *Server) widgetAttachment(w http.ResponseWriter, r *http.Request) error {
	ch, _, sess, err := s.widgetVisitor(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if sess.ContactID == 0 {
		return errNotFound()
	}
	at, err := s.DB.R().CustomerAttachment(r.Context(), ch.WorkspaceID, sess.ContactID, ch.ID, id)
	if err != nil {
		return err
	}
	return s.serveAttachment(w, r, at)
}

// widgetTyping answers POST /widget/{key}/typing: agents see the customer typing.
func (s *Server) widgetTyping(w http.ResponseWriter, r *http.Request) error {
	ch, _, sess, err := s.widgetVisitor(r)
	if err != nil {
		return err
	}
	s.visitorTyping(r.Context(), widget.Visitor{WorkspaceID: ch.WorkspaceID, ChannelID: ch.ID, SessionID: sess.ID, ContactID: sess.ContactID})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// visitorTyping tells the agents of the visitor's open conversation that
// the customer is typing.
func (s *Server) visitorTyping(ctx context.Context, v widget.Visitor) {
	if v.ContactID == 0 || s.Bus == nil {
		return
	}
	c, err := s.DB.R().UnresolvedConversation(ctx, v.ContactID, v.ChannelID)
	if err != nil {
		return
	}
	data := []byte(`{"contact_id":` + strconv.FormatInt(v.ContactID, 10) + `}`)
	_ = s.Bus.Publish(detached(ctx), events.Event{Type: events.Typing, WorkspaceID: c.WorkspaceID, ConversationID: c.ID,
		DepartmentID: c.Dept(), AssigneeID: c.Assignee(), ContactID: c.ContactID, ChannelID: c.ChannelID, Data: data})
}

// widgetRead answers POST /widget/{key}/read: the visitor saw the agents'
// messages up to up_to.
func (s *Server) widgetRead(w http.ResponseWriter, r *http.Request) error {
	ch, _, sess, err := s.widgetVisitor(r)
	if err != nil {
		return err
	}
	var req struct {
		UpTo int64 `json:"up_to"`
	}
	if err := decode(w, r, &req, 1<<10); err != nil {
		return err
	}
	if req.UpTo <= 0 {
		return errValidation("up_to must be a message id")
	}
	if sess.ContactID == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	ctx := r.Context()
	m, err := s.DB.R().MessageByID(ctx, ch.WorkspaceID, req.UpTo)
	if errors.Is(err, store.ErrNotFound) || (err == nil && m.ChannelID != ch.ID) {
		return errNotFound()
	} else if err != nil {
		return err
	}
	if owner, err := s.DB.R().ConversationContact(ctx, ch.WorkspaceID, m.ConversationID); err != nil || owner != sess.ContactID {
		return errNotFound()
	}
	ids, err := s.DB.R().UnreadOutbound(ctx, ch.WorkspaceID, sess.ContactID, ch.ID, m.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.Conversations.SetDelivery(ctx, ch.WorkspaceID, id, store.DeliveryRead, ""); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type widgetOfflineRequest struct {
	Name    string `json:"name"`
	Email   string `json:"email"`
	Phone   string `json:"phone"`
	Message string `json:"message"`
}

// widgetOffline answers POST /widget/{key}/offline: a message left while
// nobody could answer, queued for the team with how to reach the visitor.
func (s *Server) widgetOffline(w http.ResponseWriter, r *http.Request) error {
	ch, cfg, sess, err := s.widgetVisitor(r)
	if err != nil {
		return err
	}
	if err := s.allowWrite(w, r); err != nil {
		return err
	}
	var req widgetOfflineRequest
	if err := decode(w, r, &req, 32<<10); err != nil {
		return err
	}
	name, email, phone, err := visitorFacts(req.Name, req.Email, req.Phone)
	if err != nil {
		return err
	}
	if name == "" {
		return errValidation("name is required")
	}
	if email == "" && phone == "" {
		return errValidation("give an e-mail or a phone so the team can answer")
	}
	text := strings.TrimSpace(req.Message)
	if text == "" || utf8.RuneCountInString(text) > maxWidgetMessage || !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
		return errValidation(fmt.Sprintf("message is required, at most %d characters", maxWidgetMessage))
	}
	if ok, wait := s.widgetLimits.messages.Allow(strconv.FormatInt(sess.ID, 10)); !ok {
		return rateLimited(w, wait, "messages")
	}
	in, target, err := s.visitorInbound(r, ch, cfg, sess, &widgetPrechat{Name: name, Email: email, Phone: phone})
	if err != nil {
		return err
	}
	msg, err := s.receiveVisitor(r, target, sess, in, text, nil, "")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, widget.View(msg, nil, s.attachmentPath(r.PathValue("key")), 0))
	return nil
}

// widgetRating answers POST /widget/{key}/rating: the visitor rates their
// latest conversation once it is resolved.
func (s *Server) widgetRating(w http.ResponseWriter, r *http.Request) error {
	ch, _, sess, err := s.widgetVisitor(r)
	if err != nil {
		return err
	}
	var req struct {
		Score   int    `json:"score"`
		Comment string `json:"comment"`
	}
	if err := decode(w, r, &req, 8<<10); err != nil {
		return err
	}
	if sess.ContactID == 0 {
		return errNotFound()
	}
	ctx := r.Context()
	c, err := s.DB.R().LatestConversation(ctx, ch.WorkspaceID, sess.ContactID, ch.ID)
	if err != nil {
		return err
	}
	rt, err := s.Conversations.Rate(ctx, ch.WorkspaceID, c.ID, sess.ContactID, req.Score, req.Comment)
	if errors.Is(err, conversation.ErrAlreadyRated) {
		return &apiError{http.StatusConflict, "already_rated", err.Error()}
	}
	if errors.Is(err, conversation.ErrTransition) {
		return &apiError{http.StatusConflict, "not_resolved", "a conversation can be rated once it is resolved"}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, widget.RatingView{Score: rt.Score, Comment: rt.Comment})
	return nil
}

// widgetSocket answers GET /widget/{key}/ws: the visitor's live events.
func (s *Server) widgetSocket(w http.ResponseWriter, r *http.Request) error {
	if s.WidgetHub == nil {
		return &apiError{http.StatusServiceUnavailable, "unavailable", "realtime is not enabled"}
	}
	ch, _, sess, err := s.widgetVisitor(r)
	if err != nil {
		return err
	}
	_ = s.WidgetHub.Serve(w, r, widget.Visitor{WorkspaceID: ch.WorkspaceID, ChannelID: ch.ID, SessionID: sess.ID, ContactID: sess.ContactID,
		Key: r.PathValue("key")})
	return nil
}

// widgetFrame renders a bus event for a visitor's socket. An agent's reply
// that reaches an open widget counts as delivered.
func (s *Server) widgetFrame(ctx context.Context, v widget.Visitor, e events.Event) ([]byte, bool) {
	var frame any
	switch e.Type {
	case events.MessageCreated, events.MessageUpdated:
		var m store.Message
		if json.Unmarshal(e.Data, &m) != nil || !widget.Visible(m) {
			return nil, false
		}
		if e.Type == events.MessageCreated && m.Direction == store.DirOut && (m.Status == store.DeliveryPending || m.Status == store.DeliverySent) {
			if err := s.Conversations.SetDelivery(ctx, v.WorkspaceID, m.ID, store.DeliveryDelivered, ""); err == nil {
				m.Status = store.DeliveryDelivered
			}
		}
		var readUpTo int64
		if m.Direction == store.DirIn {
			// a status change of the visitor's own message is the team reading it
			if rt, err := s.DB.R().TeamReadUpTo(ctx, []int64{m.ConversationID}); err == nil {
				readUpTo = rt[m.ConversationID]
			}
		}
		frame = map[string]any{"type": e.Type, "message": widget.View(m, s.agentNames(ctx, v.WorkspaceID), s.attachmentPath(v.Key), readUpTo)}
	case events.ConversationCreated, events.ConversationUpdated:
		var c store.Conversation
		if json.Unmarshal(e.Data, &c) != nil {
			return nil, false
		}
		view, err := s.visitorConversation(ctx, c)
		if err != nil {
			return nil, false
		}
		var agent *widget.AgentView
		if c.AssigneeID != nil {
			agent = widget.Agent(s.agentNames(ctx, v.WorkspaceID)(*c.AssigneeID))
		}
		frame = map[string]any{"type": events.ConversationUpdated, "conversation": view, "agent": agent}
	case events.WidgetRead:
		var d struct {
			UpTo int64 `json:"up_to"`
		}
		if json.Unmarshal(e.Data, &d) != nil || d.UpTo == 0 {
			return nil, false
		}
		frame = map[string]any{"type": "read", "up_to": d.UpTo}
	case events.Typing:
		var d struct {
			UserID int64 `json:"user_id"`
		}
		if json.Unmarshal(e.Data, &d) != nil || d.UserID == 0 {
			return nil, false // the customer's own typing
		}
		frame = map[string]any{"type": events.Typing, "agent": widget.Agent(s.agentNames(ctx, v.WorkspaceID)(d.UserID))}
	default:
		return nil, false
	}
	b, err := json.Marshal(frame)
	return b, err == nil
}

// widgetChannelView is what admins see of a widget channel's setup.
type widgetChannelView struct {
	widget.Settings
	Key     string `json:"key"`
	Snippet string `json:"snippet"`
	// IdentitySecret is shown once, when the channel is created.
	IdentitySecret string `json:"identity_secret,omitempty"`
}

// widgetSnippet is the <script> tag a company pastes into its site.
func (s *Server) widgetSnippet(r *http.Request, key string) string {
	return `<script src="` + s.publicURL(r) + `/widget.js" data-atende-key="` + key + `" async></script>`
}

// widgetView is a widget channel's setup for admins, or nil.
func (s *Server) widgetView(r *http.Request, c store.Channel) *widgetChannelView {
	if c.Kind != widget.Kind {
		return nil
	}
	var cfg widget.Config
	if err := s.Providers.OpenConfig(c, &cfg); err != nil {
		return nil
	}
	return &widgetChannelView{Settings: cfg.Settings, Key: c.WebhookKey, Snippet: s.widgetSnippet(r, c.WebhookKey)}
}

// applyWidget validates new widget settings and seals them into c's
// config, keeping its identity secret.
func (s *Server) applyWidget(q store.Q, in *widget.Settings, c *store.Channel) error {
	if c.Kind != widget.Kind {
		return errValidation("widget belongs to widget channels")
	}
	var cfg widget.Config
	if err := s.Providers.OpenConfig(*c, &cfg); err != nil {
		return err
	}
	if err := s.checkWidget(q, c.WorkspaceID, in); err != nil {
		return err
	}
	cfg.Settings = *in
	sealed, err := s.Providers.SealConfig(cfg)
	if err != nil {
		return err
	}
	c.Config = sealed
	return nil
}

func (s *Server) checkWidget(q store.Q, ws int64, in *widget.Settings) error {
	if err := in.Validate(); err != nil {
		return errValidation(err.Error())
	}
	for _, id := range in.PrechatDepartmentIDs {
		if _, err := q.Department(context.Background(), ws, id); err != nil {
			return errValidation(fmt.Sprintf("widget.prechat_department_ids: department %d does not exist", id))
		}
	}
	return nil
}

// createWidgetChannel answers POST /channels with kind "widget": the
// widget's key, its snippet and, once, the identity-verification secret.
func (s *Server) createWidgetChannel(w http.ResponseWriter, r *http.Request, in channelInput) error {
	if in.Name == nil {
		return errValidation("name is required")
	}
	if in.CallbackURL != nil || in.BotToken != nil || in.hasWhatsApp() || in.hasSMS() || in.hasMeta() {
		return errValidation("a widget channel takes name, department_id and widget only")
	}
	settings := widget.Defaults()
	if in.Widget != nil {
		settings = *in.Widget
	}
	c := store.Channel{WorkspaceID: viewer(r).WorkspaceID, Kind: widget.Kind, WebhookKey: providers.NewWebhookKey()}
	cfg := widget.Config{IdentitySecret: widget.NewIdentitySecret()}
	var created store.Channel
	err := s.DB.Tx(r.Context(), func(q store.Q) error {
		if err := s.applyChannel(r, q, in, &c); err != nil {
			return err
		}
		if err := s.checkWidget(q, c.WorkspaceID, &settings); err != nil {
			return err
		}
		cfg.Settings = settings
		var err error
		if c.Config, err = s.Providers.SealConfig(cfg); err != nil {
			return err
		}
		// visitors authenticate by their own sessions: the channel's API
		// token is random and never shown, so it opens nothing
		_, hash := auth.NewToken(auth.PrefixChannel)
		created, err = q.CreateChannel(r.Context(), c, hash)
		return err
	})
	if err != nil {
		return err
	}
	v := s.channelView(r, created)
	if v.Widget != nil {
		v.Widget.IdentitySecret = cfg.IdentitySecret
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// errWidgetNotBuilt answers the widget's files on a binary built without them.
var errWidgetNotBuilt = &apiError{http.StatusNotFound, "widget_missing", "the website widget is not built into this binary (make build builds it)"}

// widgetLoader serves /widget.js, the snippet's script. It is cached
// briefly so that a new release reaches sites within minutes.
func (s *Server) widgetLoader(w http.ResponseWriter, r *http.Request) error {
	if s.WidgetFiles == nil {
		return errWidgetNotBuilt
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	return s.serveWidgetFile(w, r, "widget.js", "text/javascript; charset=utf-8")
}

// widgetFrameHTML serves the widget's frame for the channel named by
// ?key=. Its Content-Security-Policy names the sites allowed to embed it
// (frame-ancestors), so a widget restricted to a company's sites cannot be
// framed anywhere else.
func (s *Server) widgetFrameHTML(w http.ResponseWriter, r *http.Request) error {
	if s.WidgetFiles == nil {
		return errWidgetNotBuilt
	}
	key := r.URL.Query().Get("key")
	if key == "" || len(key) > 64 {
		return errNotFound()
	}
	ch, err := s.DB.R().ChannelByWebhookKey(r.Context(), widget.Kind, key)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound()
	} else if err != nil {
		return err
	}
	var cfg widget.Config
	if err := s.Providers.OpenConfig(ch, &cfg); err != nil {
		return err
	}
	ancestors := "*"
	if len(cfg.AllowedOrigins) > 0 {
		ancestors = strings.Join(cfg.AllowedOrigins, " ")
	}
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "+
		"media-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors "+ancestors)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.serveWidgetFile(w, r, "frame.html", "text/html; charset=utf-8")
}

// widgetAsset serves the frame's hashed assets, cached for a year.
func (s *Server) widgetAsset(w http.ResponseWriter, r *http.Request) error {
	if s.WidgetFiles == nil {
		return errWidgetNotBuilt
	}
	name := "assets/" + r.PathValue("file")
	if !fs.ValidPath(name) {
		return errNotFound()
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return s.serveWidgetFile(w, r, name, "")
}

func (s *Server) serveWidgetFile(w http.ResponseWriter, r *http.Request, name, contentType string) error {
	b, err := fs.ReadFile(s.WidgetFiles, name)
	if err != nil {
		return errNotFound()
	}
	if contentType == "" {
		contentType = mime.TypeByExtension(path.Ext(name))
	}
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
	return nil
}
