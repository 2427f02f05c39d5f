// Package rules evaluates a workspace's automation rules (issue 6 part 5,
// DESIGN M6): an event (a conversation created, updated or resolved, a
// message, or a time-based condition such as "the customer has waited 30
// minutes"), conditions on the conversation at that moment, and the actions
// to take. It is pure: the caller gathers the Facts and applies the Actions
// (internal/conversation/rules.go), and never lets a rule's own changes
// trigger rules again.
package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/atende/atende/internal/automation/routing"
)

// Events a rule may react to.
const (
	ConversationCreated  = "conversation.created"
	ConversationUpdated  = "conversation.updated"
	ConversationResolved = "conversation.resolved"
	MessageCreated       = "message.created"
	// NoCustomerReply: an agent answered and the customer has not written
	// for Minutes since.
	NoCustomerReply = "no_customer_reply"
	// NoAgentReply: the customer has waited Minutes for an answer
	// (the conversation's waiting_since).
	NoAgentReply = "no_agent_reply"
	// SnoozedTooLong: the conversation has been snoozed for Minutes.
	SnoozedTooLong = "snoozed_too_long"
)

// Events are all events, in the order error messages list them.
var Events = []string{ConversationCreated, ConversationUpdated, ConversationResolved, MessageCreated, NoCustomerReply, NoAgentReply, SnoozedTooLong}

// Timed reports whether event is time-based: a periodic scan fires it once
// per conversation cycle, after the rule's Minutes.
func Timed(event string) bool {
	return event == NoCustomerReply || event == NoAgentReply || event == SnoozedTooLong
}

// Statuses a condition may name (DESIGN §3).
var Statuses = []string{"bot", "queued", "open", "snoozed", "resolved"}

// Assignee states a condition may ask for, besides a list of agents.
const (
	AssigneeNone = "none"
	AssigneeAny  = "any"
)

// Message senders a message.created condition may ask for.
const (
	FromCustomer = "customer"
	FromAgent    = "agent"
	FromBot      = "bot"
)

// Conditions all must hold for a rule to act; an empty field does not
// constrain.
type Conditions struct {
	Statuses      []string `json:"statuses,omitempty"`
	DepartmentIDs []int64  `json:"department_ids,omitempty"`
	// Assignee: "none" (in the queue or the bot) or "any" agent.
	Assignee     string   `json:"assignee,omitempty"`
	AssigneeIDs  []int64  `json:"assignee_ids,omitempty"`
	Priorities   []string `json:"priorities,omitempty"`
	ChannelKinds []string `json:"channel_kinds,omitempty"`
	ChannelIDs   []int64  `json:"channel_ids,omitempty"`
	// HasLabelIDs: the conversation has at least one of these labels;
	// LacksLabelIDs: it has none of them.
	HasLabelIDs   []int64 `json:"has_label_ids,omitempty"`
	LacksLabelIDs []int64 `json:"lacks_label_ids,omitempty"`
	// Attributes test the contact's attributes.
	Attributes []routing.AttributeCondition `json:"attributes,omitempty"`
	// MessageFrom and MessageContains test the message of a
	// message.created event: who wrote it, and that its text contains
	// one of the words (ignoring case).
	MessageFrom     string   `json:"message_from,omitempty"`
	MessageContains []string `json:"message_contains,omitempty"`
	// BusinessHours: the conversation's department (or the workspace) is
	// "open" or "closed" now.
	BusinessHours string `json:"business_hours,omitempty"`
}

// Action types.
const (
	AssignAgent      = "assign_agent"      // UserID
	AssignDepartment = "assign_department" // DepartmentID: transfer to its queue
	AddLabel         = "add_label"         // LabelID
	RemoveLabel      = "remove_label"      // LabelID
	SendMessage      = "send_message"      // Text, to the customer, as the bot
	AddNote          = "add_note"          // Text, a private note
	SetPriority      = "set_priority"      // Priority
	Snooze           = "snooze"            // Minutes
	Resolve          = "resolve"
	Queue            = "queue"        // back to the department queue (reopens a resolved one)
	SendWebhook      = "send_webhook" // WebhookID: a webhook subscription
)

// ActionTypes are all action types, in the order error messages list them.
var ActionTypes = []string{AssignAgent, AssignDepartment, AddLabel, RemoveLabel, SendMessage, AddNote, SetPriority, Snooze, Resolve, Queue, SendWebhook}

