package bot

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/atende/atende/internal/automation/routing"
)

func mustParse(t testing.TB, data string) *Flow {
	t.Helper()
	f, err := Parse([]byte(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

// kinds lists the actions as "kind:step" for compact comparisons.
func kinds(r Result) string {
	var s []string
	for _, a := range r.Actions {
		s = append(s, a.Kind+":"+a.StepID)
	}
	return strings.Join(s, " ")
}

var maria = Env{ContactName: "Maria da Silva", Attributes: map[string]any{"plano": "Ouro"}}

func TestBeconFlow(t *testing.T) {
	f := beconFlow(t)

	r := Start(f, maria)
	if r.Done || r.State != (State{Step: "main"}) || r.Steps != 2 {
		t.Fatalf("Start = %+v", r)
	}
	if got := kinds(r); got != "send:welcome send:main" {
		t.Fatalf("Start actions %s", got)
	}
	if r.Actions[0].Text != "Olá, Maria! Bem-vindo à Becon." {
		t.Errorf("welcome %q", r.Actions[0].Text)
	}
	menu := r.Actions[1]
	if want := "Como podemos ajudar?\n\n1 – Vendas\n2 – Financeiro\n3 – Suporte"; menu.Text != want {
		t.Errorf("menu text %q, want %q", menu.Text, want)
	}
	if menu.Prompt != "Como podemos ajudar?" || !slices.Equal(menu.Choices, []string{"Vendas", "Financeiro", "Suporte"}) {
		t.Errorf("menu prompt %q choices %q", menu.Prompt, menu.Choices)
	}

	// 2 – Financeiro asks for the CPF.
	r = Advance(f, r.State, "2", maria)
	if r.State != (State{Step: "fin_cpf"}) || kinds(r) != "send:fin_cpf" || r.Actions[0].Text != "Qual é o seu CPF?" {
		t.Fatalf("after 2: %+v", r)
	}
	// An invalid CPF is a miss: the default CPF text, same question kept.
	r = Advance(f, r.State, "123.456.789-00", maria)
	if r.State != (State{Step: "fin_cpf", Retries: 1}) || r.Actions[0].Text != DefaultInvalidText(ValidateCPF) || len(r.Actions) != 1 {
		t.Fatalf("after bad CPF: %+v", r)
	}
	// A valid one is saved as digits and the second menu renders the name.
	r = Advance(f, r.State, "529.982.247-25", maria)
	if got := kinds(r); got != "set_attribute:fin_cpf send:fin_menu" || r.State != (State{Step: "fin_menu"}) {
		t.Fatalf("after CPF: %s %+v", got, r.State)
	}
	if a := r.Actions[0]; a.Attribute != "cpf" || a.Value != "52998224725" {
		t.Errorf("set_attribute %+v", a)
	}
	if want := "Certo, Maria. O que você precisa?\n\n1 – 2ª via de boleto\n2 – Falar com atendente"; r.Actions[1].Text != want {
		t.Errorf("fin_menu text %q", r.Actions[1].Text)
	}
	// "segunda via" picks the boleto; the message sees the CPF saved in
	// the previous call only through the caller's env, so pass it on.
	env := maria
	env.Attributes = map[string]any{"cpf": "52998224725"}
	r = Advance(f, r.State, "Quero a segunda via", env)
	if got := kinds(r); got != "send:boleto send:bye resolve:bye" || !r.Done {
		t.Fatalf("after segunda via: %s done=%v", got, r.Done)
	}
	if r.Actions[0].Text != "Enviamos a 2ª via para o e-mail cadastrado do CPF 52998224725." || r.Actions[1].Text != "Obrigado pelo contato!" {
		t.Errorf("boleto texts %q / %q", r.Actions[0].Text, r.Actions[1].Text)
	}
}

func TestBeconBranches(t *testing.T) {
	f := beconFlow(t)
	at := State{Step: "main"}
	tests := []struct {
		name, input string
		env         Env
		want        string
		last        Action
	}{
		{"vendas labels and transfers", "Vendas", maria, "add_labels:sales_label send:sales transfer:sales",
			Action{Kind: ActTransfer, DepartmentID: 2, StepID: "sales"}},
		{"keyword orçamento", "preciso de um orcamento", maria, "add_labels:sales_label send:sales transfer:sales",
			Action{Kind: ActTransfer, DepartmentID: 2, StepID: "sales"}},
		{"suporte open hands off to support", "3", Env{Open: true}, "handoff:support",
			Action{Kind: ActHandoff, DepartmentID: 3, StepID: "support"}},
		{"suporte closed asks e-mail", "3️⃣", Env{Open: false}, "send:support_email", Action{Kind: ActSend, StepID: "support_email",
			Text: "Nosso suporte está fora do horário. Qual é o seu e-mail?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Advance(f, at, tt.input, tt.env)
			if got := kinds(r); got != tt.want {
				t.Fatalf("actions %s, want %s", got, tt.want)
			}
			if last := r.Actions[len(r.Actions)-1]; !reflect.DeepEqual(last, tt.last) {
				t.Errorf("last action %+v, want %+v", last, tt.last)
			}
			if r.Done != (tt.last.Kind != ActSend) {
				t.Errorf("done = %v", r.Done)
			}
		})
	}

	// The e-mail answer is saved, rendered, and the flow runs out: a human
	// takes over in the current department.
	r := Advance(f, State{Step: "support_email"}, "Maria@Exemplo.com.BR", Env{})
	if got := kinds(r); got != "set_attribute:support_email send:support_ack handoff:support_ack" || !r.Done {
		t.Fatalf("after e-mail: %s", got)
	}
	if r.Actions[1].Text != "Obrigado! Responderemos em maria@exemplo.com.br." || r.Actions[2].DepartmentID != 0 {
		t.Errorf("ack %+v", r.Actions[1:])
	}
	// One retry allowed there, then (no on_fail) a hand-off.
	r = Advance(f, State{Step: "support_email"}, "não tenho", Env{})
	if r.State.Retries != 1 || r.Actions[0].Text != "Esse e-mail não parece válido." {
		t.Fatalf("first miss %+v", r)
	}
	r = Advance(f, r.State, "nope", Env{})
	if got := kinds(r); got != "handoff:support_email" || !r.Done {
		t.Fatalf("second miss: %s", got)
	}
}

func TestMenuRetriesThenOnFail(t *testing.T) {
	f := beconFlow(t)
	st := State{Step: "main"}
	for miss := 1; miss <= DefaultRetries; miss++ {
		r := Advance(f, st, "bom dia", maria)
		if r.Done || r.State != (State{Step: "main", Retries: miss}) || r.Steps != 1 {
			t.Fatalf("miss %d: %+v", miss, r)
		}
		// The invalid text, then the menu again with its buttons.
		if got := kinds(r); got != "send:main send:main" || r.Actions[0].Text != DefaultInvalidText(StepMenu) || len(r.Actions[1].Choices) != 3 {
			t.Fatalf("miss %d actions %+v", miss, r.Actions)
		}
		st = r.State
	}
	r := Advance(f, st, "vendas ou suporte", maria)
	if got := kinds(r); got != "send:human handoff:human" || !r.Done {
		t.Fatalf("after too many misses: %s", got)
	}
}

func TestRetriesCustomAndNoOnFail(t *testing.T) {
	f := mustParse(t, flow("m",
		`{"id":"m","type":"menu","text":"Escolha","invalid_text":"Não entendi, {{contact.first_name}}.","max_retries":1,"options":[{"label":"Sim","next":"end"}]}`,
		`{"id":"end","type":"resolve"}`))
	r := Advance(f, State{Step: "m", Retries: 0}, "talvez", maria)
	if r.Actions[0].Text != "Não entendi, Maria." || r.State.Retries != 1 {
		t.Fatalf("first miss %+v", r)
	}
	r = Advance(f, r.State, "talvez", maria)
	if got := kinds(r); got != "handoff:m" || r.Actions[0].DepartmentID != 0 {
		t.Fatalf("second miss: %s", got)
	}
	// A right answer after a miss still works.
	r = Advance(f, State{Step: "m", Retries: 1}, "sim!", maria)
	if got := kinds(r); got != "resolve:end" {
		t.Fatalf("answer after miss: %s", got)
	}
}

func TestStepTypes(t *testing.T) {
	end := `{"id":"end","type":"resolve","text":"Tchau"}`
	tests := []struct {
		name  string
		flow  string
		env   Env
		want  string
		check func(t *testing.T, r Result)
	}{
		{"message then end of flow hands off", flow("a", `{"id":"a","type":"message","text":"Oi {{contact.name}}"}`), maria,
			"send:a handoff:a", func(t *testing.T, r Result) {
				if r.Actions[0].Text != "Oi Maria da Silva" || !r.Done || r.Steps != 1 {
					t.Errorf("%+v", r)
				}
			}},
		{"label adds labels and conditions see them", flow("l",
			`{"id":"l","type":"label","label_ids":[5,5,6],"next":"c"}`,
			`{"id":"c","type":"condition","branches":[{"when":{"has_label_ids":[6]},"next":"end"}]}`, end), Env{LabelIDs: []int64{1}},
			"add_labels:l send:end resolve:end", func(t *testing.T, r Result) {
				if !slices.Equal(r.Actions[0].LabelIDs, []int64{5, 6}) {
					t.Errorf("labels %v", r.Actions[0].LabelIDs)
				}
			}},
		{"condition else empty ends", flow("c",
			`{"id":"c","type":"condition","branches":[{"when":{"lacks_label_ids":[1]},"next":"end"}]}`, end), Env{LabelIDs: []int64{1}},
			"handoff:c", nil},
		{"transfer", flow("t", `{"id":"t","type":"transfer","department_id":9}`), Env{}, "transfer:t", func(t *testing.T, r Result) {
			if r.Actions[0].DepartmentID != 9 || !r.Done {
				t.Errorf("%+v", r)
			}
		}},
		{"handoff to a department with farewell", flow("h", `{"id":"h","type":"handoff","text":"Aguarde","department_id":4}`), Env{},
			"send:h handoff:h", func(t *testing.T, r Result) {
				if r.Actions[1].DepartmentID != 4 {
					t.Errorf("%+v", r)
				}
			}},
		{"resolve", flow("end", end), Env{}, "send:end resolve:end", nil},
		{"ask waits", flow("q", `{"id":"q","type":"ask","text":"Nome?","attribute":"nome"}`), Env{}, "send:q", func(t *testing.T, r Result) {
			if r.Done || r.State != (State{Step: "q"}) {
				t.Errorf("%+v", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Start(mustParse(t, tt.flow), tt.env)
			if got := kinds(r); got != tt.want {
				t.Fatalf("actions %s, want %s", got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestAskSetsAttributeSeenByCondition(t *testing.T) {
	f := mustParse(t, flow("q",
		`{"id":"q","type":"ask","text":"Quantos funcionários?","attribute":"funcionarios","validate":"number","next":"c"}`,
		`{"id":"c","type":"condition","branches":[{"when":{"attributes":[{"key":"funcionarios","op":"equals","value":"50"}]},"next":"big"}],"else":"small"}`,
		`{"id":"big","type":"transfer","department_id":1}`,
		`{"id":"small","type":"transfer","department_id":2}`))
	env := Env{Attributes: map[string]any{"x": "y"}}
	r := Advance(f, State{Step: "q"}, "50", env)
	if got := kinds(r); got != "set_attribute:q transfer:big" || r.Actions[0].Value != 50.0 {
		t.Fatalf("%s %+v", got, r.Actions)
	}
	if _, ok := env.Attributes["funcionarios"]; ok {
		t.Error("Advance wrote the caller's attribute map")
	}
	if r := Advance(f, State{Step: "q"}, "1.234,5", Env{}); r.Actions[0].Value != 1234.5 || r.Actions[1].DepartmentID != 2 {
		t.Fatalf("%+v", r.Actions)
	}
}

func TestConditions(t *testing.T) {
	attr := func(key, op, value string) routing.AttributeCondition {
		return routing.AttributeCondition{Key: key, Op: op, Value: value}
	}
	env := Env{Attributes: map[string]any{"cidade": "São  Paulo ", "vip": true, "filhos": 2.0, "vazio": " "}, LabelIDs: []int64{3, 4}, Open: true}
	tests := []struct {
		name string
		c    Conditions
		want bool
	}{
		{"empty holds", Conditions{}, true},
		{"equals ignores case accents spaces", Conditions{Attributes: []routing.AttributeCondition{attr("cidade", "equals", "sao paulo")}}, true},
		{"equals other", Conditions{Attributes: []routing.AttributeCondition{attr("cidade", "equals", "Santos")}}, false},
		{"equals bool", Conditions{Attributes: []routing.AttributeCondition{attr("vip", "equals", "TRUE")}}, true},
		{"equals number", Conditions{Attributes: []routing.AttributeCondition{attr("filhos", "equals", "2")}}, true},
		{"not_equals", Conditions{Attributes: []routing.AttributeCondition{attr("cidade", "not_equals", "Santos")}}, true},
		{"not_equals missing", Conditions{Attributes: []routing.AttributeCondition{attr("nada", "not_equals", "x")}}, true},
		{"contains", Conditions{Attributes: []routing.AttributeCondition{attr("cidade", "contains", "PAULO")}}, true},
		{"contains missing", Conditions{Attributes: []routing.AttributeCondition{attr("nada", "contains", "x")}}, false},
		{"exists", Conditions{Attributes: []routing.AttributeCondition{attr("vip", "exists", "")}}, true},
		{"exists blank", Conditions{Attributes: []routing.AttributeCondition{attr("vazio", "exists", "")}}, false},
		{"not_exists", Conditions{Attributes: []routing.AttributeCondition{attr("nada", "not_exists", "")}}, true},
		{"all must hold", Conditions{Attributes: []routing.AttributeCondition{attr("vip", "exists", ""), attr("nada", "exists", "")}}, false},
		{"has label", Conditions{HasLabelIDs: []int64{9, 4}}, true},
		{"has label missing", Conditions{HasLabelIDs: []int64{9}}, false},
		{"lacks label", Conditions{LacksLabelIDs: []int64{9}}, true},
		{"lacks label present", Conditions{LacksLabelIDs: []int64{3}}, false},
		{"open", Conditions{BusinessHours: "open"}, true},
		{"closed", Conditions{BusinessHours: "closed"}, false},
	}
	for _, tt := range tests {
		if got := tt.c.Holds(env); got != tt.want {
			t.Errorf("%s: Holds = %v, want %v", tt.name, got, tt.want)
		}
	}
	closed := env
	closed.Open = false
	if !(Conditions{BusinessHours: "closed"}).Holds(closed) {
		t.Error("closed does not hold out of hours")
	}
}

func TestFirstBranchWins(t *testing.T) {
	f := mustParse(t, flow("c",
		`{"id":"c","type":"condition","branches":[{"when":{"business_hours":"closed"},"next":"a"},{"when":{},"next":"b"},{"when":{},"next":"a"}],"else":"a"}`,
		`{"id":"a","type":"resolve"}`, `{"id":"b","type":"transfer","department_id":1}`))
	if got := kinds(Start(f, Env{Open: true})); got != "transfer:b" {
		t.Fatal(got)
	}
	if got := kinds(Start(f, Env{Open: false})); got != "resolve:a" {
		t.Fatal(got)
	}
}

func TestAdvanceRestartsEditedFlow(t *testing.T) {
	f := beconFlow(t)
	for _, st := range []State{{Step: "gone"}, {Step: ""}, {Step: "welcome"}, {Step: "sales", Retries: 3}} {
		r := Advance(f, st, "2", maria)
		if got := kinds(r); got != "send:welcome send:main" || r.State != (State{Step: "main"}) {
			t.Errorf("Advance(%+v) = %s %+v, want a restart", st, got, r.State)
		}
	}
	// A negative retry count (corrupted state) counts as none.
	if r := Advance(f, State{Step: "main", Retries: -5}, "?", maria); r.State.Retries != 1 {
		t.Errorf("retries %d", r.State.Retries)
	}
}

func TestRunawayGuard(t *testing.T) {
	// Parse refuses this loop; a hand-built flow still stops.
	f := &Flow{Start: "a", Steps: []Step{
		{ID: "a", Type: StepLabel, LabelIDs: []int64{1}, Next: "b"},
		{ID: "b", Type: StepCondition, Branches: []Branch{{Next: "a"}}},
	}}
	r := Start(f, Env{})
	if !r.Done || r.Steps != MaxStepsPerRun || r.Actions[len(r.Actions)-1].Kind != ActHandoff {
		t.Fatalf("steps %d done %v", r.Steps, r.Done)
	}
	// Nil flows, dangling references and unknown types end with a hand-off.
	for _, f := range []*Flow{nil, {Start: "x"}, {Start: "a", Steps: []Step{{ID: "a", Type: "jump"}}}} {
		if r := Start(f, Env{}); !r.Done || kinds(r) == "" || r.Actions[len(r.Actions)-1].Kind != ActHandoff {
			t.Errorf("Start(%+v) = %+v", f, r)
		}
		if r := Advance(f, State{Step: "a"}, "1", Env{}); !r.Done {
			t.Errorf("Advance(%+v) = %+v", f, r)
		}
	}
}

func TestEnvNotMutated(t *testing.T) {
	f := mustParse(t, flow("l", `{"id":"l","type":"label","label_ids":[2],"next":"q"}`, `{"id":"q","type":"ask","text":"?","attribute":"a","next":"l2"}`,
		`{"id":"l2","type":"label","label_ids":[3]}`))
	labels := make([]int64, 1, 10)
	labels[0] = 1
	env := Env{LabelIDs: labels, Attributes: map[string]any{}}
	Start(f, env)
	Advance(f, State{Step: "q"}, "x", env)
	if !slices.Equal(labels[:cap(labels)][:3], []int64{1, 0, 0}) || len(env.Attributes) != 0 {
		t.Fatalf("env changed: labels %v attrs %v", labels[:3], env.Attributes)
	}
}

func TestRender(t *testing.T) {
	env := Env{ContactName: "  João Pedro ", Attributes: map[string]any{"cpf": "123", "n": 2.5, "obj": map[string]any{}}}
	tests := map[string]string{
		"Oi {{contact.first_name}}!":                   "Oi João!",
		"{{ contact.name }}":                           "João Pedro",
		"CPF {{attributes.cpf}} n={{attributes.n}}":    "CPF 123 n=2.5",
		"[{{attributes.missing}}][{{attributes.obj}}]": "[][]",
		"{{desconhecido}} {{contact.name":              "{{desconhecido}} {{contact.name",
		"sem variáveis":                                "sem variáveis",
		"{{attributes.}}":                              "{{attributes.}}",
	}
	for in, want := range tests {
		if got := Render(in, env); got != want {
			t.Errorf("Render(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Render("{{contact.first_name}}.", Env{}); got != "." {
		t.Errorf("no name: %q", got)
	}
}
