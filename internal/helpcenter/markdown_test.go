package helpcenter

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRender(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"paragraphs", "one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>\n"},
		{"headings", "# Um\n### Três ###\n#nope", "<h1>Um</h1>\n<h3>Três</h3>\n<p>#nope</p>\n"},
		{"emphasis", "*a* _b_ **c** __d__ snake_case_name", "<p><em>a</em> <em>b</em> <strong>c</strong> <strong>d</strong> snake_case_name</p>\n"},
		{"nested emphasis", "*a **b** c*", "<p><em>a <strong>b</strong> c</em></p>\n"},
		{"unmatched emphasis", "2 * 3 * 4 and **open", "<p>2 * 3 * 4 and **open</p>\n"},
		{"inline code", "use `<b>` and ``a ` b``", "<p>use <code>&lt;b&gt;</code> and <code>a ` b</code></p>\n"},
		{"code block", "```go\nx := \"<y>\"\n```\nafter", "<pre><code class=\"language-go\">x := &#34;&lt;y&gt;&#34;\n</code></pre>\n<p>after</p>\n"},
		{"code block bad class", "``` a\"b\nx\n```", "<pre><code>x\n</code></pre>\n"},
		{"unclosed fence", "~~~\ncode", "<pre><code>code\n</code></pre>\n"},
		{"link", `[Site](https://example.com/a?b=1&c=2 "T")`, `<p><a href="https://example.com/a?b=1&amp;c=2" title="T" rel="nofollow noopener">Site</a></p>` + "\n"},
		{"mailto link", "[mail](mailto:a@example.com)", `<p><a href="mailto:a@example.com" rel="nofollow noopener">mail</a></p>` + "\n"},
		{"javascript link", "[x](javascript:alert(1))", "<p>x</p>\n"},
		{"javascript link mixed case", "[x](JaVaScRiPt:alert(1))", "<p>x</p>\n"},
		{"data link", "[x](data:text/html,<script>)", "<p>x</p>\n"},
		{"relative link", "[x](/admin)", "<p>x</p>\n"},
		{"link with parens", "[w](https://example.com/a_(b))", `<p><a href="https://example.com/a_(b)" rel="nofollow noopener">w</a></p>` + "\n"},
		{"image", `![a "b"](https://example.com/i.png)`, `<p><img src="https://example.com/i.png" alt="a &#34;b&#34;" loading="lazy"></p>` + "\n"},
		{"mailto image", "![a](mailto:a@example.com)", "<p>a</p>\n"},
		{"autolink", "<https://example.com>", `<p><a href="https://example.com" rel="nofollow noopener">https://example.com</a></p>` + "\n"},
		{"raw html", "<script>alert(1)</script>\n<img src=x onerror=alert(1)>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;img src=x onerror=alert(1)&gt;</p>\n"},
		{"attribute breakout", `[x](https://e.com/"onmouseover="alert(1))`, `<p><a href="https://e.com/&#34;onmouseover=&#34;alert(1)" rel="nofollow noopener">x</a></p>` + "\n"},
		{"unordered list", "- a\n- b\n  continued\n* other", "<ul>\n<li>a</li>\n<li>b\ncontinued</li>\n<li>other</li>\n</ul>\n"},
		{"ordered list", "3. a\n4. b", "<ol start=\"3\">\n<li>a</li>\n<li>b</li>\n</ol>\n"},
		{"nested list", "1. a\n   - x\n   - y\n2. b", "<ol>\n<li>\n<p>a</p>\n<ul>\n<li>x</li>\n<li>y</li>\n</ul>\n</li>\n<li>b</li>\n</ol>\n"},
		{"loose list", "- a\n\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"},
		{"blockquote", "> quoted *text*\n> more\n\nafter", "<blockquote>\n<p>quoted <em>text</em>\nmore</p>\n</blockquote>\n<p>after</p>\n"},
		{"rule", "a\n\n---\nb", "<p>a</p>\n<hr>\n<p>b</p>\n"},
		{"line breaks", "a  \nb\\\nc", "<p>a  <br>\nb<br>\nc</p>\n"},
		{"backslash escapes", `\*not em\* \[x\](y)`, "<p>*not em* [x](y)</p>\n"},
		{"ampersand", "A & B &amp;", "<p>A &amp; B &amp;amp;</p>\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Render(c.in); got != c.want {
				t.Errorf("Render(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
			checkSafe(t, c.in, Render(c.in))
		})
	}
}

func TestRenderArticle(t *testing.T) {
	got := RenderArticle("# A\n###### F\n> ## Q\n- # L")
	want := "<h2>A</h2>\n<h6>F</h6>\n<blockquote>\n<h3>Q</h3>\n</blockquote>\n<ul>\n<li>\n<h2>L</h2>\n</li>\n</ul>\n"
	if got != want {
		t.Errorf("RenderArticle = %q, want %q", got, want)
	}
}