// Action is one thing a matching rule does; Type says which fields count.
type Action struct {
	Type         string `json:"type"`
	UserID       int64  `json:"user_id,omitempty"`
	DepartmentID int64  `json:"department_id,omitempty"`
	LabelID      int64  `json:"label_id,omitempty"`
	Text         string `json:"text,omitempty"`
	Priority     string `json:"priority,omitempty"`
	Minutes      int    `json:"minutes,omitempty"`
	WebhookID    int64  `json:"webhook_id,omitempty"`
}

// Rule is one automation rule as evaluated.
type Rule struct {
	ID      int64
	Name    string
	Enabled bool
	Event   string
	// Minutes is the delay of a time-based event.
	Minutes    int
	Conditions Conditions
	Actions    []Action
}

// Message is the message of a message.created event.
type Message struct {
	From    string // FromCustomer, FromAgent or FromBot
	Content string
}

// Facts are what is known of a conversation when a rule is evaluated.
type Facts struct {
	Status       string
	Priority     string
	DepartmentID int64 // 0: none
	AssigneeID   int64 // 0: none
	ChannelID    int64
	ChannelKind  string
	LabelIDs     []int64 // the conversation's
	Attributes   map[string]any
	Open         bool
	Message      *Message // message.created only
}

// Needs says which costly facts a rule looks at.
type Needs struct {
	Contact bool // Attributes
	Channel bool // ChannelKind
	Hours   bool // Open
}

// NeedsOf reports the facts the enabled rules look at.
func NeedsOf(rules []Rule) Needs {
	var n Needs
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		n.Contact = n.Contact || len(r.Conditions.Attributes) > 0
		n.Channel = n.Channel || len(r.Conditions.ChannelKinds) > 0
		n.Hours = n.Hours || r.Conditions.BusinessHours != ""
	}
	return n
}

// Matches reports whether every condition of r holds for f (Enabled and
// Event aside: the caller picks the rules of the event).
func (r Rule) Matches(f Facts) bool {
	c := r.Conditions
	if len(c.Statuses) > 0 && !slices.Contains(c.Statuses, f.Status) {
		return false
	}
	if len(c.DepartmentIDs) > 0 && !slices.Contains(c.DepartmentIDs, f.DepartmentID) {
		return false
	}
	switch c.Assignee {
	case AssigneeNone:
		if f.AssigneeID != 0 {
			return false
		}
	case AssigneeAny:
		if f.AssigneeID == 0 {
			return false
		}
	}
	if len(c.AssigneeIDs) > 0 && !slices.Contains(c.AssigneeIDs, f.AssigneeID) {
		return false
	}
	if len(c.Priorities) > 0 && !slices.Contains(c.Priorities, f.Priority) {
		return false
	}
	if len(c.ChannelKinds) > 0 && !slices.Contains(c.ChannelKinds, f.ChannelKind) {
		return false
	}
	if len(c.ChannelIDs) > 0 && !slices.Contains(c.ChannelIDs, f.ChannelID) {
		return false
	}
	if len(c.HasLabelIDs) > 0 && !slices.ContainsFunc(c.HasLabelIDs, func(id int64) bool { return slices.Contains(f.LabelIDs, id) }) {
		return false
	}
	if slices.ContainsFunc(c.LacksLabelIDs, func(id int64) bool { return slices.Contains(f.LabelIDs, id) }) {
		return false
	}
	for _, a := range c.Attributes {
		if !a.Holds(f.Attributes) {
			return false
		}
	}
	if c.MessageFrom != "" || len(c.MessageContains) > 0 {
		if f.Message == nil {
			return false
		}
		if c.MessageFrom != "" && c.MessageFrom != f.Message.From {
			return false
		}
		if len(c.MessageContains) > 0 {
			text := strings.ToLower(f.Message.Content)
			if !slices.ContainsFunc(c.MessageContains, func(w string) bool { return strings.Contains(text, strings.ToLower(strings.TrimSpace(w))) }) {
				return false
			}
		}
	}
	switch c.BusinessHours {
	case routing.HoursOpen:
		return f.Open
	case routing.HoursClosed:
		return !f.Open
	}
	return true
}

