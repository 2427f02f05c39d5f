package bot

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

func beconFlow(t testing.TB) *Flow {
	t.Helper()
	data, err := os.ReadFile("testdata/becon.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(becon.json): %v", err)
	}
	return f
}

func TestParseAcceptsBecon(t *testing.T) {
	f := beconFlow(t)
	if f.Start != "welcome" || len(f.Steps) != 13 {
		t.Fatalf("start %q, %d steps", f.Start, len(f.Steps))
	}
	// A parsed flow marshals and parses back equal.
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Parse(data)
	if err != nil {
		t.Fatalf("re-parse: %v", err)
	}
	if !reflect.DeepEqual(f, g) {
		t.Fatalf("re-parsed flow differs:\n%+v\n%+v", f, g)
	}
}

// flow builds flow JSON from a start id and step objects written as JSON.
func flow(start string, steps ...string) string {
	return fmt.Sprintf(`{"start":%q,"steps":[%s]}`, start, strings.Join(steps, ","))
}

func TestParseRejects(t *testing.T) {
	end := `{"id":"end","type":"resolve"}`
	menu := func(opts string) string {
		return flow("m", `{"id":"m","type":"menu","text":"Escolha","options":[`+opts+`]}`, end)
	}
	many := func(n int, f func(i int) string) string {
		var s []string
		for i := range n {
			s = append(s, f(i))
		}
		return strings.Join(s, ",")
	}
	long := strings.Repeat("a", MaxTextRunes+1)
	tests := []struct {
		name, data, want string
	}{
		{"empty", ``, "a flow must be a JSON object"},
		{"null", `null`, "a flow must be a JSON object"},
		{"array", `[]`, "a flow must be a JSON object"},
		{"broken json", `{"start":`, "not valid JSON"},
		{"trailing data", flow("end", end) + `{}`, "data after its closing brace"},
		{"unknown key", `{"start":"end","steps":[{"id":"end","type":"resolve","colour":"red"}]}`, `unknown key "colour"`},
		{"wrong type", `{"start":"end","steps":[{"id":"end","type":"transfer","department_id":"2"}]}`, "steps.department_id must be a whole number"},
		{"no steps", `{"start":"x","steps":[]}`, "at least one step"},
		{"too many steps", flow("s0", many(MaxSteps+1, func(i int) string { return fmt.Sprintf(`{"id":"s%d","type":"resolve"}`, i) })), "at most 200 steps"},
		{"empty id", flow("end", `{"id":"","type":"resolve"}`), "step 1: the id is empty"},
		{"long id", flow("end", fmt.Sprintf(`{"id":%q,"type":"resolve"}`, strings.Repeat("x", MaxIDRunes+1))), "longer than 40 characters"},
		{"spaced id", flow("end", `{"id":" end","type":"resolve"}`), "starts or ends with a space"},
		{"control id", flow("end", `{"id":"e\nnd","type":"resolve"}`), "control character"},
		{"duplicate id", flow("end", end, end), `step "end": the id is used by two steps`},
		{"no start", flow("", end), "needs a start step"},
		{"dangling start", flow("nope", end), `start names step "nope", which does not exist`},
		{"missing type", flow("end", `{"id":"end"}`), `step "end": the type is missing`},
		{"unknown type", flow("end", `{"id":"end","type":"jump"}`), `step "end": unknown type "jump"`},
		{"field of another type", flow("end", `{"id":"end","type":"resolve","next":"end"}`), `step "end": a resolve step takes no next`},
		{"options on message", flow("a", `{"id":"a","type":"message","text":"oi","options":[{"label":"x","next":"end"}]}`, end), "a message step takes no options"},
		{"long text", flow("a", fmt.Sprintf(`{"id":"a","type":"message","text":%q}`, long)), `step "a": text has 4097 characters; the limit is 4096`},
		{"long invalid text", flow("m", fmt.Sprintf(`{"id":"m","type":"menu","text":"x","invalid_text":%q,"options":[{"label":"a","next":"end"}]}`, long), end), "invalid_text has 4097 characters"},
		{"unknown variable", flow("a", `{"id":"a","type":"message","text":"Oi {{contato.nome}}"}`), `step "a": text uses the unknown variable {{contato.nome}}`},
		{"dangling next", flow("a", `{"id":"a","type":"message","text":"oi","next":"b"}`), `step "a": next names step "b", which does not exist`},
		{"message without text", flow("a", `{"id":"a","type":"message","text":"  "}`), "a message step needs a text"},
		{"menu without prompt", flow("m", `{"id":"m","type":"menu","options":[{"label":"a","next":"end"}]}`, end), "a menu needs a prompt text"},
		{"menu without options", flow("m", `{"id":"m","type":"menu","text":"Escolha"}`), `step "m": a menu needs at least one option`},
		{"menu with 11 options", menu(many(11, func(i int) string { return fmt.Sprintf(`{"label":"o%d","next":"end"}`, i) })), "at most 10 options, this one has 11"},
		{"option without label", menu(`{"label":"a","next":"end"},{"label":" ","next":"end"}`), `step "m": option 2 has no label`},
		{"long label", menu(fmt.Sprintf(`{"label":%q,"next":"end"}`, strings.Repeat("b", MaxLabelRunes+1))), "option 1: the label has 61 characters; the limit is 60"},
		{"option without next", menu(`{"label":"a"}`), `step "m": option 1 next is required`},
		{"option dangling next", menu(`{"label":"a","next":"zz"}`), `option 1 next names step "zz"`},
		{"same labels", menu(`{"label":"Finanças","next":"end"},{"label":"financas!","next":"end"}`), `options 1 and 2 have the same label "financas!"`},
		{"keyword of another option", menu(`{"label":"Vendas","next":"end"},{"label":"Suporte","keywords":["vendas"],"next":"end"}`), `option 2: keyword "vendas" already chooses option 1`},
		{"keyword without letters", menu(`{"label":"Vendas","keywords":["12"],"next":"end"}`), `keyword "12" has no letters`},
		{"empty keyword", menu(`{"label":"Vendas","keywords":["!"],"next":"end"}`), `keyword "!" has no letters`},
		{"negative retries", flow("m", `{"id":"m","type":"menu","text":"x","max_retries":-1,"options":[{"label":"a","next":"end"}]}`, end), "max_retries must be between 0"},
		{"too many retries", flow("m", `{"id":"m","type":"menu","text":"x","max_retries":11,"options":[{"label":"a","next":"end"}]}`, end), "max_retries must be between 0"},
		{"dangling on_fail", flow("m", `{"id":"m","type":"menu","text":"x","on_fail":"q","options":[{"label":"a","next":"end"}]}`, end), `on_fail names step "q"`},
		{"ask without text", flow("q", `{"id":"q","type":"ask","attribute":"cpf"}`), "an ask step needs a question text"},
		{"ask without attribute", flow("q", `{"id":"q","type":"ask","text":"CPF?"}`), "needs the attribute that keeps the answer"},
		{"ask bad attribute", flow("q", `{"id":"q","type":"ask","text":"CPF?","attribute":"Meu CPF"}`), `attribute "Meu CPF" must be 1 to 64 characters of a-z, 0-9 and _`},
		{"ask long attribute", flow("q", fmt.Sprintf(`{"id":"q","type":"ask","text":"CPF?","attribute":%q}`, strings.Repeat("a", 65))), "must be 1 to 64 characters"},
		{"ask unknown validate", flow("q", `{"id":"q","type":"ask","text":"CPF?","attribute":"cpf","validate":"rg"}`), `unknown validate "rg"`},
		{"condition without branches", flow("c", `{"id":"c","type":"condition","else":"end"}`, end), "a condition needs at least one branch"},
		{"branch without next", flow("c", `{"id":"c","type":"condition","branches":[{"when":{}}]}`, end), `step "c": branch 1 next is required`},
		{"branch dangling next", flow("c", `{"id":"c","type":"condition","branches":[{"when":{},"next":"x"}]}`, end), `branch 1 next names step "x"`},
		{"dangling else", flow("c", `{"id":"c","type":"condition","branches":[{"when":{},"next":"end"}],"else":"x"}`, end), `else names step "x"`},
		{"branch unknown op", flow("c", `{"id":"c","type":"condition","branches":[{"when":{"attributes":[{"key":"a","op":"like","value":"x"}]},"next":"end"}]}`, end), `step "c": branch 1: attribute condition 1: unknown op "like"`},
		{"branch equals without value", flow("c", `{"id":"c","type":"condition","branches":[{"when":{"attributes":[{"key":"a","op":"equals"}]},"next":"end"}]}`, end), "equals needs a value"},
		{"branch exists with value", flow("c", `{"id":"c","type":"condition","branches":[{"when":{"attributes":[{"key":"a","op":"exists","value":"x"}]},"next":"end"}]}`, end), "exists takes no value"},
		{"branch no key", flow("c", `{"id":"c","type":"condition","branches":[{"when":{"attributes":[{"key":" ","op":"exists"}]},"next":"end"}]}`, end), "attribute condition 1 needs a key"},
		{"branch bad label", flow("c", `{"id":"c","type":"condition","branches":[{"when":{"has_label_ids":[0]},"next":"end"}]}`, end), "has_label_ids must hold ids greater than 0"},
		{"branch bad hours", flow("c", `{"id":"c","type":"condition","branches":[{"when":{"business_hours":"aberto"},"next":"end"}]}`, end), `business_hours must be "open" or "closed", not "aberto"`},
		{"branch unknown key", flow("c", `{"id":"c","type":"condition","branches":[{"when":{"channel_ids":[1]},"next":"end"}]}`, end), `unknown key "channel_ids"`},
		{"label without ids", flow("l", `{"id":"l","type":"label"}`), "a label step needs at least one label id"},
		{"label bad id", flow("l", `{"id":"l","type":"label","label_ids":[-3]}`), "label_ids must hold ids greater than 0"},
		{"transfer without department", flow("t", `{"id":"t","type":"transfer"}`), `step "t": a transfer needs a department_id greater than 0`},
		{"handoff negative department", flow("h", `{"id":"h","type":"handoff","department_id":-1}`), "department_id must be 0"},
		{"self loop", flow("a", `{"id":"a","type":"message","text":"oi","next":"a"}`), `steps "a" loop back to "a" without waiting for the customer`},
		{"loop through condition and label", flow("a",
			`{"id":"a","type":"message","text":"oi","next":"b"}`,
			`{"id":"b","type":"label","label_ids":[1],"next":"c"}`,
			`{"id":"c","type":"condition","branches":[{"when":{"business_hours":"open"},"next":"end"}],"else":"b"}`, end),
			`steps "b" → "c" loop back to "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.data))
			if err == nil {
				t.Fatalf("Parse accepted %s: %+v", tt.data, f)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not match ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseAcceptsLoopsThatWait(t *testing.T) {
	// A menu whose "back" option returns to a message before the menu is a
	// loop, but it waits for the customer on every turn.
	data := flow("hi",
		`{"id":"hi","type":"message","text":"Oi","next":"m"}`,
		`{"id":"m","type":"menu","text":"Escolha","options":[{"label":"Voltar","next":"hi"},{"label":"Sair","next":"end"}],"on_fail":"m"}`,
		`{"id":"end","type":"resolve"}`)
	if _, err := Parse([]byte(data)); err != nil {
		t.Fatal(err)
	}
}
