package conversation

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/automation/bot"
	"github.com/atende/atende/internal/store"
)

// JobBotEvent is the job kind that posts one event to an agent bot (an
// outside service running a department's conversations, DESIGN M6). The
// webhook package delivers it, signed with the bot's secret.
const JobBotEvent = "bot.event"

// Events an agent bot receives.
const (
	// BotEventStarted: the bot took a conversation (a new one, or one
	// transferred into its department); Message is what the customer
	// wrote, when a message brought it.
	BotEventStarted = "conversation.bot_started"
	// BotEventMessage: the customer wrote in a conversation the bot runs.
	BotEventMessage = "message.created"
)

// BotEventJob is the payload of a JobBotEvent: the event's id and body are
// fixed when it is queued, so every retry posts the same bytes and the bot
// can drop repeats by the webhook-id header.
type BotEventJob struct {
	BotID   int64  `json:"bot_id"`
	EventID string `json:"event_id"`
	Body    string `json:"body"`
}

// BotEventData is the data of an agent bot's event.
type BotEventData struct {
	BotID        int64          `json:"bot_id"`
	Conversation View           `json:"conversation"`
	Message      *store.Message `json:"message"`
}

// ErrBotNotRunning: the conversation is not run by this bot now, or a
// person has taken it over (409).
var ErrBotNotRunning = errors.New("the bot does not run this conversation")

// notifyAgentBot queues the event for the agent bot b about r's
// conversation, in r's transaction.
func (r *botRun) notifyAgentBot(ctx context.Context, b store.Bot, typ string, m *store.Message) error {
	v := ViewOf(*r.c, r.workspace, time.UnixMilli(r.now))
	data := BotEventData{BotID: b.ID, Conversation: v, Message: m}
	ts := time.UnixMilli(r.now).UTC().Format(time.RFC3339Nano)
	body, err := json.Marshal(struct {
		Type      string       `json:"type"`
		Timestamp string       `json:"timestamp"`
		Data      BotEventData `json:"data"`
	}{typ, ts, data})
	if err != nil {
		return err
	}
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	id := "msg_" + strings.TrimRight(base64.RawURLEncoding.EncodeToString(raw[:]), "=")
	payload, err := json.Marshal(BotEventJob{BotID: b.ID, EventID: id, Body: string(body)})
	if err != nil {
		return err
	}
	r.jobs = true
	return r.q.EnqueueJob(ctx, store.Job{WorkspaceID: r.c.WorkspaceID, Kind: JobBotEvent, Key: "bot:" + id, Payload: string(payload)})
}

// botAct runs fn as agent bot botID on one of its conversations: the
// conversation must be in the bot's session and not taken over by a
// person, else ErrBotNotRunning (another workspace's, or unknown: not found).
func (s *Service) botAct(ctx context.Context, ws, botID, id int64, fn func(r *botRun, b store.Bot) error) (store.Conversation, []store.Message, error) {
	w, err := s.Workspace(ctx, ws)
	if err != nil {
		return store.Conversation{}, nil, err
	}
	var chg change
	err = s.db.Tx(ctx, func(q store.Q) error {
		c, err := q.LockVisibleConversation(ctx, access.Viewer{WorkspaceID: ws, Role: access.RoleAdmin}, id)
		if err != nil {
			return err
		}
		sess, err := q.BotSession(ctx, c.ID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && sess.BotID != botID) {
			return ErrNotFound // not this bot's: as if it did not exist
		} else if err != nil {
			return err
		}
		if c.AutomationPaused || c.Status == store.StatusResolved {
			return ErrBotNotRunning
		}
		b, err := q.Bot(ctx, ws, botID)
		if err != nil {
			return err
		}
		chg.prevDept, chg.prevUser = c.Dept(), c.Assignee()
		before := c
		r := &botRun{s: s, q: q, c: &c, now: s.nowMS(), workspace: w}
		if err := fn(r, b); err != nil {
			return err
		}
		c.UpdatedAt = r.now
		if err := q.SaveConversation(ctx, before, c); err != nil {
			return err
		}
		if err := s.assignHook(ctx, q, before, c, false, &chg); err != nil {
			return err
		}
		chg.conv, chg.messages = c, r.out
		chg.jobs = chg.jobs || r.jobs || len(r.out) > 0
		return s.outbox(ctx, q, &chg)
	})
	if err != nil {
		return store.Conversation{}, nil, err
	}
	s.publish(ctx, chg)
	return chg.conv, chg.messages, nil
}