// Limits of a rule.
const (
	MaxNameRunes  = 100
	MaxListLength = 100
	MaxActions    = 20
	MaxTextRunes  = 4096
	MaxWordRunes  = 200
	MaxKeyRunes   = routing.MaxKeyRunes
	MaxValueRunes = routing.MaxValueRunes
	// MaxMinutes bounds delays and snoozes: 30 days.
	MaxMinutes = 30 * 24 * 60
)

// ErrInvalid wraps every validation error.
var ErrInvalid = errors.New("invalid automation rule")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// ValidateName checks a rule's name.
func ValidateName(name string) error {
	if strings.TrimSpace(name) == "" {
		return invalid("name is required")
	}
	if utf8.RuneCountInString(name) > MaxNameRunes {
		return invalid("name has at most %d characters", MaxNameRunes)
	}
	return nil
}

// ValidateEvent checks an event and its delay: time-based events need
// 1…MaxMinutes minutes, the others take none.
func ValidateEvent(event string, minutes int) error {
	if !slices.Contains(Events, event) {
		return invalid("event: unknown event %q; events are %s", event, strings.Join(Events, ", "))
	}
	if Timed(event) {
		if minutes < 1 || minutes > MaxMinutes {
			return invalid("minutes must be between 1 and %d for %s", MaxMinutes, event)
		}
	} else if minutes != 0 {
		return invalid("minutes is only for time-based events (%s, %s, %s)", NoCustomerReply, NoAgentReply, SnoozedTooLong)
	}
	return nil
}

// ParseConditions reads the JSON form of Conditions strictly (an unknown
// key is an error naming it) and validates it for event.
func ParseConditions(raw json.RawMessage, event string) (Conditions, error) {
	var c Conditions
	if err := strict(raw, &c, "conditions"); err != nil {
		return c, err
	}
	return c, c.Validate(event)
}

// ParseActions reads the JSON form of the actions list strictly.
func ParseActions(raw json.RawMessage) ([]Action, error) {
	var a []Action
	if err := strict(raw, &a, "actions"); err != nil {
		return nil, err
	}
	return a, ValidateActions(a)
}

func strict(raw json.RawMessage, dst any, what string) error {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return invalid("%s is required", what)
	}
	shape := "a JSON object"
	if what == "actions" {
		shape = "a JSON array of objects"
	}
	if msg := routing.DecodeStrict(raw, dst, what, shape); msg != "" {
		return invalid("%s", msg)
	}
	return nil
}

// Validate checks the values and sizes of c; message conditions need the
// message.created event.
func (c Conditions) Validate(event string) error {
	lists := []struct {
		name string
		n    int
	}{{"statuses", len(c.Statuses)}, {"department_ids", len(c.DepartmentIDs)}, {"assignee_ids", len(c.AssigneeIDs)},
		{"priorities", len(c.Priorities)}, {"channel_kinds", len(c.ChannelKinds)}, {"channel_ids", len(c.ChannelIDs)},
		{"has_label_ids", len(c.HasLabelIDs)}, {"lacks_label_ids", len(c.LacksLabelIDs)}, {"attributes", len(c.Attributes)},
		{"message_contains", len(c.MessageContains)}}
	for _, l := range lists {
		if l.n > MaxListLength {
			return invalid("conditions.%s has at most %d entries", l.name, MaxListLength)
		}
	}
	ids := []struct {
		name string
		ids  []int64
	}{{"department_ids", c.DepartmentIDs}, {"assignee_ids", c.AssigneeIDs}, {"channel_ids", c.ChannelIDs},
		{"has_label_ids", c.HasLabelIDs}, {"lacks_label_ids", c.LacksLabelIDs}}
	for _, l := range ids {
		if slices.ContainsFunc(l.ids, func(id int64) bool { return id <= 0 }) {
			return invalid("conditions.%s must hold positive ids", l.name)
		}
	}
	if err := oneOf("conditions.statuses", c.Statuses, Statuses); err != nil {
		return err
	}
	if err := oneOf("conditions.priorities", c.Priorities, routing.Priorities); err != nil {
		return err
	}
	if err := oneOf("conditions.channel_kinds", c.ChannelKinds, routing.ChannelKinds); err != nil {
		return err
	}
	switch c.Assignee {
	case "", AssigneeNone, AssigneeAny:
	default:
		return invalid("conditions.assignee must be %q or %q, not %q", AssigneeNone, AssigneeAny, c.Assignee)
	}
	if c.Assignee == AssigneeNone && len(c.AssigneeIDs) > 0 {
		return invalid("conditions.assignee %q contradicts conditions.assignee_ids", AssigneeNone)
	}
	for i, a := range c.Attributes {
		if msg := a.Problem(i); msg != "" {
			return invalid("%s", msg)
		}
	}
	switch c.MessageFrom {
	case "", FromCustomer, FromAgent, FromBot:
	default:
		return invalid("conditions.message_from must be %q, %q or %q, not %q", FromCustomer, FromAgent, FromBot, c.MessageFrom)
	}
	for i, w := range c.MessageContains {
		if strings.TrimSpace(w) == "" {
			return invalid("conditions.message_contains[%d] is empty", i)
		}
		if utf8.RuneCountInString(w) > MaxWordRunes {
			return invalid("conditions.message_contains[%d] has at most %d characters", i, MaxWordRunes)
		}
	}
	if (c.MessageFrom != "" || len(c.MessageContains) > 0) && event != MessageCreated {
		return invalid("conditions.message_from and message_contains need the %s event", MessageCreated)
	}
	switch c.BusinessHours {
	case "", routing.HoursOpen, routing.HoursClosed:
	default:
		return invalid("conditions.business_hours must be %q or %q, not %q", routing.HoursOpen, routing.HoursClosed, c.BusinessHours)
	}
	return nil
}

