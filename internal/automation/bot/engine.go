package bot

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/atende/atende/internal/automation/routing"
)

// Action kinds.
const (
	ActSend         = "send"
	ActSetAttribute = "set_attribute"
	ActAddLabels    = "add_labels"
	ActTransfer     = "transfer"
	ActHandoff      = "handoff"
	ActResolve      = "resolve"
)

// MaxStepsPerRun bounds the steps one Start or Advance executes. Parse
// already refuses loops that never wait; this guard is defence in depth
// for flows built without Parse.
const MaxStepsPerRun = 100

// State is a conversation's place in its bot, stored as JSON between
// messages.
type State struct {
	Step    string `json:"step"`    // the step waiting for the customer's answer
	Retries int    `json:"retries"` // misses so far at that step
}

// Env is what the bot can see. The engine works on its own copy and keeps
// it up to date as it sets attributes and labels within one run; the
// caller's map and slice are never written.
type Env struct {
	ContactName string
	Attributes  map[string]any
	LabelIDs    []int64 // conversation ∪ contact labels
	Open        bool    // within business hours now
}

// Action is one effect for the caller to apply, in order.
type Action struct {
	Kind string
	// Text of a send: the whole text as a text-only channel shows it. A
	// menu is its prompt, a blank line and "1 – Vendas" lines.
	Text string
	// Prompt of a menu send: the prompt alone, for channels that show
	// Choices as buttons or a list.
	Prompt string
	// Choices of a menu send: the option labels, in order.
	Choices      []string
	Attribute    string
	Value        any // set_attribute: the normalised value (see Validate)
	LabelIDs     []int64
	DepartmentID int64  // transfer; handoff (0: stay in the current department)
	StepID       string // the step that produced it, for the timeline and test panel
}

// Result of one Start or Advance.
type Result struct {
	Actions []Action
	State   State // where the bot waits now; meaningless when Done
	Done    bool  // the flow ended: transfer, handoff or resolve is the last action
	Steps   int   // steps executed, the waiting step that read the answer included
}

// Start runs a new session from f.Start until a step waits for the
// customer (menu, ask) or the flow ends.
func Start(f *Flow, env Env) Result {
	r := runner{f: f, env: env}
	if f == nil {
		return r.handoff("")
	}
	return r.run(f.Start, "")
}

// Advance feeds the customer's message to the step st waits on and runs
// on. A state whose step no longer exists or no longer waits (the flow was
// edited) starts the flow again from f.Start; the message is then taken as
// the greeting that opens the new session, not as an answer.
//
// A menu answer it does not understand, or an ask answer that fails its
// validator, is a miss: while the misses stay within MaxRetries the bot
// sends the invalid text and, for a menu, the menu again as a second send
// (so a button channel re-shows the buttons) and keeps waiting; one miss
// more goes to OnFail, or hands off to a human when OnFail is empty.
func Advance(f *Flow, st State, input string, env Env) Result {
	r := runner{f: f, env: env}
	if f == nil {
		return r.handoff("")
	}
	s, ok := f.step(st.Step)
	if !ok || !waits(s.Type) {
		return r.run(f.Start, "")
	}
	r.steps = 1
	switch s.Type {
	case StepMenu:
		if i := MatchOption(s.Options, input); i >= 0 {
			return r.run(s.Options[i].Next, s.ID)
		}
	case StepAsk:
		if v, ok := Validate(s.Validate, input); ok {
			r.setAttribute(s, v)
			return r.run(s.Next, s.ID)
		}
	}
	retries := max(st.Retries, 0) + 1
	limit := s.MaxRetries
	if limit <= 0 {
		limit = DefaultRetries
	}
	if retries > limit {
		if s.OnFail == "" {
			return r.handoff(s.ID)
		}
		return r.run(s.OnFail, s.ID)
	}
	invalid := s.InvalidText
	if invalid == "" {
		kind := s.Type
		if kind == StepAsk {
			kind = s.Validate
		}
		invalid = DefaultInvalidText(kind)
	}
	r.send(s.ID, Render(invalid, r.env))
	if s.Type == StepMenu {
		r.sendMenu(s)
	}
	return r.wait(s.ID, retries)
}

// step finds a step by id.
func (f *Flow) step(id string) (*Step, bool) {
	if id == "" {
		return nil, false
	}
	if f.index != nil {
		i, ok := f.index[id]
		if !ok {
			return nil, false
		}
		return &f.Steps[i], true
	}
	for i := range f.Steps {
		if f.Steps[i].ID == id {
			return &f.Steps[i], true
		}
	}
	return nil, false
}

type runner struct {
	f       *Flow
	env     Env
	actions []Action
	steps   int
	// ownAttrs and ownLabels: the env's map and slice are copies, safe to
	// write.
	ownAttrs, ownLabels bool
}

