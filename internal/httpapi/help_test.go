package httpapi_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

type helpArticleResp struct {
	ID          int64  `json:"id"`
	CategoryID  *int64 `json:"category_id"`
	Status      string `json:"status"`
	Slug        string `json:"slug"`
	Language    string `json:"language"`
	AuthorID    *int64 `json:"author_id"`
	Views       int64  `json:"views"`
	PublishedAt *int64 `json:"published_at"`
}

// page fetches a public help page without credentials.
func (h *testAPI) page(path string, header http.Header) response {
	h.t.Helper()
	return h.send(request{method: http.MethodGet, path: path, header: header})
}

// checkHelpPage asserts the headers every public help page carries, and
// that its one inline style is the one the policy allows by hash.
func checkHelpPage(t *testing.T, r response, what string) string {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
		t.Errorf("%s: Content-Security-Policy %q", what, csp)
	}
	body := string(r.body)
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s: no <style>: %s", what, body)
	}
	sum := sha256.Sum256([]byte(m[1]))
	if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, hash) {
		t.Errorf("%s: the policy %q does not allow the page's style (%s)", what, csp, hash)
	}
	if strings.Contains(strings.ToLower(body), "<script") {
		t.Errorf("%s: the page has a script: %s", what, body)
	}
	return body
}

