package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// Template lists are synced from the WhatsApp Business Account into the
// database (migration 0006): when a channel is connected, when an admin
// asks, and when a read finds the list older than templateMaxAge. Sends
// and the composer read the stored rows, so they neither wait on the Graph
// API nor fail while it is down.
const (
	// templateMaxAge is how old a synced list may be before a read
	// refreshes it in the background.
	templateMaxAge = 6 * time.Hour
	// templateRetryAfter spaces a node's attempts after a failed sync, so
	// reads of a channel whose provider is down do not call it each time.
	templateRetryAfter = 5 * time.Minute
	// templateSyncTimeout bounds one sync: the template list can span
	// several pages.
	templateSyncTimeout = 30 * time.Second
	// templateConnectWait is how long connecting a channel waits for its
	// first sync before answering; the sync goes on in the background.
	templateConnectWait = 10 * time.Second
	// maxSyncError bounds the provider's error text kept for the list.
	maxSyncError = 500
)

// templateSyncs runs at most one template sync per channel on this node:
// callers arriving while one runs wait for it instead of calling the
// provider again.
type templateSyncs struct {
	mu      sync.Mutex
	running map[int64]*templateSync
	failed  map[int64]time.Time // the last failed sync of each channel
}

type templateSync struct {
	done chan struct{}
	err  error
}

// wait returns the sync's outcome, or ctx's error when ctx ends first
// (the sync goes on).
func (t *templateSync) wait(ctx context.Context) error {
	select {
	case <-t.done:
		return t.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startTemplateSync starts a sync of the channel's templates, or returns
// the one already running.
func (s *Server) startTemplateSync(ch store.Channel) *templateSync {
	c := &s.templates
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.running[ch.ID]; ok {
		return t
	}
	if c.running == nil {
		c.running, c.failed = map[int64]*templateSync{}, map[int64]time.Time{}
	}
	t := &templateSync{done: make(chan struct{})}
	c.running[ch.ID] = t
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), templateSyncTimeout)
		defer cancel()
		t.err = s.syncTemplates(ctx, ch)
		if t.err != nil {
			s.log.Warn("template sync failed", "channel", ch.ID, "err", t.err)
		}
		c.mu.Lock()
		delete(c.running, ch.ID)
		if t.err != nil {
			c.failed[ch.ID] = time.Now()
		} else {
			delete(c.failed, ch.ID)
		}
		c.mu.Unlock()
		close(t.done)
	}()
	return t
}

// recentlyFailed reports whether this node's last sync of the channel
// failed less than templateRetryAfter ago.
func (s *Server) recentlyFailed(channelID int64) bool {
	c := &s.templates
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.failed[channelID]
	return ok && time.Since(at) < templateRetryAfter
}

// syncTemplates reads the channel's templates from its WhatsApp Business
// Account and stores them; on failure it keeps the stored ones and records
// why.
func (s *Server) syncTemplates(ctx context.Context, ch store.Channel) error {
	client, cfg, err := s.Providers.WhatsApp(ch)
	var all []whatsapp.TemplateInfo
	if err == nil {
		all, err = client.Templates(ctx, cfg.WABAID)
	}
	if err != nil {
		perr := providerError("WhatsApp", err)
		reason := perr.Error()
		var ae *apiError
		if errors.As(perr, &ae) {
			reason = ae.Message
		}
		if r := []rune(reason); len(r) > maxSyncError {
			reason = string(r[:maxSyncError])
		}
		if rerr := s.DB.W().RecordTemplateSyncFailure(ctx, ch.WorkspaceID, ch.ID, reason); rerr != nil {
			return rerr
		}
		return perr
	}
	list := make([]store.ChannelTemplate, 0, len(all))
	for _, t := range all {
		if t.Name == "" || t.Language == "" {
			continue
		}
		list = append(list, store.ChannelTemplate{Name: t.Name, Language: t.Language, ExternalID: t.ID, Status: t.Status,
			Category: t.Category, ParameterFormat: t.ParameterFormat, Body: t.Body, ParamCount: t.BodyParams,
			ParamNames: t.ParamNames, HeaderFormat: t.HeaderFormat, HeaderParams: t.HeaderParams})
	}
	at := store.Now()
	return s.DB.Tx(ctx, func(q store.Q) error { return q.ReplaceChannelTemplates(ctx, ch.WorkspaceID, ch.ID, list, at) })
}