func oneOf(name string, got, known []string) error {
	for _, v := range got {
		if !slices.Contains(known, v) {
			return invalid("%s: unknown value %q; values are %s", name, v, strings.Join(known, ", "))
		}
	}
	return nil
}

// ValidateActions checks that a holds 1…MaxActions actions, each with the
// fields its type needs and no others.
func ValidateActions(a []Action) error {
	if len(a) == 0 {
		return invalid("actions needs at least one action")
	}
	if len(a) > MaxActions {
		return invalid("actions has at most %d entries", MaxActions)
	}
	for i, x := range a {
		if err := x.validate(); err != nil {
			return invalid("actions[%d]: %s", i, strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "))
		}
	}
	return nil
}

func (a Action) validate() error {
	// need names the one field the type takes; every other must be zero
	need := ""
	switch a.Type {
	case AssignAgent:
		need = "user_id"
	case AssignDepartment:
		need = "department_id"
	case AddLabel, RemoveLabel:
		need = "label_id"
	case SendMessage, AddNote:
		need = "text"
	case SetPriority:
		need = "priority"
	case Snooze:
		need = "minutes"
	case SendWebhook:
		need = "webhook_id"
	case Resolve, Queue:
	default:
		return invalid("unknown type %q; types are %s", a.Type, strings.Join(ActionTypes, ", "))
	}
	set := map[string]bool{"user_id": a.UserID != 0, "department_id": a.DepartmentID != 0, "label_id": a.LabelID != 0,
		"text": a.Text != "", "priority": a.Priority != "", "minutes": a.Minutes != 0, "webhook_id": a.WebhookID != 0}
	for _, f := range []string{"user_id", "department_id", "label_id", "text", "priority", "minutes", "webhook_id"} {
		if f != need && set[f] {
			return invalid("%s takes no %s", a.Type, f)
		}
	}
	switch need {
	case "user_id":
		return positive(need, a.UserID)
	case "department_id":
		return positive(need, a.DepartmentID)
	case "label_id":
		return positive(need, a.LabelID)
	case "webhook_id":
		return positive(need, a.WebhookID)
	case "text":
		if strings.TrimSpace(a.Text) == "" {
			return invalid("%s needs a text", a.Type)
		}
		if utf8.RuneCountInString(a.Text) > MaxTextRunes {
			return invalid("text has at most %d characters", MaxTextRunes)
		}
	case "priority":
		if !slices.Contains(routing.Priorities, a.Priority) {
			return invalid("unknown priority %q; priorities are %s", a.Priority, strings.Join(routing.Priorities, ", "))
		}
	case "minutes":
		if a.Minutes < 1 || a.Minutes > MaxMinutes {
			return invalid("minutes must be between 1 and %d", MaxMinutes)
		}
	}
	return nil
}

func positive(field string, id int64) error {
	if id <= 0 {
		return invalid("%s must be a positive id", field)
	}
	return nil
}
