package httpapi

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/channel/sms"
	"github.com/atende/atende/internal/channel/telegram"
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/widget"
)

func (s *Server) getWorkspace(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.DB.R().Workspace(r.Context(), viewer(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

type workspacePatch struct {
	Name                  *string `json:"name"`
	Timezone              *string `json:"timezone"`
	ThermometerYellowS    *int64  `json:"thermometer_yellow_seconds"`
	ThermometerRedS       *int64  `json:"thermometer_red_seconds"`
	ReopenWindowS         *int64  `json:"reopen_window_seconds"`
	ClosingReasonRequired *bool   `json:"closing_reason_required"`
}

func (s *Server) patchWorkspace(w http.ResponseWriter, r *http.Request) error {
	var p workspacePatch
	if err := decode(w, r, &p, maxJSONBody); err != nil {
		return err
	}
	ctx := r.Context()
	ws, err := s.DB.R().Workspace(ctx, viewer(r).WorkspaceID)
	if err != nil {
		return err
	}
	if p.Name != nil {
		if err := requireName("name", *p.Name); err != nil {
			return err
		}
		ws.Name = strings.TrimSpace(*p.Name)
	}
	if p.Timezone != nil {
		if _, err := time.LoadLocation(*p.Timezone); err != nil || *p.Timezone == "" {
			return errValidation("timezone must be an IANA name such as America/Sao_Paulo")
		}
		ws.Timezone = *p.Timezone
	}
	set := func(dst *int64, v *int64, name string, max int64) error {
		if v == nil {
			return nil
		}
		if *v < 0 || *v > max {
			return errValidation(name + " is out of range")
		}
		*dst = *v
		return nil
	}
	if err := set(&ws.ThermometerYellowS, p.ThermometerYellowS, "thermometer_yellow_seconds", 7*86400); err != nil {
		return err
	}
	if err := set(&ws.ThermometerRedS, p.ThermometerRedS, "thermometer_red_seconds", 30*86400); err != nil {
		return err
	}
	if err := set(&ws.ReopenWindowS, p.ReopenWindowS, "reopen_window_seconds", 90*86400); err != nil {
		return err
	}
	if ws.ThermometerRedS < ws.ThermometerYellowS {
		return errValidation("thermometer_red_seconds must not be below thermometer_yellow_seconds")
	}
	if p.ClosingReasonRequired != nil {
		ws.ClosingReasonRequired = *p.ClosingReasonRequired
	}
	if err := s.DB.W().UpdateWorkspace(ctx, ws); err != nil {
		return err
	}
	s.Conversations.ForgetWorkspace(ws.ID)
	writeJSON(w, http.StatusOK, ws)
	return nil
}

func requireName(field, v string) error {
	v = strings.TrimSpace(v)
	if v == "" || utf8.RuneCountInString(v) > 100 {
		return errValidation(field + " is required (at most 100 characters)")
	}
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	list, err := s.DB.R().Users(r.Context(), viewer(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.DB.R().User(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

type userInput struct {
	Email         *string  `json:"email"`
	Name          *string  `json:"name"`
	Password      *string  `json:"password"`
	Role          *string  `json:"role"`
	Scope         *string  `json:"scope"`
	Capacity      *int64   `json:"capacity"`
	Active        *bool    `json:"active"`
	DepartmentIDs *[]int64 `json:"department_ids"`
}

// apply validates and copies the fields present in in onto u.
func (in userInput) apply(u *store.User) error {
	if in.Email != nil {
		e := strings.ToLower(strings.TrimSpace(*in.Email))
		if !ValidEmail(e) {
			return errValidation("email must be a valid e-mail address")
		}
		u.Email = e
	}
	if in.Name != nil {
		if err := requireName("name", *in.Name); err != nil {
			return err
		}
		u.Name = strings.TrimSpace(*in.Name)
	}
	if in.Role != nil {
		if !access.Role(*in.Role).Valid() {
			return errValidation("role must be admin, supervisor or agent")
		}
		u.Role = access.Role(*in.Role)
	}
	if in.Scope != nil {
		if !access.Scope(*in.Scope).Valid() {
			return errValidation("scope must be department or assigned")
		}
		u.Scope = access.Scope(*in.Scope)
	}
	if in.Capacity != nil {
		if *in.Capacity < 0 || *in.Capacity > 1000 {
			return errValidation("capacity must be between 0 (no limit) and 1000")
		}
		u.Capacity = *in.Capacity
	}
	if in.Active != nil {
		u.Active = *in.Active
	}
	if in.DepartmentIDs != nil {
		u.DepartmentIDs = *in.DepartmentIDs
	}
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var in userInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Email == nil || in.Password == nil || in.Role == nil {
		return errValidation("email, password and role are required")
	}
	if len(*in.Password) < auth.MinPasswordLen {
		return errValidation("the password needs at least 8 characters")
	}
	v := viewer(r)
	u := store.User{WorkspaceID: v.WorkspaceID, Scope: access.ScopeDepartment, Active: true}
	if err := in.apply(&u); err != nil {
		return err
	}
	if u.Name == "" {
		u.Name = strings.Split(u.Email, "@")[0]
	}
	hash, err := auth.HashPassword(*in.Password)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	var created store.User
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		var err error
		created, err = q.CreateUser(r.Context(), u)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, created)
	return nil
}

func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in userInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	v := viewer(r)
	ctx := r.Context()
	var updated store.User
	err = s.DB.Tx(ctx, func(q store.Q) error {
		u, err := q.User(ctx, v.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := in.apply(&u); err != nil {
			return err
		}
		if u.ID == v.UserID && (u.Role != access.RoleAdmin || !u.Active) {
			return errValidation("you cannot demote or deactivate yourself")
		}
		if err := q.UpdateUser(ctx, u); err != nil {
			return err
		}
		if in.Password != nil {
			if len(*in.Password) < auth.MinPasswordLen {
				return errValidation("the password needs at least 8 characters")
			}
			hash, err := auth.HashPassword(*in.Password)
			if err != nil {
				return err
			}
			if err := q.SetPassword(ctx, v.WorkspaceID, id, hash); err != nil {
				return err
			}
		}
		if in.DepartmentIDs != nil {
			if err := q.SetUserDepartments(ctx, v.WorkspaceID, id, u.DepartmentIDs); err != nil {
				return err
			}
		}
		updated, err = q.User(ctx, v.WorkspaceID, id)
		return err
	})
	if err != nil {
		return err
	}
	if s.Hub != nil {
		s.Hub.UpdateViewer(updated.Viewer())
		if !updated.Active {
			s.Hub.Disconnect(updated.WorkspaceID, updated.ID)
		}
	}
	// more capacity or another department: waiting customers may now be theirs
	if err := s.Conversations.AssignmentMayResume(ctx, v.WorkspaceID, id); err != nil {
		s.log.Warn("assignment after a user change", "user", id, "err", err)
	}
	writeJSON(w, http.StatusOK, updated)
	return nil
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := viewer(r)
	if id == v.UserID {
		return errValidation("you cannot delete yourself")
	}
	if err := s.DB.Tx(r.Context(), func(q store.Q) error { return q.DeleteUser(r.Context(), v.WorkspaceID, id) }); err != nil {
		return err
	}
	if s.Hub != nil {
		s.Hub.Disconnect(v.WorkspaceID, id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listDepartments(w http.ResponseWriter, r *http.Request) error {
	list, err := s.DB.R().Departments(r.Context(), viewer(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) getDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.DB.R().Department(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

type departmentInput struct {
	Name      *string `json:"name"`
	IsDefault *bool   `json:"is_default"`
	// BotID gives the department its bot; null removes it.
	BotID optionalID `json:"bot_id"`
}

func (s *Server) createDepartment(w http.ResponseWriter, r *http.Request) error {
	var in departmentInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Name == nil {
		return errValidation("name is required")
	}
	if err := requireName("name", *in.Name); err != nil {
		return err
	}
	var d store.Department
	err := s.DB.Tx(r.Context(), func(q store.Q) error {
		var err error
		d, err = q.CreateDepartment(r.Context(), viewer(r).WorkspaceID, strings.TrimSpace(*in.Name), in.IsDefault != nil && *in.IsDefault)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (s *Server) patchDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in departmentInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	var d store.Department
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		cur, err := q.Department(r.Context(), ws, id)
		if err != nil {
			return err
		}
		name := cur.Name
		if in.Name != nil {
			if err := requireName("name", *in.Name); err != nil {
				return err
			}
			name = strings.TrimSpace(*in.Name)
		}
		if in.IsDefault != nil && !*in.IsDefault && cur.IsDefault {
			return errValidation("make another department the default instead")
		}
		if err := q.UpdateDepartment(r.Context(), ws, id, name, in.IsDefault != nil && *in.IsDefault); err != nil {
			return err
		}
		if in.BotID.Set {
			var botID int64
			if in.BotID.ID != nil {
				botID = *in.BotID.ID
			}
			if err := q.SetDepartmentBot(r.Context(), ws, id, botID); errors.Is(err, store.ErrNotFound) && botID != 0 {
				return errValidation("bot_id: " + strconv.FormatInt(botID, 10) + " is not one of this workspace's bots")
			} else if err != nil {
				return err
			}
		}
		d, err = q.Department(r.Context(), ws, id)
		return err
	})
	if err != nil {
		return err
	}
	if in.BotID.Set {
		s.Conversations.ForgetBots(ws) // after the commit, so no node caches the old bot again
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) deleteDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		d, err := q.Department(r.Context(), ws, id)
		if err != nil {
			return err
		}
		if d.IsDefault {
			return errValidation("the default department cannot be deleted")
		}
		busy, err := q.DepartmentInUse(r.Context(), ws, id)
		if err != nil {
			return err
		}
		if busy {
			return &apiError{http.StatusConflict, "conflict", "the department still has unresolved conversations; transfer them first"}
		}
		return q.DeleteDepartment(r.Context(), ws, id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type membersInput struct {
	UserIDs []int64 `json:"user_ids"`
}

func (s *Server) setDepartmentMembers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in membersInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.UserIDs == nil {
		return errValidation("user_ids is required")
	}
	ws := viewer(r).WorkspaceID
	var d store.Department
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		if _, err := q.Department(r.Context(), ws, id); err != nil {
			return err
		}
		if err := q.SetDepartmentMembers(r.Context(), ws, id, in.UserIDs); err != nil {
			return err
		}
		d, err = q.Department(r.Context(), ws, id)
		return err
	})
	if err != nil {
		return err
	}
	s.refreshViewers(r, ws)
	writeJSON(w, http.StatusOK, d)
	return nil
}

// refreshViewers re-reads the departments of connected users after
// membership changed, so realtime filtering follows at once.
func (s *Server) refreshViewers(r *http.Request, ws int64) {
	if s.Hub == nil {
		return
	}
	users, err := s.DB.R().Users(r.Context(), ws)
	if err != nil {
		return
	}
	for _, u := range users {
		s.Hub.UpdateViewer(u.Viewer())
	}
}

var colorRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

type labelInput struct {
	Name  *string `json:"name"`
	Color *string `json:"color"`
}

func (in labelInput) apply(l *store.Label) error {
	if in.Name != nil {
		if err := requireName("name", *in.Name); err != nil {
			return err
		}
		l.Name = strings.TrimSpace(*in.Name)
	}
	if in.Color != nil {
		if !colorRe.MatchString(*in.Color) {
			return errValidation("color must look like #1a2b3c")
		}
		l.Color = strings.ToLower(*in.Color)
	}
	return nil
}

func (s *Server) listLabels(w http.ResponseWriter, r *http.Request) error {
	list, err := s.DB.R().Labels(r.Context(), viewer(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) createLabel(w http.ResponseWriter, r *http.Request) error {
	var in labelInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Name == nil {
		return errValidation("name is required")
	}
	l := store.Label{Color: "#6b7280"}
	if err := in.apply(&l); err != nil {
		return err
	}
	l, err := s.DB.W().CreateLabel(r.Context(), viewer(r).WorkspaceID, l)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (s *Server) patchLabel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in labelInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	var l store.Label
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		var err error
		if l, err = q.Label(r.Context(), ws, id); err != nil {
			return err
		}
		if err := in.apply(&l); err != nil {
			return err
		}
		return q.UpdateLabel(r.Context(), ws, l)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

var shortcutRe = regexp.MustCompile(`^[\p{L}\p{N}_-]{1,40}$`)

type quickReplyInput struct {
	Shortcut *string `json:"shortcut"`
	Content  *string `json:"content"`
}

func (in quickReplyInput) apply(qr *store.QuickReply) error {
	if in.Shortcut != nil {
		sc := strings.TrimPrefix(strings.TrimSpace(*in.Shortcut), "/")
		if !shortcutRe.MatchString(sc) {
			return errValidation("shortcut must be 1–40 letters, digits, _ or -")
		}
		qr.Shortcut = sc
	}
	if in.Content != nil {
		c := strings.TrimSpace(*in.Content)
		if c == "" || utf8.RuneCountInString(c) > 5000 {
			return errValidation("content is required (at most 5000 characters)")
		}
		qr.Content = c
	}
	return nil
}

func (s *Server) listQuickReplies(w http.ResponseWriter, r *http.Request) error {
	list, err := s.DB.R().QuickReplies(r.Context(), viewer(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) createQuickReply(w http.ResponseWriter, r *http.Request) error {
	var in quickReplyInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Shortcut == nil || in.Content == nil {
		return errValidation("shortcut and content are required")
	}
	var qr store.QuickReply
	if err := in.apply(&qr); err != nil {
		return err
	}
	qr, err := s.DB.W().CreateQuickReply(r.Context(), viewer(r).WorkspaceID, qr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, qr)
	return nil
}

func (s *Server) patchQuickReply(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in quickReplyInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	var qr store.QuickReply
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		var err error
		if qr, err = q.QuickReply(r.Context(), ws, id); err != nil {
			return err
		}
		if err := in.apply(&qr); err != nil {
			return err
		}
		return q.UpdateQuickReply(r.Context(), ws, qr)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, qr)
	return nil
}

type closingReasonInput struct {
	Name   *string `json:"name"`
	Active *bool   `json:"active"`
}

func (in closingReasonInput) apply(cr *store.ClosingReason) error {
	if in.Name != nil {
		if err := requireName("name", *in.Name); err != nil {
			return err
		}
		cr.Name = strings.TrimSpace(*in.Name)
	}
	if in.Active != nil {
		cr.Active = *in.Active
	}
	return nil
}

func (s *Server) listClosingReasons(w http.ResponseWriter, r *http.Request) error {
	list, err := s.DB.R().ClosingReasons(r.Context(), viewer(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) createClosingReason(w http.ResponseWriter, r *http.Request) error {
	var in closingReasonInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Name == nil {
		return errValidation("name is required")
	}
	cr := store.ClosingReason{Active: true}
	if err := in.apply(&cr); err != nil {
		return err
	}
	cr, err := s.DB.W().CreateClosingReason(r.Context(), viewer(r).WorkspaceID, cr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, cr)
	return nil
}

func (s *Server) patchClosingReason(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in closingReasonInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	var cr store.ClosingReason
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		var err error
		if cr, err = q.ClosingReason(r.Context(), ws, id); err != nil {
			return err
		}
		if err := in.apply(&cr); err != nil {
			return err
		}
		return q.UpdateClosingReason(r.Context(), ws, cr)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cr)
	return nil
}

type channelInput struct {
	Kind         *string `json:"kind"`
	Name         *string `json:"name"`
	CallbackURL  *string `json:"callback_url"`
	DepartmentID *int64  `json:"department_id"`
	// BotToken is a Telegram bot's token, on creation only.
	BotToken *string `json:"bot_token"`
	// WhatsApp Cloud API settings, on creation only.
	PhoneNumberID *string `json:"phone_number_id"`
	WABAID        *string `json:"waba_id"`
	AccessToken   *string `json:"access_token"`
	AppSecret     *string `json:"app_secret"`
	// SMS provider settings, on creation only.
	AccountSID          *string `json:"account_sid"`
	AuthToken           *string `json:"auth_token"`
	From                *string `json:"from"`
	MessagingServiceSID *string `json:"messaging_service_sid"`
	// Messenger / Instagram settings, on creation only (app_secret above).
	PageID             *string `json:"page_id"`
	InstagramAccountID *string `json:"instagram_account_id"`
	PageAccessToken    *string `json:"page_access_token"`
	// Widget is a website widget's settings (kind "widget"); on update it
	// replaces them whole.
	Widget *widget.Settings `json:"widget"`
	// Email is an e-mail channel's settings (kind "email"), on creation only.
	Email *emailInput `json:"email"`
}

// hasWhatsApp reports whether the input carries WhatsApp settings.
func (in channelInput) hasWhatsApp() bool {
	return in.PhoneNumberID != nil || in.WABAID != nil || in.AccessToken != nil || in.AppSecret != nil
}

func (s *Server) applyChannel(r *http.Request, q store.Q, in channelInput, c *store.Channel) error {
	if in.Name != nil {
		if err := requireName("name", *in.Name); err != nil {
			return err
		}
		c.Name = strings.TrimSpace(*in.Name)
	}
	if in.CallbackURL != nil {
		u := strings.TrimSpace(*in.CallbackURL)
		if u != "" && !validHTTPURL(u) {
			return errValidation("callback_url must be an http(s) URL")
		}
		c.CallbackURL = u
	}
	if in.DepartmentID != nil {
		if *in.DepartmentID == 0 {
			c.DepartmentID = nil
		} else {
			if _, err := q.Department(r.Context(), c.WorkspaceID, *in.DepartmentID); err != nil {
				return errValidation("department_id does not exist")
			}
			c.DepartmentID = in.DepartmentID
		}
	}
	return nil
}

// channelWithSecrets is shown once, when a channel is created or its token rotated.
type channelWithSecrets struct {
	store.Channel
	Token  string `json:"token"`
	Secret string `json:"secret,omitempty"`
}

// channelSummary is a channel as every user sees it: enough to show which
// channel a customer writes from, nothing of its configuration (DESIGN M5:
// no channel credentials are shared with agents).
type channelSummary struct {
	ID           int64  `json:"id"`
	Kind         string `json:"kind"`
	Name         string `json:"name"`
	DepartmentID *int64 `json:"department_id"`
}

// listChannels answers admins every channel with its configuration, and
// other users their summaries.
func (s *Server) listChannels(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	list, err := s.DB.R().Channels(r.Context(), v.WorkspaceID)
	if err != nil {
		return err
	}
	if v.IsAdmin() {
		views := make([]channelView, len(list))
		for i, c := range list {
			views[i] = s.channelView(r, c)
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": views})
		return nil
	}
	items := make([]channelSummary, len(list))
	for i, c := range list {
		items[i] = channelSummary{ID: c.ID, Kind: c.Kind, Name: c.Name, DepartmentID: c.DepartmentID}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.DB.R().Channel(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.channelView(r, c))
	return nil
}

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request) error {
	var in channelInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Kind != nil && *in.Kind == email.Kind {
		return s.createEmailChannel(w, r, in)
	}
	if in.Email != nil {
		return errValidation("email belongs to email channels")
	}
	if in.Kind != nil && *in.Kind == widget.Kind {
		return s.createWidgetChannel(w, r, in)
	}
	if in.Widget != nil {
		return errValidation("widget belongs to widget channels")
	}
	if in.Kind != nil && isMetaKind(*in.Kind) {
		return s.createMetaChannel(w, r, in)
	}
	if in.hasMeta() {
		return errValidation("page_id, instagram_account_id and page_access_token belong to messenger and instagram channels")
	}
	if in.Kind != nil && *in.Kind == sms.Kind {
		return s.createSMSChannel(w, r, in)
	}
	if in.hasSMS() {
		return errValidation("account_sid, auth_token, from and messaging_service_sid belong to sms channels")
	}
	if in.Kind != nil && *in.Kind == whatsapp.Kind {
		return s.createWhatsAppChannel(w, r, in)
	}
	if in.hasWhatsApp() {
		return errValidation("phone_number_id, waba_id, access_token and app_secret belong to whatsapp channels")
	}
	if in.Kind != nil && *in.Kind == telegram.Kind {
		return s.createTelegramChannel(w, r, in)
	}
	if in.Kind == nil || *in.Kind != apichannel.Kind {
		return errValidation(`kind must be "api", "telegram", "whatsapp", "messenger", "instagram", "sms", "widget" or "email"`)
	}
	if in.Name == nil {
		return errValidation("name is required")
	}
	if in.BotToken != nil {
		return errValidation("bot_token belongs to telegram channels")
	}
	token, hash := auth.NewToken(auth.PrefixChannel)
	secret, sealed, err := s.newSigningSecret()
	if err != nil {
		return err
	}
	c := store.Channel{WorkspaceID: viewer(r).WorkspaceID, Kind: apichannel.Kind, Secret: sealed}
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		if err := s.applyChannel(r, q, in, &c); err != nil {
			return err
		}
		var err error
		c, err = q.CreateChannel(r.Context(), c, hash)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, channelWithSecrets{Channel: c, Token: token, Secret: secret})
	return nil
}

func (s *Server) patchChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in channelInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Kind != nil {
		return errValidation("kind cannot be changed")
	}
	if in.BotToken != nil {
		return errValidation("bot_token cannot be changed: delete the channel and connect the bot again")
	}
	if in.hasWhatsApp() {
		return errValidation("phone_number_id, waba_id, access_token and app_secret cannot be changed: delete the channel and connect the number again")
	}
	if in.hasSMS() {
		return errValidation("account_sid, auth_token, from and messaging_service_sid cannot be changed: delete the channel and connect the account again")
	}
	if in.hasMeta() {
		return errValidation("page_id, instagram_account_id, page_access_token and app_secret cannot be changed: delete the channel and connect the account again")
	}
	if in.Email != nil {
		return errValidation("email settings cannot be changed: delete the channel and connect the mailbox again")
	}
	ws := viewer(r).WorkspaceID
	var c store.Channel
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		var err error
		if c, err = q.Channel(r.Context(), ws, id); err != nil {
			return err
		}
		if err := s.applyChannel(r, q, in, &c); err != nil {
			return err
		}
		if in.Widget != nil {
			if err := s.applyWidget(q, in.Widget, &c); err != nil {
				return err
			}
		}
		return q.UpdateChannel(r.Context(), c)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.channelView(r, c))
	return nil
}

// deleteChannel removes a channel with its conversations; a provider
// channel is first unhooked from the provider, best effort (the channel
// goes whatever the provider answers, and its webhook URL then answers 404).
func (s *Server) deleteChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.DB.R().Channel(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	if c.Kind == telegram.Kind {
		s.unhookTelegram(r.Context(), c)
	}
	return s.eraseWithFiles(w, r, store.Q.DeleteChannel)
}

// rotateChannelToken replaces a channel's inbound token and its signing
// secret, and shows both once.
func (s *Server) rotateChannelToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	if c, err := s.DB.R().Channel(r.Context(), ws, id); err != nil {
		return err
	} else if c.Kind != apichannel.Kind {
		return errValidation("only API channels have a token to rotate")
	}
	token, hash := auth.NewToken(auth.PrefixChannel)
	secret, sealed, err := s.newSigningSecret()
	if err != nil {
		return err
	}
	var c store.Channel
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		if err := q.RotateChannelToken(r.Context(), ws, id, hash, sealed); err != nil {
			return err
		}
		c, err = q.Channel(r.Context(), ws, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, channelWithSecrets{Channel: c, Token: token, Secret: secret})
	return nil
}

// newSigningSecret makes a channel's callback signing secret: the value to
// show once, and its sealed form for the database.
func (s *Server) newSigningSecret() (secret, sealed string, err error) {
	if s.Secrets == nil {
		return "", "", errors.New("httpapi: no secrets box configured")
	}
	secret, _ = auth.NewToken("whsec_")
	sealed, err = s.Secrets.Seal(secret)
	return secret, sealed, err
}