// BotSend sends text (with a menu's choices, if any) to the customer as
// agent bot botID. Like a flow bot's messages it answers the customer but
// does not pause automation or count as a person's first reply.
func (s *Service) BotSend(ctx context.Context, ws, botID, id int64, text string, choices []string) (store.Message, error) {
	if strings.TrimSpace(text) == "" {
		return store.Message{}, invalid("content is required")
	}
	if utf8.RuneCountInString(text) > MaxMessageRunes {
		return store.Message{}, invalid("a message has at most %d characters", MaxMessageRunes)
	}
	if len(choices) > 10 {
		return store.Message{}, invalid("at most 10 choices")
	}
	var sent store.Message
	_, _, err := s.botAct(ctx, ws, botID, id, func(r *botRun, b store.Bot) error {
		if err := r.apply(ctx, b, bot.Result{Actions: []bot.Action{{Kind: bot.ActSend, Text: text, Choices: choices}}}, 0); err != nil {
			return err
		}
		sent = r.out[len(r.out)-1]
		return nil
	})
	return sent, err
}

// BotHandOff ends agent bot botID's part: the conversation waits for a
// person in the queue of dept (0: its own), or with its assignee.
func (s *Service) BotHandOff(ctx context.Context, ws, botID, id, dept int64) (store.Conversation, error) {
	c, _, err := s.botAct(ctx, ws, botID, id, func(r *botRun, b store.Bot) error {
		if dept != 0 {
			if err := r.requireDepartment(ctx, dept); err != nil {
				return err
			}
		}
		return r.handoff(ctx, b, dept)
	})
	return c, err
}

// BotTransfer moves the conversation to another department as agent bot
// botID; that department's own bot, if any, takes it at once.
func (s *Service) BotTransfer(ctx context.Context, ws, botID, id, dept int64) (store.Conversation, error) {
	c, _, err := s.botAct(ctx, ws, botID, id, func(r *botRun, b store.Bot) error {
		if err := r.requireDepartment(ctx, dept); err != nil {
			return err
		}
		return r.transfer(ctx, b, dept, 0)
	})
	return c, err
}

// requireDepartment refuses a department the workspace does not have.
func (r *botRun) requireDepartment(ctx context.Context, dept int64) error {
	ok, err := r.departmentExists(ctx, dept)
	if err == nil && !ok {
		return invalid("department %d does not exist", dept)
	}
	return err
}

// BotResolve finishes the conversation as agent bot botID.
func (s *Service) BotResolve(ctx context.Context, ws, botID, id int64) (store.Conversation, error) {
	c, _, err := s.botAct(ctx, ws, botID, id, func(r *botRun, b store.Bot) error { return r.resolve(ctx, b) })
	return c, err
}

// BotConversation returns a conversation agent bot botID runs (paused
// included, so the bot can see that a person took over); any other is not
// found.
func (s *Service) BotConversation(ctx context.Context, ws, botID, id int64) (View, error) {
	q := s.db.R()
	sess, err := q.BotSession(ctx, id)
	if err != nil {
		return View{}, err
	}
	if sess.BotID != botID || sess.WorkspaceID != ws {
		return View{}, ErrNotFound
	}
	c, err := q.Conversation(ctx, access.Viewer{WorkspaceID: ws, Role: access.RoleAdmin}, id)
	if err != nil {
		return View{}, err
	}
	return s.View(ctx, c)
}
