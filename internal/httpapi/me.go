package httpapi

import (
	"net/http"
	"strings"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/store"
)

type meResponse struct {
	User      store.User      `json:"user"`
	Workspace store.Workspace `json:"workspace"`
	// CSRFToken is present for cookie sessions: send it back in X-CSRF-Token.
	CSRFToken string `json:"csrf_token,omitempty"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	ws, err := s.DB.R().Workspace(r.Context(), u.WorkspaceID)
	if err != nil {
		return err
	}
	resp := meResponse{User: *u, Workspace: ws}
	if c, err := r.Cookie(SessionCookie); err == nil && r.Header.Get("Authorization") == "" {
		if sess, err := s.DB.R().SessionByHash(r.Context(), auth.HashToken(c.Value)); err == nil {
			resp.CSRFToken = sess.CSRFToken
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

type presenceRequest struct {
	Presence string `json:"presence"`
}

func validPresence(p string) bool {
	return p == store.PresenceOnline || p == store.PresenceAway || p == store.PresenceOffline
}

func (s *Server) setPresence(w http.ResponseWriter, r *http.Request) error {
	var req presenceRequest
	if err := decode(w, r, &req, maxJSONBody); err != nil {
		return err
	}
	if !validPresence(req.Presence) {
		return errValidation("presence must be online, away or offline")
	}
	u := currentUser(r)
	if err := s.publishPresence(r, u.WorkspaceID, u.ID, req.Presence); err != nil {
		return err
	}
	u.Presence = req.Presence
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) publishPresence(r *http.Request, ws, userID int64, presence string) error {
	// through the conversation service: presence drives automatic assignment
	if err := s.Conversations.SetPresence(r.Context(), ws, userID, presence); err != nil {
		return err
	}
	s.emitPresence(r.Context(), ws, userID, presence)
	return nil
}

// presenceOnConnect marks a user online when their first socket opens.
// Going offline when the last socket closes is left to the user's explicit
// choice or the next login: a reload must not flap presence.
func (s *Server) presenceOnConnect(v access.Viewer, connected bool) {
	if !connected {
		return
	}
	ctx := detached(s.baseCtx())
	u, err := s.DB.R().User(ctx, v.WorkspaceID, v.UserID)
	if err != nil || u.Presence != store.PresenceOffline {
		return
	}
	if err := s.Conversations.SetPresence(ctx, v.WorkspaceID, v.UserID, store.PresenceOnline); err == nil {
		s.emitPresence(ctx, v.WorkspaceID, v.UserID, store.PresenceOnline)
	}
}

type changePasswordRequest struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	var req changePasswordRequest
	if err := decode(w, r, &req, 16<<10); err != nil {
		return err
	}
	u := currentUser(r)
	if err := auth.CheckPassword(u.PasswordHash, req.Current); err != nil {
		return errValidation("current password is wrong")
	}
	if len(req.New) < auth.MinPasswordLen {
		return errValidation("the new password needs at least 8 characters")
	}
	hash, err := auth.HashPassword(req.New)
	if err != nil {
		return err
	}
	if err := s.DB.W().SetPassword(r.Context(), u.WorkspaceID, u.ID, hash); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	list, err := s.DB.R().APITokens(r.Context(), u.WorkspaceID, u.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

type createTokenRequest struct {
	Name string `json:"name"`
}

type createdToken struct {
	store.APIToken
	// Token is shown only once; only its hash is stored.
	Token string `json:"token"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req createTokenRequest
	if err := decode(w, r, &req, maxJSONBody); err != nil {
		return err
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 100 {
		return errValidation("name is required (at most 100 characters)")
	}
	u := currentUser(r)
	token, hash := auth.NewToken(auth.PrefixUser)
	t, err := s.DB.W().CreateAPIToken(r.Context(), u.WorkspaceID, u.ID, req.Name, hash, token[:len(auth.PrefixUser)+4])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createdToken{APIToken: t, Token: token})
	return nil
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u := currentUser(r)
	if err := s.DB.W().DeleteAPIToken(r.Context(), u.WorkspaceID, u.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type setupStatus struct {
	NeedsSetup bool `json:"needs_setup"`
}

func (s *Server) setupStatus(w http.ResponseWriter, r *http.Request) error {
	n, err := s.DB.R().CountUsers(r.Context())
	if err != nil {
		return err
	}
	s.setupMu.Lock() // setup clears SetupToken under this lock
	open := s.SetupToken != ""
	s.setupMu.Unlock()
	writeJSON(w, http.StatusOK, setupStatus{NeedsSetup: n == 0 && open})
	return nil
}

type setupRequest struct {
	Token     string `json:"token"`
	Workspace string `json:"workspace"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Password  string `json:"password"`
}

// setup creates the first workspace and admin with the one-time token that
// `atende serve` printed on its first start.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	var req setupRequest
	if err := decode(w, r, &req, 16<<10); err != nil {
		return err
	}
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	n, err := s.DB.R().CountUsers(r.Context())
	if err != nil {
		return err
	}
	if s.SetupToken == "" || n > 0 || len(req.Token) != len(s.SetupToken) || auth.HashToken(req.Token) != auth.HashToken(s.SetupToken) {
		return &apiError{http.StatusForbidden, "setup_closed", "setup is not open or the setup token is wrong"}
	}
	admin, err := CreateAdmin(r.Context(), s.DB, req.Workspace, req.Name, req.Email, req.Password)
	if err != nil {
		return err
	}
	s.SetupToken = ""
	writeJSON(w, http.StatusCreated, admin)
	return nil
}

func (s *Server) emitPresence(ctx contextLike, ws, userID int64, presence string) {
	if s.Bus == nil {
		return
	}
	data := []byte(`{"user_id":` + itoa(userID) + `,"presence":"` + presence + `"}`)
	_ = s.Bus.Publish(detached(ctx), events.Event{Type: events.PresenceUpdated, WorkspaceID: ws, Data: data})
}
