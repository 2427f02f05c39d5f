// Package bot runs a department's bot (robô, DESIGN M6): a flow of steps —
// messages, numbered menus, questions whose answers become contact
// attributes, conditions, labels — that ends by transferring the
// conversation to another department, handing it to a human or resolving
// it. It is pure: the conversation service stores the flow JSON and each
// conversation's State, gathers the Env, calls Start or Advance inside its
// transaction and applies the returned Actions in order. No database, no
// clock, no network here, so a flow behaves the same in the test panel,
// in tests and in production.
package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/atende/atende/internal/automation/routing"
)

// Step types.
const (
	StepMessage   = "message"
	StepMenu      = "menu"
	StepAsk       = "ask"
	StepCondition = "condition"
	StepLabel     = "label"
	StepTransfer  = "transfer"
	StepHandoff   = "handoff"
	StepResolve   = "resolve"
)

// StepTypes are the step types, in the order error messages list them.
var StepTypes = []string{StepMessage, StepMenu, StepAsk, StepCondition, StepLabel, StepTransfer, StepHandoff, StepResolve}

// Answer validators of an ask step.
const (
	ValidateText    = "text"
	ValidateEmail   = "email"
	ValidateCPF     = "cpf"
	ValidateCNPJ    = "cnpj"
	ValidateCPFCNPJ = "cpf_cnpj"
	ValidatePhone   = "phone"
	ValidateDate    = "date"
	ValidateNumber  = "number"
)

// Validators are the ask validators, in the order error messages list them.
var Validators = []string{ValidateText, ValidateEmail, ValidateCPF, ValidateCNPJ, ValidateCPFCNPJ, ValidatePhone, ValidateDate, ValidateNumber}

// Limits of a flow.
const (
	MaxSteps       = 200
	MaxIDRunes     = 40
	MaxTextRunes   = 4096
	MaxOptions     = 10
	MaxLabelRunes  = 60
	MaxKeywords    = 20
	MaxRetriesCap  = 10
	MaxBranches    = 20
	MaxListLength  = 100
	MaxAttrKeyLen  = 64
	MaxValueRunes  = 500
	DefaultRetries = 2
)

// Flow is a bot's program, stored as JSON.
type Flow struct {
	Start string `json:"start"`
	Steps []Step `json:"steps"`

	// index maps step ids to positions in Steps; Parse fills it. A Flow
	// built by hand works without it (find scans Steps).
	index map[string]int
}

// Step is one node of a flow. Which fields apply depends on Type; Parse
// rejects a field set on a step type that ignores it, so a misplaced
// setting never goes unnoticed.
type Step struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// Text is the message text, the menu prompt, the ask question, or the
	// optional farewell of transfer, handoff and resolve.
	Text string `json:"text,omitempty"`
	// Next follows message, label and ask (after a valid answer); empty
	// ends the flow with a hand-off to a human.
	Next string `json:"next,omitempty"`
	// Options of a menu, 1 to MaxOptions.
	Options []Option `json:"options,omitempty"`
	// InvalidText is said by a menu or ask when the answer is not
	// understood; empty uses DefaultInvalidText.
	InvalidText string `json:"invalid_text,omitempty"`
	// MaxRetries is how many misses a menu or ask forgives before OnFail
	// (0: DefaultRetries).
	MaxRetries int `json:"max_retries,omitempty"`
	// OnFail is the step after too many misses; empty hands off to a human.
	OnFail string `json:"on_fail,omitempty"`
	// Attribute is the contact attribute an ask step saves the answer in.
	Attribute string `json:"attribute,omitempty"`
	// Validate is the ask validator (empty: text).
	Validate string `json:"validate,omitempty"`
	// Branches of a condition; the first that holds wins.
	Branches []Branch `json:"branches,omitempty"`
	// Else follows a condition when no branch holds (empty ends the flow).
	Else string `json:"else,omitempty"`
	// LabelIDs are added to the conversation by a label step.
	LabelIDs []int64 `json:"label_ids,omitempty"`
	// DepartmentID: transfer's destination (required); handoff's queue
	// (0: the current department).
	DepartmentID int64 `json:"department_id,omitempty"`
}