func TestHelpCentreEndToEnd(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		ws := h.fix.WS.Slug
		cat := h.must(201, actSupervisor, "POST", "/api/v1/help/categories", map[string]any{"name": "Conversas", "language": "pt-BR"}).json()
		catID := int64(cat["id"].(float64))
		if cat["slug"] != "conversas" {
			t.Errorf("category: %v", cat)
		}
		body := "Veja a **atribuição** de conversas.\n\n<script>alert(1)</script>\n\n- passo um\n- [ajuda](javascript:alert(1))"
		var art helpArticleResp
		h.must(201, actSupervisor, "POST", "/api/v1/help/articles", map[string]any{"title": "Atribuição de conversas", "language": "pt-BR",
			"category_id": catID, "body_markdown": body}).into(t, &art)
		if art.Status != "draft" || art.Slug != "atribuicao-de-conversas" || art.AuthorID == nil || *art.AuthorID != h.fix.Supervisor.ID || art.PublishedAt != nil {
			t.Errorf("created article: %+v", art)
		}
		apath := fmt.Sprintf("/api/v1/help/articles/%d", art.ID)

		// a draft is nowhere on the public side
		index := checkHelpPage(t, h.page("/help/"+ws+"?lang=pt-BR", nil), "index")
		if strings.Contains(index, "Atribuição") {
			t.Errorf("draft on the public index: %s", index)
		}
		if r := h.page("/help/"+ws+"/"+art.Slug, nil); r.status != 404 {
			t.Errorf("draft article page: %s", r)
		}
		if r := h.page("/api/v1/public/help/"+ws+"/search?q=atribuicao&lang=pt-BR", nil); r.status != 200 || strings.Contains(string(r.body), "Atribu") {
			t.Errorf("draft in the widget search: %s", r)
		}

		// every user reads; only managers write
		h.must(200, actAgentA, "GET", apath, nil)
		h.must(200, actAgentC, "GET", "/api/v1/help/articles?status=draft", nil)
		r := h.must(403, actAgentA, "POST", "/api/v1/help/articles", map[string]any{"title": "x", "language": "en"})
		assertErrorEnvelope(t, r, "agent creates an article")
		h.must(403, actAgentA, "PATCH", apath, map[string]any{"status": "published"})
		h.must(403, actAgentB, "POST", "/api/v1/help/categories", map[string]any{"name": "x", "language": "en"})

		// another workspace's ids answer 404
		for _, m := range []string{"GET", "PATCH", "DELETE"} {
			var ab, cb any
			if m == "PATCH" {
				ab, cb = map[string]any{"title": "tomada"}, map[string]any{"name": "tomada"}
			}
			h.must(404, actAdmin2, m, apath, ab)
			h.must(404, actAdmin2, m, fmt.Sprintf("/api/v1/help/categories/%d", catID), cb)
		}
		h.must(422, actAdmin2, "POST", "/api/v1/help/articles", map[string]any{"title": "x", "language": "pt-BR", "category_id": catID})
		if list := h.must(200, actAgent2, "GET", "/api/v1/help/articles", nil).json(); len(list["items"].([]any)) != 0 {
			t.Errorf("WS2 lists WS's articles: %v", list)
		}

		// publish
		h.must(200, actAdmin, "PATCH", apath, map[string]any{"status": "published"}).into(t, &art)
		if art.PublishedAt == nil {
			t.Errorf("published article: %+v", art)
		}
		index = checkHelpPage(t, h.page("/help/"+ws, http.Header{"Accept-Language": {"pt-BR,pt;q=0.9,en;q=0.8"}}), "index")
		for _, want := range []string{`<html lang="pt-BR">`, "<title>Central de ajuda · " + h.fix.WS.Name + "</title>", `<meta name="description" content="`,
			`<link rel="canonical" href="` + h.srv.URL + "/help/" + ws + `?lang=pt-BR">`, "<h2>Conversas</h2>",
			`href="` + h.srv.URL + "/help/" + ws + "/atribuicao-de-conversas?lang=pt-BR\">Atribuição de conversas</a>"} {
			if !strings.Contains(index, want) {
				t.Errorf("index lacks %q:\n%s", want, index)
			}
		}
		page := checkHelpPage(t, h.page("/help/"+ws+"/"+art.Slug, nil), "article")
		for _, want := range []string{`<html lang="pt-BR">`, "<h1>Atribuição de conversas</h1>", "<strong>atribuição</strong>",
			"&lt;script&gt;alert(1)&lt;/script&gt;", "<li>ajuda</li>", `<link rel="canonical" href="` + h.srv.URL + "/help/" + ws + "/" + art.Slug + `?lang=pt-BR">`,
			`<meta name="description" content="Veja a atribuição de conversas.`} {
			if !strings.Contains(page, want) {
				t.Errorf("article page lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "javascript:") {
			t.Errorf("article page links to javascript: %s", page)
		}
		h.must(200, actAgentA, "GET", apath, nil).into(t, &art)
		if art.Views != 1 {
			t.Errorf("views = %d after one visit", art.Views)
		}

		// search without accents, on the page (no JavaScript) and for the widget
		results := checkHelpPage(t, h.page("/help/"+ws+"?q=ATRIBUICAO&lang=pt", nil), "search page")
		if !strings.Contains(results, "/help/"+ws+"/atribuicao-de-conversas?lang=pt-BR") || !strings.Contains(results, `<meta name="robots" content="noindex">`) {
			t.Errorf("search page does not find the article:\n%s", results)
		}
		r = h.page("/api/v1/public/help/"+ws+"/search?q=atribuicao", http.Header{"Accept-Language": {"pt-BR"}})
		var found struct {
			Items []struct{ Title, Snippet, URL string } `json:"items"`
		}
		r.into(t, &found)
		if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "*" || len(found.Items) != 1 ||
			found.Items[0].URL != h.srv.URL+"/help/"+ws+"/atribuicao-de-conversas?lang=pt-BR" || !strings.Contains(found.Items[0].Snippet, "atribuição") {
			t.Errorf("widget search: %s", r)
		}
		if r := h.page("/api/v1/public/help/"+ws+"/search?q=atribuicao&lang=en", nil); strings.Contains(string(r.body), "Atribu") {
			t.Errorf("English search finds the Portuguese article: %s", r)
		}
		if r := h.must(200, actAgentB, "GET", "/api/v1/help/articles?q=atribuic&language=pt-BR", nil).json(); len(r["items"].([]any)) != 1 {
			t.Errorf("agent search: %v", r)
		}

		// English visitors see the English (empty) help centre
		en := checkHelpPage(t, h.page("/help/"+ws, http.Header{"Accept-Language": {"en-US,en;q=0.9"}}), "English index")
		if !strings.Contains(en, `<html lang="en">`) || strings.Contains(en, "Atribuição") {
			t.Errorf("English index:\n%s", en)
		}

		// unknown workspace, unknown article, other tenant's workspace slug
		for _, p := range []string{"/help/nao-existe", "/help/nao-existe/x", "/help/" + ws + "/nao-existe", "/help/" + h.fix.WS2.Slug + "/" + art.Slug} {
			r := h.page(p, nil)
			if r.status != 404 {
				t.Errorf("GET %s: %s", p, r)
			}
			checkHelpPage(t, r, p)
		}
		if r := h.page("/api/v1/public/help/nao-existe/search?q=x", nil); r.status != 404 {
			t.Errorf("widget search of an unknown workspace: %s", r)
		}

		// back to draft, then delete
		h.must(200, actSupervisor, "PATCH", apath, map[string]any{"status": "draft", "category_id": nil})
		if r := h.page("/help/"+ws+"/"+art.Slug, nil); r.status != 404 {
			t.Errorf("unpublished article page: %s", r)
		}
		h.must(204, actSupervisor, "DELETE", apath, nil)
		h.must(404, actAdmin, "GET", apath, nil)
		h.must(204, actAdmin, "DELETE", fmt.Sprintf("/api/v1/help/categories/%d", catID), nil)
	})
}

func TestHelpBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		cat := h.must(201, actAdmin, "POST", "/api/v1/help/categories", map[string]any{"name": "Geral", "language": "en"}).json()
		var art helpArticleResp
		h.must(201, actAdmin, "POST", "/api/v1/help/articles", map[string]any{"title": "Hello", "language": "en"}).into(t, &art)
		apath := fmt.Sprintf("/api/v1/help/articles/%d", art.ID)
		before := h.snapshot()
		long := strings.Repeat("a", 100_001)
		for _, c := range []struct {
			method, path string
			body         any
			want         int
		}{
			{"POST", "/api/v1/help/articles", map[string]any{"title": " ", "language": "en"}, 422},
			{"POST", "/api/v1/help/articles", map[string]any{"language": "en"}, 422},
			{"POST", "/api/v1/help/articles", map[string]any{"title": strings.Repeat("t", 201), "language": "en"}, 422},
			{"POST", "/api/v1/help/articles", map[string]any{"title": "x", "language": "es"}, 422},
			{"POST", "/api/v1/help/articles", map[string]any{"title": "x", "language": "en", "status": "archived"}, 422},
			{"POST", "/api/v1/help/articles", map[string]any{"title": "x", "language": "en", "body_markdown": long}, 422},
			{"POST", "/api/v1/help/articles", map[string]any{"title": "x", "language": "en", "slug": "Not A Slug"}, 422},
			{"POST", "/api/v1/help/articles", map[string]any{"title": "x", "language": "en", "category_id": 999999}, 422},
			{"POST", "/api/v1/help/articles", map[string]any{"title": "x", "language": "pt-BR", "category_id": cat["id"]}, 422},
			{"POST", "/api/v1/help/articles", map[string]any{"title": "x", "language": "en", "category_id": "1"}, 400},
			{"POST", "/api/v1/help/articles", map[string]any{"title": "x", "language": "en", "autor": 1}, 400},
			{"POST", "/api/v1/help/articles", map[string]any{"title": "x\u0000", "language": "en"}, 400},
			{"PATCH", apath, map[string]any{"title": ""}, 422},
			{"PATCH", apath, map[string]any{"language": "fr"}, 422},
			{"PATCH", apath, map[string]any{"status": "public"}, 422},
			{"PATCH", apath, map[string]any{"body_markdown": long}, 422},
			{"PATCH", apath, map[string]any{"category_id": 0}, 422},
			{"POST", "/api/v1/help/categories", map[string]any{"name": "", "language": "en"}, 422},
			{"POST", "/api/v1/help/categories", map[string]any{"name": "x", "language": "de"}, 422},
			{"POST", "/api/v1/help/categories", map[string]any{"name": "x", "language": "en", "position": -1}, 422},
			{"GET", "/api/v1/help/articles?status=archived", nil, 400},
			{"GET", "/api/v1/help/articles?cursor=zzz", nil, 400},
			{"GET", "/api/v1/public/help/" + h.fix.WS.Slug + "/search?q=x&lang=xx", nil, 400},
		} {
			r := h.as(actAdmin, c.method, c.path, c.body)
			if r.status != c.want {
				t.Errorf("%s %s %v: got %s, want %d", c.method, c.path, c.body, r, c.want)
				continue
			}
			assertErrorEnvelope(t, r, c.method+" "+c.path)
		}
		if d := before.diff(h.snapshot()); len(d) > 0 {
			t.Errorf("bad input wrote: %v", d)
		}
	})
}

func TestHelpLanguageChoice(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine, withoutRunner())
		ws := h.fix.WS.Slug
		for _, c := range []struct{ lang, accept, want string }{
			{"", "", "en"},
			{"", "pt-BR,pt;q=0.9", "pt-BR"},
			{"", "de-DE,pt-PT;q=0.8,en;q=0.5", "pt-BR"},
			{"", "en-GB,pt;q=0.3", "en"},
			{"en", "pt-BR", "en"},
			{"pt", "en", "pt-BR"},
			{"klingon", "pt-BR", "pt-BR"},
		} {
			path := "/help/" + ws
			if c.lang != "" {
				path += "?lang=" + c.lang
			}
			body := checkHelpPage(t, h.page(path, http.Header{"Accept-Language": {c.accept}}), path)
			if !strings.Contains(body, `<html lang="`+c.want+`">`) {
				t.Errorf("lang=%q Accept-Language %q: want %s", c.lang, c.accept, c.want)
			}
		}
	})
}