// run executes from step id until a step waits or the flow ends. from is
// the step that led here, named by the hand-off when id is empty.
func (r *runner) run(id, from string) Result {
	for {
		s, ok := r.f.step(id)
		if !ok {
			// End of the flow (or, in a flow built without Parse, a
			// dangling reference): a human takes over.
			return r.handoff(from)
		}
		if r.steps >= MaxStepsPerRun {
			return r.handoff(s.ID)
		}
		r.steps++
		from = s.ID
		switch s.Type {
		case StepMessage:
			r.send(s.ID, Render(s.Text, r.env))
			id = s.Next
		case StepMenu:
			r.sendMenu(s)
			return r.wait(s.ID, 0)
		case StepAsk:
			r.send(s.ID, Render(s.Text, r.env))
			return r.wait(s.ID, 0)
		case StepCondition:
			id = s.Else
			for _, b := range s.Branches {
				if b.When.Holds(r.env) {
					id = b.Next
					break
				}
			}
		case StepLabel:
			r.addLabels(s)
			id = s.Next
		case StepTransfer:
			r.farewell(s)
			return r.end(Action{Kind: ActTransfer, DepartmentID: s.DepartmentID, StepID: s.ID})
		case StepHandoff:
			r.farewell(s)
			return r.end(Action{Kind: ActHandoff, DepartmentID: max(s.DepartmentID, 0), StepID: s.ID})
		case StepResolve:
			r.farewell(s)
			return r.end(Action{Kind: ActResolve, StepID: s.ID})
		default:
			return r.handoff(s.ID)
		}
	}
}

func (r *runner) send(stepID, text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	r.actions = append(r.actions, Action{Kind: ActSend, Text: text, StepID: stepID})
}

func (r *runner) farewell(s *Step) {
	if s.Text != "" {
		r.send(s.ID, Render(s.Text, r.env))
	}
}

// MenuText is a menu as a text-only channel shows it: the prompt, a blank
// line, and one "N – Label" line per option.
func MenuText(prompt string, options []Option) string {
	var b strings.Builder
	b.WriteString(prompt)
	if prompt != "" {
		b.WriteString("\n\n")
	}
	for i, o := range options {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(" – ")
		b.WriteString(o.Label)
	}
	return b.String()
}

func (r *runner) sendMenu(s *Step) {
	prompt := Render(s.Text, r.env)
	choices := make([]string, len(s.Options))
	for i, o := range s.Options {
		choices[i] = o.Label
	}
	r.actions = append(r.actions, Action{Kind: ActSend, Text: MenuText(prompt, s.Options), Prompt: prompt, Choices: choices, StepID: s.ID})
}

func (r *runner) setAttribute(s *Step, v any) {
	if !r.ownAttrs {
		r.env.Attributes = maps.Clone(r.env.Attributes)
		if r.env.Attributes == nil {
			r.env.Attributes = map[string]any{}
		}
		r.ownAttrs = true
	}
	r.env.Attributes[s.Attribute] = v
	r.actions = append(r.actions, Action{Kind: ActSetAttribute, Attribute: s.Attribute, Value: v, StepID: s.ID})
}

func (r *runner) addLabels(s *Step) {
	if len(s.LabelIDs) == 0 {
		return
	}
	if !r.ownLabels {
		r.env.LabelIDs = slices.Clone(r.env.LabelIDs)
		r.ownLabels = true
	}
	ids := make([]int64, 0, len(s.LabelIDs))
	for _, id := range s.LabelIDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
		if !slices.Contains(r.env.LabelIDs, id) {
			r.env.LabelIDs = append(r.env.LabelIDs, id)
		}
	}
	r.actions = append(r.actions, Action{Kind: ActAddLabels, LabelIDs: ids, StepID: s.ID})
}

func (r *runner) wait(stepID string, retries int) Result {
	return Result{Actions: r.actions, State: State{Step: stepID, Retries: retries}, Steps: r.steps}
}

func (r *runner) end(a Action) Result {
	r.actions = append(r.actions, a)
	return Result{Actions: r.actions, Done: true, Steps: r.steps}
}

// handoff ends the flow with a human taking over in the current
// department: the end of a flow, too many misses without on_fail, or the
// runaway guard.
func (r *runner) handoff(stepID string) Result {
	return r.end(Action{Kind: ActHandoff, StepID: stepID})
}

// Holds reports whether every condition of c is true in env.
func (c Conditions) Holds(env Env) bool {
	for _, a := range c.Attributes {
		if !attributeHolds(a, env.Attributes) {
			return false
		}
	}
	if len(c.HasLabelIDs) > 0 && !slices.ContainsFunc(c.HasLabelIDs, func(id int64) bool { return slices.Contains(env.LabelIDs, id) }) {
		return false
	}
	if slices.ContainsFunc(c.LacksLabelIDs, func(id int64) bool { return slices.Contains(env.LabelIDs, id) }) {
		return false
	}
	switch c.BusinessHours {
	case routing.HoursOpen:
		return env.Open
	case routing.HoursClosed:
		return !env.Open
	}
	return true
}

// attributeHolds tests one attribute like routing does, but compares text
// ignoring accents and repeated spaces too: customers' answers ("São
// Paulo", "sao paulo") are saved as typed.
func attributeHolds(a routing.AttributeCondition, attrs map[string]any) bool {
	v, ok := attrs[a.Key]
	text := ""
	if ok {
		text = foldText(valueText(v))
	}
	present := text != ""
	want := foldText(a.Value)
	switch a.Op {
	case routing.OpExists:
		return present
	case routing.OpNotExists:
		return !present
	case routing.OpEquals:
		return present && text == want
	case routing.OpNotEquals:
		return !present || text != want
	case routing.OpContains:
		return present && strings.Contains(text, want)
	}
	return false
}
