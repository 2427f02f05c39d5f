// Package routing classifies a new conversation by a workspace's ordered
// routing rules (DESIGN M1): the first enabled rule whose conditions all
// match chooses the department, and optionally the priority and labels.
// It is pure: the caller gathers the Facts (channel, contact, history,
// business hours) and applies the chosen Actions.
package routing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// ChannelKinds are the channel kinds a condition may name.
var ChannelKinds = []string{"api", "telegram", "whatsapp", "messenger", "instagram", "sms", "widget", "email"}

// Priorities are the conversation priorities an action may set.
var Priorities = []string{"none", "low", "medium", "high", "urgent"}

// Attribute operators.
const (
	OpEquals    = "equals"
	OpNotEquals = "not_equals"
	OpContains  = "contains"
	OpExists    = "exists"
	OpNotExists = "not_exists"
)

// Ops are the attribute operators, in the order error messages list them.
var Ops = []string{OpEquals, OpNotEquals, OpContains, OpExists, OpNotExists}

// Business-hours states a condition may ask for.
const (
	HoursOpen   = "open"
	HoursClosed = "closed"
)

// AttributeCondition tests one contact attribute. Values compare as text,
// ignoring case and surrounding spaces, so "Empresa" equals "empresa" and a
// number 5 equals "5".
type AttributeCondition struct {
	Key   string `json:"key"`
	Op    string `json:"op"`
	Value string `json:"value,omitempty"`
}

// Conditions all must match for a rule to apply; an empty field does not
// constrain, so a rule without conditions matches every new conversation.
type Conditions struct {
	// ChannelIDs: the conversation's channel is one of these.
	ChannelIDs []int64 `json:"channel_ids,omitempty"`
	// ChannelKinds: the channel's kind is one of these.
	ChannelKinds []string `json:"channel_kinds,omitempty"`
	// Attributes: each attribute test holds.
	Attributes []AttributeCondition `json:"attributes,omitempty"`
	// HasLabelIDs: the contact has at least one of these labels.
	HasLabelIDs []int64 `json:"has_label_ids,omitempty"`
	// LacksLabelIDs: the contact has none of these labels.
	LacksLabelIDs []int64 `json:"lacks_label_ids,omitempty"`
	// HasOwner: the contact has (true) or lacks (false) an owner agent,
	// the agent whose portfolio (carteira) it belongs to.
	HasOwner *bool `json:"has_owner,omitempty"`
	// OwnerIDs: the contact's owner agent is one of these.
	OwnerIDs []int64 `json:"owner_ids,omitempty"`
	// ServedBefore: one of the contact's earlier conversations in the
	// workspace, on any channel, was resolved (true) or none was (false).
	ServedBefore *bool `json:"served_before,omitempty"`
	// LastDepartmentIDs: the contact's previous conversation was in one
	// of these departments.
	LastDepartmentIDs []int64 `json:"last_department_ids,omitempty"`
	// BusinessHours: the workspace is "open" or "closed" now.
	BusinessHours string `json:"business_hours,omitempty"`
}

// Actions are what a matching rule does. Exactly one of DepartmentID and
// LastDepartment chooses the department.
type Actions struct {
	DepartmentID int64 `json:"department_id,omitempty"`
	// LastDepartment sends the conversation to the department of the
	// contact's previous conversation; the rule does not match a contact
	// without one.
	LastDepartment bool `json:"last_department,omitempty"`
	// Priority, when set, is the new conversation's priority.
	Priority string `json:"priority,omitempty"`
	// LabelIDs are added to the new conversation.
	LabelIDs []int64 `json:"label_ids,omitempty"`
	// BotID, when set, is the bot that talks to the new conversation in
	// place of its department's own.
	BotID int64 `json:"bot_id,omitempty"`
}

// Rule is one routing rule as evaluated. Position is its 1-based place in
// the workspace's order, the number the timeline shows ("rule 3").
type Rule struct {
	ID         int64
	Position   int
	Name       string
	Enabled    bool
	Conditions Conditions
	Actions    Actions
}

// Facts are what is known of a new conversation when it is routed.
type Facts struct {
	ChannelID   int64
	ChannelKind string
	// Attributes, LabelIDs and OwnerID are the contact's (OwnerID 0: none).
	Attributes map[string]any
	LabelIDs   []int64
	OwnerID    int64
	// ServedBefore and LastDepartmentID describe the contact's earlier
	// conversations in the workspace (LastDepartmentID 0: none).
	ServedBefore     bool
	LastDepartmentID int64
	// Open: the workspace is within its business hours now.
	Open bool
}

// Needs says which costly facts any of the rules looks at, so a caller
// gathers only those.
type Needs struct {
	Contact bool // Attributes, LabelIDs, OwnerID
	History bool // ServedBefore, LastDepartmentID
	Hours   bool // Open
}

