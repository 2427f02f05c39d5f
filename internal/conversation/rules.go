package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/automation/rules"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/store"
)

// Automation rules (issue 6 part 5): the rules outbox turns each event of
// a committed change into a JobRules job; its handler re-reads the
// conversation and applies the actions of every matching rule through act,
// as the system, in one transaction per rule. Time-based rules are found
// by a periodic JobRulesScan job.
//
// Loops: changes a rule makes carry a mark in their context, and the rules
// outbox wants nothing from a marked change, so a rule never triggers
// rules. Chains through other jobs (a transfer whose automatic assignment
// then changes the conversation) are braked by MaxRuleFiringsPerHour.

// Job kinds of automation rules.
const (
	JobRules     = "automation.rules"
	JobRulesScan = "automation.rules.scan"
)

// RulesScanEvery is the period of the time-based rules scan.
const RulesScanEvery = 30 * time.Second

// rulesScanBatch bounds the conversations one scan fires one rule for; the
// rest wait for the next scan.
const rulesScanBatch = 200

// MaxRuleFiringsPerHour is how often one event rule may act on one
// conversation in an hour.
const MaxRuleFiringsPerHour = 10

// rulesTTL bounds how long a node uses rules another node changed.
const rulesTTL = 5 * time.Second

// RuleWebhooks queues a rule's webhook: a delivery of data to the
// workspace's webhook subscription subID, in the caller's transaction,
// signed and guarded like every webhook (internal/webhook).
type RuleWebhooks interface {
	EnqueueRuleWebhook(ctx context.Context, q store.Q, ws, subID int64, typ string, at int64, data any) error
}

// SetRuleWebhooks installs the webhook sender of send_webhook actions.
func (s *Service) SetRuleWebhooks(h RuleWebhooks) { s.hooks = h }

// EventRuleWebhook is the type of a webhook a rule sends.
const EventRuleWebhook = "automation.rule"

type ruleCtxKey struct{}

// byRule marks ctx as the context of a rule's changes.
func byRule(ctx context.Context) context.Context { return context.WithValue(ctx, ruleCtxKey{}, true) }

func fromRule(ctx context.Context) bool { b, _ := ctx.Value(ruleCtxKey{}).(bool); return b }

// ruleCache keeps each workspace's parsed enabled rules by event; an empty
// map included, so a workspace without rules pays one lookup per change.
type ruleCache struct {
	mu sync.Mutex
	m  map[int64]cachedAutomation
}

type cachedAutomation struct {
	byEvent map[string][]rules.Rule
	exp     time.Time
}

// ForgetRules drops a workspace's cached automation rules after they changed.
func (s *Service) ForgetRules(ws int64) {
	s.rules.mu.Lock()
	delete(s.rules.m, ws)
	s.rules.mu.Unlock()
}

// ParseRule turns a stored rule into its evaluated form.
func ParseRule(r store.AutomationRule) (rules.Rule, error) {
	cond, err := rules.ParseConditions(r.Conditions, r.Event)
	if err != nil {
		return rules.Rule{}, err
	}
	acts, err := rules.ParseActions(r.Actions)
	if err != nil {
		return rules.Rule{}, err
	}
	if err := rules.ValidateEvent(r.Event, r.Minutes); err != nil {
		return rules.Rule{}, err
	}
	return rules.Rule{ID: r.ID, Name: r.Name, Enabled: r.Enabled, Event: r.Event, Minutes: r.Minutes, Conditions: cond, Actions: acts}, nil
}

func (s *Service) automationRules(ctx context.Context, q store.Q, ws int64) (map[string][]rules.Rule, error) {
	s.rules.mu.Lock()
	c, ok := s.rules.m[ws]
	s.rules.mu.Unlock()
	if ok && time.Now().Before(c.exp) {
		return c.byEvent, nil
	}
	stored, err := q.AutomationRules(ctx, ws)
	if err != nil {
		return nil, err
	}
	by := map[string][]rules.Rule{}
	for _, r := range stored {
		if !r.Enabled {
			continue
		}
		pr, err := ParseRule(r)
		if err != nil {
			s.log.Warn("conversation: skipping an automation rule that does not parse", "workspace", ws, "rule", r.ID, "err", err)
			continue
		}
		by[r.Event] = append(by[r.Event], pr)
	}
	s.rules.mu.Lock()
	if s.rules.m == nil {
		s.rules.m = map[int64]cachedAutomation{}
	}
	s.rules.m[ws] = cachedAutomation{byEvent: by, exp: time.Now().Add(rulesTTL)}
	s.rules.mu.Unlock()
	return by, nil
}