// syncConnectedChannel syncs a channel just connected, waiting a little so
// the composer lists its templates at once; a slow provider finishes in
// the background and a failure is recorded for the list to show.
func (s *Server) syncConnectedChannel(ctx context.Context, ch store.Channel) {
	ctx, cancel := context.WithTimeout(ctx, templateConnectWait)
	defer cancel()
	_ = s.startTemplateSync(ch).wait(ctx)
}

// freshTemplates makes sure the channel's stored templates are usable and
// tells how they were synced: a channel never synced is synced now (unless
// that just failed on this node); a list older than templateMaxAge, or one
// whose last sync failed, is refreshed in the background.
func (s *Server) freshTemplates(ctx context.Context, ch store.Channel) (store.TemplateSync, error) {
	st, err := s.DB.R().TemplateSyncState(ctx, ch.WorkspaceID, ch.ID)
	if err != nil {
		return st, err
	}
	switch {
	case st.At == 0 && !s.recentlyFailed(ch.ID):
		var perr *apiError
		if err := s.startTemplateSync(ch).wait(ctx); err != nil && !errors.As(err, &perr) {
			return st, err
		}
		// the provider's refusal was recorded: the (empty) list says it
		return s.DB.R().TemplateSyncState(ctx, ch.WorkspaceID, ch.ID)
	case st.At == 0:
	case time.Since(time.UnixMilli(st.At)) > templateMaxAge || st.Error != "":
		if !s.recentlyFailed(ch.ID) {
			s.startTemplateSync(ch)
		}
	}
	return st, nil
}

// templateView is one approved message template, as the composer lists it.
type templateView struct {
	Name     string `json:"name"`
	Language string `json:"language"`
	Category string `json:"category"`
	Body     string `json:"body"`
	// ParamCount is how many parameter values a send must carry.
	ParamCount int `json:"param_count"`
	// ParamNames name the parameters of a NAMED-format template, in order;
	// empty for positional ({{1}}, {{2}}…) ones.
	ParamNames []string `json:"param_names"`
}

// templateList is the answer of the template list and of a sync.
type templateList struct {
	Items []templateView `json:"items"`
	// SyncedAt is when the list was last synced (Unix ms), nil if never.
	SyncedAt *int64 `json:"synced_at"`
	// SyncError is why the latest sync failed; "" when it worked.
	SyncError string `json:"sync_error"`
}

func (s *Server) storedTemplates(ctx context.Context, ch store.Channel, st store.TemplateSync) (templateList, error) {
	rows, err := s.DB.R().ChannelTemplates(ctx, ch.WorkspaceID, ch.ID, true)
	if err != nil {
		return templateList{}, err
	}
	out := templateList{Items: make([]templateView, 0, len(rows)), SyncError: st.Error}
	if st.At != 0 {
		out.SyncedAt = &st.At
	}
	for _, t := range rows {
		out.Items = append(out.Items, templateView{Name: t.Name, Language: t.Language, Category: t.Category, Body: t.Body,
			ParamCount: t.ParamCount, ParamNames: t.ParamNames})
	}
	return out, nil
}

// whatsappChannel reads a WhatsApp channel of the viewer's workspace; any
// other channel is 404.
func (s *Server) whatsappChannel(r *http.Request, id int64) (store.Channel, error) {
	ch, err := s.DB.R().Channel(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return ch, err
	}
	if ch.Kind != whatsapp.Kind {
		return ch, errNotFound()
	}
	return ch, nil
}

