package channel

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// A bot's menu is one message whose text already lists the options, so a
// channel with no buttons shows it as it is:
//
//	Como podemos ajudar?
//
//	1 – Vendas
//	2 – Financeiro
//
// and whose Outbound.Choices holds the labels in order. Channels with
// buttons or lists offer the labels so; a tap comes back as the label's
// text, which the bot matches like a typed answer (the number or the label).

// MenuPrompt is the part of a menu's text above its numbered list: what a
// channel that shows the choices as buttons puts in the message body. When
// the text does not end with exactly the list of choices ("1 – label" per
// line, the dash also "-", "—", ".", ")" or ":") the whole text is the
// prompt, so nothing the customer should read is ever cut.
func MenuPrompt(text string, choices []string) string {
	if len(choices) == 0 {
		return text
	}
	lines := strings.Split(strings.TrimRight(text, " \t\r\n"), "\n")
	if len(lines) <= len(choices) {
		return text
	}
	list := lines[len(lines)-len(choices):]
	for i, line := range list {
		if !menuLine(strings.TrimSpace(line), i+1, strings.TrimSpace(choices[i])) {
			return text
		}
	}
	prompt := strings.TrimRight(strings.Join(lines[:len(lines)-len(choices)], "\n"), " \t\r\n")
	if strings.TrimSpace(prompt) == "" {
		return text
	}
	return prompt
}

// menuLine reports whether line is option n of a menu, labelled label.
func menuLine(line string, n int, label string) bool {
	rest, ok := strings.CutPrefix(line, strconv.Itoa(n))
	if !ok || label == "" || rest != "" && '0' <= rest[0] && rest[0] <= '9' {
		return false // "12 – x" is not option 1
	}
	rest = strings.TrimLeft(rest, " \t")
	for _, sep := range []string{"–", "—", "-", ".", ")", ":"} {
		if r, ok := strings.CutPrefix(rest, sep); ok {
			rest = r
			break
		}
	}
	return strings.TrimSpace(rest) == label
}

// MenuLabels are choices ready to become buttons of at most maxRunes
// characters each: trimmed, none empty, none repeated (the customer could
// not tell two alike apart, and providers refuse them). ok is false when
// they cannot all be shown so; the menu then goes out as its text alone.
func MenuLabels(choices []string, maxRunes int) (labels []string, ok bool) {
	seen := make(map[string]bool, len(choices))
	for _, c := range choices {
		c = strings.TrimSpace(c)
		if c == "" || utf8.RuneCountInString(c) > maxRunes || seen[c] {
			return nil, false
		}
		seen[c] = true
		labels = append(labels, c)
	}
	return labels, len(labels) > 0
}
