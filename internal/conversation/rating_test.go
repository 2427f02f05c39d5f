package conversation

import "testing"

func TestParseScore(t *testing.T) {
	for text, want := range map[string]int{
		"5": 5, " 4 ": 4, "1.": 1, "3!": 3, "4/5": 4, "4 / 5": 4, "5 de 5": 5, "nota 5": 5, "Nota 2": 2, "3 estrelas": 3, "1 estrela": 1,
		"5 stars": 5, "⭐⭐⭐⭐⭐": 5, "★★★": 3, "⭐️⭐️": 2, "⭐ ⭐ ⭐ ⭐": 4,
		"": 0, "0": 0, "6": 0, "10": 0, "55": 0, "5 dias": 0, "obrigado": 0, "⭐⭐⭐⭐⭐⭐": 0, "5 obrigado": 0, "12345": 0, "-3": 0,
	} {
		if got := ParseScore(text); got != want {
			t.Errorf("ParseScore(%q) = %d, want %d", text, got, want)
		}
	}
}

// FuzzParseScore: any customer text reads as 0 or a score 1–5, never a panic.
func FuzzParseScore(f *testing.F) {
	for _, s := range []string{"5", "4/5", "nota 3", "⭐⭐", "5 dias", "\xff", "⭐\uFE0F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n := ParseScore(s); n < 0 || n > 5 {
			t.Fatalf("ParseScore(%q) = %d", s, n)
		}
	})
}
