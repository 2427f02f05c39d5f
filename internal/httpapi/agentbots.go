package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// The bot API: what an agent bot (an outside service running a
// department's conversations) may do with its token. It reaches only the
// conversations it runs; any other id answers 404.

// agentBot authenticates a request by an agent bot's token.
func (s *Server) agentBot(fn func(w http.ResponseWriter, r *http.Request, b store.Bot) error) http.Handler {
	return s.h(func(w http.ResponseWriter, r *http.Request) error {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !strings.HasPrefix(token, auth.PrefixBot) {
			return &apiError{http.StatusUnauthorized, "unauthenticated", "send the bot token as Authorization: Bearer atb_…"}
		}
		b, err := s.DB.R().BotByTokenHash(r.Context(), auth.HashToken(token))
		if errors.Is(err, store.ErrNotFound) {
			return &apiError{http.StatusUnauthorized, "unauthenticated", "unknown or disabled bot token"}
		} else if err != nil {
			return err
		}
		return fn(w, r, b)
	})
}

// botErr maps a bot that no longer runs the conversation to 409.
func botErr(err error) error {
	if errors.Is(err, conversation.ErrBotNotRunning) {
		return &apiError{http.StatusConflict, "bot_not_running", "a person has taken over this conversation, or it is resolved: the bot may not act on it"}
	}
	return err
}

func (s *Server) botGetConversation(w http.ResponseWriter, r *http.Request, b store.Bot) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.Conversations.BotConversation(r.Context(), b.WorkspaceID, b.ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) botListMessages(w http.ResponseWriter, r *http.Request, b store.Bot) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.writeMessagePage(w, r, id, func() error {
		_, err := s.Conversations.BotConversation(r.Context(), b.WorkspaceID, b.ID, id)
		return err
	})
}

type botSendRequest struct {
	Content string   `json:"content"`
	Choices []string `json:"choices"`
}

func (s *Server) botSend(w http.ResponseWriter, r *http.Request, b store.Bot) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in botSendRequest
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	for _, c := range in.Choices {
		if strings.TrimSpace(c) == "" || len([]rune(c)) > 60 {
			return errValidation("each choice is 1 to 60 characters")
		}
	}
	m, err := s.Conversations.BotSend(r.Context(), b.WorkspaceID, b.ID, id, in.Content, in.Choices)
	if err != nil {
		return botErr(err)
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

type botDepartmentRequest struct {
	DepartmentID int64 `json:"department_id"`
}

func (s *Server) botHandOff(w http.ResponseWriter, r *http.Request, b store.Bot) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in botDepartmentRequest
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.DepartmentID < 0 {
		return errValidation("department_id must be a positive id")
	}
	c, err := s.Conversations.BotHandOff(r.Context(), b.WorkspaceID, b.ID, id, in.DepartmentID)
	return s.writeBotConversation(w, r, c, err)
}

func (s *Server) botTransfer(w http.ResponseWriter, r *http.Request, b store.Bot) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in botDepartmentRequest
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.DepartmentID <= 0 {
		return errValidation("department_id is required")
	}
	c, err := s.Conversations.BotTransfer(r.Context(), b.WorkspaceID, b.ID, id, in.DepartmentID)
	return s.writeBotConversation(w, r, c, err)
}

func (s *Server) botResolve(w http.ResponseWriter, r *http.Request, b store.Bot) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.Conversations.BotResolve(r.Context(), b.WorkspaceID, b.ID, id)
	return s.writeBotConversation(w, r, c, err)
}

func (s *Server) writeBotConversation(w http.ResponseWriter, r *http.Request, c store.Conversation, err error) error {
	if err != nil {
		return botErr(err)
	}
	v, err := s.Conversations.View(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
