package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/atende/atende/internal/automation/bot"
	"github.com/atende/atende/internal/store"
)

// maxBotHops bounds how many departments' bots one customer message can
// pass through (a transfer starts the next department's bot at once): a
// ring of bots transferring to each other ends in a queue, not a loop.
const maxBotHops = 5

// flowCache keeps parsed flows by bot id and update time, so a bot's flow
// is parsed once per edit, not once per customer message.
type flowCache struct {
	mu sync.Mutex
	m  map[int64]cachedFlow
}

type cachedFlow struct {
	updatedAt int64
	flow      *bot.Flow
	err       error
}

func (fc *flowCache) get(b store.Bot) (*bot.Flow, error) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if c, ok := fc.m[b.ID]; ok && c.updatedAt == b.UpdatedAt {
		return c.flow, c.err
	}
	f, err := bot.Parse(b.Flow)
	if fc.m == nil {
		fc.m = map[int64]cachedFlow{}
	}
	fc.m[b.ID] = cachedFlow{updatedAt: b.UpdatedAt, flow: f, err: err}
	return f, err
}

// deptBotCache keeps each workspace's department → bot map, an empty one
// included: a workspace without bots pays one map lookup per new
// conversation, not a query. The zero value is ready to use.
type deptBotCache struct {
	mu sync.Mutex
	m  map[int64]cachedDeptBots
}

type cachedDeptBots struct {
	bots map[int64]int64
	exp  time.Time
}

// ForgetBots drops a workspace's cached department bots after a bot or a
// department's bot changed; other nodes see the change within routingTTL.
func (s *Service) ForgetBots(ws int64) {
	s.deptBots.mu.Lock()
	delete(s.deptBots.m, ws)
	s.deptBots.mu.Unlock()
}

// departmentBot returns the id of dept's enabled bot, 0 when it has none.
func (s *Service) departmentBot(ctx context.Context, q store.Q, ws, dept int64) (int64, error) {
	s.deptBots.mu.Lock()
	c, ok := s.deptBots.m[ws]
	s.deptBots.mu.Unlock()
	if !ok || !time.Now().Before(c.exp) {
		bots, err := q.DepartmentBots(ctx, ws)
		if err != nil {
			return 0, err
		}
		c = cachedDeptBots{bots: bots, exp: time.Now().Add(routingTTL)}
		s.deptBots.mu.Lock()
		if s.deptBots.m == nil {
			s.deptBots.m = map[int64]cachedDeptBots{}
		}
		s.deptBots.m[ws] = c
		s.deptBots.mu.Unlock()
	}
	return c.bots[dept], nil
}

// botRun applies one bot turn to a conversation inside the caller's
// transaction: c is changed in place and the messages to append (bot
// texts, timeline events) are returned already stored, with their
// deliveries queued.
type botRun struct {
	s         *Service
	q         store.Q
	c         *store.Conversation
	now       int64
	workspace store.Workspace
	// trigger is the customer's message this turn answers (nil when a
	// bot API call, not a message, caused it).
	trigger *store.Message
	contact *store.Contact
	// labelsRead: c.LabelIDs holds the conversation's labels. A
	// conversation read for a message comes without them (see env).
	labelsRead bool
	out        []store.Message
	jobs       bool // jobs other than the deliveries of out were queued
}

// botFor returns the bot that should take a conversation entering dept
// (ruleBot, a routing rule's choice, first), with its parsed flow; ok is
// false when no usable bot applies. An agent bot has no flow.
func (s *Service) botFor(ctx context.Context, q store.Q, ws, dept, ruleBot int64) (store.Bot, *bot.Flow, bool, error) {
	var b store.Bot
	var err error
	if ruleBot != 0 {
		b, err = q.Bot(ctx, ws, ruleBot)
		if err == nil && !b.Enabled {
			err = store.ErrNotFound
		}
	}
	if (ruleBot == 0 || errors.Is(err, store.ErrNotFound)) && dept != 0 {
		id, derr := s.departmentBot(ctx, q, ws, dept)
		if derr != nil {
			return b, nil, false, derr
		}
		err = store.ErrNotFound
		if id != 0 {
			b, err = q.Bot(ctx, ws, id)
		}
	}
	if ruleBot == 0 && dept == 0 {
		return b, nil, false, nil
	}
	if err == nil && !b.Enabled {
		err = store.ErrNotFound // disabled since the map was cached
	}
	if errors.Is(err, store.ErrNotFound) {
		return b, nil, false, nil
	} else if err != nil {
		return b, nil, false, err
	}
	if b.Kind != store.BotFlow {
		return b, nil, true, nil
	}
	f, err := s.flows.get(b)
	if err != nil {
		// The API validates every flow it stores; this is a flow of a later
		// version read by an older node: the department works without it.
		s.log.Warn("conversation: skipping a bot whose flow does not parse", "workspace", ws, "bot", b.ID, "err", err)
		return b, nil, false, nil
	}
	return b, f, true, nil
}

