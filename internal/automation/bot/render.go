package bot

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Render fills the variables of a bot text: {{contact.name}},
// {{contact.first_name}} and {{attributes.<key>}} (spaces inside the
// braces allowed). A missing attribute renders empty. A name Parse would
// refuse is left as written, so a hand-built flow shows its mistake in the
// test panel instead of silently dropping text.
func Render(text string, env Env) string {
	if !strings.Contains(text, "{{") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(text[i+2:], "}}")
		if j < 0 {
			break
		}
		b.WriteString(text[:i])
		name := strings.TrimSpace(text[i+2 : i+2+j])
		if v, ok := variable(name, env); ok {
			b.WriteString(v)
		} else {
			b.WriteString(text[i : i+2+j+2])
		}
		text = text[i+2+j+2:]
	}
	b.WriteString(text)
	return b.String()
}

func variable(name string, env Env) (string, bool) {
	switch {
	case name == "contact.name":
		return strings.TrimSpace(env.ContactName), true
	case name == "contact.first_name":
		if f := strings.Fields(env.ContactName); len(f) > 0 {
			return f[0], true
		}
		return "", true
	case strings.HasPrefix(name, "attributes.") && len(name) > len("attributes."):
		return valueText(env.Attributes[strings.TrimPrefix(name, "attributes.")]), true
	}
	return "", false
}

// unknownVariable returns the first {{name}} of text that Render does not
// know.
func unknownVariable(text string) (string, bool) {
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			return "", false
		}
		j := strings.Index(text[i+2:], "}}")
		if j < 0 {
			return "", false
		}
		name := strings.TrimSpace(text[i+2 : i+2+j])
		if _, ok := variable(name, Env{}); !ok {
			return name, true
		}
		text = text[i+2+j+2:]
	}
}

// valueText is an attribute value as a customer reads it: numbers without
// exponent, lists and objects empty.
func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	}
	return ""
}
