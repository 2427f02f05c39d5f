package routing

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func TestMatches(t *testing.T) {
	base := Facts{ChannelID: 7, ChannelKind: "whatsapp", Attributes: map[string]any{"plano": "Empresa", "vip": true, "n": 5.0, "blank": " ", "list": []any{"a"}},
		LabelIDs: []int64{3, 4}, OwnerID: 9, ServedBefore: true, LastDepartmentID: 2, Open: true}
	fresh := Facts{ChannelID: 7, ChannelKind: "api", Open: false}
	cases := []struct {
		name string
		c    Conditions
		a    Actions
		f    Facts
		want bool
	}{
		{"no conditions match all", Conditions{}, Actions{DepartmentID: 1}, fresh, true},
		{"channel id in", Conditions{ChannelIDs: []int64{1, 7}}, Actions{DepartmentID: 1}, base, true},
		{"channel id out", Conditions{ChannelIDs: []int64{1}}, Actions{DepartmentID: 1}, base, false},
		{"kind in", Conditions{ChannelKinds: []string{"whatsapp"}}, Actions{DepartmentID: 1}, base, true},
		{"kind out", Conditions{ChannelKinds: []string{"email"}}, Actions{DepartmentID: 1}, base, false},
		{"equals ignores case", Conditions{Attributes: []AttributeCondition{{Key: "plano", Op: OpEquals, Value: " empresa"}}}, Actions{DepartmentID: 1}, base, true},
		{"equals other", Conditions{Attributes: []AttributeCondition{{Key: "plano", Op: OpEquals, Value: "basico"}}}, Actions{DepartmentID: 1}, base, false},
		{"equals missing", Conditions{Attributes: []AttributeCondition{{Key: "x", Op: OpEquals, Value: "a"}}}, Actions{DepartmentID: 1}, base, false},
		{"equals bool", Conditions{Attributes: []AttributeCondition{{Key: "vip", Op: OpEquals, Value: "true"}}}, Actions{DepartmentID: 1}, base, true},
		{"equals number", Conditions{Attributes: []AttributeCondition{{Key: "n", Op: OpEquals, Value: "5"}}}, Actions{DepartmentID: 1}, base, true},
		{"list never equals", Conditions{Attributes: []AttributeCondition{{Key: "list", Op: OpEquals, Value: "a"}}}, Actions{DepartmentID: 1}, base, false},
		{"not equals", Conditions{Attributes: []AttributeCondition{{Key: "plano", Op: OpNotEquals, Value: "basico"}}}, Actions{DepartmentID: 1}, base, true},
		{"not equals missing", Conditions{Attributes: []AttributeCondition{{Key: "x", Op: OpNotEquals, Value: "a"}}}, Actions{DepartmentID: 1}, base, true},
		{"contains", Conditions{Attributes: []AttributeCondition{{Key: "plano", Op: OpContains, Value: "PRES"}}}, Actions{DepartmentID: 1}, base, true},
		{"contains not", Conditions{Attributes: []AttributeCondition{{Key: "plano", Op: OpContains, Value: "zz"}}}, Actions{DepartmentID: 1}, base, false},
		{"exists", Conditions{Attributes: []AttributeCondition{{Key: "plano", Op: OpExists}}}, Actions{DepartmentID: 1}, base, true},
		{"blank does not exist", Conditions{Attributes: []AttributeCondition{{Key: "blank", Op: OpExists}}}, Actions{DepartmentID: 1}, base, false},
		{"not exists", Conditions{Attributes: []AttributeCondition{{Key: "blank", Op: OpNotExists}}}, Actions{DepartmentID: 1}, fresh, true},
		{"all attributes must hold", Conditions{Attributes: []AttributeCondition{{Key: "plano", Op: OpExists}, {Key: "x", Op: OpExists}}}, Actions{DepartmentID: 1}, base, false},
		{"has one of labels", Conditions{HasLabelIDs: []int64{1, 4}}, Actions{DepartmentID: 1}, base, true},
		{"has none of labels", Conditions{HasLabelIDs: []int64{1}}, Actions{DepartmentID: 1}, base, false},
		{"lacks label", Conditions{LacksLabelIDs: []int64{1}}, Actions{DepartmentID: 1}, base, true},
		{"lacks label but has it", Conditions{LacksLabelIDs: []int64{1, 3}}, Actions{DepartmentID: 1}, base, false},
		{"has owner", Conditions{HasOwner: yes()}, Actions{DepartmentID: 1}, base, true},
		{"has owner, none", Conditions{HasOwner: yes()}, Actions{DepartmentID: 1}, fresh, false},
		{"no owner", Conditions{HasOwner: no()}, Actions{DepartmentID: 1}, fresh, true},
		{"owner is", Conditions{OwnerIDs: []int64{9}}, Actions{DepartmentID: 1}, base, true},
		{"owner is other", Conditions{OwnerIDs: []int64{8}}, Actions{DepartmentID: 1}, base, false},
		{"served before", Conditions{ServedBefore: yes()}, Actions{DepartmentID: 1}, base, true},
		{"served before, new", Conditions{ServedBefore: yes()}, Actions{DepartmentID: 1}, fresh, false},
		{"never served", Conditions{ServedBefore: no()}, Actions{DepartmentID: 1}, fresh, true},
		{"last department", Conditions{LastDepartmentIDs: []int64{2}}, Actions{DepartmentID: 1}, base, true},
		{"last department other", Conditions{LastDepartmentIDs: []int64{3}}, Actions{DepartmentID: 1}, base, false},
		{"open", Conditions{BusinessHours: HoursOpen}, Actions{DepartmentID: 1}, base, true},
		{"open, closed", Conditions{BusinessHours: HoursOpen}, Actions{DepartmentID: 1}, fresh, false},
		{"closed", Conditions{BusinessHours: HoursClosed}, Actions{DepartmentID: 1}, fresh, true},
		{"to last department", Conditions{}, Actions{LastDepartment: true}, base, true},
		{"to last department, none", Conditions{}, Actions{LastDepartment: true}, fresh, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Rule{Enabled: true, Conditions: tc.c, Actions: tc.a}
			if got := r.Matches(tc.f); got != tc.want {
				t.Errorf("Matches = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEvaluateFirstEnabledMatch(t *testing.T) {
	rules := []Rule{
		{Position: 1, Name: "VIP", Enabled: true, Conditions: Conditions{HasLabelIDs: []int64{10}}, Actions: Actions{DepartmentID: 1}},
		{Position: 2, Name: "off", Enabled: false, Actions: Actions{DepartmentID: 2}},
		{Position: 3, Name: "empresa", Enabled: true, Conditions: Conditions{Attributes: []AttributeCondition{{Key: "plano", Op: OpEquals, Value: "empresa"}}}, Actions: Actions{DepartmentID: 3}},
		{Position: 4, Name: "back", Enabled: true, Conditions: Conditions{ServedBefore: yes()}, Actions: Actions{LastDepartment: true}},
	}
	cases := []struct {
		name string
		f    Facts
		want int
	}{
		{"vip and empresa: first wins", Facts{LabelIDs: []int64{10}, Attributes: map[string]any{"plano": "empresa"}}, 0},
		{"empresa", Facts{Attributes: map[string]any{"plano": "empresa"}}, 2},
		{"returning", Facts{ServedBefore: true, LastDepartmentID: 5}, 3},
		{"returning without department", Facts{ServedBefore: true}, -1},
		{"new", Facts{}, -1},
	}
	for _, tc := range cases {
		i, ok := Evaluate(rules, tc.f)
		if i != tc.want || ok != (tc.want >= 0) {
			t.Errorf("%s: Evaluate = %d, %v; want %d", tc.name, i, ok, tc.want)
		}
	}
	// the caller skips an unusable rule by evaluating the rest
	f := Facts{LabelIDs: []int64{10}, Attributes: map[string]any{"plano": "empresa"}}
	if i, ok := Evaluate(rules[1:], f); !ok || rules[1+i].Name != "empresa" {
		t.Errorf("after skipping rule 1: %d, %v", i, ok)
	}
	if n := NeedsOf(rules); !n.Contact || !n.History || n.Hours {
		t.Errorf("NeedsOf = %+v", n)
	}
	if n := NeedsOf(rules[1:2]); n != (Needs{}) {
		t.Errorf("a disabled rule needs %+v", n)
	}
	if n := NeedsOf([]Rule{{Enabled: true, Conditions: Conditions{BusinessHours: HoursClosed}, Actions: Actions{DepartmentID: 1}}}); !n.Hours || n.Contact || n.History {
		t.Errorf("hours rule needs %+v", n)
	}
}

func TestParseAndValidate(t *testing.T) {
	cases := []struct {
		name, cond, act string
		wantErr         string
	}{
		{"minimal", `{}`, `{"department_id":1}`, ""},
		{"full", `{"channel_ids":[1],"channel_kinds":["api","whatsapp"],"attributes":[{"key":"plano","op":"equals","value":"x"},{"key":"cpf","op":"exists"}],
			"has_label_ids":[1],"lacks_label_ids":[2],"has_owner":true,"owner_ids":[3],"served_before":false,"last_department_ids":[4],"business_hours":"closed"}`,
			`{"department_id":1,"priority":"high","label_ids":[5]}`, ""},
		{"last department", `{"served_before":true}`, `{"last_department":true}`, ""},
		{"unknown condition key", `{"chanel_ids":[1]}`, `{"department_id":1}`, `unknown key "chanel_ids"`},
		{"unknown action key", `{}`, `{"department_id":1,"bot":2}`, `unknown key "bot"`},
		{"wrong type", `{"channel_ids":"1"}`, `{"department_id":1}`, "conditions.channel_ids must be"},
		{"not an object", `[]`, `{"department_id":1}`, "conditions must be a JSON object"},
		{"null", `null`, `{"department_id":1}`, "conditions must be a JSON object"},
		{"unknown op", `{"attributes":[{"key":"a","op":"like","value":"x"}]}`, `{"department_id":1}`, `unknown operator "like"`},
		{"empty key", `{"attributes":[{"key":" ","op":"exists"}]}`, `{"department_id":1}`, "key is required"},
		{"equals without value", `{"attributes":[{"key":"a","op":"equals"}]}`, `{"department_id":1}`, "equals needs a value"},
		{"exists with value", `{"attributes":[{"key":"a","op":"exists","value":"x"}]}`, `{"department_id":1}`, "exists takes no value"},
		{"unknown kind", `{"channel_kinds":["fax"]}`, `{"department_id":1}`, `unknown kind "fax"`},
		{"bad hours", `{"business_hours":"maybe"}`, `{"department_id":1}`, "business_hours must be"},
		{"zero id", `{"owner_ids":[0]}`, `{"department_id":1}`, "owner_ids must hold positive ids"},
		{"empty actions", `{}`, `{}`, "actions need department_id or last_department"},
		{"both departments", `{}`, `{"department_id":1,"last_department":true}`, "not both"},
		{"negative department", `{}`, `{"department_id":-1}`, "positive id"},
		{"bad priority", `{}`, `{"department_id":1,"priority":"asap"}`, `unknown priority "asap"`},
		{"bad label", `{}`, `{"department_id":1,"label_ids":[-2]}`, "label_ids must hold positive ids"},
		{"trailing", `{} {}`, `{"department_id":1}`, "trailing data"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConditions(json.RawMessage(tc.cond))
			if err == nil {
				_, err = ParseActions(json.RawMessage(tc.act))
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	if err := ValidateName(" "); err == nil {
		t.Error("blank name accepted")
	}
	if err := ValidateName(strings.Repeat("a", MaxNameRunes+1)); err == nil {
		t.Error("long name accepted")
	}
	if err := ValidateName("VIP"); err != nil {
		t.Error(err)
	}
}

// FuzzParse feeds rule JSON (admin input) to the parsers and the matcher:
// nothing panics, and what parses validates and evaluates.
func FuzzParse(f *testing.F) {
	f.Add(`{"attributes":[{"key":"plano","op":"equals","value":"x"}],"business_hours":"open"}`, `{"department_id":1,"priority":"high"}`)
	f.Add(`{"has_owner":true}`, `{"last_department":true}`)
	f.Add(`{"channel_kinds":["api"]}`, `{}`)
	f.Fuzz(func(t *testing.T, cond, act string) {
		c, err := ParseConditions(json.RawMessage(cond))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		a, err := ParseActions(json.RawMessage(act))
		if err != nil {
			return
		}
		r := Rule{Enabled: true, Conditions: c, Actions: a}
		r.Matches(Facts{Attributes: map[string]any{"plano": "x"}, Open: true})
		if r.Matches(Facts{LastDepartmentID: 0}) && r.Department(Facts{}) == 0 {
			t.Fatal("a match without a department")
		}
	})
}
