// Package conversation owns the conversation state machine of DESIGN §3:
// inbound customer messages, replies and notes, assignment, transfer,
// snooze, resolve and reopen, the BotConversa automation flags, the waiting
// thermometer, and the events every change leaves in the timeline and on the
// event bus. It never imports net/http.
package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/store"
)

// Errors callers map to HTTP answers.
var (
	// ErrInvalid: the request is malformed or breaks a rule (422/400).
	ErrInvalid = errors.New("invalid")
	// ErrTransition: the conversation's status does not allow the action (409).
	ErrTransition = errors.New("invalid transition")
	// ErrForbidden: the viewer sees the conversation but may not do this (403).
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: no such thing, or the viewer may not see it (404).
	ErrNotFound = store.ErrNotFound
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// JobDeliver is the job kind that sends an outbound message to its channel.
const JobDeliver = "message.deliver"

// JobWake is the job kind that wakes a snoozed conversation.
const JobWake = "conversation.wake"

// Notifier is told when jobs were committed, so workers start at once.
type Notifier interface{ Notify() }

// Service runs the conversation rules on the store.
type Service struct {
	db   *store.DB
	bus  events.Bus
	jobs Notifier
	log  *slog.Logger
	// clock is the service's clock; SetClock may replace it while the
	// service runs (tests of the 24-hour window and timers).
	clock atomic.Pointer[func() time.Time]

	batch batcher
	outs  []Outbox // webhooks, automation rules (outbox.go)

	assigns  assignCache // assign.go
	routes   routeCache  // routing.go
	rules    ruleCache   // rules.go
	hooks    RuleWebhooks
	flows    flowCache    // bot.go
	deptBots deptBotCache // bot.go

	mu        sync.Mutex
	wsCache   map[int64]cachedWorkspace
	countsDue map[int64]bool
}

type cachedWorkspace struct {
	w   store.Workspace
	exp time.Time
}

// New returns a Service. jobs may be nil (tests without workers).
func New(db *store.DB, bus events.Bus, jobs Notifier, log *slog.Logger) *Service {
	s := &Service{db: db, bus: bus, jobs: jobs, log: log, wsCache: map[int64]cachedWorkspace{}, countsDue: map[int64]bool{}}
	s.SetClock(time.Now)
	return s
}

// SetClock replaces the service's clock (tests of timers and the thermometer).
func (s *Service) SetClock(now func() time.Time) { s.clock.Store(&now) }

func (s *Service) now() time.Time { return (*s.clock.Load())() }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

func (s *Service) nowMS() int64 { return s.now().UnixMilli() }

// Workspace returns a workspace's settings, cached for a few seconds: they
// change rarely and every conversation payload needs the thermometer thresholds.
func (s *Service) Workspace(ctx context.Context, ws int64) (store.Workspace, error) {
	s.mu.Lock()
	c, ok := s.wsCache[ws]
	s.mu.Unlock()
	if ok && time.Now().Before(c.exp) {
		return c.w, nil
	}
	w, err := s.db.R().Workspace(ctx, ws)
	if err != nil {
		return w, err
	}
	s.mu.Lock()
	s.wsCache[ws] = cachedWorkspace{w: w, exp: time.Now().Add(5 * time.Second)}
	s.mu.Unlock()
	return w, nil
}

// ForgetWorkspace drops cached settings after they changed.
func (s *Service) ForgetWorkspace(ws int64) {
	s.mu.Lock()
	delete(s.wsCache, ws)
	s.mu.Unlock()
}

// View is a conversation as the API shows it: the stored row plus the
// waiting time and thermometer level computed at read time.
type View struct {
	store.Conversation
	WaitingSince   *int64 `json:"waiting_since"`
	WaitingSeconds *int64 `json:"waiting_seconds"`
	Thermometer    string `json:"thermometer,omitempty"`
	AutomationOn   bool   `json:"automation_active"`
}

// Thermometer levels.
const (
	Green  = "green"
	Yellow = "yellow"
	Red    = "red"
)

// Level is the thermometer colour for a wait of waited seconds: green up
// to the yellow threshold, yellow up to the red threshold, red after.
func Level(waited, yellowAfter, redAfter int64) string {
	switch {
	case waited > redAfter:
		return Red
	case waited > yellowAfter:
		return Yellow
	default:
		return Green
	}
}

// ViewOf computes the read-time fields of c.
func ViewOf(c store.Conversation, w store.Workspace, now time.Time) View {
	v := View{Conversation: c, AutomationOn: !c.AutomationPaused && c.Status != store.StatusResolved}
	if c.Waiting() && c.Status != store.StatusResolved {
		since := c.WaitingSince
		secs := max(0, (now.UnixMilli()-since)/1000)
		v.WaitingSince, v.WaitingSeconds = &since, &secs
		v.Thermometer = Level(secs, w.ThermometerYellowS, w.ThermometerRedS)
	}
	return v
}

// View computes the API view of a conversation.
func (s *Service) View(ctx context.Context, c store.Conversation) (View, error) {
	w, err := s.Workspace(ctx, c.WorkspaceID)
	if err != nil {
		return View{}, err
	}
	return ViewOf(c, w, s.now()), nil
}

// Views computes the API views of a page of conversations.
func (s *Service) Views(ctx context.Context, ws int64, list []store.Conversation) ([]View, error) {
	w, err := s.Workspace(ctx, ws)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]View, len(list))
	for i, c := range list {
		out[i] = ViewOf(c, w, now)
	}
	return out, nil
}

