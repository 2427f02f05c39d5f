package helpcenter

import (
	"net/url"
	"strconv"
	"strings"
)

// The Markdown subset of articles, rendered by Render:
//
//	# Heading … ###### Heading      headings
//	blank-line separated text       paragraphs; a line ending in two spaces or "\" breaks the line
//	*em* _em_ **strong** __strong__ emphasis
//	`code`                          inline code
//	``` or ~~~ fences               code blocks
//	[text](https://… "title")       links: http, https and mailto only
//	![alt](https://…)               images: http and https only
//	<https://…>                     autolinks
//	- item, * item, + item, 1. item lists; indented lines continue an item
//	> quote                         blockquotes
//	--- *** ___                     horizontal rules
//
// Everything else is text and is escaped: raw HTML never passes through, and
// a link or image with any other address renders as its text.

// maxDepth bounds the nesting of blockquotes, lists and emphasis, so that
// hostile input cannot recurse without end; deeper markers stay text.
const maxDepth = 12

// maxLinkText bounds how far a "[" looks for its "]".
const maxLinkText = 2000

// Render converts Markdown to HTML that is safe to place in a page.
func Render(md string) string { return render(md, 0) }

// RenderArticle is Render with every heading one level down (# is <h2>),
// for a page whose <h1> is the article's title.
func RenderArticle(md string) string { return render(md, 1) }

func render(md string, shift int) string {
	md = strings.ReplaceAll(md, "\r\n", "\n")
	md = strings.ReplaceAll(md, "\r", "\n")
	md = strings.ReplaceAll(md, "\x00", "\uFFFD")
	var b strings.Builder
	renderBlocks(&b, strings.Split(md, "\n"), 0, shift)
	return b.String()
}

