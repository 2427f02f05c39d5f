package httpapi

// The help centre (DESIGN M8): the agents' API that writes categories and
// articles, and the public side customers read without signing in — pages
// a search engine can index under /help/{workspace} and a JSON search for
// the chat widget, which runs on customers' own sites.
//
// The public endpoints are not rate limited yet; a per-IP limiter like the
// login one belongs in front of them before the widget ships.

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atende/atende/internal/helpcenter"
	"github.com/atende/atende/internal/store"
)

const (
	maxHelpTitle = 200
	maxHelpBody  = 100_000
	maxHelpQuery = 200
)

// optionalID is a JSON field that may be absent, null (clear it) or an id.
type optionalID struct {
	Set bool
	ID  *int64
}

func (o *optionalID) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.ID = nil
		return nil
	}
	var id int64
	if err := json.Unmarshal(b, &id); err != nil {
		return err
	}
	o.ID = &id
	return nil
}

type helpCategoryInput struct {
	Language *string `json:"language"`
	Name     *string `json:"name"`
	Slug     *string `json:"slug"`
	Position *int64  `json:"position"`
}

func (in helpCategoryInput) apply(c *store.HelpCategory) error {
	if in.Language != nil {
		if !helpcenter.ValidLanguage(*in.Language) {
			return errValidation("language must be pt-BR or en")
		}
		c.Language = *in.Language
	}
	if in.Name != nil {
		if err := requireName("name", *in.Name); err != nil {
			return err
		}
		c.Name = strings.TrimSpace(*in.Name)
	}
	if in.Slug != nil {
		if !helpcenter.ValidSlug(*in.Slug) {
			return errValidation("slug must be lower-case letters and digits joined by single hyphens (at most 80)")
		}
		c.Slug = *in.Slug
	}
	if in.Position != nil {
		if *in.Position < 0 || *in.Position > 1_000_000 {
			return errValidation("position must be between 0 and 1000000")
		}
		c.Position = *in.Position
	}
	return nil
}