// listTemplates answers GET /channels/{id}/templates from the stored list.
func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ch, err := s.whatsappChannel(r, id)
	if err != nil {
		return err
	}
	st, err := s.freshTemplates(r.Context(), ch)
	if err != nil {
		return err
	}
	out, err := s.storedTemplates(r.Context(), ch, st)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// syncChannelTemplates answers POST /channels/{id}/templates/sync: the
// list read from the provider now (joining a sync already running), or
// the provider's error with the stored list left as it was.
func (s *Server) syncChannelTemplates(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ch, err := s.whatsappChannel(r, id)
	if err != nil {
		return err
	}
	if err := s.startTemplateSync(ch).wait(r.Context()); err != nil {
		return err
	}
	st, err := s.DB.R().TemplateSyncState(r.Context(), ch.WorkspaceID, ch.ID)
	if err != nil {
		return err
	}
	out, err := s.storedTemplates(r.Context(), ch, st)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// templateInput is a template to send, as clients name it.
type templateInput struct {
	Name       string   `json:"name"`
	Language   string   `json:"language"`
	Parameters []string `json:"parameters"`
}

// maxTemplateParam bounds one parameter value (Cloud API's own limit is
// around 1024 characters for a body parameter).
const maxTemplateParam = 1024

// resolveTemplate checks a template against the channel's approved ones
// and returns what to deliver and its rendered body.
func (s *Server) resolveTemplate(ctx context.Context, ch store.Channel, in *templateInput) (*conversation.Template, string, error) {
	if in == nil || strings.TrimSpace(in.Name) == "" || strings.TrimSpace(in.Language) == "" {
		return nil, "", errValidation("template.name and template.language are required")
	}
	st, err := s.freshTemplates(ctx, ch)
	if err != nil {
		return nil, "", err
	}
	name, lang := strings.TrimSpace(in.Name), strings.TrimSpace(in.Language)
	t, err := s.DB.R().ChannelTemplate(ctx, ch.WorkspaceID, ch.ID, name, lang)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, "", err
	}
	if err == nil && t.Sendable() {
		if len(in.Parameters) != t.ParamCount {
			return nil, "", errValidation(fmt.Sprintf("template %s takes %d parameters, not %d", name, t.ParamCount, len(in.Parameters)))
		}
		params := make([]string, len(in.Parameters))
		for i, p := range in.Parameters {
			p = strings.TrimSpace(p)
			if p == "" {
				return nil, "", errValidation(fmt.Sprintf("template parameter %d is empty", i+1))
			}
			if len([]rune(p)) > maxTemplateParam || strings.ContainsAny(p, "\n\t") {
				return nil, "", errValidation(fmt.Sprintf("template parameter %d must be one line of at most %d characters", i+1, maxTemplateParam))
			}
			params[i] = p
		}
		out := &conversation.Template{Name: name, Language: lang, Parameters: params}
		if len(t.ParamNames) > 0 {
			out.ParamNames = t.ParamNames
		}
		return out, renderTemplate(t.Body, params, t.ParamNames), nil
	}
	msg := fmt.Sprintf("template %s (%s) is not an approved template of this channel", name, lang)
	if st.Error != "" {
		msg += " (the template list could not be synced: " + st.Error + ")"
	}
	return nil, "", errValidation(msg)
}

var templatePlaceholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// renderTemplate substitutes a template body's placeholders, positional
// ({{1}}) or named, with the parameter values.
func renderTemplate(body string, params, names []string) string {
	return templatePlaceholder.ReplaceAllStringFunc(body, func(m string) string {
		key := templatePlaceholder.FindStringSubmatch(m)[1]
		if n, err := strconv.Atoi(key); err == nil && n >= 1 && n <= len(params) && len(names) == 0 {
			return params[n-1]
		}
		for i, name := range names {
			if name == key && i < len(params) {
				return params[i]
			}
		}
		return m
	})
}