// Option is one choice of a menu.
type Option struct {
	Label string `json:"label"`
	// Keywords are other words that choose the option ("comprar").
	Keywords []string `json:"keywords,omitempty"`
	Next     string   `json:"next"`
}

// Branch of a condition step.
type Branch struct {
	When Conditions `json:"when"`
	Next string     `json:"next"`
}

// Conditions all must hold; an empty Conditions always holds.
type Conditions struct {
	Attributes []routing.AttributeCondition `json:"attributes,omitempty"`
	// HasLabelIDs: at least one is on the conversation or contact.
	HasLabelIDs []int64 `json:"has_label_ids,omitempty"`
	// LacksLabelIDs: none is on the conversation or contact.
	LacksLabelIDs []int64 `json:"lacks_label_ids,omitempty"`
	// BusinessHours: "open" or "closed" now.
	BusinessHours string `json:"business_hours,omitempty"`
}

// ErrInvalid matches (errors.Is) every error of Parse.
var ErrInvalid = errors.New("invalid bot flow")

// flowError is a Parse error: its text is the plain sentence the editor
// shows, and it still matches ErrInvalid.
type flowError struct{ msg string }

func (e *flowError) Error() string        { return e.msg }
func (e *flowError) Is(target error) bool { return target == ErrInvalid }

func invalid(format string, args ...any) error {
	return &flowError{fmt.Sprintf(format, args...)}
}

// Parse reads and validates a flow. It rejects unknown keys, unknown step
// types, duplicate or dangling ids, bad limits, unknown template variables
// and any loop made only of steps that never wait for the customer (it
// would spin without an answer to wait for). It never panics: it reads
// data written in an editor by people.
func Parse(data []byte) (*Flow, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, invalid("a flow must be a JSON object")
	}
	var f Flow
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return nil, invalid("%s must be %s", te.Field, jsonType(te.Type.Kind().String()))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return nil, invalid("unknown key %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		case errors.As(err, &se):
			return nil, invalid("the flow is not valid JSON (at byte %d)", se.Offset)
		default:
			return nil, invalid("the flow is not valid JSON")
		}
	}
	if dec.More() {
		return nil, invalid("the flow has data after its closing brace")
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	f.normalise()
	f.index = make(map[string]int, len(f.Steps))
	for i, s := range f.Steps {
		f.index[s.ID] = i
	}
	return &f, nil
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int64", "float64":
		return "a whole number"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return "of another type"
}

