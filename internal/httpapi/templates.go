package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// templateTTL is how long a channel's template list is kept in memory.
const templateTTL = 5 * time.Minute

// templateCache keeps each WhatsApp channel's approved templates for
// templateTTL; the key includes a hash of the channel's sealed config, so
// a changed access token or WABA reads them again.
type templateCache struct {
	mu      sync.Mutex
	entries map[string]cachedTemplates
}

type cachedTemplates struct {
	list []templateView
	exp  time.Time
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

// channelTemplates answers the approved, body-only templates a WhatsApp
// channel can send (cached for templateTTL).
func (s *Server) channelTemplates(ctx context.Context, ch store.Channel) ([]templateView, error) {
	sum := sha256.Sum256([]byte(ch.Config))
	key := strconv.FormatInt(ch.ID, 10) + ":" + hex.EncodeToString(sum[:8])
	now := time.Now()
	c := &s.templates
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && now.Before(e.exp) {
		c.mu.Unlock()
		return e.list, nil
	}
	c.mu.Unlock()
	client, cfg, err := s.Providers.WhatsApp(ch)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, providerCallTimeout)
	defer cancel()
	all, err := client.Templates(cctx, cfg.WABAID)
	if err != nil {
		return nil, providerError("WhatsApp", err)
	}
	list := []templateView{}
	for _, t := range all {
		if t.Status != "APPROVED" || !t.BodyOnly() {
			continue
		}
		names := t.ParamNames
		if names == nil {
			names = []string{}
		}
		list = append(list, templateView{Name: t.Name, Language: t.Language, Category: t.Category, Body: t.Body,
			ParamCount: t.BodyParams, ParamNames: names})
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]cachedTemplates{}
	}
	for k, e := range c.entries {
		if !now.Before(e.exp) {
			delete(c.entries, k)
		}
	}
	c.entries[key] = cachedTemplates{list: list, exp: now.Add(templateTTL)}
	c.mu.Unlock()
	return list, nil
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

// listTemplates answers GET /channels/{id}/templates.
func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ch, err := s.whatsappChannel(r, id)
	if err != nil {
		return err
	}
	list, err := s.channelTemplates(r.Context(), ch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
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
	list, err := s.channelTemplates(ctx, ch)
	if err != nil {
		return nil, "", err
	}
	name, lang := strings.TrimSpace(in.Name), strings.TrimSpace(in.Language)
	for _, t := range list {
		if t.Name != name || t.Language != lang {
			continue
		}
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
	return nil, "", errValidation(fmt.Sprintf("template %s (%s) is not an approved template of this channel", name, lang))
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
