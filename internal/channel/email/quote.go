package email

import (
	"regexp"
	"strings"
)

// Attribution lines mail clients write above quoted history, in the
// languages Atende's customers write in. Gmail wraps long ones, so they are
// also tried joined with the next line.
var attribution = regexp.MustCompile(`(?i)^\s*(on|em|le|el|am|il|op)\s.{0,300}?\s(wrote|escreveu|a\s+écrit|escribió|schrieb|ha\s+scritto|schreef)\s*:\s*$`)

// Separators Outlook and webmails put above a forwarded or quoted message.
var separator = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|mensagem original|message d'origine|mensaje original|ursprüngliche nachricht|forwarded message|mensagem encaminhada|message transféré)\s*-{2,}\s*$`)

// Header-block fields of Outlook's reply header ("De: … Enviado: …").
var (
	headerStart = regexp.MustCompile(`(?i)^\s*\*?(from|de|von|da)\s*:\*?\s`)
	headerNext  = regexp.MustCompile(`(?i)^\s*\*?(sent|enviado|envoyé|date|data|fecha|gesendet|to|para|à|an|subject|assunto|objet|asunto|betreff|cc)\s*:`)
)

// Phone clients' default sign-offs: signature, not reply.
var mobileSignature = regexp.MustCompile(`(?i)^\s*(sent from my|enviado do meu|enviado de meu|enviado desde mi|envoyé de mon|get outlook for|obter o outlook para)\b`)

// StripQuoted returns what the sender wrote in a reply: the text above the
// quoted history ("On … wrote:", "-----Mensagem original-----", Outlook's
// "De:/Enviado:" block), without ">" quoted lines and without the signature
// below "-- ". When nothing would remain (a mail that is all quote, or
// a forward with no comment) it returns the text unchanged rather than
// nothing, so that no customer message shows up empty.
func StripQuoted(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		trimmed := strings.TrimSpace(l)
		if trimmed == "" {
			continue
		}
		if l == "-- " || l == "--" || mobileSignature.MatchString(l) ||
			separator.MatchString(l) || attribution.MatchString(l) {
			cut = i
			break
		}
		if i+1 < len(lines) && attribution.MatchString(l+" "+strings.TrimSpace(lines[i+1])) {
			cut = i
			break
		}
		if isUnderline(trimmed) && i+1 < len(lines) && headerStart.MatchString(firstNonBlank(lines[i+1:])) {
			cut = i
			break
		}
		if headerStart.MatchString(l) && headerBlock(lines[i+1:]) {
			cut = i
			break
		}
	}
	var kept []string
	for _, l := range lines[:cut] {
		if strings.HasPrefix(strings.TrimLeft(l, " "), ">") {
			continue
		}
		kept = append(kept, strings.TrimRight(l, " \t"))
	}
	out := strings.TrimSpace(strings.Join(kept, "\n"))
	if out == "" {
		return strings.TrimSpace(text)
	}
	return out
}

// headerBlock reports whether the next few lines carry the other fields of
// a quoted message header, which tells a "De:" block from a sentence that
// happens to start with "De:".
func headerBlock(lines []string) bool {
	n := 0
	for _, l := range lines[:min(len(lines), 5)] {
		if headerNext.MatchString(l) {
			n++
		}
	}
	return n >= 2
}

func firstNonBlank(lines []string) string {
	for _, l := range lines[:min(len(lines), 3)] {
		if strings.TrimSpace(l) != "" {
			return l
		}
	}
	return ""
}

// isUnderline matches the "________________________________" line Outlook
// draws above its reply header.
func isUnderline(s string) bool {
	return len(s) >= 10 && strings.Trim(s, "_") == ""
}
