package channel

import (
	"reflect"
	"strings"
	"testing"
)

func TestMenuPrompt(t *testing.T) {
	three := []string{"Vendas", "Financeiro", "Suporte"}
	cases := []struct {
		name, text string
		choices    []string
		want       string
	}{
		{"en dash list", "Olá! Com qual departamento?\n\n1 – Vendas\n2 – Financeiro\n3 – Suporte", three, "Olá! Com qual departamento?"},
		{"other separators, CRLF, trailing blank", "Escolha:\r\n1. Vendas\r\n2) Financeiro\r\n3 - Suporte\n\n", three, "Escolha:"},
		{"multi-line prompt kept whole", "Bem-vindo!\nHorário: 8h–18h\n\n1 — Vendas\n2: Financeiro\n3 Suporte", three, "Bem-vindo!\nHorário: 8h–18h"},
		{"labels trimmed on both sides", "Qual?\n1 –  Sim \n2 – Não", []string{" Sim", "Não "}, "Qual?"},
		{"no choices", "Só texto\n1 – Vendas", nil, "Só texto\n1 – Vendas"},
		{"list differs from the choices", "Qual?\n1 – Vendas\n2 – Suporte", []string{"Vendas", "Financeiro"}, "Qual?\n1 – Vendas\n2 – Suporte"},
		{"numbers out of order", "Qual?\n2 – Vendas\n1 – Financeiro", []string{"Vendas", "Financeiro"}, "Qual?\n2 – Vendas\n1 – Financeiro"},
		{"the list alone", "1 – Vendas\n2 – Financeiro", []string{"Vendas", "Financeiro"}, "1 – Vendas\n2 – Financeiro"},
		{"a blank prompt", "  \n\n1 – Vendas", []string{"Vendas"}, "  \n\n1 – Vendas"},
		{"more choices than lines", "1 – Vendas", three, "1 – Vendas"},
		{"an empty choice", "Qual?\n1 – ", []string{""}, "Qual?\n1 – "},
		{"number glued to a longer number", "Qual?\n11 – Vendas", []string{"1 – Vendas"}, "Qual?\n11 – Vendas"},
		{"ten choices", "Qual?\n" + tenLines(), tenChoices(), "Qual?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MenuPrompt(c.text, c.choices); got != c.want {
				t.Fatalf("MenuPrompt = %q, want %q", got, c.want)
			}
		})
	}
}

func tenChoices() []string {
	var out []string
	for i := 0; i < 10; i++ {
		out = append(out, "Opção "+string(rune('A'+i)))
	}
	return out
}

func tenLines() string {
	var lines []string
	for i, c := range tenChoices() {
		lines = append(lines, strings.TrimSpace(strings.Repeat(" ", i%2))+itoa(i+1)+" – "+c)
	}
	return strings.Join(lines, "\n")
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestMenuLabels(t *testing.T) {
	cases := []struct {
		name    string
		choices []string
		max     int
		want    []string
		ok      bool
	}{
		{"fit, trimmed", []string{" Vendas ", "Não"}, 20, []string{"Vendas", "Não"}, true},
		{"counted in characters, not bytes", []string{"Ação çãõ ação ção", "b"}, 17, []string{"Ação çãõ ação ção", "b"}, true},
		{"one too long", []string{"Vendas", strings.Repeat("x", 21)}, 20, nil, false},
		{"an empty one", []string{"Vendas", "  "}, 20, nil, false},
		{"repeated once trimmed", []string{"Vendas", "Vendas "}, 20, nil, false},
		{"none", nil, 20, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := MenuLabels(c.choices, c.max)
			if ok != c.ok || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("MenuLabels = %q, %v; want %q, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

// FuzzMenuPrompt: whatever a bot's text and choices are, the prompt is the
// whole text or a non-blank beginning of it, so the customer never loses
// what the text says above the list.
func FuzzMenuPrompt(f *testing.F) {
	f.Add("Olá!\n\n1 – Vendas\n2 – Financeiro", "Vendas\x00Financeiro")
	f.Add("1 – a", "a")
	f.Add("x\n1.\n", "")
	f.Fuzz(func(t *testing.T, text, joined string) {
		choices := strings.Split(joined, "\x00")
		got := MenuPrompt(text, choices)
		if got == text {
			return
		}
		if !strings.HasPrefix(text, got) || strings.TrimSpace(got) == "" {
			t.Fatalf("MenuPrompt(%q, %q) = %q", text, choices, got)
		}
	})
}