// normalise makes empty lists nil, so a parsed flow marshals and parses
// back to an equal value.
func (f *Flow) normalise() {
	for i := range f.Steps {
		s := &f.Steps[i]
		s.Options = nilIfEmpty(s.Options)
		s.Branches = nilIfEmpty(s.Branches)
		s.LabelIDs = nilIfEmpty(s.LabelIDs)
		for j := range s.Options {
			s.Options[j].Keywords = nilIfEmpty(s.Options[j].Keywords)
		}
		for j := range s.Branches {
			w := &s.Branches[j].When
			w.Attributes = nilIfEmpty(w.Attributes)
			w.HasLabelIDs = nilIfEmpty(w.HasLabelIDs)
			w.LacksLabelIDs = nilIfEmpty(w.LacksLabelIDs)
		}
	}
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

func (f *Flow) validate() error {
	if len(f.Steps) == 0 {
		return invalid("a flow needs at least one step")
	}
	if len(f.Steps) > MaxSteps {
		return invalid("a flow has at most %d steps, this one has %d", MaxSteps, len(f.Steps))
	}
	ids := make(map[string]int, len(f.Steps))
	for i, s := range f.Steps {
		if err := checkID(s.ID); err != nil {
			return invalid("step %d: %v", i+1, err)
		}
		if _, dup := ids[s.ID]; dup {
			return invalid("step %q: the id is used by two steps", s.ID)
		}
		ids[s.ID] = i
	}
	if f.Start == "" {
		return invalid("the flow needs a start step")
	}
	if _, ok := ids[f.Start]; !ok {
		return invalid("start names step %q, which does not exist", f.Start)
	}
	for _, s := range f.Steps {
		if err := s.validate(ids); err != nil {
			return err
		}
	}
	return f.checkLoops(ids)
}

func checkID(id string) error {
	switch {
	case id == "":
		return errors.New("the id is empty")
	case utf8.RuneCountInString(id) > MaxIDRunes:
		return fmt.Errorf("the id %q is longer than %d characters", id, MaxIDRunes)
	case strings.TrimSpace(id) != id:
		return fmt.Errorf("the id %q starts or ends with a space", id)
	case strings.ContainsFunc(id, unicode.IsControl):
		return fmt.Errorf("the id %q holds a control character", id)
	}
	return nil
}

func (s Step) validate(ids map[string]int) error {
	fail := func(format string, args ...any) error {
		return invalid("step %q: %s", s.ID, fmt.Sprintf(format, args...))
	}
	ref := func(field, target string, required bool) error {
		if target == "" {
			if required {
				return fail("%s is required", field)
			}
			return nil
		}
		if _, ok := ids[target]; !ok {
			return fail("%s names step %q, which does not exist", field, target)
		}
		return nil
	}
	if !slices.Contains(StepTypes, s.Type) {
		if s.Type == "" {
			return fail("the type is missing; types are %s", strings.Join(StepTypes, ", "))
		}
		return fail("unknown type %q; types are %s", s.Type, strings.Join(StepTypes, ", "))
	}

	// Fields a type ignores must be empty.
	uses := map[string]bool{}
	switch s.Type {
	case StepMessage:
		uses["text"], uses["next"] = true, true
	case StepMenu:
		for _, k := range []string{"text", "options", "invalid_text", "max_retries", "on_fail"} {
			uses[k] = true
		}
	case StepAsk:
		for _, k := range []string{"text", "next", "invalid_text", "max_retries", "on_fail", "attribute", "validate"} {
			uses[k] = true
		}
	case StepCondition:
		uses["branches"], uses["else"] = true, true
	case StepLabel:
		uses["label_ids"], uses["next"] = true, true
	case StepTransfer, StepHandoff:
		uses["text"], uses["department_id"] = true, true
	case StepResolve:
		uses["text"] = true
	}
	set := []struct {
		key string
		on  bool
	}{
		{"text", s.Text != ""}, {"next", s.Next != ""}, {"options", len(s.Options) > 0},
		{"invalid_text", s.InvalidText != ""}, {"max_retries", s.MaxRetries != 0}, {"on_fail", s.OnFail != ""},
		{"attribute", s.Attribute != ""}, {"validate", s.Validate != ""}, {"branches", len(s.Branches) > 0},
		{"else", s.Else != ""}, {"label_ids", len(s.LabelIDs) > 0}, {"department_id", s.DepartmentID != 0},
	}
	for _, f := range set {
		if f.on && !uses[f.key] {
			return fail("a %s step takes no %s", s.Type, f.key)
		}
	}

	for _, t := range []struct{ name, text string }{{"text", s.Text}, {"invalid_text", s.InvalidText}} {
		if n := utf8.RuneCountInString(t.text); n > MaxTextRunes {
			return fail("%s has %d characters; the limit is %d", t.name, n, MaxTextRunes)
		}
		if v, ok := unknownVariable(t.text); ok {
			return fail("%s uses the unknown variable {{%s}}; variables are {{contact.name}}, {{contact.first_name}} and {{attributes.<key>}}", t.name, v)
		}
	}
	if err := ref("next", s.Next, false); err != nil {
		return err
	}

	switch s.Type {
	case StepMessage:
		if strings.TrimSpace(s.Text) == "" {
			return fail("a message step needs a text")
		}
	case StepMenu:
		if strings.TrimSpace(s.Text) == "" {
			return fail("a menu needs a prompt text")
		}
		if err := s.validateOptions(fail, ref); err != nil {
			return err
		}
	case StepAsk:
		if strings.TrimSpace(s.Text) == "" {
			return fail("an ask step needs a question text")
		}
		if s.Attribute == "" {
			return fail("an ask step needs the attribute that keeps the answer")
		}
		if !ValidAttributeKey(s.Attribute) {
			return fail("attribute %q must be 1 to %d characters of a-z, 0-9 and _", s.Attribute, MaxAttrKeyLen)
		}
		if s.Validate != "" && !slices.Contains(Validators, s.Validate) {
			return fail("unknown validate %q; validators are %s", s.Validate, strings.Join(Validators, ", "))
		}
	case StepCondition:
		if len(s.Branches) == 0 {
			return fail("a condition needs at least one branch")
		}
		if len(s.Branches) > MaxBranches {
			return fail("a condition has at most %d branches", MaxBranches)
		}
		for i, b := range s.Branches {
			if err := b.When.validate(); err != nil {
				return fail("branch %d: %v", i+1, err)
			}
			if err := ref(fmt.Sprintf("branch %d next", i+1), b.Next, true); err != nil {
				return err
			}
		}
		if err := ref("else", s.Else, false); err != nil {
			return err
		}
	case StepLabel:
		if len(s.LabelIDs) == 0 {
			return fail("a label step needs at least one label id")
		}
		if err := checkIDs("label_ids", s.LabelIDs); err != nil {
			return fail("%v", err)
		}
	case StepTransfer:
		if s.DepartmentID <= 0 {
			return fail("a transfer needs a department_id greater than 0")
		}
	case StepHandoff:
		if s.DepartmentID < 0 {
			return fail("department_id must be 0 (the current department) or a department id")
		}
	}

	if s.Type == StepMenu || s.Type == StepAsk {
		if s.MaxRetries < 0 || s.MaxRetries > MaxRetriesCap {
			return fail("max_retries must be between 0 (the default, %d) and %d", DefaultRetries, MaxRetriesCap)
		}
		if err := ref("on_fail", s.OnFail, false); err != nil {
			return err
		}
	}
	return nil
}

func (s Step) validateOptions(fail func(string, ...any) error, ref func(string, string, bool) error) error {
	if len(s.Options) == 0 {
		return fail("a menu needs at least one option")
	}
	if len(s.Options) > MaxOptions {
		return fail("a menu has at most %d options, this one has %d", MaxOptions, len(s.Options))
	}
	// Every label and keyword must choose one option only, compared the way
	// answers are matched (case, accents and punctuation aside).
	owner := map[string]int{}
	for i, o := range s.Options {
		n := i + 1
		if strings.TrimSpace(o.Label) == "" {
			return fail("option %d has no label", n)
		}
		if c := utf8.RuneCountInString(o.Label); c > MaxLabelRunes {
			return fail("option %d: the label has %d characters; the limit is %d", n, c, MaxLabelRunes)
		}
		if strings.ContainsFunc(o.Label, unicode.IsControl) {
			return fail("option %d: the label holds a control character", n)
		}
		if err := ref(fmt.Sprintf("option %d next", n), o.Next, true); err != nil {
			return err
		}
		if len(o.Keywords) > MaxKeywords {
			return fail("option %d has at most %d keywords", n, MaxKeywords)
		}
		key := phraseKey(o.Label)
		if prev, ok := owner[key]; ok && key != "" {
			return fail("options %d and %d have the same label %q", prev, n, o.Label)
		}
		if key != "" {
			owner[key] = n
		}
		for _, k := range o.Keywords {
			kk := phraseKey(k)
			if kk == "" {
				return fail("option %d: keyword %q has no letters", n, k)
			}
			if utf8.RuneCountInString(k) > MaxLabelRunes {
				return fail("option %d: keyword %q is longer than %d characters", n, k, MaxLabelRunes)
			}
			if !strings.ContainsFunc(kk, unicode.IsLetter) {
				return fail("option %d: keyword %q has no letters; option numbers already work", n, k)
			}
			if prev, ok := owner[kk]; ok {
				if prev == n {
					continue // a keyword repeating its own label is harmless
				}
				return fail("option %d: keyword %q already chooses option %d", n, k, prev)
			}
			owner[kk] = n
		}
	}
	return nil
}

func (c Conditions) validate() error {
	if len(c.Attributes) > MaxListLength || len(c.HasLabelIDs) > MaxListLength || len(c.LacksLabelIDs) > MaxListLength {
		return fmt.Errorf("each condition list has at most %d entries", MaxListLength)
	}
	for i, a := range c.Attributes {
		n := i + 1
		if strings.TrimSpace(a.Key) == "" {
			return fmt.Errorf("attribute condition %d needs a key", n)
		}
		if utf8.RuneCountInString(a.Key) > MaxAttrKeyLen {
			return fmt.Errorf("attribute condition %d: the key is longer than %d characters", n, MaxAttrKeyLen)
		}
		if utf8.RuneCountInString(a.Value) > MaxValueRunes {
			return fmt.Errorf("attribute condition %d: the value is longer than %d characters", n, MaxValueRunes)
		}
		switch a.Op {
		case routing.OpEquals, routing.OpNotEquals, routing.OpContains:
			if strings.TrimSpace(a.Value) == "" {
				return fmt.Errorf("attribute condition %d: %s needs a value", n, a.Op)
			}
		case routing.OpExists, routing.OpNotExists:
			if a.Value != "" {
				return fmt.Errorf("attribute condition %d: %s takes no value", n, a.Op)
			}
		default:
			return fmt.Errorf("attribute condition %d: unknown op %q; ops are %s", n, a.Op, strings.Join(routing.Ops, ", "))
		}
	}
	if err := checkIDs("has_label_ids", c.HasLabelIDs); err != nil {
		return err
	}
	if err := checkIDs("lacks_label_ids", c.LacksLabelIDs); err != nil {
		return err
	}
	switch c.BusinessHours {
	case "", routing.HoursOpen, routing.HoursClosed:
	default:
		return fmt.Errorf("business_hours must be %q or %q, not %q", routing.HoursOpen, routing.HoursClosed, c.BusinessHours)
	}
	return nil
}

func checkIDs(name string, ids []int64) error {
	if len(ids) > MaxListLength {
		return fmt.Errorf("%s has at most %d entries", name, MaxListLength)
	}
	if slices.ContainsFunc(ids, func(id int64) bool { return id <= 0 }) {
		return fmt.Errorf("%s must hold ids greater than 0", name)
	}
	return nil
}

// ValidAttributeKey reports whether key can name a contact attribute an
// ask step saves: 1 to 64 characters of a-z, 0-9 and _.
func ValidAttributeKey(key string) bool {
	if key == "" || len(key) > MaxAttrKeyLen {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// waits reports whether a step type stops the run to wait for the
// customer's answer.
func waits(typ string) bool { return typ == StepMenu || typ == StepAsk }

// successors are the steps a non-waiting step may run next.
func (s Step) successors() []string {
	switch s.Type {
	case StepMessage, StepLabel:
		return []string{s.Next}
	case StepCondition:
		out := []string{s.Else}
		for _, b := range s.Branches {
			out = append(out, b.Next)
		}
		return out
	}
	return nil
}

// checkLoops refuses a cycle through message, label and condition steps
// only: the engine would run it until its runaway guard stops it, without
// ever asking the customer anything.
func (f *Flow) checkLoops(ids map[string]int) error {
	const (
		white = iota
		grey
		black
	)
	colour := make([]int, len(f.Steps))
	var path []string
	var visit func(i int) error
	visit = func(i int) error {
		colour[i] = grey
		path = append(path, f.Steps[i].ID)
		for _, next := range f.Steps[i].successors() {
			j, ok := ids[next]
			if !ok || waits(f.Steps[j].Type) {
				continue
			}
			switch colour[j] {
			case grey:
				loop := path[slices.Index(path, next):]
				return invalid("steps %s loop back to %q without waiting for the customer; put a menu or ask step in the loop",
					quoteJoin(loop), next)
			case white:
				if err := visit(j); err != nil {
					return err
				}
			}
		}
		path = path[:len(path)-1]
		colour[i] = black
		return nil
	}
	for i, s := range f.Steps {
		if colour[i] == white && !waits(s.Type) {
			if err := visit(i); err != nil {
				return err
			}
		}
	}
	return nil
}

func quoteJoin(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return strings.Join(q, " → ")
}
