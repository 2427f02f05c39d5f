package bot

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// foldTable maps the accented Latin letters customers type (or leave out)
// to their base letter, so "Opção" and "opcao" compare equal. A table
// keeps the hot path free of Unicode decomposition.
var foldTable = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i",
	'ó': "o", 'ò': "o", 'ô': "o", 'õ': "o", 'ö': "o",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u",
	'ç': "c", 'ñ': "n", 'ý': "y", 'ÿ': "y",
	// Ordinal indicators: "2ª via" is typed "2a via" as often as not.
	'ª': "a", 'º': "o",
}

// words splits s into folded lower-case words of letters and digits;
// punctuation, symbols and emoji separate words and are dropped. Keycap
// emoji ("2️⃣" is '2' + U+FE0F + U+20E3) keep their digit, and "🔟" is 10.
func words(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '\uFE0F' || r == '\u20E3':
			continue // keycap parts: the digit before them stays in the word
		case r == '🔟':
			flush()
			out = append(out, "10")
			continue
		}
		r = unicode.ToLower(r)
		if f, ok := foldTable[r]; ok {
			b.WriteString(f)
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if r > unicode.MaxASCII && unicode.IsDigit(r) {
				flush() // only ASCII digits make option numbers
				continue
			}
			b.WriteRune(r)
			continue
		}
		flush()
	}
	flush()
	return out
}

// phraseKey is the folded form of a label or keyword that answers are
// compared with.
func phraseKey(s string) string { return strings.Join(words(s), " ") }

// numberPrefixes may stand before an option number: "opção 2", "op. 2",
// "número 2", "nº 2" ("no" after folding), "n 2".
var numberPrefixes = map[string]bool{"opcao": true, "opc": true, "op": true, "numero": true, "num": true, "no": true, "n": true, "item": true, "a": true}

// numberWords are option numbers written out, accepted when they are the
// whole answer ("dois", "opção três").
var numberWords = map[string]int{
	"um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5,
	"seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10,
}

// MatchOption returns the index of the menu option an answer chooses, or
// -1 when the answer is not understood. In order:
//  1. an option number alone, optionally after "opção" ("2", "2.", "2)",
//     "opção 2", "2️⃣");
//  2. an option's whole label or keyword ("Financeiro!", "boleto");
//  3. an option number in words ("dois", "opção dois");
//  4. a message holding the label or a keyword of exactly one option as
//     whole words, or "opção N" ("quero falar com o financeiro"). A
//     message that names two options is not understood: guessing would
//     send the customer to the wrong department.
func MatchOption(options []Option, input string) int {
	w := words(input)
	if len(w) == 0 {
		return -1
	}
	if len(w) > 2*MaxLabelRunes {
		w = w[:2*MaxLabelRunes] // bounded work on a pasted essay
	}
	n := len(options)
	if num := w; len(num) <= 2 {
		if len(num) == 2 && numberPrefixes[num[0]] {
			num = num[1:]
		}
		if len(num) == 1 {
			if i, ok := optionNumber(num[0], n); ok {
				return i
			}
		}
	}
	// Each option's label and keywords as words, computed once per answer.
	phrases := make([][][]string, n)
	for i, o := range options {
		p := make([][]string, 0, 1+len(o.Keywords))
		p = append(p, words(o.Label))
		for _, k := range o.Keywords {
			p = append(p, words(k))
		}
		phrases[i] = p
	}
	for i, p := range phrases {
		for _, ph := range p {
			if len(ph) > 0 && slices.Equal(ph, w) {
				return i
			}
		}
	}
	if len(w) <= 2 {
		num := w
		if len(num) == 2 && numberPrefixes[num[0]] {
			num = num[1:]
		}
		if len(num) == 1 {
			if v, ok := numberWords[num[0]]; ok && v <= n {
				return v - 1
			}
		}
	}
	found := -1
	for i, p := range phrases {
		if optionNamed(w, p, i+1) {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

func optionNumber(word string, n int) (int, bool) {
	if len(word) > 3 {
		return 0, false
	}
	v, err := strconv.Atoi(word)
	if err != nil || v < 1 || v > n {
		return 0, false
	}
	return v - 1, true
}

// optionNamed reports whether the words w hold one of an option's
// phrases (label, keywords) or "opção <number>" as consecutive whole words.
func optionNamed(w []string, phrases [][]string, number int) bool {
	for _, p := range phrases {
		if containsWords(w, p) {
			return true
		}
	}
	num := strconv.Itoa(number)
	for i := 0; i+1 < len(w); i++ {
		if (w[i] == "opcao" || w[i] == "numero") && strings.TrimLeft(w[i+1], "0") == num {
			return true
		}
	}
	return false
}

func containsWords(haystack, needle []string) bool {
	if len(needle) == 0 || len(needle) > len(haystack) {
		return false
	}
outer:
	for i := 0; i+len(needle) <= len(haystack); i++ {
		for j, n := range needle {
			if haystack[i+j] != n {
				continue outer
			}
		}
		return true
	}
	return false
}

// foldText is attribute text as people compare it: case, accents and
// extra spaces aside.
func foldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		r = unicode.ToLower(r)
		if f, ok := foldTable[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
