package helpcenter

import (
	"slices"
	"testing"
)

func TestFoldAndTerms(t *testing.T) {
	if got := Fold("Atribuição de CONVERSAS à Equipe"); got != "atribuicao de conversas a equipe" {
		t.Errorf("Fold = %q", got)
	}
	got := Terms(`"Atribuição"  OR conversas* -x NEAR(a b) atribuicao`, 5)
	want := []string{"atribuicao", "or", "conversas", "x", "near"}
	if !slices.Equal(got, want) {
		t.Errorf("Terms = %q, want %q", got, want)
	}
	if got := Terms(" ¿? ", 5); len(got) != 0 {
		t.Errorf("Terms of punctuation = %q", got)
	}
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Como funciona a atribuição de conversas?": "como-funciona-a-atribuicao-de-conversas",
		"  --Olá, Mundo!!--  ":                     "ola-mundo",
		"日本語":                                      "",
		"Straße":                                   "strasse",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
		if want != "" && !ValidSlug(want) {
			t.Errorf("ValidSlug(%q) = false", want)
		}
	}
	long := Slugify(string(make([]byte, 0)) + "palavra " + string(slices.Repeat([]byte("abcdefghij "), 20)))
	if len(long) > MaxSlug || !ValidSlug(long) {
		t.Errorf("long slug %q (%d)", long, len(long))
	}
	for _, bad := range []string{"", "-a", "a-", "a--b", "A", "a b", "ação"} {
		if ValidSlug(bad) {
			t.Errorf("ValidSlug(%q) = true", bad)
		}
	}
}

func TestSnippet(t *testing.T) {
	text := "Primeiro parágrafo longo sobre outra coisa qualquer que não interessa aqui. " +
		"Depois explicamos a Atribuição de conversas para a equipe inteira, com detalhes."
	got := Snippet(text, []string{"atribuicao"}, 60)
	if got == "" || got[:3] != "…" || !containsFold(got, "atribuição") {
		t.Errorf("Snippet = %q", got)
	}
	if got := Snippet("curto", []string{"x"}, 60); got != "curto" {
		t.Errorf("short Snippet = %q", got)
	}
}

func containsFold(s, sub string) bool {
	return len(Fold(s)) >= len(Fold(sub)) && (func() bool {
		fs, fsub := Fold(s), Fold(sub)
		for i := 0; i+len(fsub) <= len(fs); i++ {
			if fs[i:i+len(fsub)] == fsub {
				return true
			}
		}
		return false
	})()
}