// sendTemplate answers POST /conversations/{id}/messages with kind
// "template": allowed outside the 24-hour window.
func (s *Server) sendTemplate(w http.ResponseWriter, r *http.Request, id int64, in *templateInput) error {
	v := viewer(r)
	c, err := s.DB.R().Conversation(r.Context(), v, id)
	if err != nil {
		return err
	}
	ch, err := s.DB.R().Channel(r.Context(), v.WorkspaceID, c.ChannelID)
	if err != nil {
		return err
	}
	if ch.Kind != whatsapp.Kind {
		return errValidation("templates can be sent only on WhatsApp conversations")
	}
	t, body, err := s.resolveTemplate(r.Context(), ch, in)
	if err != nil {
		return err
	}
	m, err := s.Conversations.Send(r.Context(), v, id, conversation.Outgoing{Content: body, Template: t})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

type newConversationRequest struct {
	ChannelID int64          `json:"channel_id"`
	ContactID int64          `json:"contact_id"`
	Phone     string         `json:"phone"`
	Name      string         `json:"name"`
	Template  *templateInput `json:"template"`
}

// waPhone is a phone number as WhatsApp's wa_id: digits only, with the
// country code.
func waPhone(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	d := b.String()
	return d, len(d) >= 8 && len(d) <= 15
}

// createConversation answers POST /conversations: an agent starts a
// WhatsApp conversation with an approved template, assigned to them.
func (s *Server) createConversation(w http.ResponseWriter, r *http.Request) error {
	var req newConversationRequest
	if err := decode(w, r, &req, maxJSONBody); err != nil {
		return err
	}
	v := viewer(r)
	if req.ChannelID <= 0 {
		return errValidation("channel_id is required")
	}
	if (req.ContactID == 0) == (strings.TrimSpace(req.Phone) == "") {
		return errValidation("give either contact_id or phone")
	}
	if req.Template == nil {
		return errValidation("template is required: a new WhatsApp conversation starts with an approved template")
	}
	ch, err := s.whatsappChannel(r, req.ChannelID)
	if errors.Is(err, store.ErrNotFound) || isNotFound(err) {
		return errValidation("channel_id is not a WhatsApp channel of this workspace")
	} else if err != nil {
		return err
	}
	in := conversation.NewConversation{ChannelID: ch.ID, ContactID: req.ContactID, ContactName: strings.TrimSpace(req.Name)}
	if req.ContactID != 0 {
		ct, err := s.DB.R().Contact(r.Context(), v.WorkspaceID, req.ContactID)
		if errors.Is(err, store.ErrNotFound) {
			return errValidation("contact_id is not a contact of this workspace")
		} else if err != nil {
			return err
		}
		if in.ExternalID = providers.WhatsAppRecipient(ct, ch.ID); in.ExternalID == "" {
			phone, ok := waPhone(ct.Phone)
			if !ok {
				return errValidation("the contact has no phone number WhatsApp can reach")
			}
			in.ExternalID = phone
		}
	} else {
		phone, ok := waPhone(req.Phone)
		if !ok {
			return errValidation("phone must be a number with its country code, 8 to 15 digits")
		}
		in.ExternalID, in.ContactPhone = phone, "+"+phone
	}
	if len([]rune(in.ContactName)) > 200 {
		return errValidation("name has at most 200 characters")
	}
	t, body, err := s.resolveTemplate(r.Context(), ch, req.Template)
	if err != nil {
		return err
	}
	in.First = conversation.Outgoing{Content: body, Template: t}
	c, _, err := s.Conversations.Start(r.Context(), v, in)
	var open *conversation.OpenConversationError
	if errors.As(err, &open) {
		writeJSON(w, http.StatusConflict, map[string]any{"error": map[string]any{
			"code": "conversation_open", "message": open.Error(), "conversation_id": open.ConversationID}})
		return nil
	}
	if err != nil {
		return err
	}
	return s.writeConversation(w, r, http.StatusCreated, c)
}

func isNotFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}