func TestPlainText(t *testing.T) {
	got := PlainText("# Título\n\nVeja o **manual** em [site](https://example.com) & `x < y`.\n- item\n```\ncode\n```")
	want := "Título Veja o manual em site & x < y. item code"
	if got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}

// Deep nesting and long runs of delimiters must render, and quickly.
func TestRenderHostile(t *testing.T) {
	inputs := []string{
		strings.Repeat(">", 5000) + " x",
		strings.Repeat("- ", 3000) + "x",
		strings.Repeat("*a ", 30000),
		strings.Repeat("[", 30000) + "]",
		strings.Repeat("`a", 30000),
		strings.Repeat("**", 30000),
		strings.Repeat("_a", 30000),
	}
	for _, in := range inputs {
		start := time.Now()
		out := Render(in)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Render(%q…) took %s", in[:20], d)
		}
		checkSafe(t, in, out)
	}
}

var (
	allowedTags  = map[string]bool{"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "em": true, "strong": true, "code": true, "pre": true, "a": true, "img": true, "ul": true, "ol": true, "li": true, "blockquote": true, "hr": true, "br": true}
	voidTags     = map[string]bool{"img": true, "hr": true, "br": true}
	allowedAttrs = map[string]bool{"href": true, "src": true, "alt": true, "title": true, "rel": true, "loading": true, "class": true, "start": true}
	attrRe       = regexp.MustCompile(`^ ([a-z]+)="([^"<>]*)"`)
)

// checkSafe scans the output as a browser would: every "<" opens a tag from
// the allow-list with allow-listed, quoted attributes; URLs are http(s) or
// mailto; tags nest properly; no text can close an attribute or open a tag.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	if strings.Contains(strings.ToLower(out), "<script") {
		t.Fatalf("output of %q contains <script: %q", in, out)
	}
	var stack []string
	for i := 0; i < len(out); {
		switch out[i] {
		case '>', '"':
			t.Fatalf("output of %q has a bare %q at %d: %q", in, out[i], i, out)
		case '<':
		default:
			i++
			continue
		}
		closing := strings.HasPrefix(out[i:], "</")
		j := i + 1
		if closing {
			j++
		}
		k := j
		for k < len(out) && out[k] >= 'a' && out[k] <= 'z' || (k > j && k < len(out) && out[k] >= '1' && out[k] <= '6') {
			k++
		}
		name := out[j:k]
		if !allowedTags[name] {
			t.Fatalf("output of %q has tag %q: %q", in, name, out)
		}
		for !closing && k < len(out) && out[k] == ' ' {
			m := attrRe.FindStringSubmatch(out[k:])
			if m == nil {
				t.Fatalf("output of %q has a malformed attribute at %d: %q", in, k, out)
			}
			if !allowedAttrs[m[1]] {
				t.Fatalf("output of %q has attribute %q", in, m[1])
			}
			if m[1] == "href" || m[1] == "src" {
				v := strings.ToLower(m[2])
				if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") && !(m[1] == "href" && strings.HasPrefix(v, "mailto:")) {
					t.Fatalf("output of %q has %s=%q", in, m[1], m[2])
				}
			}
			k += len(m[0])
		}
		if k >= len(out) || out[k] != '>' {
			t.Fatalf("output of %q has an unterminated tag at %d: %q", in, i, out)
		}
		switch {
		case closing:
			if len(stack) == 0 || stack[len(stack)-1] != name {
				t.Fatalf("output of %q closes %s while %v are open: %q", in, name, stack, out)
			}
			stack = stack[:len(stack)-1]
		case !voidTags[name]:
			stack = append(stack, name)
		}
		i = k + 1
	}
	if len(stack) > 0 {
		t.Fatalf("output of %q leaves %v open: %q", in, stack, out)
	}
	if strings.Contains(strings.ToLower(out), `href="javascript:`) {
		t.Fatalf("javascript: URL in output of %q", in)
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"# T\n\n*a* **b** `c`\n\n```\nx\n```\n- a\n  - b\n1. c\n> q\n\n[l](https://e.com) ![i](http://e.com/i.png) <mailto:a@b.c>",
		"[x](javascript:alert(1))", "<script>alert(1)</script>", `[a](https://x/"onload="y)`, "***a***", "_a_b_", "> - 1. ```\n",
		"[![i](https://e.com/i.png)](https://e.com)", "\\\n", "[a]( <https://e.com> 'x')", "- \n  \n  x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafe(t, in, Render(in))
		checkSafe(t, in, RenderArticle(in))
		_ = PlainText(in)
	})
}
