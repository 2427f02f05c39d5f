package bot

import "testing"

func TestMatchOption(t *testing.T) {
	opts := []Option{
		{Label: "Vendas", Keywords: []string{"comprar", "orçamento"}},
		{Label: "Financeiro", Keywords: []string{"boleto", "segunda via"}},
		{Label: "Suporte Técnico", Keywords: []string{"ajuda"}},
	}
	tests := []struct {
		in   string
		want int
	}{
		{"1", 0}, {"2", 1}, {" 3 ", 2}, {"2.", 1}, {"2)", 1}, {"02", 1}, {"#2", 1},
		{"opção 2", 1}, {"Opcao 3", 2}, {"op. 1", 0}, {"nº 2", 1}, {"numero 2", 1},
		{"2️⃣", 1}, {"3⃣", 2}, {"dois", 1}, {"opção três", 2},
		{"financeiro", 1}, {"Financeiro!", 1}, {"FINANCEIRO", 1}, {"vendas.", 0},
		{"suporte tecnico", 2}, {"Suporte técnico", 2},
		{"comprar", 0}, {"Orcamento", 0}, {"ORÇAMENTO?", 0}, {"boleto", 1}, {"segunda-via", 1},
		{"quero falar com o financeiro", 1},
		{"preciso de um orçamento por favor", 0},
		{"quero a opção 3", 2},
		{"meu boleto venceu", 1},
		// Not understood.
		{"", -1}, {"   ", -1}, {"?!", -1}, {"0", -1}, {"4", -1}, {"10", -1}, {"1000", -1}, {"-1", 0}, // punctuation around a number is tolerated
		{"oi", -1}, {"suporte", -1}, // half a label is not the label
		{"vendas ou financeiro", -1}, // two options
		{"quero comprar e pagar o boleto", -1},
		{"1 2", -1}, {"tenho 2 boletos", -1}, {"quatro", -1},
		{"vendedor", -1}, // whole words only
	}
	for _, tt := range tests {
		if got := MatchOption(opts, tt.in); got != tt.want {
			t.Errorf("MatchOption(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestMatchOptionTenOptions(t *testing.T) {
	opts := make([]Option, 10)
	for i := range opts {
		opts[i] = Option{Label: "Opção " + string(rune('A'+i))}
	}
	for in, want := range map[string]int{"10": 9, "🔟": 9, "1": 0, "opção j": 9, "opcao b": 1, "11": -1} {
		if got := MatchOption(opts, in); got != want {
			t.Errorf("MatchOption(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	got := phraseKey("  Olá, 2ª VIA — São Paulo!!  2️⃣ ")
	if want := "ola 2a via sao paulo 2"; got != want {
		t.Fatalf("phraseKey = %q, want %q", got, want)
	}
}
