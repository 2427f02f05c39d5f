// Package helpcenter owns the rules of help-centre articles that do not
// depend on storage or transport: the languages an article may be written
// in, slugs, accent folding for search, and the Markdown subset articles are
// written in, rendered to HTML that is safe to serve on a public page.
package helpcenter

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Languages an article or category may be written in.
const (
	LangPT = "pt-BR"
	LangEN = "en"
)

// ValidLanguage reports whether lang is one of the supported languages.
func ValidLanguage(lang string) bool { return lang == LangPT || lang == LangEN }

// Article statuses: only published articles reach the public side.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// ValidStatus reports whether s is an article status.
func ValidStatus(s string) bool { return s == StatusDraft || s == StatusPublished }

// foldTable maps the accented Latin letters of Portuguese, Spanish, French
// and German text to their base letter. A table instead of Unicode
// decomposition keeps the package free of dependencies, and these are the
// letters customers leave out when they type a search.
var foldTable = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'ē': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ī': "i",
	'ó': "o", 'ò': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u", 'ū': "u",
	'ç': "c", 'ñ': "n", 'ý': "y", 'ÿ': "y", 'ß': "ss", 'æ': "ae", 'œ': "oe",
}

// Fold lower-cases s and removes the accents of Latin letters, so that
// "Atribuição" and "atribuicao" compare equal. SQLite's unicode61 tokenizer
// with remove_diacritics 2 does the same inside FTS5; PostgreSQL's 'simple'
// configuration does not, so the store indexes and queries folded text there.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		if f, ok := foldTable[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Terms splits a search query into folded words of letters and digits, the
// same tokens the full-text indexes hold, at most max of them. Everything
// else (quotes, operators, punctuation) is dropped, so a term is always safe
// to place in an FTS5 or tsquery expression.
func Terms(query string, max int) []string {
	words := strings.FieldsFunc(Fold(query), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	out := words[:0]
	seen := map[string]bool{}
	for _, w := range words {
		if seen[w] || utf8.RuneCountInString(w) > 64 {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == max {
			break
		}
	}
	return out
}

// MaxSlug is the longest slug Slugify produces.
const MaxSlug = 80

// Slugify makes the readable, URL-safe part of an address from a title:
// folded, lower case, letters and digits of ASCII joined by single hyphens.
// It returns "" when the title has no such character.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range Fold(title) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= MaxSlug {
				break
			}
			continue
		}
		dash = true
	}
	return strings.TrimRight(b.String(), "-")
}

// ValidSlug reports whether s is a slug Slugify could have produced.
func ValidSlug(s string) bool {
	if s == "" || len(s) > MaxSlug || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-' {
			return false
		}
	}
	return true
}

// Snippet returns about max characters of text around the first word that
// matches one of terms (folded, by prefix, as the search matched), or the
// start of text when none does. Ellipses mark what was cut.
func Snippet(text string, terms []string, max int) string {
	text = strings.Join(strings.Fields(text), " ")
	runes := []rune(text)
	if len(runes) <= max {
		return text
	}
	at := -1
	folded := []rune(Fold(text))
	// Fold can lengthen a rune (ß → ss); only use positions when it did not.
	if len(folded) == len(runes) {
		for i := 0; i < len(folded) && at < 0; i++ {
			if i > 0 && (unicode.IsLetter(folded[i-1]) || unicode.IsNumber(folded[i-1])) {
				continue
			}
			for _, t := range terms {
				if strings.HasPrefix(string(folded[i:min(len(folded), i+len([]rune(t)))]), t) {
					at = i
					break
				}
			}
		}
	}
	start := 0
	if at > max/3 {
		start = at - max/3
		// begin at a word
		for start < at && runes[start-1] != ' ' {
			start++
		}
	}
	end := min(len(runes), start+max)
	if end < len(runes) {
		for e := end; e > start+max/2; e-- {
			if runes[e] == ' ' {
				end = e
				break
			}
		}
	}
	out := strings.TrimSpace(string(runes[start:end]))
	if start > 0 {
		out = "…" + out
	}
	if end < len(runes) {
		out += "…"
	}
	return out
}
