package email

import (
	"html"
	"strings"
)

// HTMLToText renders an HTML mail body as plain text an agent can read:
// tags, scripts and styles go, paragraphs and line breaks stay, entities are
// decoded and links read "text (url)". It is a small tokenizer, not a
// browser: x/net/html is not a dependency, and mail HTML needs no more
// than this to be read. The output is text, never markup, so it is safe to
// show as text whatever the input.
func HTMLToText(s string) string { return htmlToText(s, false) }

// Elements whose content is never text for a reader.
var skipContent = map[string]bool{
	"script": true, "style": true, "head": true, "title": true,
	"noscript": true, "template": true, "object": true, "svg": true,
	"iframe": true, "xml": true,
}

// Elements that start and end a block of text.
var blockElems = map[string]bool{
	"p": true, "div": true, "table": true, "tr": true, "ul": true, "ol": true,
	"blockquote": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "pre": true, "section": true, "article": true, "header": true,
	"footer": true, "address": true, "center": true, "dl": true, "form": true,
	"li": true, "dt": true, "dd": true, "body": true, "html": true,
}

var voidElems = map[string]bool{
	"br": true, "img": true, "hr": true, "meta": true, "link": true, "input": true,
	"area": true, "base": true, "col": true, "wbr": true, "source": true,
}

type renderer struct {
	out       strings.Builder
	newlines  int  // newlines owed before the next text
	space     bool // a space owed before the next text
	started   bool
	pre       int
	links     []link
	dropQuote bool
	// skip is the element whose subtree is dropped, and how deep in
	// same-named elements we are inside it.
	skip      string
	skipDepth int
	stop      bool
}

type link struct {
	href  string
	start int // out.Len() when the <a> opened
}

// htmlToText renders s; reply drops what mail clients mark as quoted
// history or signature (Gmail's gmail_quote and gmail_signature, cite
// blockquotes, Outlook's reply header) so that only the new text remains.
func htmlToText(s string, reply bool) string {
	r := &renderer{dropQuote: reply}
	for len(s) > 0 && !r.stop {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			r.text(s)
			break
		}
		if i > 0 {
			r.text(s[:i])
			s = s[i:]
		}
		switch {
		case strings.HasPrefix(s, "<!--"):
			j := strings.Index(s[4:], "-->")
			if j < 0 {
				return r.String()
			}
			s = s[4+j+3:]
			continue
		case strings.HasPrefix(s, "<!") || strings.HasPrefix(s, "<?"):
			j := strings.IndexByte(s, '>')
			if j < 0 {
				return r.String()
			}
			s = s[j+1:]
			continue
		}
		t, rest, ok := readTag(s)
		if !ok {
			// A lone "<" is text, as a browser reads it.
			r.text("<")
			s = s[1:]
			continue
		}
		s = rest
		if !t.end && skipContent[t.name] && !t.selfClose {
			// Raw-text elements end at their closing tag whatever is inside.
			j := indexFold(s, "</"+t.name)
			if j < 0 {
				break
			}
			s = s[j:]
			continue
		}
		r.tag(t)
	}
	return r.String()
}