// env is what the bot sees of the conversation and its contact.
func (r *botRun) env(ctx context.Context, f *bot.Flow) (bot.Env, error) {
	if r.contact == nil {
		ct, err := r.q.ContactFacts(ctx, r.c.WorkspaceID, r.c.ContactID)
		if err != nil {
			return bot.Env{}, err
		}
		if ct.Attributes == nil {
			ct.Attributes = map[string]any{}
		}
		r.contact = &ct
	}
	// a flow that looks at labels needs the conversation's (a label step
	// may have added one in an earlier turn)
	if !r.labelsRead && needsLabels(f) {
		if err := r.q.WithLabels(ctx, r.c); err != nil {
			return bot.Env{}, err
		}
		r.labelsRead = true
	}
	labels := slices.Concat(r.contact.LabelIDs, r.c.LabelIDs)
	env := bot.Env{ContactName: r.contact.Name, Attributes: r.contact.Attributes, LabelIDs: labels, Open: true}
	if needsHours(f) {
		sch, err := r.s.scheduleFor(ctx, r.q, r.c.WorkspaceID, r.c.Dept())
		if err != nil {
			return env, err
		}
		env.Open = sch.Open(time.UnixMilli(r.now))
	}
	return env, nil
}

func needsLabels(f *bot.Flow) bool {
	if f == nil {
		return false
	}
	for _, st := range f.Steps {
		for _, br := range st.Branches {
			if len(br.When.HasLabelIDs) > 0 || len(br.When.LacksLabelIDs) > 0 {
				return true
			}
		}
	}
	return false
}

func needsHours(f *bot.Flow) bool {
	if f == nil {
		return false
	}
	for _, st := range f.Steps {
		for _, br := range st.Branches {
			if br.When.BusinessHours != "" {
				return true
			}
		}
	}
	return false
}

// start puts the conversation in bot b of its department and runs the
// flow's first steps. An agent bot only gets the session: it answers
// through the API when its webhook tells it of the conversation.
func (r *botRun) start(ctx context.Context, b store.Bot, f *bot.Flow, hops int) error {
	from := r.c.Status
	if r.c.Status == store.StatusQueued {
		r.c.Status = store.StatusBot
	}
	if err := r.event(ctx, store.Event{Type: "bot_started", From: from, To: r.c.Status, Detail: b.Name, ActorID: b.ID}); err != nil {
		return err
	}
	if f == nil {
		if err := r.save(ctx, b.ID, bot.State{}); err != nil {
			return err
		}
		return r.notifyAgentBot(ctx, b, BotEventStarted, r.trigger)
	}
	env, err := r.env(ctx, f)
	if err != nil {
		return err
	}
	return r.apply(ctx, b, bot.Start(f, env), hops)
}

// answer feeds the customer's message to the bot running the conversation;
// ran is false when none runs it (or it is paused).
func (r *botRun) answer(ctx context.Context, text string) (ran bool, err error) {
	if r.c.AutomationPaused || r.c.Status == store.StatusResolved {
		return false, nil
	}
	sess, err := r.q.BotSession(ctx, r.c.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	b, err := r.q.Bot(ctx, r.c.WorkspaceID, sess.BotID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !b.Enabled) {
		return false, r.q.EndBotSession(ctx, r.c.ID)
	} else if err != nil {
		return false, err
	}
	if b.Kind != store.BotFlow {
		return true, r.notifyAgentBot(ctx, b, BotEventMessage, r.trigger)
	}
	if text == "" {
		return false, nil // a file alone answers no menu or question
	}
	f, err := r.s.flows.get(b)
	if err != nil {
		r.s.log.Warn("conversation: a bot's flow does not parse; handing off", "bot", b.ID, "err", err)
		return true, r.apply(ctx, b, bot.Result{Done: true, Actions: []bot.Action{{Kind: bot.ActHandoff}}}, 0)
	}
	var st bot.State
	if len(sess.State) > 0 {
		_ = json.Unmarshal(sess.State, &st) // an unreadable state restarts the flow
	}
	env, err := r.env(ctx, f)
	if err != nil {
		return false, err
	}
	return true, r.apply(ctx, b, bot.Advance(f, st, text, env), 0)
}

// apply carries out a bot turn's actions in order.
func (r *botRun) apply(ctx context.Context, b store.Bot, res bot.Result, hops int) error {
	ws := r.c.WorkspaceID
	for _, a := range res.Actions {
		switch a.Kind {
		case bot.ActSend:
			m := botMessage(*r.c, a.Text, r.now)
			m.Choices = a.Choices
			saved, err := r.q.InsertMessage(ctx, m)
			if err != nil {
				return err
			}
			if err := enqueueDelivery(ctx, r.q, saved); err != nil {
				return err
			}
			r.out = append(r.out, saved)
			r.c.LastMessageAt, r.c.LastPreview = r.now, preview(a.Text)
			r.c.WaitingSince = store.NotWaiting // the bot answered
		case bot.ActSetAttribute:
			// only a flow's ask step saves answers, after env read the contact
			r.contact.Attributes[a.Attribute] = a.Value
			if err := r.q.SetContactAttributes(ctx, ws, r.contact.ID, r.contact.Attributes); err != nil {
				return err
			}
		case bot.ActAddLabels:
			for _, id := range a.LabelIDs {
				added, err := r.q.SetConversationLabel(ctx, ws, r.c.ID, id, true)
				if errors.Is(err, store.ErrNotFound) {
					continue // a label deleted since the flow was written
				} else if err != nil {
					return err
				}
				if added {
					r.c.LabelIDs = append(r.c.LabelIDs, id)
				}
			}
		case bot.ActTransfer, bot.ActHandoff:
			// a department deleted since the flow was written: hand off where it is
			dept := a.DepartmentID
			if dept != 0 {
				ok, err := r.departmentExists(ctx, dept)
				if err != nil {
					return err
				}
				if !ok {
					dept = 0
				}
			}
			if a.Kind == bot.ActTransfer && dept != 0 {
				return r.transfer(ctx, b, dept, hops)
			}
			return r.handoff(ctx, b, dept)
		case bot.ActResolve:
			return r.resolve(ctx, b)
		}
	}
	if res.Done {
		return r.handoff(ctx, b, 0)
	}
	return r.save(ctx, b.ID, res.State)
}

func (r *botRun) save(ctx context.Context, botID int64, st bot.State) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return r.q.SaveBotSession(ctx, store.BotSession{ConversationID: r.c.ID, WorkspaceID: r.c.WorkspaceID, BotID: botID, State: raw,
		StartedAt: r.now, UpdatedAt: r.now})
}