// RulesOutbox is the Outbox that queues automation rules; install it with
// AddOutbox.
func (s *Service) RulesOutbox() Outbox { return rulesOutbox{s} }

type rulesOutbox struct{ s *Service }

// ruleJob is the payload of a JobRules job: an event of a conversation,
// or (RuleID set) a time-based rule due since Since.
type ruleJob struct {
	Event          string `json:"event"`
	ConversationID int64  `json:"conversation_id"`
	MessageID      int64  `json:"message_id,omitempty"`
	RuleID         int64  `json:"rule_id,omitempty"`
	Since          int64  `json:"since,omitempty"`
}

func (o rulesOutbox) Wants(ctx context.Context, q store.Q, ws int64, typ string) (bool, error) {
	if fromRule(ctx) {
		return false, nil
	}
	by, err := o.s.automationRules(ctx, q, ws)
	return len(by[typ]) > 0, err
}

func (o rulesOutbox) Enqueue(ctx context.Context, q store.Q, ws int64, evs []OutEvent) (int, error) {
	n := 0
	for _, ev := range evs {
		p := ruleJob{Event: ev.Type}
		switch d := ev.Data.(type) {
		case View:
			p.ConversationID = d.ID
		case store.Message:
			p.ConversationID, p.MessageID = d.ConversationID, d.ID
		default:
			continue
		}
		payload, _ := json.Marshal(p)
		if err := q.EnqueueJob(ctx, store.Job{WorkspaceID: ws, Kind: JobRules, Payload: string(payload)}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// errNoMatch: the rule's conditions do not hold.
var errNoMatch = errors.New("rule does not match")

// HandleRules is the job handler of JobRules.
func (s *Service) HandleRules(ctx context.Context, j store.Job) error {
	var p ruleJob
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return jobs.Permanent(err)
	}
	ws := j.WorkspaceID
	var msg *rules.Message
	if p.MessageID != 0 {
		m, err := s.db.R().MessageByID(ctx, ws, p.MessageID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		msg = &rules.Message{Content: m.Content, From: senderOf(m.SenderType)}
	}
	if p.RuleID != 0 {
		stored, err := s.db.R().AutomationRule(ctx, ws, p.RuleID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		r, err := ParseRule(stored)
		if err != nil || !r.Enabled || !rules.Timed(r.Event) {
			return nil // changed since the scan
		}
		err = s.fireRule(ctx, ws, r, p, p.Since, nil)
		if errors.Is(err, errNoMatch) {
			// the cycle is spent: the scan must not find it again
			_, err = s.db.W().RecordRuleFiring(ctx, ws, r.ID, p.ConversationID, p.Since, s.nowMS())
			return err
		}
		return err
	}
	by, err := s.automationRules(ctx, s.db.R(), ws)
	if err != nil {
		return err
	}
	for _, r := range by[p.Event] {
		// the job's id is the cycle: a retried job skips the rules it applied
		if err := s.fireRule(ctx, ws, r, p, j.ID, msg); err != nil && !errors.Is(err, errNoMatch) {
			return err
		}
	}
	return nil
}

func senderOf(senderType string) string {
	switch senderType {
	case store.SenderContact:
		return rules.FromCustomer
	case store.SenderUser:
		return rules.FromAgent
	case store.SenderBot:
		return rules.FromBot
	}
	return ""
}

// fireRule applies r to the conversation of p when its conditions hold,
// once per cycle, in one transaction marked as the rule's.
func (s *Service) fireRule(ctx context.Context, ws int64, r rules.Rule, p ruleJob, cycle int64, msg *rules.Message) error {
	system := access.Viewer{WorkspaceID: ws, Role: access.RoleAdmin}
	timed := rules.Timed(r.Event)
	_, err := s.act(byRule(ctx), system, p.ConversationID, func(q store.Q, c *store.Conversation, now int64) ([]store.Message, error) {
		if timed && !stillDue(r.Event, *c, p.Since) {
			return nil, errNothing // answered or woken since the scan: a new cycle
		}
		if !timed {
			n, err := q.RuleFiringsSince(ctx, r.ID, c.ID, now-time.Hour.Milliseconds())
			if err != nil {
				return nil, err
			}
			if n >= MaxRuleFiringsPerHour {
				s.log.Warn("conversation: automation rule fired too often; skipping", "workspace", ws, "rule", r.ID, "conversation", c.ID)
				return nil, errNothing
			}
		}
		facts, err := s.ruleFacts(ctx, q, *c, r, msg, now)
		if err != nil {
			return nil, err
		}
		if !r.Matches(facts) {
			return nil, errNoMatch
		}
		first, err := q.RecordRuleFiring(ctx, ws, r.ID, c.ID, cycle, now)
		if err != nil || !first {
			if err == nil {
				err = errNothing
			}
			return nil, err
		}
		return s.applyRule(ctx, q, r, c, now)
	})
	switch {
	case err == nil:
		if s.jobs != nil {
			s.jobs.Notify() // a webhook the rule queued
		}
		return nil
	case errors.Is(err, errNothing), errors.Is(err, store.ErrNotFound):
		return nil
	}
	return err
}

// stillDue reports whether the wait a time-based rule was found for is
// still the conversation's current one.
func stillDue(event string, c store.Conversation, since int64) bool {
	active := c.Status == store.StatusBot || c.Status == store.StatusQueued || c.Status == store.StatusOpen
	switch event {
	case rules.NoAgentReply:
		return active && c.Waiting() && c.WaitingSince == since
	case rules.NoCustomerReply:
		return active && !c.Waiting() && c.LastMessageAt == since
	case rules.SnoozedTooLong:
		return c.Status == store.StatusSnoozed
	}
	return false
}

// ruleFacts gathers what r's conditions look at.
func (s *Service) ruleFacts(ctx context.Context, q store.Q, c store.Conversation, r rules.Rule, msg *rules.Message, now int64) (rules.Facts, error) {
	f := rules.Facts{Status: c.Status, Priority: c.Priority, DepartmentID: c.Dept(), AssigneeID: c.Assignee(), ChannelID: c.ChannelID, Message: msg}
	lc := c
	if err := q.WithLabels(ctx, &lc); err != nil {
		return f, err
	}
	f.LabelIDs = lc.LabelIDs
	needs := rules.NeedsOf([]rules.Rule{r})
	if needs.Channel {
		ch, err := q.Channel(ctx, c.WorkspaceID, c.ChannelID)
		if err != nil {
			return f, err
		}
		f.ChannelKind = ch.Kind
	}
	if needs.Contact {
		ct, err := q.Contact(ctx, c.WorkspaceID, c.ContactID)
		if err != nil {
			return f, err
		}
		f.Attributes = ct.Attributes
	}
	if needs.Hours {
		sch, err := s.scheduleFor(ctx, q, c.WorkspaceID, c.Dept())
		if err != nil {
			return f, err
		}
		f.Open = sch.Open(time.UnixMilli(now))
	}
	return f, nil
}

// RuleTag is the Detail of the timeline events a rule leaves: "rule:<id>:<name>".
func RuleTag(id int64, name string) string { return "rule:" + strconv.FormatInt(id, 10) + ":" + name }

// applyRule runs r's actions on the locked conversation c in order. An
// action the conversation's state or the workspace's data no longer
// allows (a deleted label, an agent who left the department, resolving a
// resolved conversation) is skipped, so one stale action does not stop
// the others.
func (s *Service) applyRule(ctx context.Context, q store.Q, r rules.Rule, c *store.Conversation, now int64) ([]store.Message, error) {
	tag := RuleTag(r.ID, r.Name)
	system := access.Viewer{WorkspaceID: c.WorkspaceID, Role: access.RoleAdmin}
	ev := func(e store.Event) store.Message {
		if e.Detail == "" {
			e.Detail = tag
		}
		return eventMessage(*c, now, store.SenderSystem, 0, e)
	}
	out := []store.Message{ev(store.Event{Type: "rule_applied"})}
	skip := func(a rules.Action, why string) {
		s.log.Info("conversation: automation rule skipped an action", "workspace", c.WorkspaceID, "rule", r.ID, "conversation", c.ID, "action", a.Type, "why", why)
	}
	for _, a := range r.Actions {
		resolved := c.Status == store.StatusResolved
		switch a.Type {
		case rules.AssignAgent:
			if resolved || c.Assignee() == a.UserID {
				continue
			}
			if err := s.checkAssignee(ctx, q, system, c.Dept(), a.UserID); errors.Is(err, ErrInvalid) {
				skip(a, err.Error())
				continue
			} else if err != nil {
				return nil, err
			}
			from := c.Status
			c.AssigneeID, c.AssigneeReplied = &a.UserID, false
			if c.Status != store.StatusSnoozed {
				c.Status = store.StatusOpen
			}
			out = append(out, ev(store.Event{Type: "assigned", From: from, To: c.Status, Assignee: &a.UserID}))
		case rules.AssignDepartment:
			if resolved || c.Dept() == a.DepartmentID {
				continue
			}
			if _, err := q.DepartmentName(ctx, c.WorkspaceID, a.DepartmentID); errors.Is(err, store.ErrNotFound) {
				skip(a, "no such department")
				continue
			} else if err != nil {
				return nil, err
			}
			from := c.Status
			c.DepartmentID = &a.DepartmentID
			c.AssigneeID, c.AssigneeReplied = nil, false
			if c.Status != store.StatusSnoozed {
				c.Status = store.StatusQueued
			}
			out = append(out, ev(store.Event{Type: "transferred", From: from, To: c.Status, Department: &a.DepartmentID}))
		case rules.AddLabel, rules.RemoveLabel:
			on := a.Type == rules.AddLabel
			changed, err := q.SetConversationLabel(ctx, c.WorkspaceID, c.ID, a.LabelID, on)
			if errors.Is(err, store.ErrNotFound) {
				skip(a, "no such label")
				continue
			} else if err != nil {
				return nil, err
			}
			if changed {
				typ := "label_added"
				if !on {
					typ = "label_removed"
				}
				// Detail keeps the label id, as for a person's change; the
				// rule_applied event before it names the rule
				out = append(out, ev(store.Event{Type: typ, Detail: strconv.FormatInt(a.LabelID, 10)}))
			}
		case rules.SendMessage:
			if resolved {
				continue
			}
			// as the bot: it does not answer the customer (waiting,
			// first reply) nor pause automation
			out = append(out, botMessage(*c, a.Text, now))
		case rules.AddNote:
			out = append(out, store.Message{WorkspaceID: c.WorkspaceID, ConversationID: c.ID, Kind: store.KindNote, Direction: store.DirInternal,
				SenderType: store.SenderSystem, Content: a.Text, ChannelID: c.ChannelID, Status: store.DeliveryNone, CreatedAt: now})
		case rules.SetPriority:
			if c.Priority == a.Priority {
				continue
			}
			from := c.Priority
			c.Priority = a.Priority
			out = append(out, ev(store.Event{Type: "priority_changed", From: from, To: a.Priority}))
		case rules.Snooze:
			if resolved {
				continue
			}
			until := now + int64(a.Minutes)*time.Minute.Milliseconds()
			from := c.Status
			c.Status, c.SnoozedUntil = store.StatusSnoozed, &until
			payload, _ := json.Marshal(wakeJob{ConversationID: c.ID, Until: until})
			if err := q.EnqueueJob(ctx, store.Job{WorkspaceID: c.WorkspaceID, Kind: JobWake, Key: wakeKey(c.ID, until), Payload: string(payload), RunAt: until}); err != nil {
				return nil, err
			}
			out = append(out, ev(store.Event{Type: "snoozed", From: from, To: c.Status, Until: &until}))
		case rules.Resolve:
			if resolved {
				continue
			}
			from := c.Status
			c.Status, c.ResolvedAt, c.ClosingReasonID, c.SnoozedUntil = store.StatusResolved, &now, nil, nil
			c.WaitingSince = store.NotWaiting
			c.AutomationPaused, c.AssigneeReplied = false, false
			out = append(out, ev(store.Event{Type: "resolved", From: from, To: c.Status}))
			auto, err := closingMessages(ctx, q, *c, now)
			if err != nil {
				return nil, err
			}
			out = append(out, auto...)
		case rules.Queue:
			if resolved {
				// reopen, unless the contact already started another
				// conversation on the channel
				if _, err := q.UnresolvedConversation(ctx, c.ContactID, c.ChannelID); err == nil {
					skip(a, "the contact has another unresolved conversation on the channel")
					continue
				} else if !errors.Is(err, store.ErrNotFound) {
					return nil, err
				}
				c.ResolvedAt, c.ClosingReasonID = nil, nil
				c.AutomationPaused = false
			} else if c.Status == store.StatusQueued && c.AssigneeID == nil {
				continue
			}
			from := c.Status
			c.Status, c.AssigneeID, c.AssigneeReplied, c.SnoozedUntil = store.StatusQueued, nil, false, nil
			typ := "returned"
			if resolved {
				typ = "reopened"
			}
			out = append(out, ev(store.Event{Type: typ, From: from, To: c.Status}))
		case rules.SendWebhook:
			if s.hooks == nil {
				skip(a, "webhooks are not configured")
				continue
			}
			lc := *c
			if err := q.WithLabels(ctx, &lc); err != nil {
				return nil, err
			}
			view, err := s.View(ctx, lc)
			if err != nil {
				return nil, err
			}
			data := map[string]any{"rule": map[string]any{"id": r.ID, "name": r.Name, "event": r.Event}, "conversation": view}
			if err := s.hooks.EnqueueRuleWebhook(ctx, q, c.WorkspaceID, a.WebhookID, EventRuleWebhook, now, data); errors.Is(err, store.ErrNotFound) {
				skip(a, "no such webhook subscription")
				continue
			} else if err != nil {
				return nil, err
			}
		default:
			skip(a, fmt.Sprintf("unknown action %q", a.Type))
		}
	}
	return out, nil
}

// StartRulesScan queues the first time-based rules scan; each scan queues
// the next, so one chain runs however many nodes start it (the job key is
// the period's slot).
func (s *Service) StartRulesScan(ctx context.Context) error {
	return s.db.W().EnqueueJob(ctx, scanJob(s.nowMS()))
}

func scanJob(at int64) store.Job {
	slot := at / RulesScanEvery.Milliseconds()
	return store.Job{Kind: JobRulesScan, Key: "rules.scan:" + strconv.FormatInt(slot, 10), Payload: "{}", RunAt: at, MaxAttempts: 3}
}

// HandleRulesScan is the job handler of JobRulesScan: it queues the next
// scan, then scans. The next one is queued first so that a scan failing
// past its attempts (the database away for a while) does not end the chain.
func (s *Service) HandleRulesScan(ctx context.Context, j store.Job) error {
	next := s.nowMS() + RulesScanEvery.Milliseconds()
	if err := s.db.W().EnqueueJob(ctx, scanJob(next)); err != nil {
		return err
	}
	_, err := s.ScanRules(ctx)
	return err
}

// ScanRules queues a JobRules job for each conversation an enabled
// time-based rule is due for and has not fired for in its current cycle.
// It returns how many it queued.
func (s *Service) ScanRules(ctx context.Context) (int, error) {
	list, err := s.db.R().TimedAutomationRules(ctx)
	if err != nil {
		return 0, err
	}
	now := s.nowMS()
	n := 0
	for _, r := range list {
		due, err := s.db.R().DueForRule(ctx, r, now-int64(r.Minutes)*time.Minute.Milliseconds(), rulesScanBatch)
		if err != nil {
			return n, err
		}
		if len(due) == 0 {
			continue
		}
		err = s.db.Tx(ctx, func(q store.Q) error {
			for _, d := range due {
				payload, _ := json.Marshal(ruleJob{Event: r.Event, ConversationID: d.ID, RuleID: r.ID, Since: d.Since})
				key := fmt.Sprintf("rules:%d:%d:%d", r.ID, d.ID, d.Since)
				if err := q.EnqueueJob(ctx, store.Job{WorkspaceID: r.WorkspaceID, Kind: JobRules, Key: key, Payload: string(payload)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(due)
	}
	if n > 0 && s.jobs != nil {
		s.jobs.Notify()
	}
	return n, nil
}
