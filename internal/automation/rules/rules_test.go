package rules

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/atende/atende/internal/automation/routing"
)

func TestMatches(t *testing.T) {
	base := Facts{Status: "open", Priority: "high", DepartmentID: 2, AssigneeID: 9, ChannelID: 7, ChannelKind: "whatsapp",
		LabelIDs: []int64{3, 4}, Attributes: map[string]any{"plano": "Empresa"}, Open: true,
		Message: &Message{From: FromCustomer, Content: "Quero CANCELAR o pedido"}}
	queued := Facts{Status: "queued", Priority: "none", ChannelID: 1, ChannelKind: "email"}
	cases := []struct {
		name string
		c    Conditions
		f    Facts
		want bool
	}{
		{"no conditions", Conditions{}, queued, true},
		{"status in", Conditions{Statuses: []string{"open", "bot"}}, base, true},
		{"status out", Conditions{Statuses: []string{"bot"}}, base, false},
		{"department in", Conditions{DepartmentIDs: []int64{2}}, base, true},
		{"department out", Conditions{DepartmentIDs: []int64{2}}, queued, false},
		{"assignee none", Conditions{Assignee: AssigneeNone}, queued, true},
		{"assignee none, assigned", Conditions{Assignee: AssigneeNone}, base, false},
		{"assignee any", Conditions{Assignee: AssigneeAny}, base, true},
		{"assignee any, none", Conditions{Assignee: AssigneeAny}, queued, false},
		{"assignee ids", Conditions{AssigneeIDs: []int64{8, 9}}, base, true},
		{"assignee ids other", Conditions{AssigneeIDs: []int64{8}}, base, false},
		{"priority", Conditions{Priorities: []string{"high"}}, base, true},
		{"priority other", Conditions{Priorities: []string{"low"}}, base, false},
		{"kind", Conditions{ChannelKinds: []string{"whatsapp"}}, base, true},
		{"kind other", Conditions{ChannelKinds: []string{"whatsapp"}}, queued, false},
		{"channel id", Conditions{ChannelIDs: []int64{7}}, base, true},
		{"channel id other", Conditions{ChannelIDs: []int64{7}}, queued, false},
		{"has label", Conditions{HasLabelIDs: []int64{1, 4}}, base, true},
		{"has label, none", Conditions{HasLabelIDs: []int64{1}}, base, false},
		{"lacks label", Conditions{LacksLabelIDs: []int64{1}}, base, true},
		{"lacks label, has it", Conditions{LacksLabelIDs: []int64{3}}, base, false},
		{"attribute", Conditions{Attributes: []routing.AttributeCondition{{Key: "plano", Op: routing.OpEquals, Value: "empresa"}}}, base, true},
		{"attribute missing", Conditions{Attributes: []routing.AttributeCondition{{Key: "plano", Op: routing.OpExists}}}, queued, false},
		{"from customer", Conditions{MessageFrom: FromCustomer}, base, true},
		{"from agent", Conditions{MessageFrom: FromAgent}, base, false},
		{"message condition without message", Conditions{MessageFrom: FromCustomer}, queued, false},
		{"contains ignores case", Conditions{MessageContains: []string{"reembolso", " cancelar "}}, base, true},
		{"contains none", Conditions{MessageContains: []string{"reembolso"}}, base, false},
		{"open", Conditions{BusinessHours: routing.HoursOpen}, base, true},
		{"open, closed", Conditions{BusinessHours: routing.HoursOpen}, queued, false},
		{"closed", Conditions{BusinessHours: routing.HoursClosed}, queued, true},
		{"all must hold", Conditions{Statuses: []string{"open"}, Priorities: []string{"low"}}, base, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := (Rule{Enabled: true, Conditions: tc.c}).Matches(tc.f); got != tc.want {
				t.Fatalf("Matches = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNeedsOf(t *testing.T) {
	rs := []Rule{
		{Enabled: false, Conditions: Conditions{BusinessHours: "open"}},
		{Enabled: true, Conditions: Conditions{ChannelKinds: []string{"sms"}, Attributes: []routing.AttributeCondition{{Key: "a", Op: "exists"}}}},
	}
	if n := NeedsOf(rs); !n.Contact || !n.Channel || n.Hours {
		t.Fatalf("NeedsOf = %+v", n)
	}
}

func TestValidateEvent(t *testing.T) {
	cases := []struct {
		event   string
		minutes int
		ok      bool
	}{
		{MessageCreated, 0, true}, {MessageCreated, 5, false}, {NoAgentReply, 0, false}, {NoAgentReply, 30, true},
		{SnoozedTooLong, MaxMinutes + 1, false}, {"conversation.deleted", 0, false}, {"", 0, false},
	}
	for _, tc := range cases {
		err := ValidateEvent(tc.event, tc.minutes)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateEvent(%q, %d) = %v, want ok %v", tc.event, tc.minutes, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("error %v does not wrap ErrInvalid", err)
		}
	}
}

func TestParseConditions(t *testing.T) {
	cases := []struct {
		raw, event, err string
	}{
		{`{}`, ConversationCreated, ""},
		{`{"statuses":["open"],"assignee":"none","priorities":["urgent"],"channel_kinds":["sms"],"has_label_ids":[1],"business_hours":"closed"}`, ConversationUpdated, ""},
		{`{"message_from":"customer","message_contains":["oi"]}`, MessageCreated, ""},
		{`{"message_from":"customer"}`, ConversationCreated, "need the message.created event"},
		{`{"statuses":["closed"]}`, ConversationCreated, `unknown value "closed"`},
		{`{"priorities":["p1"]}`, ConversationCreated, `unknown value "p1"`},
		{`{"channel_kinds":["fax"]}`, ConversationCreated, `unknown value "fax"`},
		{`{"assignee":"me"}`, ConversationCreated, `conditions.assignee must be`},
		{`{"assignee":"none","assignee_ids":[3]}`, ConversationCreated, "contradicts"},
		{`{"department_ids":[0]}`, ConversationCreated, "positive ids"},
		{`{"statuss":["open"]}`, ConversationCreated, `unknown key "statuss"`},
		{`{"department_ids":"2"}`, ConversationCreated, "conditions.department_ids must be []int64"},
		{`{"attributes":[{"key":"a","op":"like","value":"x"}]}`, ConversationCreated, "unknown operator"},
		{`{"attributes":[{"key":"a","op":"equals"}]}`, ConversationCreated, "needs a value"},
		{`{"attributes":[{"key":" ","op":"exists"}]}`, ConversationCreated, "key is required"},
		{`{"message_contains":[" "]}`, MessageCreated, "is empty"},
		{`{"message_from":"robot"}`, MessageCreated, "message_from must be"},
		{`{"business_hours":"maybe"}`, ConversationCreated, "business_hours must be"},
		{`[]`, ConversationCreated, "must be a JSON object"},
		{`{} {}`, ConversationCreated, "trailing data"},
		{``, ConversationCreated, "conditions is required"},
		{`null`, ConversationCreated, "conditions is required"},
	}
	for _, tc := range cases {
		_, err := ParseConditions(json.RawMessage(tc.raw), tc.event)
		check(t, tc.raw, err, tc.err)
	}
}

func TestParseActions(t *testing.T) {
	cases := []struct{ raw, err string }{
		{`[{"type":"add_label","label_id":3},{"type":"resolve"},{"type":"snooze","minutes":60},{"type":"send_message","text":"Oi"}]`, ""},
		{`[{"type":"assign_agent","user_id":2},{"type":"assign_department","department_id":1},{"type":"set_priority","priority":"high"},{"type":"send_webhook","webhook_id":4},{"type":"add_note","text":"n"},{"type":"queue"},{"type":"remove_label","label_id":1}]`, ""},
		{`[]`, "at least one action"},
		{`{}`, "must be a JSON array of objects"},
		{`[{"type":"explode"}]`, `actions[0]: unknown type "explode"`},
		{`[{"type":"resolve"},{"type":"add_label"}]`, "actions[1]: label_id must be a positive id"},
		{`[{"type":"add_label","label_id":1,"text":"x"}]`, "add_label takes no text"},
		{`[{"type":"send_message","text":"  "}]`, "needs a text"},
		{`[{"type":"set_priority","priority":"p0"}]`, `unknown priority "p0"`},
		{`[{"type":"snooze","minutes":0}]`, "minutes must be between"},
		{`[{"type":"snooze","minutes":-5}]`, "minutes must be between"},
		{`[{"type":"resolve","minutes":5}]`, "resolve takes no minutes"},
		{`[{"type":"resolve","colour":1}]`, `unknown key "colour"`},
		{`[{"type":"assign_agent","user_id":"x"}]`, "actions.user_id must be int64"},
		{`[` + strings.Repeat(`{"type":"resolve"},`, MaxActions) + `{"type":"resolve"}]`, "at most 20"},
	}
	for _, tc := range cases {
		_, err := ParseActions(json.RawMessage(tc.raw))
		check(t, tc.raw, err, tc.err)
	}
}

func check(t *testing.T, input string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: unexpected error %v", input, err)
	case want != "" && err == nil:
		t.Errorf("%s: no error, want %q", input, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%s: error %q, want it to contain %q", input, err, want)
	case err != nil && !errors.Is(err, ErrInvalid):
		t.Errorf("%s: error %v does not wrap ErrInvalid", input, err)
	}
}

func TestValidateName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{{"Cobrar resposta", true}, {" ", false}, {strings.Repeat("é", MaxNameRunes), true}, {strings.Repeat("é", MaxNameRunes+1), false}} {
		if err := ValidateName(tc.name); (err == nil) != tc.ok {
			t.Errorf("ValidateName(%q) = %v", tc.name, err)
		}
	}
}

// FuzzParse: outside JSON never panics, and what parses validates and
// survives a round trip through its JSON form.
func FuzzParse(f *testing.F) {
	f.Add(`{"statuses":["open"],"message_contains":["oi"]}`, `[{"type":"add_label","label_id":3}]`, MessageCreated)
	f.Add(`{"attributes":[{"key":"a","op":"equals","value":"1"}]}`, `[{"type":"snooze","minutes":5}]`, NoAgentReply)
	f.Add(`{}`, `[{"type":"resolve"}]`, ConversationCreated)
	f.Fuzz(func(t *testing.T, cond, acts, event string) {
		c, err := ParseConditions(json.RawMessage(cond), event)
		if err == nil {
			if err := c.Validate(event); err != nil {
				t.Fatalf("parsed conditions do not validate: %v", err)
			}
			b, _ := json.Marshal(c)
			if _, err := ParseConditions(b, event); err != nil {
				t.Fatalf("round trip of %s: %v", b, err)
			}
			_ = Rule{Conditions: c}.Matches(Facts{Message: &Message{Content: cond}})
		} else if !errors.Is(err, ErrInvalid) {
			t.Fatalf("error %v does not wrap ErrInvalid", err)
		}
		a, err := ParseActions(json.RawMessage(acts))
		if err == nil {
			b, _ := json.Marshal(a)
			if _, err := ParseActions(b); err != nil {
				t.Fatalf("round trip of %s: %v", b, err)
			}
		} else if !errors.Is(err, ErrInvalid) {
			t.Fatalf("error %v does not wrap ErrInvalid", err)
		}
	})
}

// BenchmarkMatches: one rule with a condition of every cheap kind against
// a conversation that passes them all (the job handler's inner loop).
func BenchmarkMatches(b *testing.B) {
	r := Rule{Enabled: true, Conditions: Conditions{Statuses: []string{"queued", "open"}, DepartmentIDs: []int64{2}, Assignee: AssigneeAny,
		Priorities: []string{"high"}, HasLabelIDs: []int64{9, 4}, LacksLabelIDs: []int64{7},
		Attributes: []routing.AttributeCondition{{Key: "plano", Op: routing.OpContains, Value: "ouro"}}, MessageContains: []string{"cancelar", "reembolso"}}}
	f := Facts{Status: "open", Priority: "high", DepartmentID: 2, AssigneeID: 5, LabelIDs: []int64{3, 4}, Attributes: map[string]any{"plano": "Ouro Plus"},
		Message: &Message{From: FromCustomer, Content: "Olá, quero pedir o reembolso da minha compra de ontem"}}
	b.ReportAllocs()
	for b.Loop() {
		if !r.Matches(f) {
			b.Fatal("no match")
		}
	}
}