// NeedsOf reports the facts the enabled rules look at.
func NeedsOf(rules []Rule) Needs {
	var n Needs
	for _, r := range rules {
		if !r.Enabled {
			continue
		}
		c := r.Conditions
		n.Contact = n.Contact || len(c.Attributes) > 0 || len(c.HasLabelIDs) > 0 || len(c.LacksLabelIDs) > 0 || c.HasOwner != nil || len(c.OwnerIDs) > 0
		n.History = n.History || c.ServedBefore != nil || len(c.LastDepartmentIDs) > 0 || r.Actions.LastDepartment
		n.Hours = n.Hours || c.BusinessHours != ""
	}
	return n
}

// Evaluate returns the index in rules of the first enabled rule that
// matches f, and false when none does. A caller that finds the chosen rule
// unusable (its department was deleted) evaluates again from index+1.
func Evaluate(rules []Rule, f Facts) (int, bool) {
	for i, r := range rules {
		if r.Enabled && r.Matches(f) {
			return i, true
		}
	}
	return -1, false
}

// Department is the department the rule sends a conversation with facts f
// to (0 when it names none there: LastDepartment without a previous one).
func (r Rule) Department(f Facts) int64 {
	if r.Actions.LastDepartment {
		return f.LastDepartmentID
	}
	return r.Actions.DepartmentID
}

// Matches reports whether every condition of r holds for f (Enabled aside).
func (r Rule) Matches(f Facts) bool {
	c := r.Conditions
	if len(c.ChannelIDs) > 0 && !slices.Contains(c.ChannelIDs, f.ChannelID) {
		return false
	}
	if len(c.ChannelKinds) > 0 && !slices.Contains(c.ChannelKinds, f.ChannelKind) {
		return false
	}
	for _, a := range c.Attributes {
		if !a.holds(f.Attributes) {
			return false
		}
	}
	if len(c.HasLabelIDs) > 0 && !slices.ContainsFunc(c.HasLabelIDs, func(id int64) bool { return slices.Contains(f.LabelIDs, id) }) {
		return false
	}
	if slices.ContainsFunc(c.LacksLabelIDs, func(id int64) bool { return slices.Contains(f.LabelIDs, id) }) {
		return false
	}
	if c.HasOwner != nil && *c.HasOwner != (f.OwnerID != 0) {
		return false
	}
	if len(c.OwnerIDs) > 0 && !slices.Contains(c.OwnerIDs, f.OwnerID) {
		return false
	}
	if c.ServedBefore != nil && *c.ServedBefore != f.ServedBefore {
		return false
	}
	if len(c.LastDepartmentIDs) > 0 && !slices.Contains(c.LastDepartmentIDs, f.LastDepartmentID) {
		return false
	}
	switch c.BusinessHours {
	case HoursOpen:
		if !f.Open {
			return false
		}
	case HoursClosed:
		if f.Open {
			return false
		}
	}
	return r.Department(f) != 0
}

// Holds reports whether the test holds for a contact's attributes (the
// automation rules of internal/automation/rules share it).
func (a AttributeCondition) Holds(attrs map[string]any) bool { return a.holds(attrs) }

func (a AttributeCondition) holds(attrs map[string]any) bool {
	v, ok := attrs[a.Key]
	text := ""
	if ok {
		text = strings.TrimSpace(attrText(v))
	}
	present := ok && text != ""
	want := strings.TrimSpace(a.Value)
	switch a.Op {
	case OpExists:
		return present
	case OpNotExists:
		return !present
	case OpEquals:
		return present && strings.EqualFold(text, want)
	case OpNotEquals:
		return !present || !strings.EqualFold(text, want)
	case OpContains:
		return present && strings.Contains(strings.ToLower(text), strings.ToLower(want))
	}
	return false
}

// attrText is an attribute value as text: strings as they are, numbers and
// booleans as JSON writes them, lists and objects never equal a value.
func attrText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool, float64, int, int64, json.Number:
		return fmt.Sprint(x)
	}
	return ""
}

// Limits of a rule.
const (
	MaxNameRunes  = 100
	MaxListLength = 100
	MaxKeyRunes   = 100
	MaxValueRunes = 500
)

// ErrInvalid wraps every validation error of Parse and Validate.
var ErrInvalid = errors.New("invalid routing rule")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// ParseConditions reads the JSON form of Conditions strictly: an unknown
// key is an error naming it, so a misspelt condition never matches
// everything silently.
func ParseConditions(raw json.RawMessage) (Conditions, error) {
	var c Conditions
	if err := strict(raw, &c, "conditions"); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// ParseActions reads the JSON form of Actions strictly.
func ParseActions(raw json.RawMessage) (Actions, error) {
	var a Actions
	if err := strict(raw, &a, "actions"); err != nil {
		return a, err
	}
	return a, a.Validate()
}

func strict(raw json.RawMessage, dst any, what string) error {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return invalid("%s must be a JSON object", what)
	}
	if msg := DecodeStrict(raw, dst, what, "a JSON object"); msg != "" {
		return invalid("%s", msg)
	}
	return nil
}