// change is what one transaction did, published after commit.
type change struct {
	conv     store.Conversation
	prevDept int64
	prevUser int64
	created  bool
	messages []store.Message
	jobs     bool
}

func (s *Service) publish(ctx context.Context, ch change) {
	if s.jobs != nil && ch.jobs {
		s.jobs.Notify()
	}
	if s.bus == nil {
		return
	}
	c := ch.conv
	for _, m := range ch.messages {
		data, _ := json.Marshal(m)
		_ = s.bus.Publish(ctx, events.Event{Type: events.MessageCreated, WorkspaceID: c.WorkspaceID, ConversationID: c.ID,
			DepartmentID: c.Dept(), AssigneeID: c.Assignee(), ContactID: c.ContactID, ChannelID: c.ChannelID, Data: data})
	}
	// labels are read after commit, on the read pool, to keep the writer short
	if err := s.db.R().WithLabels(ctx, &c); err != nil {
		s.log.Error("conversation: labels for event", "conversation", c.ID, "err", err)
	}
	view, err := s.View(ctx, c)
	if err != nil {
		s.log.Error("conversation: view for event", "conversation", c.ID, "err", err)
		return
	}
	data, _ := json.Marshal(view)
	typ := events.ConversationUpdated
	if ch.created {
		typ = events.ConversationCreated
	}
	_ = s.bus.Publish(ctx, events.Event{Type: typ, WorkspaceID: c.WorkspaceID, ConversationID: c.ID, DepartmentID: c.Dept(),
		AssigneeID: c.Assignee(), PrevDepartmentID: ch.prevDept, PrevAssigneeID: ch.prevUser, ContactID: c.ContactID, ChannelID: c.ChannelID, Data: data})
	s.countersChanged(ctx, c.WorkspaceID)
}

// countersChanged publishes at most one counters event per workspace per
// 250 ms: under load every message changes a count, and clients only need
// to know that they should refresh.
func (s *Service) countersChanged(ctx context.Context, ws int64) {
	s.mu.Lock()
	if s.countsDue[ws] {
		s.mu.Unlock()
		return
	}
	s.countsDue[ws] = true
	s.mu.Unlock()
	time.AfterFunc(250*time.Millisecond, func() {
		s.mu.Lock()
		delete(s.countsDue, ws)
		s.mu.Unlock()
		_ = s.bus.Publish(context.WithoutCancel(ctx), events.Event{Type: events.CountersChanged, WorkspaceID: ws})
	})
}

func eventMessage(c store.Conversation, at int64, actorType string, actorID int64, e store.Event) store.Message {
	e.ActorType = actorType
	e.ActorID = actorID
	var sender *int64
	if actorID != 0 {
		sender = &actorID
	}
	return store.Message{WorkspaceID: c.WorkspaceID, ConversationID: c.ID, Kind: store.KindEvent, Direction: store.DirInternal,
		SenderType: actorType, SenderID: sender, ChannelID: c.ChannelID, Event: &e, CreatedAt: at}
}

func ptr[T any](v T) *T { return &v }

func preview(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= 140 {
		return s
	}
	r := []rune(s)
	return string(r[:140]) + "…"
}

func (s *Service) publishMessageUpdate(ctx context.Context, c store.Conversation, m store.Message) {
	if s.bus == nil {
		return
	}
	data, _ := json.Marshal(m)
	_ = s.bus.Publish(ctx, events.Event{Type: events.MessageUpdated, WorkspaceID: c.WorkspaceID, ConversationID: c.ID,
		DepartmentID: c.Dept(), AssigneeID: c.Assignee(), ContactID: c.ContactID, ChannelID: c.ChannelID, Data: data})
}