// departmentExists reports whether dept is a department of the workspace.
func (r *botRun) departmentExists(ctx context.Context, dept int64) (bool, error) {
	_, err := r.q.DepartmentName(ctx, r.c.WorkspaceID, dept)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// transfer moves the conversation to department dept (the caller checked
// it exists), whose own bot takes it at once; without one it waits in
// that department's queue.
func (r *botRun) transfer(ctx context.Context, b store.Bot, dept int64, hops int) error {
	from := r.c.Status
	r.c.DepartmentID = &dept
	r.c.AssigneeID, r.c.AssigneeReplied = nil, false
	r.c.Status = store.StatusQueued
	if err := r.event(ctx, store.Event{Type: "transferred", From: from, To: r.c.Status, Department: &dept, Detail: b.Name, ActorID: b.ID}); err != nil {
		return err
	}
	if err := r.q.EndBotSession(ctx, r.c.ID); err != nil {
		return err
	}
	if hops < maxBotHops {
		next, f, ok, err := r.s.botFor(ctx, r.q, r.c.WorkspaceID, dept, 0)
		if err != nil {
			return err
		}
		if ok {
			return r.start(ctx, next, f, hops+1)
		}
	}
	r.c.WaitingSince = r.now // now the customer waits for a person
	return nil
}

// handoff ends the bot's part: the conversation waits for a person in the
// queue of dept (0: its own; the caller checked it exists), or stays with
// its assignee.
func (r *botRun) handoff(ctx context.Context, b store.Bot, dept int64) error {
	if err := r.q.EndBotSession(ctx, r.c.ID); err != nil {
		return err
	}
	from := r.c.Status
	e := store.Event{Type: "handoff", From: from, Detail: b.Name, ActorID: b.ID}
	if dept != 0 && dept != r.c.Dept() {
		r.c.DepartmentID = &dept
		r.c.AssigneeID, r.c.AssigneeReplied = nil, false
		e.Department = &dept
	}
	switch {
	case r.c.Status == store.StatusSnoozed:
	case r.c.AssigneeID != nil:
		r.c.Status = store.StatusOpen
	default:
		r.c.Status = store.StatusQueued
	}
	e.To = r.c.Status
	r.c.WaitingSince = r.now
	return r.event(ctx, e)
}

// resolve finishes the conversation as the bot: no closing message or
// rating request (the flow says its own goodbye), automation ready for the
// next cycle.
func (r *botRun) resolve(ctx context.Context, b store.Bot) error {
	if err := r.q.EndBotSession(ctx, r.c.ID); err != nil {
		return err
	}
	from := r.c.Status
	r.c.Status = store.StatusResolved
	r.c.ResolvedAt = &r.now
	r.c.SnoozedUntil = nil
	r.c.WaitingSince = store.NotWaiting
	r.c.AutomationPaused, r.c.AssigneeReplied = false, false
	return r.event(ctx, store.Event{Type: "resolved", From: from, To: r.c.Status, Detail: b.Name, ActorID: b.ID})
}

// event stores a timeline event by the bot. The bot's id is in the event
// (ActorID), not as the message's sender, which names users.
func (r *botRun) event(ctx context.Context, e store.Event) error {
	e.ActorType = store.SenderBot
	m, err := r.q.InsertMessage(ctx, store.Message{WorkspaceID: r.c.WorkspaceID, ConversationID: r.c.ID, Kind: store.KindEvent,
		Direction: store.DirInternal, SenderType: store.SenderBot, ChannelID: r.c.ChannelID, Event: &e, CreatedAt: r.now})
	if err != nil {
		return err
	}
	r.out = append(r.out, m)
	return nil
}
