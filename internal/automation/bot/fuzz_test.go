package bot

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("testdata/becon.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(flow("a", `{"id":"a","type":"message","text":"oi","next":"a"}`)))
	f.Add([]byte(flow("c", `{"id":"c","type":"condition","branches":[{"when":{"attributes":[{"key":"a","op":"equals","value":"x"}],"has_label_ids":[1]},"next":"e"}],"else":"e"}`, `{"id":"e","type":"handoff","department_id":2}`)))
	f.Add([]byte(`{"start":"m","steps":[{"id":"m","type":"menu","text":"x","options":[{"label":"A","keywords":[],"next":"m"}],"on_fail":"m"}]}`))
	f.Add([]byte(`{"start":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := Parse(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(fl)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		if !reflect.DeepEqual(fl, again) {
			t.Fatalf("re-parsed flow differs:\n%#v\n%#v", fl, again)
		}
		// An accepted flow runs without panicking and within the guard.
		r := Start(fl, Env{})
		checkResult(t, fl, r)
	})
}

func checkResult(t *testing.T, f *Flow, r Result) {
	t.Helper()
	if r.Steps > MaxStepsPerRun {
		t.Fatalf("%d steps", r.Steps)
	}
	if r.Done {
		if len(r.Actions) == 0 {
			t.Fatal("done without actions")
		}
		switch last := r.Actions[len(r.Actions)-1].Kind; last {
		case ActTransfer, ActHandoff, ActResolve:
		default:
			t.Fatalf("done, last action %s", last)
		}
		return
	}
	s, ok := f.step(r.State.Step)
	if !ok || !waits(s.Type) {
		t.Fatalf("waits on %q, not a waiting step", r.State.Step)
	}
}

func FuzzAdvance(f *testing.F) {
	fl := beconFlow(f)
	f.Add("main", 0, "2")
	f.Add("main", 2, "quero falar com o financeiro")
	f.Add("fin_cpf", 1, "529.982.247-25")
	f.Add("fin_menu", 0, "2️⃣")
	f.Add("support_email", -3, "a@b.co")
	f.Add("gone", 99, "")
	f.Fuzz(func(t *testing.T, step string, retries int, input string) {
		env := Env{ContactName: input, Attributes: map[string]any{"cpf": input}, LabelIDs: []int64{7}, Open: retries%2 == 0}
		r := Advance(fl, State{Step: step, Retries: retries}, input, env)
		checkResult(t, fl, r)
		if !r.Done && r.State.Retries > DefaultRetries {
			t.Fatalf("retries %d beyond the limit", r.State.Retries)
		}
	})
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{"529.982.247-25", "11.222.333/0001-81", "(11) 91234-5678", "+1 415 555 0100", "29/02/2024", "2024-02-29", "1.234,56", "a@b.com", "  ", "R$ -0,5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		for _, kind := range Validators {
			v, ok := Validate(kind, input)
			if !ok {
				if v != nil {
					t.Fatalf("Validate(%s, %q) = %v without ok", kind, input, v)
				}
				continue
			}
			// Normalised values are stable: validating them again gives
			// the same value (numbers aside, which become float64).
			if s, isText := v.(string); isText && kind != ValidateText {
				again, ok := Validate(kind, s)
				if !ok || again != v {
					t.Fatalf("Validate(%s, %q) = %q, but that value validates to %v, %v", kind, input, s, again, ok)
				}
			}
		}
		MatchOption([]Option{{Label: "Vendas"}, {Label: "2ª via", Keywords: []string{"boleto"}}}, input)
	})
}