// DecodeStrict reads raw into dst the way rules are read from the API:
// unknown keys, wrong types and trailing data are refused. It returns ""
// on success, else a sentence naming what (and the field) for the
// caller's own error; shape is what raw should be ("a JSON object").
func DecodeStrict(raw json.RawMessage, dst any, what, shape string) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return fmt.Sprintf("%s.%s must be %s", what, te.Field, te.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return fmt.Sprintf("%s: unknown key %s", what, strings.TrimPrefix(err.Error(), "json: unknown field "))
		default:
			return fmt.Sprintf("%s must be %s", what, shape)
		}
	}
	if dec.More() {
		return what + ": trailing data"
	}
	return ""
}

// Problem describes what is wrong with the i-th attribute test of a
// conditions object ("" when nothing is), for the caller's own error.
func (a AttributeCondition) Problem(i int) string {
	switch {
	case strings.TrimSpace(a.Key) == "":
		return fmt.Sprintf("conditions.attributes[%d].key is required", i)
	case utf8.RuneCountInString(a.Key) > MaxKeyRunes:
		return fmt.Sprintf("conditions.attributes[%d].key has at most %d characters", i, MaxKeyRunes)
	case utf8.RuneCountInString(a.Value) > MaxValueRunes:
		return fmt.Sprintf("conditions.attributes[%d].value has at most %d characters", i, MaxValueRunes)
	}
	switch a.Op {
	case OpEquals, OpNotEquals, OpContains:
		if strings.TrimSpace(a.Value) == "" {
			return fmt.Sprintf("conditions.attributes[%d]: %s needs a value", i, a.Op)
		}
	case OpExists, OpNotExists:
		if a.Value != "" {
			return fmt.Sprintf("conditions.attributes[%d]: %s takes no value", i, a.Op)
		}
	default:
		return fmt.Sprintf("conditions.attributes[%d].op: unknown operator %q; operators are %s", i, a.Op, strings.Join(Ops, ", "))
	}
	return ""
}

// Validate checks the operators, kinds and sizes of c.
func (c Conditions) Validate() error {
	lists := []struct {
		name string
		n    int
	}{{"channel_ids", len(c.ChannelIDs)}, {"channel_kinds", len(c.ChannelKinds)}, {"attributes", len(c.Attributes)},
		{"has_label_ids", len(c.HasLabelIDs)}, {"lacks_label_ids", len(c.LacksLabelIDs)}, {"owner_ids", len(c.OwnerIDs)},
		{"last_department_ids", len(c.LastDepartmentIDs)}}
	for _, l := range lists {
		if l.n > MaxListLength {
			return invalid("conditions.%s has at most %d entries", l.name, MaxListLength)
		}
	}
	for name, ids := range map[string][]int64{"channel_ids": c.ChannelIDs, "has_label_ids": c.HasLabelIDs, "lacks_label_ids": c.LacksLabelIDs,
		"owner_ids": c.OwnerIDs, "last_department_ids": c.LastDepartmentIDs} {
		if slices.ContainsFunc(ids, func(id int64) bool { return id <= 0 }) {
			return invalid("conditions.%s must hold positive ids", name)
		}
	}
	for _, k := range c.ChannelKinds {
		if !slices.Contains(ChannelKinds, k) {
			return invalid("conditions.channel_kinds: unknown kind %q; kinds are %s", k, strings.Join(ChannelKinds, ", "))
		}
	}
	for i, a := range c.Attributes {
		if msg := a.Problem(i); msg != "" {
			return invalid("%s", msg)
		}
	}
	switch c.BusinessHours {
	case "", HoursOpen, HoursClosed:
	default:
		return invalid("conditions.business_hours must be %q or %q, not %q", HoursOpen, HoursClosed, c.BusinessHours)
	}
	return nil
}

// Validate checks that a chooses exactly one department and a known priority.
func (a Actions) Validate() error {
	switch {
	case a.DepartmentID < 0:
		return invalid("actions.department_id must be a positive id")
	case a.DepartmentID == 0 && !a.LastDepartment:
		return invalid("actions need department_id or last_department: true")
	case a.DepartmentID != 0 && a.LastDepartment:
		return invalid("actions take department_id or last_department, not both")
	}
	if a.Priority != "" && !slices.Contains(Priorities, a.Priority) {
		return invalid("actions.priority: unknown priority %q; priorities are %s", a.Priority, strings.Join(Priorities, ", "))
	}
	if a.BotID < 0 {
		return invalid("actions.bot_id must be a positive id")
	}
	if len(a.LabelIDs) > MaxListLength {
		return invalid("actions.label_ids has at most %d entries", MaxListLength)
	}
	if slices.ContainsFunc(a.LabelIDs, func(id int64) bool { return id <= 0 }) {
		return invalid("actions.label_ids must hold positive ids")
	}
	return nil
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