// PlainText returns the text of Markdown without its markup, for meta
// descriptions and search snippets.
func PlainText(md string) string {
	md = strings.ReplaceAll(md, "\r\n", "\n")
	var b strings.Builder
	for _, line := range strings.Split(md, "\n") {
		t := strings.TrimSpace(line)
		if isFence(t) || isRule(t) {
			continue
		}
		for strings.HasPrefix(t, ">") {
			t = strings.TrimSpace(t[1:])
		}
		t = strings.TrimLeft(t, "#")
		if _, _, content, ok := listItem(t); ok {
			t = content
		}
		var ib strings.Builder
		p := &inliner{plain: true}
		p.render(&ib, strings.TrimSpace(t), 0)
		if s := strings.TrimSpace(ib.String()); s != "" {
			b.WriteString(s)
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

func renderBlocks(b *strings.Builder, lines []string, depth, shift int) {
	for i := 0; i < len(lines); {
		line := lines[i]
		t := strings.TrimLeft(line, " ")
		indent := len(line) - len(t)
		switch {
		case strings.TrimSpace(line) == "":
			i++
		case indent < 4 && isFence(t):
			i = renderFence(b, lines, i, indent)
		case indent < 4 && headingLevel(t) > 0:
			n := headingLevel(t)
			text := strings.TrimSpace(t[n:])
			// an optional closing run of #
			if c := strings.TrimRight(text, "#"); c == "" || strings.HasSuffix(c, " ") {
				text = strings.TrimSpace(c)
			}
			h := "h" + strconv.Itoa(min(n+shift, 6))
			b.WriteString("<" + h + ">")
			renderInline(b, text)
			b.WriteString("</" + h + ">\n")
			i++
		case indent < 4 && isRule(t):
			b.WriteString("<hr>\n")
			i++
		case indent < 4 && strings.HasPrefix(t, ">") && depth < maxDepth:
			var inner []string
			for i < len(lines) {
				s := strings.TrimLeft(lines[i], " ")
				if !strings.HasPrefix(s, ">") {
					break
				}
				s = s[1:]
				if strings.HasPrefix(s, " ") {
					s = s[1:]
				}
				inner = append(inner, s)
				i++
			}
			b.WriteString("<blockquote>\n")
			renderBlocks(b, inner, depth+1, shift)
			b.WriteString("</blockquote>\n")
		case indent < 4 && isListStart(t) && depth < maxDepth:
			i = renderList(b, lines, i, depth, shift)
		default:
			i = renderParagraph(b, lines, i, depth)
		}
	}
}

func isFence(t string) bool { return strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") }

func headingLevel(t string) int {
	n := 0
	for n < len(t) && t[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(t) && t[n] != ' ' && t[n] != '\t') {
		return 0
	}
	return n
}

func isRule(t string) bool {
	t = strings.TrimSpace(t)
	if len(t) < 3 || (t[0] != '-' && t[0] != '*' && t[0] != '_') {
		return false
	}
	n := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case t[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// renderFence writes a fenced code block starting at lines[i] and returns
// the index after it. An unclosed fence runs to the end of the text.
func renderFence(b *strings.Builder, lines []string, i, indent int) int {
	open := strings.TrimLeft(lines[i], " ")
	fc := open[0]
	n := 0
	for n < len(open) && open[n] == fc {
		n++
	}
	lang := strings.TrimSpace(open[n:])
	if f := strings.Fields(lang); len(f) > 0 {
		lang = f[0]
	}
	b.WriteString("<pre><code")
	if lang != "" && safeClass(lang) {
		b.WriteString(` class="language-` + lang + `"`)
	}
	b.WriteString(">")
	i++
	for ; i < len(lines); i++ {
		t := strings.TrimLeft(lines[i], " ")
		if len(lines[i])-len(t) < 4 && strings.HasPrefix(t, strings.Repeat(string(fc), n)) && strings.Trim(t, string(fc)+" \t") == "" {
			i++
			break
		}
		line := lines[i]
		// the fence's own indentation is not part of the code
		for k := 0; k < indent && strings.HasPrefix(line, " "); k++ {
			line = line[1:]
		}
		b.WriteString(escape(line))
		b.WriteByte('\n')
	}
	b.WriteString("</code></pre>\n")
	return i
}

func safeClass(s string) bool {
	if len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '+' {
			return false
		}
	}
	return true
}

// listItem parses a list item marker: "-", "*", "+" or "1." / "1)",
// followed by a space. It returns whether the list is ordered, its number,
// and the item's text.
func listItem(t string) (ordered bool, start int, content string, ok bool) {
	if len(t) >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && (t[1] == ' ' || t[1] == '\t') {
		return false, 0, strings.TrimSpace(t[2:]), true
	}
	if (t == "-" || t == "*" || t == "+") && !isRule(t) {
		return false, 0, "", true
	}
	n := 0
	for n < len(t) && n < 9 && t[n] >= '0' && t[n] <= '9' {
		n++
	}
	if n == 0 || n+1 > len(t) || (t[n] != '.' && t[n] != ')') {
		return false, 0, "", false
	}
	if n+1 < len(t) && t[n+1] != ' ' && t[n+1] != '\t' {
		return false, 0, "", false
	}
	num, _ := strconv.Atoi(t[:n])
	return true, num, strings.TrimSpace(t[n+1:]), true
}

func isListStart(t string) bool {
	if isRule(t) {
		return false
	}
	_, _, _, ok := listItem(t)
	return ok
}

// renderList writes a list starting at lines[i]: items of the same kind,
// each with the lines indented under it (blank lines between them allowed),
// and returns the index after it.
func renderList(b *strings.Builder, lines []string, i, depth, shift int) int {
	ordered, start, _, _ := listItem(strings.TrimLeft(lines[i], " "))
	if ordered {
		if start != 1 {
			b.WriteString(`<ol start="` + strconv.Itoa(start) + `">` + "\n")
		} else {
			b.WriteString("<ol>\n")
		}
	} else {
		b.WriteString("<ul>\n")
	}
	for i < len(lines) {
		t := strings.TrimLeft(lines[i], " ")
		if len(lines[i])-len(t) >= 4 || isRule(t) {
			break
		}
		o, _, content, ok := listItem(t)
		if !ok || o != ordered {
			break
		}
		item := []string{content}
		i++
		for i < len(lines) {
			l := lines[i]
			if strings.TrimSpace(l) == "" {
				// a blank line continues the item only when an indented line follows
				j := i
				for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
					j++
				}
				if j < len(lines) && strings.HasPrefix(lines[j], "  ") {
					for ; i < j; i++ {
						item = append(item, "")
					}
					continue
				}
				break
			}
			if strings.HasPrefix(l, "  ") {
				item = append(item, dedent(l))
				i++
				continue
			}
			s := strings.TrimLeft(l, " ")
			// a lazy continuation of the item's paragraph
			if !isListStart(s) && !isFence(s) && headingLevel(s) == 0 && !strings.HasPrefix(s, ">") && !isRule(s) {
				item = append(item, s)
				i++
				continue
			}
			break
		}
		b.WriteString("<li>")
		if tight(item) {
			renderInline(b, strings.Join(item, "\n"))
		} else {
			b.WriteString("\n")
			renderBlocks(b, item, depth+1, shift)
		}
		b.WriteString("</li>\n")
		// blank lines between items keep the list going
		j := i
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		if j > i && j < len(lines) {
			if o, _, _, ok := listItem(strings.TrimLeft(lines[j], " ")); ok && o == ordered && len(lines[j])-len(strings.TrimLeft(lines[j], " ")) < 4 {
				i = j
			}
		}
	}
	if ordered {
		b.WriteString("</ol>\n")
	} else {
		b.WriteString("</ul>\n")
	}
	return i
}

// dedent removes up to four leading spaces (a list item's indentation).
func dedent(l string) string {
	for k := 0; k < 4 && strings.HasPrefix(l, " "); k++ {
		l = l[1:]
	}
	return l
}

// tight reports whether an item is one paragraph, written without <p>.
func tight(item []string) bool {
	for _, l := range item {
		t := strings.TrimLeft(l, " ")
		if strings.TrimSpace(l) == "" || isFence(t) || isListStart(t) || headingLevel(t) > 0 || strings.HasPrefix(t, ">") || isRule(t) {
			return false
		}
	}
	return true
}

// renderParagraph writes the paragraph starting at lines[i] and returns the
// index after it.
func renderParagraph(b *strings.Builder, lines []string, i, depth int) int {
	var para []string
	for ; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimLeft(l, " ")
		if strings.TrimSpace(l) == "" {
			break
		}
		if len(para) > 0 && len(l)-len(t) < 4 && (isFence(t) || headingLevel(t) > 0 || isRule(t) ||
			(strings.HasPrefix(t, ">") && depth < maxDepth) || (isListStart(t) && depth < maxDepth)) {
			break
		}
		para = append(para, t)
	}
	b.WriteString("<p>")
	renderInline(b, strings.Join(para, "\n"))
	b.WriteString("</p>\n")
	return i
}

func renderInline(b *strings.Builder, s string) {
	p := &inliner{}
	p.render(b, strings.TrimSpace(s), 0)
}

// inliner renders inline Markdown. noCloser remembers, per delimiter, the
// position from which a search for its closer already failed, so that text
// full of unmatched delimiters renders in linear time.
type inliner struct {
	plain    bool // write text only, no tags (PlainText)
	noLinks  bool // inside link text: links do not nest
	noCloser map[string]int
}

func (p *inliner) failed(delim string, from int) bool {
	if p.noCloser == nil {
		return false
	}
	at, ok := p.noCloser[delim]
	return ok && from >= at
}

func (p *inliner) fail(delim string, from int) {
	if p.noCloser == nil {
		p.noCloser = map[string]int{}
	}
	if at, ok := p.noCloser[delim]; !ok || from < at {
		p.noCloser[delim] = from
	}
}

// esc escapes text for HTML, or leaves it as is for PlainText.
func (p *inliner) esc(s string) string {
	if p.plain {
		return s
	}
	return escape(s)
}

func (p *inliner) tag(b *strings.Builder, t string) {
	if !p.plain {
		b.WriteString(t)
	}
}

func (p *inliner) render(b *strings.Builder, s string, depth int) {
	// a fresh closer memo per piece of text: positions are relative to s
	saved := p.noCloser
	p.noCloser = nil
	defer func() { p.noCloser = saved }()
	text := 0 // start of the pending text
	flush := func(end int) {
		if end > text {
			b.WriteString(p.esc(s[text:end]))
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isPunct(s[i+1]):
			flush(i)
			b.WriteString(p.esc(s[i+1 : i+2]))
			i += 2
			text = i
			continue
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			flush(i)
			p.tag(b, "<br>")
			b.WriteByte('\n')
			i += 2
			text = i
			continue
		case c == '\n':
			flush(i)
			// two trailing spaces before the newline break the line
			if i >= 2 && s[i-1] == ' ' && s[i-2] == ' ' {
				p.tag(b, "<br>")
			}
			b.WriteByte('\n')
			i++
			text = i
			continue
		case c == '`':
			if end, code, ok := p.codeSpan(s, i); ok {
				flush(i)
				p.tag(b, "<code>")
				b.WriteString(p.esc(code))
				p.tag(b, "</code>")
				i, text = end, end
				continue
			}
			// the whole run of backticks is text
			for i < len(s) && s[i] == '`' {
				i++
			}
			continue
		case c == '!' && i+1 < len(s) && s[i+1] == '[' && !p.noLinks:
			if end, label, dest, title, ok := p.link(s, i+1); ok {
				flush(i)
				p.image(b, label, dest, title)
				i, text = end, end
				continue
			}
		case c == '[' && !p.noLinks && depth < maxDepth:
			if end, label, dest, title, ok := p.link(s, i); ok {
				flush(i)
				p.anchor(b, label, dest, title, depth)
				i, text = end, end
				continue
			}
		case c == '<' && !p.noLinks:
			if end, dest, ok := autolink(s, i); ok {
				flush(i)
				if !p.plain {
					b.WriteString(`<a href="` + escape(dest) + `" rel="nofollow noopener">`)
				}
				b.WriteString(p.esc(strings.TrimPrefix(dest, "mailto:")))
				p.tag(b, "</a>")
				i, text = end, end
				continue
			}
		case (c == '*' || c == '_') && depth < maxDepth:
			if end, inner, strong, ok := p.emphasis(s, i); ok {
				flush(i)
				t := "em"
				if strong {
					t = "strong"
				}
				p.tag(b, "<"+t+">")
				p.render(b, inner, depth+1)
				p.tag(b, "</"+t+">")
				i, text = end, end
				continue
			}
			// the whole run of delimiters is text
			for i < len(s) && s[i] == c {
				i++
			}
			continue
		}
		i++
	}
	flush(len(s))
}

func isPunct(c byte) bool {
	return strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

// codeSpan matches a run of backticks at i with the next run of the same
// length; it returns the end and the code.
func (p *inliner) codeSpan(s string, i int) (end int, code string, ok bool) {
	n := 0
	for i+n < len(s) && s[i+n] == '`' {
		n++
	}
	key := "`" + strconv.Itoa(n)
	if p.failed(key, i+n) {
		return 0, "", false
	}
	for j := i + n; j < len(s); {
		if s[j] != '`' {
			j++
			continue
		}
		k := j
		for k < len(s) && s[k] == '`' {
			k++
		}
		if k-j == n {
			code = strings.ReplaceAll(s[i+n:j], "\n", " ")
			if len(code) >= 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
				code = code[1 : len(code)-1]
			}
			return k, code, true
		}
		j = k
	}
	p.fail(key, i+n)
	return 0, "", false
}

// emphasis matches a delimiter run at i ("*", "**", "_" or "__") with a
// closing run: the opener is followed and the closer preceded by a non-space,
// and "_" neither opens nor closes inside a word (snake_case stays text).
func (p *inliner) emphasis(s string, i int) (end int, inner string, strong bool, ok bool) {
	c := s[i]
	run := 0
	for i+run < len(s) && s[i+run] == c {
		run++
	}
	if c == '_' && i > 0 && isWordByte(s[i-1]) {
		return 0, "", false, false
	}
	for _, n := range []int{2, 1} {
		if run < n {
			continue
		}
		open := i + n
		if open >= len(s) || s[open] == ' ' || s[open] == '\n' {
			continue
		}
		delim := strings.Repeat(string(c), n)
		if p.failed(delim, open) {
			continue
		}
		found := false
		for j := open + 1; j+n <= len(s); j++ {
			if s[j:j+n] != delim || s[j-1] == ' ' || s[j-1] == '\n' || s[j-1] == '\\' {
				continue
			}
			// a single delimiter must not be part of a double one
			if n == 1 && ((j+1 < len(s) && s[j+1] == c) || s[j-1] == c) {
				continue
			}
			if c == '_' && j+n < len(s) && isWordByte(s[j+n]) {
				continue
			}
			found = true
			end, inner = j+n, s[open:j]
			break
		}
		if found {
			return end, inner, n == 2, true
		}
		p.fail(delim, open)
	}
	return 0, "", false, false
}

func isWordByte(c byte) bool {
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// link matches "[label](dest "title")" with s[i] == '['.
func (p *inliner) link(s string, i int) (end int, label, dest, title string, ok bool) {
	if p.failed("]", i) {
		return
	}
	depth, j := 0, i
	for ; j < len(s) && j-i < maxLinkText; j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			depth++
		case ']':
			depth--
		}
		if depth == 0 {
			break
		}
	}
	if j >= len(s) || s[j] != ']' || depth != 0 {
		if strings.IndexByte(s[i:], ']') < 0 {
			p.fail("]", i)
		}
		return
	}
	label = s[i+1 : j]
	k := j + 1
	if k >= len(s) || s[k] != '(' {
		return
	}
	k++
	for k < len(s) && (s[k] == ' ' || s[k] == '\n') {
		k++
	}
	// destination: up to whitespace or the ")" closing the link, with balanced parentheses
	start, parens := k, 0
	if k < len(s) && s[k] == '<' {
		e := strings.IndexAny(s[k:], ">\n")
		if e < 0 || s[k+e] != '>' {
			return
		}
		dest = s[k+1 : k+e]
		k += e + 1
	} else {
		for ; k < len(s); k++ {
			ch := s[k]
			if ch == ' ' || ch == '\n' || ch == '\t' {
				break
			}
			if ch == '(' {
				parens++
			}
			if ch == ')' {
				if parens == 0 {
					break
				}
				parens--
			}
		}
		dest = s[start:k]
	}
	for k < len(s) && (s[k] == ' ' || s[k] == '\n') {
		k++
	}
	if k < len(s) && (s[k] == '"' || s[k] == '\'') {
		q := s[k]
		e := strings.IndexByte(s[k+1:], q)
		if e < 0 {
			return
		}
		title = s[k+1 : k+1+e]
		k += e + 2
		for k < len(s) && (s[k] == ' ' || s[k] == '\n') {
			k++
		}
	}
	if k >= len(s) || s[k] != ')' {
		return
	}
	return k + 1, label, unescapePunct(dest), unescapePunct(title), true
}

func unescapePunct(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (p *inliner) anchor(b *strings.Builder, label, dest, title string, depth int) {
	inner := &inliner{plain: p.plain, noLinks: true}
	href, ok := SafeURL(dest, true)
	if !ok || p.plain {
		inner.render(b, label, depth+1)
		return
	}
	b.WriteString(`<a href="` + escape(href) + `"`)
	if title != "" {
		b.WriteString(` title="` + escape(title) + `"`)
	}
	b.WriteString(` rel="nofollow noopener">`)
	inner.render(b, label, depth+1)
	b.WriteString("</a>")
}

func (p *inliner) image(b *strings.Builder, label, dest, title string) {
	var alt strings.Builder
	(&inliner{plain: true, noLinks: true}).render(&alt, label, 0)
	src, ok := SafeURL(dest, false)
	if !ok || p.plain {
		b.WriteString(alt.String())
		return
	}
	b.WriteString(`<img src="` + escape(src) + `" alt="` + escape(alt.String()) + `"`)
	if title != "" {
		b.WriteString(` title="` + escape(title) + `"`)
	}
	b.WriteString(` loading="lazy">`)
}

// autolink matches "<https://…>" or "<mailto:…>" at s[i] == '<'.
func autolink(s string, i int) (end int, dest string, ok bool) {
	e := strings.IndexByte(s[i:], '>')
	if e < 0 {
		return 0, "", false
	}
	dest = s[i+1 : i+e]
	if strings.ContainsAny(dest, " \n\t<") {
		return 0, "", false
	}
	href, ok := SafeURL(dest, true)
	if !ok {
		return 0, "", false
	}
	return i + e + 1, href, true
}

// SafeURL returns u when it is an absolute http or https address (or, for
// links, a mailto address), the only kinds an article may point at: no
// javascript:, data: or relative addresses that a page's base could turn
// into something else.
func SafeURL(u string, mailto bool) (string, bool) {
	u = strings.TrimSpace(u)
	if u == "" || len(u) > 2048 {
		return "", false
	}
	for i := 0; i < len(u); i++ {
		if u[i] < 0x21 || u[i] == 0x7f {
			return "", false
		}
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return "", false
	}
	switch strings.ToLower(parsed.Scheme) {
	case "http", "https":
		if parsed.Host == "" {
			return "", false
		}
	case "mailto":
		if !mailto || parsed.Opaque == "" {
			return "", false
		}
	default:
		return "", false
	}
	return u, true
}

// escape makes text safe in HTML element content and in double- or
// single-quoted attribute values.
func escape(s string) string {
	if !strings.ContainsAny(s, `&<>"'`) {
		return s
	}
	return htmlEscaper.Replace(s)
}

var htmlEscaper = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;")
