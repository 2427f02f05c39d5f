package httpapi

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/store"
)

type conversationPage struct {
	Items      []conversation.View `json:"items"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) error {
	qv := r.URL.Query()
	f := store.ListFilter{View: qv.Get("view"), Sort: qv.Get("sort"), Cursor: qv.Get("cursor"), Query: strings.TrimSpace(qv.Get("q"))}
	if utf8.RuneCountInString(f.Query) > store.MaxSearchRunes || !utf8.ValidString(f.Query) || strings.IndexByte(f.Query, 0) >= 0 {
		return errBadRequest(fmt.Sprintf("q must be text (UTF-8, no NUL) of at most %d characters", store.MaxSearchRunes))
	}
	if st := qv.Get("status"); st != "" {
		f.Statuses = strings.Split(st, ",")
	}
	var err error
	for name, dst := range map[string]*int64{"department_id": &f.DepartmentID, "agent_id": &f.AssigneeID, "label_id": &f.LabelID, "channel_id": &f.ChannelID} {
		if *dst, err = queryInt(r, name); err != nil {
			return err
		}
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	if limit > 200 {
		return errBadRequest("limit is at most 200")
	}
	f.Limit = int(limit)
	v := viewer(r)
	page, err := s.DB.R().ListConversations(r.Context(), v, f)
	if err != nil {
		return err
	}
	views, err := s.Conversations.Views(r.Context(), v.WorkspaceID, page.Items)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, conversationPage{Items: views, NextCursor: page.NextCursor})
	return nil
}

// Counters is every badge of the inbox in one answer.
type Counters struct {
	Mine       int64 `json:"mine"`
	Unassigned int64 `json:"unassigned"`
	All        int64 `json:"all"`
	Bot        int64 `json:"bot"`
	Snoozed    int64 `json:"snoozed"`
	// Resolved counts finished conversations ("finalizados"), all time.
	Resolved int64 `json:"resolved"`
	// UnreadMine counts the conversations of the viewer's Mine view that
	// are unread for them (store.IsUnread), for the tab title.
	UnreadMine  int64               `json:"unread_mine"`
	Departments []DepartmentCounter `json:"departments"`
	Agents      []AgentCounter      `json:"agents"`
}

// DepartmentCounter counts one department's conversations the viewer may see.
type DepartmentCounter struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Queued int64  `json:"queued"`
	Open   int64  `json:"open"`
}

// AgentCounter counts one agent's open conversations the viewer may see, with presence.
type AgentCounter struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Presence string `json:"presence"`
	Open     int64  `json:"open"`
}

// counters answers every badge from the counts the database keeps, filtered
// in memory by the same visibility rules the store applies.
func (s *Server) counters(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	ctx := r.Context()
	q := s.DB.R()
	rows, err := q.ConversationCounts(ctx, v.WorkspaceID)
	if err != nil {
		return err
	}
	depts, err := q.Departments(ctx, v.WorkspaceID)
	if err != nil {
		return err
	}
	users, err := q.Users(ctx, v.WorkspaceID)
	if err != nil {
		return err
	}
	unread, err := q.UnreadMine(ctx, v)
	if err != nil {
		return err
	}
	c := Counters{UnreadMine: unread, Departments: []DepartmentCounter{}, Agents: []AgentCounter{}}
	perDept := map[int64]*DepartmentCounter{}
	for _, d := range depts {
		if v.IsAdmin() || (!v.AssignedOnly() && v.InDepartment(d.ID)) {
			c.Departments = append(c.Departments, DepartmentCounter{ID: d.ID, Name: d.Name})
		}
	}
	for i := range c.Departments {
		perDept[c.Departments[i].ID] = &c.Departments[i]
	}
	perAgent := map[int64]int64{}
	for _, row := range rows {
		if !v.CanSeeConversation(v.WorkspaceID, row.DepartmentID, row.AssigneeID) {
			continue
		}
		switch row.Status {
		case store.StatusOpen:
			c.All += row.N
			if row.AssigneeID == v.UserID {
				c.Mine += row.N
			}
			perAgent[row.AssigneeID] += row.N
			if d := perDept[row.DepartmentID]; d != nil {
				d.Open += row.N
			}
		case store.StatusQueued, store.StatusBot:
			c.All += row.N
			if row.AssigneeID == 0 {
				c.Unassigned += row.N
			} else if row.AssigneeID == v.UserID {
				c.Mine += row.N
			}
			if row.Status == store.StatusBot {
				c.Bot += row.N
			}
			if d := perDept[row.DepartmentID]; d != nil {
				d.Queued += row.N
			}
		case store.StatusSnoozed:
			c.Snoozed += row.N
		case store.StatusResolved:
			c.Resolved += row.N
		}
	}
	for _, u := range users {
		if !u.Active {
			continue
		}
		shares := v.IsAdmin() || u.ID == v.UserID
		for _, d := range u.DepartmentIDs {
			shares = shares || (!v.AssignedOnly() && v.InDepartment(d))
		}
		if shares {
			c.Agents = append(c.Agents, AgentCounter{ID: u.ID, Name: u.Name, Presence: u.Presence, Open: perAgent[u.ID]})
		}
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.DB.R().Conversation(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	return s.writeView(w, r, http.StatusOK, c)
}

// writeView answers a conversation read for the viewer as it is.
func (s *Server) writeView(w http.ResponseWriter, r *http.Request, status int, c store.Conversation) error {
	view, err := s.Conversations.View(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, status, view)
	return nil
}

func (s *Server) writeConversation(w http.ResponseWriter, r *http.Request, status int, c store.Conversation) error {
	// reload: the answer carries the viewer's star and unread flag, which
	// the service's result (shared with realtime events) does not
	if fresh, err := s.DB.R().Conversation(r.Context(), viewer(r), c.ID); err == nil {
		c = fresh
	} else if c.Unread == nil {
		// the action took the conversation out of the viewer's sight
		c.Unread = new(bool)
	}
	view, err := s.Conversations.View(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, status, view)
	return nil
}

type conversationPatch struct {
	Priority *string `json:"priority"`
}

func (s *Server) patchConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var p conversationPatch
	if err := decode(w, r, &p, maxJSONBody); err != nil {
		return err
	}
	if p.Priority == nil {
		return errValidation("nothing to change: send priority")
	}
	c, err := s.Conversations.SetPriority(r.Context(), viewer(r), id, *p.Priority)
	if err != nil {
		return err
	}
	return s.writeConversation(w, r, http.StatusOK, c)
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.writeMessagePage(w, r, id, func() error {
		_, err := s.DB.R().Conversation(r.Context(), viewer(r), id)
		return err
	})
}

// writeMessagePage answers a page of conversation id's messages (?before,
// ?limit) once visible says the caller may read the conversation.
func (s *Server) writeMessagePage(w http.ResponseWriter, r *http.Request, id int64, visible func() error) error {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	if err := visible(); err != nil {
		return err
	}
	page, err := s.DB.R().Messages(r.Context(), id, r.URL.Query().Get("before"), int(limit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

type sendRequest struct {
	Kind          string  `json:"kind"`
	Content       string  `json:"content"`
	AttachmentIDs []int64 `json:"attachment_ids"`
	// Template is the approved template of kind "template".
	Template *templateInput `json:"template"`
	// ChannelID is the SMS channel of kind "sms" (the workspace's first
	// SMS channel when absent).
	ChannelID *int64 `json:"channel_id"`
	// ReplyToID is the message a reply or note answers.
	ReplyToID *int64 `json:"reply_to_id"`
	// Cc, for a reply in an e-mail conversation, are addresses the mail
	// is copied to ("copy to third parties").
	Cc []string `json:"cc"`
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req sendRequest
	if err := decode(w, r, &req, maxJSONBody); err != nil {
		return err
	}
	if req.ReplyToID != nil && req.Kind != "reply" && req.Kind != "note" {
		return errValidation(`reply_to_id belongs to kinds "reply" and "note"`)
	}
	if req.Cc != nil && req.Kind != "reply" {
		return errValidation(`cc belongs to kind "reply"`)
	}
	if req.Kind == "template" {
		if req.Content != "" || len(req.AttachmentIDs) > 0 {
			return errValidation("a template message has no content or attachments of its own")
		}
		return s.sendTemplate(w, r, id, req.Template)
	}
	if req.Template != nil {
		return errValidation(`template belongs to kind "template"`)
	}
	if req.Kind == "sms" {
		return s.sendSMS(w, r, id, req)
	}
	if req.ChannelID != nil {
		return errValidation(`channel_id belongs to kind "sms"`)
	}
	if req.Kind != "reply" && req.Kind != "note" {
		return errValidation(`kind must be "reply", "note", "template" or "sms"`)
	}
	if req.Kind == "reply" {
		if err := s.checkWhatsAppWindow(r, id); err != nil {
			return err
		}
	}
	cc, err := s.checkCc(r, id, req.Kind, req.Cc)
	if err != nil {
		return err
	}
	out := conversation.Outgoing{Note: req.Kind == "note", Content: req.Content, AttachmentIDs: req.AttachmentIDs, Cc: cc}
	if req.ReplyToID != nil {
		if *req.ReplyToID <= 0 {
			return errValidation("reply_to_id must be a message id")
		}
		out.ReplyToID = *req.ReplyToID
	}
	m, err := s.Conversations.Send(r.Context(), viewer(r), id, out)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

type assignRequest struct {
	AssigneeID int64 `json:"assignee_id"`
}

func (s *Server) assign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req assignRequest
	if err := decode(w, r, &req, maxJSONBody); err != nil {
		return err
	}
	if req.AssigneeID <= 0 {
		return errValidation("assignee_id is required (your own id to assign to yourself)")
	}
	c, err := s.Conversations.Assign(r.Context(), viewer(r), id, req.AssigneeID)
	if err != nil {
		return err
	}
	return s.writeConversation(w, r, http.StatusOK, c)
}

type transferRequest struct {
	DepartmentID int64 `json:"department_id"`
	AssigneeID   int64 `json:"assignee_id"`
}

func (s *Server) transfer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req transferRequest
	if err := decode(w, r, &req, maxJSONBody); err != nil {
		return err
	}
	if req.DepartmentID <= 0 || req.AssigneeID < 0 {
		return errValidation("department_id is required; assignee_id is optional")
	}
	c, err := s.Conversations.Transfer(r.Context(), viewer(r), id, req.DepartmentID, req.AssigneeID)
	if err != nil {
		return err
	}
	return s.writeConversation(w, r, http.StatusOK, c)
}

// simple wraps a body-less conversation action.
func (s *Server) simple(w http.ResponseWriter, r *http.Request, fn func(v access.Viewer, id int64) (store.Conversation, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := fn(viewer(r), id)
	if err != nil {
		return err
	}
	return s.writeConversation(w, r, http.StatusOK, c)
}

func (s *Server) returnToQueue(w http.ResponseWriter, r *http.Request) error {
	return s.simple(w, r, func(v access.Viewer, id int64) (store.Conversation, error) {
		return s.Conversations.ReturnToQueue(r.Context(), v, id)
	})
}

func (s *Server) unsnooze(w http.ResponseWriter, r *http.Request) error {
	return s.simple(w, r, func(v access.Viewer, id int64) (store.Conversation, error) {
		return s.Conversations.Unsnooze(r.Context(), v, id)
	})
}

func (s *Server) reopen(w http.ResponseWriter, r *http.Request) error {
	return s.simple(w, r, func(v access.Viewer, id int64) (store.Conversation, error) {
		return s.Conversations.Reopen(r.Context(), v, id)
	})
}

type snoozeRequest struct {
	Until time.Time `json:"until"`
}

func (s *Server) snooze(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req snoozeRequest
	if err := decode(w, r, &req, maxJSONBody); err != nil {
		return err
	}
	if req.Until.IsZero() {
		return errValidation("until is required (RFC 3339 time)")
	}
	c, err := s.Conversations.Snooze(r.Context(), viewer(r), id, req.Until)
	if err != nil {
		return err
	}
	return s.writeConversation(w, r, http.StatusOK, c)
}

type resolveRequest struct {
	ClosingReasonID int64 `json:"closing_reason_id"`
}

func (s *Server) resolve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req resolveRequest
	if r.ContentLength != 0 {
		if err := decode(w, r, &req, maxJSONBody); err != nil {
			return err
		}
	}
	if req.ClosingReasonID < 0 {
		return errValidation("closing_reason_id must be positive")
	}
	c, err := s.Conversations.Resolve(r.Context(), viewer(r), id, req.ClosingReasonID)
	if err != nil {
		return err
	}
	return s.writeConversation(w, r, http.StatusOK, c)
}

func (s *Server) conversationLabel(on bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		labelID, err := pathID(r, "labelID")
		if err != nil {
			return err
		}
		return s.simple(w, r, func(v access.Viewer, id int64) (store.Conversation, error) {
			return s.Conversations.SetLabel(r.Context(), v, id, labelID, on)
		})
	}
}

func (s *Server) star(on bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := s.Conversations.SetStar(r.Context(), viewer(r), id, on); err != nil {
			return err
		}
		c, err := s.DB.R().Conversation(r.Context(), viewer(r), id)
		if err != nil {
			return err
		}
		return s.writeView(w, r, http.StatusOK, c)
	}
}

// markRead marks a conversation read now for the viewer.
func (s *Server) markRead(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Conversations.MarkRead(r.Context(), viewer(r), id); err != nil {
		return err
	}
	c, err := s.DB.R().Conversation(r.Context(), viewer(r), id)
	if err != nil {
		return err
	}
	return s.writeView(w, r, http.StatusOK, c)
}

func (s *Server) messageLabel(on bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		labelID, err := pathID(r, "labelID")
		if err != nil {
			return err
		}
		m, err := s.Conversations.SetMessageLabel(r.Context(), viewer(r), id, labelID, on)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, m)
		return nil
	}
}

// typing publishes that the viewer is typing in a conversation they may see.
func (s *Server) typing(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.publishTyping(r, viewer(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) publishTyping(r *http.Request, v access.Viewer, id int64) error {
	c, err := s.DB.R().Conversation(r.Context(), v, id)
	if err != nil {
		return err
	}
	if s.Bus != nil {
		data := []byte(`{"user_id":` + strconv.FormatInt(v.UserID, 10) + `}`)
		_ = s.Bus.Publish(detached(r.Context()), events.Event{Type: events.Typing, WorkspaceID: v.WorkspaceID, ConversationID: c.ID,
			DepartmentID: c.Dept(), AssigneeID: c.Assignee(), ContactID: c.ContactID, ChannelID: c.ChannelID, Data: data})
	}
	return nil
}

func (s *Server) onTyping(v access.Viewer, id int64) {
	r, _ := http.NewRequestWithContext(s.baseCtx(), http.MethodPost, "/", nil)
	_ = s.publishTyping(r, v, id)
}

func (s *Server) searchMessages(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" || len(q) > 200 {
		return errBadRequest("q is required (at most 200 characters)")
	}
	before, err := queryInt(r, "before")
	if err != nil {
		return err
	}
	hits, err := s.DB.R().SearchMessages(r.Context(), viewer(r), q, before, 20)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": hits})
	return nil
}

// exportConversation answers the whole timeline as CSV.
func (s *Server) exportConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := viewer(r)
	if _, err := s.DB.R().Conversation(r.Context(), v, id); err != nil {
		return err
	}
	var all []store.Message
	before := ""
	for {
		page, err := s.DB.R().Messages(r.Context(), id, before, 500)
		if err != nil {
			return err
		}
		all = append(page.Items, all...)
		if page.Before == "" {
			break
		}
		before = page.Before
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="conversation-%d.csv"`, id))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "created_at", "kind", "direction", "sender_type", "sender_id", "content", "status", "attachments"})
	for _, m := range all {
		sender := ""
		if m.SenderID != nil {
			sender = strconv.FormatInt(*m.SenderID, 10)
		}
		content := m.Content
		if m.Event != nil {
			content = m.Event.Type + " " + m.Event.From + "→" + m.Event.To
		}
		names := make([]string, len(m.Attachments))
		for i, a := range m.Attachments {
			names[i] = a.Filename
		}
		_ = cw.Write([]string{strconv.FormatInt(m.ID, 10), time.UnixMilli(m.CreatedAt).UTC().Format(time.RFC3339), m.Kind, m.Direction,
			m.SenderType, sender, csvSafe(content), m.Status, strings.Join(names, ";")})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses spreadsheet formula injection in exported text.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