func (r *renderer) String() string {
	// Lines trimmed, at most one blank line in a row.
	lines := strings.Split(r.out.String(), "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		if strings.TrimSpace(strings.ReplaceAll(l, "\u00a0", " ")) == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
			l = ""
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func (r *renderer) text(s string) {
	if r.skip != "" || r.stop {
		return
	}
	s = html.UnescapeString(s)
	if r.pre > 0 {
		r.flush()
		r.out.WriteString(strings.ReplaceAll(s, "\r", ""))
		return
	}
	for i, f := range strings.Fields(s) {
		if i > 0 || startsWithSpace(s) {
			r.space = true
		}
		r.flush()
		r.out.WriteString(f)
	}
	if endsWithSpace(s) {
		r.space = true
	}
}

func (r *renderer) flush() {
	if r.newlines > 0 {
		if r.started {
			r.out.WriteString(strings.Repeat("\n", r.newlines))
		}
		r.newlines, r.space = 0, false
	} else if r.space && r.started {
		r.out.WriteByte(' ')
	}
	r.space = false
	r.started = true
}

func (r *renderer) block(n int) {
	if n > r.newlines {
		r.newlines = n
	}
}

func (r *renderer) tag(t tag) {
	if r.skip != "" {
		if t.name == r.skip && !voidElems[t.name] && !t.selfClose {
			if t.end {
				r.skipDepth--
				if r.skipDepth == 0 {
					r.skip = ""
				}
			} else {
				r.skipDepth++
			}
		}
		return
	}
	if r.dropQuote && !t.end {
		id, class := strings.ToLower(t.attr("id")), strings.ToLower(t.attr("class"))
		// Outlook puts the quoted message after these markers, unnested.
		if id == "divrplyfwdmsg" || id == "appendonsend" || strings.Contains(id, "mail-editor-reference-message") {
			r.stop = true
			return
		}
		if strings.Contains(class, "gmail_quote") || strings.Contains(class, "gmail_signature") ||
			strings.Contains(class, "moz-cite-prefix") || strings.Contains(class, "moz-signature") ||
			(t.name == "blockquote" && strings.EqualFold(t.attr("type"), "cite")) {
			if !voidElems[t.name] && !t.selfClose {
				r.skip, r.skipDepth = t.name, 1
			}
			return
		}
	}
	switch {
	case t.name == "br":
		r.flushNewline()
	case t.name == "hr":
		r.block(1)
		r.flush()
		r.out.WriteString("----")
		r.block(1)
	case t.name == "pre":
		r.block(2)
		if t.end {
			r.pre = max(0, r.pre-1)
		} else {
			r.flush()
			r.pre++
		}
	case t.name == "li" && !t.end:
		r.block(1)
		r.flush()
		r.out.WriteString("- ")
	case t.name == "p" || strings.HasPrefix(t.name, "h") && len(t.name) == 2 && t.name[1] >= '1' && t.name[1] <= '6':
		r.block(2)
	case blockElems[t.name] || t.name == "td" && t.end || t.name == "th" && t.end:
		if t.name == "td" || t.name == "th" {
			r.space = true
		} else {
			r.block(1)
		}
	case t.name == "a":
		if !t.end {
			r.links = append(r.links, link{href: strings.TrimSpace(t.attr("href")), start: r.out.Len()})
		} else if len(r.links) > 0 {
			l := r.links[len(r.links)-1]
			r.links = r.links[:len(r.links)-1]
			r.linkEnd(l)
		}
	case t.name == "img" && !t.end:
		if alt := strings.TrimSpace(html.UnescapeString(t.attr("alt"))); alt != "" {
			r.text(" [" + alt + "] ")
		}
	}
}

// flushNewline writes a line break now: consecutive <br> make blank lines.
func (r *renderer) flushNewline() {
	if r.newlines > 0 {
		r.newlines++
		return
	}
	r.newlines = 1
	if !r.started {
		r.newlines = 0
	}
}

// linkEnd appends " (url)" after a link's text unless the text already is
// the address. Only web and mail links are shown: a javascript: or data:
// URL is no use to a reader.
func (r *renderer) linkEnd(l link) {
	href := l.href
	lower := strings.ToLower(href)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "mailto:") {
		return
	}
	text := ""
	if l.start <= r.out.Len() {
		text = strings.TrimSpace(r.out.String()[l.start:])
	}
	bare := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(href, "mailto:"), "https://"), "http://")
	if text == href || text == bare || strings.TrimSuffix(text, "/") == strings.TrimSuffix(bare, "/") {
		return
	}
	if text == "" {
		r.text(" " + href + " ")
		return
	}
	r.space = true
	r.flush()
	r.out.WriteString("(" + href + ")")
}

type tag struct {
	name      string
	end       bool
	selfClose bool
	attrs     [][2]string
}

func (t tag) attr(name string) string {
	for _, a := range t.attrs {
		if a[0] == name {
			return a[1]
		}
	}
	return ""
}

// readTag reads "<name attr=value …>" at the start of s. ok is false when
// s does not start a tag (then "<" is plain text).
func readTag(s string) (t tag, rest string, ok bool) {
	i := 1
	if i < len(s) && s[i] == '/' {
		t.end = true
		i++
	}
	start := i
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	if i == start || !isLetter(s[start]) {
		return t, s, false
	}
	t.name = strings.ToLower(s[start:i])
	for len(t.attrs) < 64 {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return t, "", true
		}
		switch s[i] {
		case '>':
			return t, s[i+1:], true
		case '/':
			t.selfClose = true
			i++
			continue
		}
		ns := i
		for i < len(s) && !isSpace(s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/' {
			i++
		}
		name := strings.ToLower(s[ns:i])
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		val := ""
		if i < len(s) && s[i] == '=' {
			i++
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			if i < len(s) && (s[i] == '"' || s[i] == '\'') {
				q := s[i]
				j := strings.IndexByte(s[i+1:], q)
				if j < 0 {
					return t, "", true
				}
				val = s[i+1 : i+1+j]
				i += j + 2
			} else {
				vs := i
				for i < len(s) && !isSpace(s[i]) && s[i] != '>' {
					i++
				}
				val = s[vs:i]
			}
		}
		if name != "" {
			t.attrs = append(t.attrs, [2]string{name, html.UnescapeString(val)})
		}
	}
	j := strings.IndexByte(s[i:], '>')
	if j < 0 {
		return t, "", true
	}
	return t, s[i+j+1:], true
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isNameByte(c byte) bool {
	return isLetter(c) || c >= '0' && c <= '9' || c == '-' || c == ':' || c == '_'
}
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func startsWithSpace(s string) bool { return s != "" && isSpace(s[0]) }
func endsWithSpace(s string) bool   { return s != "" && isSpace(s[len(s)-1]) }

// indexFold is strings.Index ignoring ASCII case, for closing tags.
func indexFold(s, sub string) int {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if s[i] == '<' && strings.EqualFold(s[i:i+n], sub) {
			return i
		}
	}
	return -1
}