func (s *Server) listHelpCategories(w http.ResponseWriter, r *http.Request) error {
	lang := r.URL.Query().Get("language")
	if lang != "" && !helpcenter.ValidLanguage(lang) {
		return errBadRequest("language must be pt-BR or en")
	}
	list, err := s.DB.R().HelpCategories(r.Context(), viewer(r).WorkspaceID, lang)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (s *Server) createHelpCategory(w http.ResponseWriter, r *http.Request) error {
	var in helpCategoryInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Name == nil || in.Language == nil {
		return errValidation("name and language are required")
	}
	var c store.HelpCategory
	if err := in.apply(&c); err != nil {
		return err
	}
	c, err := s.DB.W().CreateHelpCategory(r.Context(), viewer(r).WorkspaceID, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getHelpCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.DB.R().HelpCategory(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) patchHelpCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in helpCategoryInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	var c store.HelpCategory
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		var err error
		if c, err = q.HelpCategory(r.Context(), ws, id); err != nil {
			return err
		}
		if err := in.apply(&c); err != nil {
			return err
		}
		if err := q.UpdateHelpCategory(r.Context(), ws, c); err != nil {
			return err
		}
		c, err = q.HelpCategory(r.Context(), ws, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type helpArticleInput struct {
	CategoryID   optionalID `json:"category_id"`
	Language     *string    `json:"language"`
	Status       *string    `json:"status"`
	Title        *string    `json:"title"`
	Slug         *string    `json:"slug"`
	BodyMarkdown *string    `json:"body_markdown"`
}

func (in helpArticleInput) apply(a *store.HelpArticle) error {
	if in.CategoryID.Set {
		if in.CategoryID.ID != nil && *in.CategoryID.ID <= 0 {
			return errValidation("category_id must be a category's id or null")
		}
		a.CategoryID = in.CategoryID.ID
	}
	if in.Language != nil {
		if !helpcenter.ValidLanguage(*in.Language) {
			return errValidation("language must be pt-BR or en")
		}
		a.Language = *in.Language
	}
	if in.Status != nil {
		if !helpcenter.ValidStatus(*in.Status) {
			return errValidation("status must be draft or published")
		}
		a.Status = *in.Status
	}
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		if t == "" || utf8.RuneCountInString(t) > maxHelpTitle {
			return errValidation("title is required (at most 200 characters)")
		}
		a.Title = t
	}
	if in.Slug != nil {
		if !helpcenter.ValidSlug(*in.Slug) {
			return errValidation("slug must be lower-case letters and digits joined by single hyphens (at most 80)")
		}
		a.Slug = *in.Slug
	}
	if in.BodyMarkdown != nil {
		if utf8.RuneCountInString(*in.BodyMarkdown) > maxHelpBody {
			return errValidation("body_markdown is too long (at most 100000 characters)")
		}
		a.BodyMarkdown = *in.BodyMarkdown
	}
	return nil
}

// helpCategoryError explains a category the store refused.
func helpCategoryError(err error) error {
	if errors.Is(err, store.ErrBadReference) {
		return errValidation("category_id must be a category of this workspace in the article's language")
	}
	return err
}

func (s *Server) listHelpArticles(w http.ResponseWriter, r *http.Request) error {
	qv := r.URL.Query()
	f := store.HelpArticleFilter{Status: qv.Get("status"), Language: qv.Get("language"), Cursor: qv.Get("cursor")}
	if f.Status != "" && !helpcenter.ValidStatus(f.Status) {
		return errBadRequest("status must be draft or published")
	}
	if f.Language != "" && !helpcenter.ValidLanguage(f.Language) {
		return errBadRequest("language must be pt-BR or en")
	}
	var err error
	if f.CategoryID, err = queryInt(r, "category_id"); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	f.Limit = int(min(limit, 100))
	ws := viewer(r).WorkspaceID
	if query := qv.Get("q"); strings.TrimSpace(query) != "" {
		found, err := s.DB.R().SearchHelpArticles(r.Context(), ws, store.HelpSearch{Query: clipRunes(query, maxHelpQuery), Language: f.Language,
			PublishedOnly: f.Status == helpcenter.StatusPublished, Limit: f.Limit})
		if err != nil {
			return err
		}
		found = slices.DeleteFunc(found, func(a store.HelpArticle) bool {
			return (f.Status != "" && a.Status != f.Status) || (f.CategoryID > 0 && (a.CategoryID == nil || *a.CategoryID != f.CategoryID))
		})
		writeJSON(w, http.StatusOK, store.HelpArticlePage{Items: found})
		return nil
	}
	page, err := s.DB.R().HelpArticles(r.Context(), ws, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) createHelpArticle(w http.ResponseWriter, r *http.Request) error {
	var in helpArticleInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	if in.Title == nil || in.Language == nil {
		return errValidation("title and language are required")
	}
	u := currentUser(r)
	a := store.HelpArticle{Status: helpcenter.StatusDraft, AuthorID: &u.ID}
	if err := in.apply(&a); err != nil {
		return err
	}
	a, err := s.DB.W().CreateHelpArticle(r.Context(), u.WorkspaceID, a)
	if err != nil {
		return helpCategoryError(err)
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) getHelpArticle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.DB.R().HelpArticle(r.Context(), viewer(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) patchHelpArticle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in helpArticleInput
	if err := decode(w, r, &in, maxJSONBody); err != nil {
		return err
	}
	ws := viewer(r).WorkspaceID
	var a store.HelpArticle
	err = s.DB.Tx(r.Context(), func(q store.Q) error {
		var err error
		if a, err = q.HelpArticle(r.Context(), ws, id); err != nil {
			return err
		}
		if err := in.apply(&a); err != nil {
			return err
		}
		if err := q.UpdateHelpArticle(r.Context(), ws, a); err != nil {
			return helpCategoryError(err)
		}
		a, err = q.HelpArticle(r.Context(), ws, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// ---- the public side ----

// helpLanguage picks the language of a public request: ?lang= when it names
// one (pt, pt-BR, en…), else the preferred language of Accept-Language
// (any Portuguese → pt-BR), else English.
func helpLanguage(r *http.Request) string {
	if l, ok := parseHelpLang(r.URL.Query().Get("lang")); ok {
		return l
	}
	best, bestQ := helpcenter.LangEN, -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if l, ok := parseHelpLang(tag); ok && q > bestQ && q > 0 {
			best, bestQ = l, q
		}
	}
	return best
}

func parseHelpLang(tag string) (string, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "pt" || strings.HasPrefix(tag, "pt-") || strings.HasPrefix(tag, "pt_"):
		return helpcenter.LangPT, true
	case tag == "en" || strings.HasPrefix(tag, "en-") || strings.HasPrefix(tag, "en_"):
		return helpcenter.LangEN, true
	}
	return "", false
}

// helpCSS is the public pages' only style, inline and allowed by its hash:
// the pages need no other request and the policy allows no other style.
const helpCSS = `body{font:16px/1.6 system-ui,sans-serif;margin:0;color:#1f2937;background:#f9fafb}` +
	`header,main,footer{max-width:46rem;margin:0 auto;padding:1rem 1.25rem}` +
	`header{border-bottom:1px solid #e5e7eb}header a{color:inherit;text-decoration:none;font-weight:600}` +
	`form{display:flex;gap:.5rem;margin:1rem 0}input[type=search]{flex:1;padding:.5rem;font:inherit}` +
	`button{padding:.5rem 1rem;font:inherit}a{color:#1d4ed8}h1{line-height:1.25}` +
	`ul.articles{list-style:none;padding:0}ul.articles li{margin:.5rem 0}.snippet{color:#4b5563;margin:.25rem 0 0}` +
	`article img{max-width:100%}pre{overflow:auto;background:#f3f4f6;padding:.75rem}` +
	`blockquote{border-left:4px solid #d1d5db;margin-left:0;padding-left:1rem;color:#4b5563}` +
	`nav.langs a{margin-right:.75rem}footer{color:#6b7280;font-size:.875rem}`

var helpCSP = func() string {
	sum := sha256.Sum256([]byte(helpCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src http: https:; " +
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}()

var helpText = map[string]map[string]string{
	helpcenter.LangPT: {"help": "Central de ajuda", "search": "Buscar", "placeholder": "Buscar artigos", "results": "Resultados para",
		"none": "Nenhum artigo encontrado.", "empty": "Ainda não há artigos publicados.", "other": "Outros artigos",
		"notfound": "Página não encontrada", "notfoundText": "O artigo que você procura não existe ou não está publicado.", "back": "Voltar à central de ajuda",
		"updated": "Atualizado em"},
	helpcenter.LangEN: {"help": "Help centre", "search": "Search", "placeholder": "Search articles", "results": "Results for",
		"none": "No articles found.", "empty": "No articles have been published yet.", "other": "Other articles",
		"notfound": "Page not found", "notfoundText": "The article you are looking for does not exist or is not published.", "back": "Back to the help centre",
		"updated": "Updated"},
}

// helpPage is what the page template shows; exactly one of Sections,
// Results (with Query), Article or NotFound is set.
type helpPage struct {
	Lang        string
	T           map[string]string
	Title       string
	Description string
	Canonical   string
	NoIndex     bool
	Workspace   string
	HomeURL     string
	SearchURL   string
	Alternates  []helpLink
	Query       string
	Searched    bool
	Sections    []helpSection
	Results     []helpResult
	Article     *helpArticleView
	NotFound    bool
}

type helpLink struct{ Lang, Label, URL string }

type helpSection struct {
	Name     string
	Slug     string
	Articles []helpResult
}

type helpResult struct {
	Title   string `json:"title"`
	Snippet string `json:"snippet"`
	URL     string `json:"url"`
	Slug    string `json:"slug"`
	Lang    string `json:"language"`
}

type helpArticleView struct {
	Title string
	Body  template.HTML
	Date  string
}

var helpTemplate = template.Must(template.New("help").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
{{if .Description}}<meta name="description" content="{{.Description}}">
{{end}}{{if .NoIndex}}<meta name="robots" content="noindex">
{{end}}{{if .Canonical}}<link rel="canonical" href="{{.Canonical}}">
{{end}}{{range .Alternates}}<link rel="alternate" hreflang="{{.Lang}}" href="{{.URL}}">
{{end}}<style>` + helpCSS + `</style>
</head>
<body>
<header>{{if .HomeURL}}<a href="{{.HomeURL}}">{{.Workspace}} · {{index .T "help"}}</a>{{else}}{{index .T "help"}}{{end}}
{{if .SearchURL}}<form method="get" action="{{.SearchURL}}" role="search"><input type="hidden" name="lang" value="{{.Lang}}"><input type="search" name="q" value="{{.Query}}" placeholder="{{index .T "placeholder"}}" aria-label="{{index .T "placeholder"}}" maxlength="200"><button type="submit">{{index .T "search"}}</button></form>{{end}}
</header>
<main>
{{- if .NotFound}}
<h1>{{index .T "notfound"}}</h1>
<p>{{index .T "notfoundText"}}</p>
{{if .HomeURL}}<p><a href="{{.HomeURL}}">{{index .T "back"}}</a></p>{{end}}
{{- else if .Article}}
<article>
<h1>{{.Article.Title}}</h1>
{{.Article.Body}}
{{if .Article.Date}}<p><small>{{index .T "updated"}} {{.Article.Date}}</small></p>{{end}}
</article>
<p><a href="{{.HomeURL}}">{{index .T "back"}}</a></p>
{{- else if .Searched}}
<h1>{{index .T "results"}} “{{.Query}}”</h1>
{{if .Results}}<ul class="articles">{{range .Results}}
<li><a href="{{.URL}}">{{.Title}}</a><p class="snippet">{{.Snippet}}</p></li>{{end}}
</ul>{{else}}<p>{{index .T "none"}}</p>{{end}}
{{- else}}
<h1>{{index .T "help"}}</h1>
{{range .Sections}}<section{{if .Slug}} id="{{.Slug}}"{{end}}>
<h2>{{if .Name}}{{.Name}}{{else}}{{index $.T "other"}}{{end}}</h2>
<ul class="articles">{{range .Articles}}
<li><a href="{{.URL}}">{{.Title}}</a>{{if .Snippet}}<p class="snippet">{{.Snippet}}</p>{{end}}</li>{{end}}
</ul>
</section>
{{else}}<p>{{index .T "empty"}}</p>
{{end}}
{{- end}}
</main>
<footer><nav class="langs">{{range .Alternates}}<a href="{{.URL}}" hreflang="{{.Lang}}">{{.Label}}</a>{{end}}</nav></footer>
</body>
</html>
`))

func (s *Server) writeHelpPage(w http.ResponseWriter, status int, p helpPage) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", helpCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Vary", "Accept-Language")
	if status == http.StatusOK && !p.NoIndex {
		h.Set("Cache-Control", "public, max-age=60")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	if p.T == nil {
		p.T = helpText[p.Lang]
	}
	w.WriteHeader(status)
	return helpTemplate.Execute(w, p)
}

// helpURLs builds the public addresses of a workspace's help centre.
type helpURLs struct{ base, ws string }

func (u helpURLs) home(lang string) string {
	return u.base + "/help/" + url.PathEscape(u.ws) + "?lang=" + url.QueryEscape(lang)
}

func (u helpURLs) article(slug, lang string) string {
	return u.base + "/help/" + url.PathEscape(u.ws) + "/" + url.PathEscape(slug) + "?lang=" + url.QueryEscape(lang)
}

func (u helpURLs) alternates(at func(lang string) string) []helpLink {
	return []helpLink{{helpcenter.LangPT, "Português", at(helpcenter.LangPT)}, {helpcenter.LangEN, "English", at(helpcenter.LangEN)}}
}

// helpNotFound answers the public 404 page.
func (s *Server) helpNotFound(w http.ResponseWriter, lang string, ws *store.Workspace, u helpURLs) error {
	p := helpPage{Lang: lang, Title: helpText[lang]["notfound"], NoIndex: true, NotFound: true}
	if ws != nil {
		p.Workspace, p.HomeURL, p.SearchURL = ws.Name, u.home(lang), "/help/"+url.PathEscape(ws.Slug)
	}
	return s.writeHelpPage(w, http.StatusNotFound, p)
}

// helpWorkspace finds the workspace of a public help request; nil when there is none.
func (s *Server) helpWorkspace(r *http.Request) (*store.Workspace, error) {
	ws, err := s.DB.R().WorkspaceBySlug(r.Context(), r.PathValue("workspace"))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &ws, nil
}

func (s *Server) helpIndex(w http.ResponseWriter, r *http.Request) error {
	lang := helpLanguage(r)
	ws, err := s.helpWorkspace(r)
	if err != nil {
		return err
	}
	if ws == nil {
		return s.helpNotFound(w, lang, nil, helpURLs{})
	}
	u := helpURLs{base: s.publicURL(r), ws: ws.Slug}
	t := helpText[lang]
	p := helpPage{Lang: lang, T: t, Workspace: ws.Name, HomeURL: "/help/" + url.PathEscape(ws.Slug), SearchURL: "/help/" + url.PathEscape(ws.Slug),
		Canonical: u.home(lang), Alternates: u.alternates(u.home)}
	if query := strings.TrimSpace(r.URL.Query().Get("q")); query != "" {
		query = clipRunes(query, maxHelpQuery)
		found, err := s.DB.R().SearchHelpArticles(r.Context(), ws.ID, store.HelpSearch{Query: query, Language: lang, PublishedOnly: true})
		if err != nil {
			return err
		}
		p.Title = query + " · " + t["help"] + " · " + ws.Name
		p.Query, p.Searched, p.NoIndex, p.Results = query, true, true, helpResults(found, query, u)
		return s.writeHelpPage(w, http.StatusOK, p)
	}
	cats, err := s.DB.R().HelpCategories(r.Context(), ws.ID, lang)
	if err != nil {
		return err
	}
	arts, err := s.DB.R().PublishedHelpArticles(r.Context(), ws.ID, lang)
	if err != nil {
		return err
	}
	byCat := map[int64][]store.HelpArticle{}
	for _, a := range arts {
		var c int64
		if a.CategoryID != nil {
			c = *a.CategoryID
		}
		byCat[c] = append(byCat[c], a)
	}
	section := func(name, slug string, list []store.HelpArticle) {
		if len(list) == 0 {
			return
		}
		slices.SortFunc(list, func(a, b store.HelpArticle) int {
			return strings.Compare(helpcenter.Fold(a.Title), helpcenter.Fold(b.Title))
		})
		p.Sections = append(p.Sections, helpSection{Name: name, Slug: slug, Articles: helpResults(list, "", u)})
	}
	var names []string
	for _, c := range cats {
		section(c.Name, c.Slug, byCat[c.ID])
		delete(byCat, c.ID)
		names = append(names, c.Name)
	}
	var rest []store.HelpArticle
	for _, list := range byCat { // uncategorised, and categories of another language
		rest = append(rest, list...)
	}
	section("", "", rest)
	p.Title = t["help"] + " · " + ws.Name
	p.Description = ws.Name + " · " + t["help"]
	if len(names) > 0 {
		p.Description += ": " + strings.Join(names, ", ")
	}
	return s.writeHelpPage(w, http.StatusOK, p)
}

// helpResults turns articles into links with a snippet of their text
// around the query's words.
func helpResults(list []store.HelpArticle, query string, u helpURLs) []helpResult {
	terms := helpcenter.Terms(query, 8)
	out := make([]helpResult, 0, len(list))
	for _, a := range list {
		out = append(out, helpResult{Title: a.Title, Slug: a.Slug, Lang: a.Language, URL: u.article(a.Slug, a.Language),
			Snippet: helpcenter.Snippet(helpcenter.PlainText(a.BodyMarkdown), terms, 180)})
	}
	return out
}

func (s *Server) helpArticlePage(w http.ResponseWriter, r *http.Request) error {
	lang := helpLanguage(r)
	ws, err := s.helpWorkspace(r)
	if err != nil {
		return err
	}
	if ws == nil {
		return s.helpNotFound(w, lang, nil, helpURLs{})
	}
	u := helpURLs{base: s.publicURL(r), ws: ws.Slug}
	a, err := s.DB.R().PublishedHelpArticle(r.Context(), ws.ID, r.PathValue("slug"), lang)
	if errors.Is(err, store.ErrNotFound) {
		return s.helpNotFound(w, lang, ws, u)
	}
	if err != nil {
		return err
	}
	if err := s.DB.W().CountHelpArticleView(r.Context(), ws.ID, a.ID); err != nil {
		s.log.Warn("help: count view", "article", a.ID, "err", err)
	}
	t := helpText[a.Language]
	desc := helpcenter.Snippet(helpcenter.PlainText(a.BodyMarkdown), nil, 160)
	if desc == "" {
		desc = a.Title
	}
	// RenderArticle escapes all text and allows only safe URLs (FuzzRender)
	view := &helpArticleView{Title: a.Title, Body: template.HTML(helpcenter.RenderArticle(a.BodyMarkdown))}
	loc, err := time.LoadLocation(ws.Timezone)
	if err != nil {
		loc = time.UTC
	}
	view.Date = time.UnixMilli(a.UpdatedAt).In(loc).Format("2006-01-02")
	p := helpPage{Lang: a.Language, T: t, Workspace: ws.Name, HomeURL: "/help/" + url.PathEscape(ws.Slug) + "?lang=" + url.QueryEscape(a.Language),
		SearchURL: "/help/" + url.PathEscape(ws.Slug),
		Title:     a.Title + " · " + ws.Name, Description: desc, Canonical: u.article(a.Slug, a.Language), Article: view}
	return s.writeHelpPage(w, http.StatusOK, p)
}

// helpSearchJSON is the widget's search: published articles of the
// workspace, best match first. Any site may call it (the widget runs on
// customers' sites), and it carries no credentials.
func (s *Server) helpSearchJSON(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Vary", "Accept-Language")
	lang := r.URL.Query().Get("lang")
	if lang != "" {
		l, ok := parseHelpLang(lang)
		if !ok {
			return errBadRequest("lang must be pt-BR or en")
		}
		lang = l
	} else {
		lang = helpLanguage(r)
	}
	ws, err := s.helpWorkspace(r)
	if err != nil {
		return err
	}
	if ws == nil {
		return errNotFound()
	}
	query := clipRunes(r.URL.Query().Get("q"), maxHelpQuery)
	found, err := s.DB.R().SearchHelpArticles(r.Context(), ws.ID, store.HelpSearch{Query: query, Language: lang, PublishedOnly: true, Limit: 10})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": helpResults(found, query, helpURLs{base: s.publicURL(r), ws: ws.Slug})})
	return nil
}
