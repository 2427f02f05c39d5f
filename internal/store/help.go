package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/atende/atende/internal/helpcenter"
)

// HelpCategory groups help-centre articles of one language.
type HelpCategory struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"-"`
	Language    string `json:"language"`
	Name        string `json:"name"`
	Slug        string `json:"slug"`
	Position    int64  `json:"position"`
	CreatedAt   int64  `json:"created_at"`
	UpdatedAt   int64  `json:"updated_at"`
}

const helpCategoryCols = `id, workspace_id, language, name, slug, position, created_at, updated_at`

func scanHelpCategory(row interface{ Scan(...any) error }) (HelpCategory, error) {
	var c HelpCategory
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.Language, &c.Name, &c.Slug, &c.Position, &c.CreatedAt, &c.UpdatedAt)
	return c, mapErr(err)
}

// HelpCategories lists a workspace's categories of lang ("" for every
// language) in their display order.
func (q Q) HelpCategories(ctx context.Context, ws int64, lang string) ([]HelpCategory, error) {
	rows, err := q.query(ctx, `SELECT `+helpCategoryCols+` FROM help_categories WHERE workspace_id = $1 AND ($2 = '' OR language = $2)
		ORDER BY language, position, id`, ws, lang)
	if err != nil {
		return nil, fmt.Errorf("store: list help categories: %w", err)
	}
	defer rows.Close()
	list := []HelpCategory{}
	for rows.Next() {
		c, err := scanHelpCategory(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// HelpCategory returns one category of ws.
func (q Q) HelpCategory(ctx context.Context, ws, id int64) (HelpCategory, error) {
	c, err := scanHelpCategory(q.queryRow(ctx, `SELECT `+helpCategoryCols+` FROM help_categories WHERE id = $1 AND workspace_id = $2`, id, ws))
	if err != nil {
		return c, fmt.Errorf("store: get help category %d: %w", id, err)
	}
	return c, nil
}

// CreateHelpCategory inserts c; an empty slug is made from the name, and a
// slug already taken gets a number ("faq-2").
func (q Q) CreateHelpCategory(ctx context.Context, ws int64, c HelpCategory) (HelpCategory, error) {
	slug, err := q.freeSlug(ctx, "help_categories", ws, c.Language, orSlug(c.Slug, c.Name, "categoria"), 0)
	if err != nil {
		return HelpCategory{}, err
	}
	now := Now()
	id, err := q.insert(ctx, `INSERT INTO help_categories (workspace_id, language, name, slug, position, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`, ws, c.Language, c.Name, slug, c.Position, now)
	if err != nil {
		return HelpCategory{}, fmt.Errorf("store: create help category %q: %w", c.Name, err)
	}
	return q.HelpCategory(ctx, ws, id)
}

// UpdateHelpCategory writes c's name, slug, position and language. Its
// articles keep pointing at it.
func (q Q) UpdateHelpCategory(ctx context.Context, ws int64, c HelpCategory) error {
	res, err := q.exec(ctx, `UPDATE help_categories SET language = $3, name = $4, slug = $5, position = $6, updated_at = $7
		WHERE id = $1 AND workspace_id = $2`, c.ID, ws, c.Language, c.Name, c.Slug, c.Position, Now())
	return affected(res, err, "update help category", c.ID)
}

// DeleteHelpCategory removes a category; its articles stay, uncategorised.
func (q Q) DeleteHelpCategory(ctx context.Context, ws, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM help_categories WHERE id = $1 AND workspace_id = $2`, id, ws)
	return affected(res, err, "delete help category", id)
}

// HelpArticle is a help-centre article written in Markdown.
type HelpArticle struct {
	ID           int64  `json:"id"`
	WorkspaceID  int64  `json:"-"`
	CategoryID   *int64 `json:"category_id"`
	Language     string `json:"language"`
	Status       string `json:"status"`
	Title        string `json:"title"`
	Slug         string `json:"slug"`
	BodyMarkdown string `json:"body_markdown"`
	AuthorID     *int64 `json:"author_id"`
	Views        int64  `json:"views"`
	CreatedAt    int64  `json:"created_at"`
	UpdatedAt    int64  `json:"updated_at"`
	PublishedAt  *int64 `json:"published_at"`
}

const helpArticleCols = `a.id, a.workspace_id, a.category_id, a.language, a.status, a.title, a.slug, a.body_markdown, a.author_id, a.views,
	a.created_at, a.updated_at, a.published_at`

// helpSummaryCols read only the start of the body: enough for a
// description, without loading every full article of a listing.
var helpSummaryCols = strings.Replace(helpArticleCols, "a.body_markdown", "substr(a.body_markdown, 1, 600)", 1)

func scanHelpArticle(row interface{ Scan(...any) error }) (HelpArticle, error) {
	var a HelpArticle
	err := row.Scan(&a.ID, &a.WorkspaceID, &a.CategoryID, &a.Language, &a.Status, &a.Title, &a.Slug, &a.BodyMarkdown, &a.AuthorID, &a.Views,
		&a.CreatedAt, &a.UpdatedAt, &a.PublishedAt)
	return a, mapErr(err)
}

func scanHelpArticles(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]HelpArticle, error) {
	defer rows.Close()
	list := []HelpArticle{}
	for rows.Next() {
		a, err := scanHelpArticle(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, a)
	}
	return list, rows.Err()
}

// HelpArticle returns one article of ws.
func (q Q) HelpArticle(ctx context.Context, ws, id int64) (HelpArticle, error) {
	a, err := scanHelpArticle(q.queryRow(ctx, `SELECT `+helpArticleCols+` FROM help_articles a WHERE a.id = $1 AND a.workspace_id = $2`, id, ws))
	if err != nil {
		return a, fmt.Errorf("store: get help article %d: %w", id, err)
	}
	return a, nil
}

// PublishedHelpArticle returns the published article of ws with slug,
// preferring the one in lang when the slug exists in several languages.
func (q Q) PublishedHelpArticle(ctx context.Context, ws int64, slug, lang string) (HelpArticle, error) {
	a, err := scanHelpArticle(q.queryRow(ctx, `SELECT `+helpArticleCols+` FROM help_articles a
		WHERE a.workspace_id = $1 AND a.slug = $2 AND a.status = 'published'
		ORDER BY CASE WHEN a.language = $3 THEN 0 ELSE 1 END, a.id LIMIT 1`, ws, slug, lang))
	if err != nil {
		return a, fmt.Errorf("store: get help article %q: %w", slug, err)
	}
	return a, nil
}

// HelpArticleFilter selects a page of a workspace's articles, newest edit first.
type HelpArticleFilter struct {
	CategoryID int64  // 0: every category
	Status     string // "": every status
	Language   string // "": every language
	Cursor     string
	Limit      int
}

// HelpArticlePage is one page of articles and the cursor of the next.
type HelpArticlePage struct {
	Items      []HelpArticle `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// HelpArticles lists the articles of ws matching f, a page at a time
// (keyset on updated_at, id).
func (q Q) HelpArticles(ctx context.Context, ws int64, f HelpArticleFilter) (HelpArticlePage, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 50
	}
	var a sqlArgs
	where := "a.workspace_id = " + a.add(ws)
	if f.CategoryID > 0 {
		where += " AND a.category_id = " + a.add(f.CategoryID)
	}
	if f.Status != "" {
		where += " AND a.status = " + a.add(f.Status)
	}
	if f.Language != "" {
		where += " AND a.language = " + a.add(f.Language)
	}
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor)
		if err != nil {
			return HelpArticlePage{}, err
		}
		k := a.add(c.key)
		where += " AND (a.updated_at < " + k + " OR (a.updated_at = " + k + " AND a.id < " + a.add(c.id) + "))"
	}
	rows, err := q.query(ctx, `SELECT `+helpArticleCols+` FROM help_articles a WHERE `+where+
		` ORDER BY a.updated_at DESC, a.id DESC LIMIT `+strconv.Itoa(f.Limit+1), a...)
	if err != nil {
		return HelpArticlePage{}, fmt.Errorf("store: list help articles: %w", err)
	}
	list, err := scanHelpArticles(rows)
	if err != nil {
		return HelpArticlePage{}, fmt.Errorf("store: list help articles: %w", err)
	}
	page := HelpArticlePage{Items: list}
	if len(list) > f.Limit {
		last := list[f.Limit-1]
		page.Items = list[:f.Limit]
		page.NextCursor = cursor{key: last.UpdatedAt, id: last.ID}.String()
	}
	return page, nil
}

// maxPublicArticles bounds the public index page of a workspace.
const maxPublicArticles = 1000

// PublishedHelpArticles lists the published articles of ws in lang for the
// public index, with only the start of each body.
func (q Q) PublishedHelpArticles(ctx context.Context, ws int64, lang string) ([]HelpArticle, error) {
	rows, err := q.query(ctx, `SELECT `+helpSummaryCols+` FROM help_articles a
		WHERE a.workspace_id = $1 AND a.language = $2 AND a.status = 'published' ORDER BY a.id LIMIT `+strconv.Itoa(maxPublicArticles), ws, lang)
	if err != nil {
		return nil, fmt.Errorf("store: list published help articles: %w", err)
	}
	return scanHelpArticles(rows)
}

// checkHelpCategory refuses a category of another workspace or language:
// the foreign key alone would accept any workspace's category.
func (q Q) checkHelpCategory(ctx context.Context, ws int64, a HelpArticle) error {
	if a.CategoryID == nil {
		return nil
	}
	c, err := q.HelpCategory(ctx, ws, *a.CategoryID)
	if err != nil {
		return fmt.Errorf("store: help article category: %w: %w", ErrBadReference, err)
	}
	if c.Language != a.Language {
		return fmt.Errorf("store: help article category %d: %w: category is in %s, article in %s", c.ID, ErrBadReference, c.Language, a.Language)
	}
	return nil
}

// helpSearchSet is the SQL that writes the PostgreSQL search vector from
// the folded title ($t) and body ($b).
func helpSearchSet(t, b string) string {
	return "setweight(to_tsvector('simple', " + t + "), 'A') || setweight(to_tsvector('simple', " + b + "), 'B')"
}

// CreateHelpArticle inserts a; an empty slug is made from the title, and a
// slug already taken gets a number. A published article gets its
// published_at.
func (q Q) CreateHelpArticle(ctx context.Context, ws int64, a HelpArticle) (HelpArticle, error) {
	if err := q.checkHelpCategory(ctx, ws, a); err != nil {
		return HelpArticle{}, err
	}
	slug, err := q.freeSlug(ctx, "help_articles", ws, a.Language, orSlug(a.Slug, a.Title, "artigo"), 0)
	if err != nil {
		return HelpArticle{}, err
	}
	now := Now()
	var published *int64
	if a.Status == helpcenter.StatusPublished {
		published = &now
	}
	args := []any{ws, a.CategoryID, a.Language, a.Status, a.Title, slug, a.BodyMarkdown, a.AuthorID, now, published}
	cols, vals := "", ""
	if q.d == Postgres {
		cols, vals = ", search", ", "+helpSearchSet("$11", "$12")
		args = append(args, helpcenter.Fold(a.Title), helpcenter.Fold(a.BodyMarkdown))
	}
	id, err := q.insert(ctx, `INSERT INTO help_articles (workspace_id, category_id, language, status, title, slug, body_markdown, author_id,
		created_at, updated_at, published_at`+cols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10`+vals+`)`, args...)
	if err != nil {
		return HelpArticle{}, fmt.Errorf("store: create help article %q: %w", a.Title, err)
	}
	return q.HelpArticle(ctx, ws, id)
}

// UpdateHelpArticle writes a's editable fields (category, language,
// status, title, slug, body). Publishing stamps published_at; going back to
// draft clears it.
func (q Q) UpdateHelpArticle(ctx context.Context, ws int64, a HelpArticle) error {
	if err := q.checkHelpCategory(ctx, ws, a); err != nil {
		return err
	}
	now := Now()
	args := []any{a.ID, ws, a.CategoryID, a.Language, a.Status, a.Title, a.Slug, a.BodyMarkdown, now}
	search := ""
	if q.d == Postgres {
		search = ", search = " + helpSearchSet("$10", "$11")
		args = append(args, helpcenter.Fold(a.Title), helpcenter.Fold(a.BodyMarkdown))
	}
	res, err := q.exec(ctx, `UPDATE help_articles SET category_id = $3, language = $4, status = $5, title = $6, slug = $7, body_markdown = $8,
		updated_at = $9, published_at = CASE WHEN $5 <> 'published' THEN NULL WHEN status = 'published' THEN published_at ELSE $9 END`+search+`
		WHERE id = $1 AND workspace_id = $2`, args...)
	return affected(res, err, "update help article", a.ID)
}

// DeleteHelpArticle removes an article.
func (q Q) DeleteHelpArticle(ctx context.Context, ws, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM help_articles WHERE id = $1 AND workspace_id = $2`, id, ws)
	return affected(res, err, "delete help article", id)
}

// CountHelpArticleView adds one to a published article's view counter.
func (q Q) CountHelpArticleView(ctx context.Context, ws, id int64) error {
	_, err := q.exec(ctx, `UPDATE help_articles SET views = views + 1 WHERE id = $1 AND workspace_id = $2 AND status = 'published'`, id, ws)
	if err != nil {
		return fmt.Errorf("store: count help article view %d: %w", id, err)
	}
	return nil
}

// HelpSearch is a full-text search of a workspace's articles.
type HelpSearch struct {
	Query         string
	Language      string // "": every language
	PublishedOnly bool
	Limit         int
}

// maxSearchTerms bounds the words of a search that reach the index.
const maxSearchTerms = 8

// SearchHelpArticles finds the articles of ws containing every word of the
// query (each as a prefix, so the widget can search as the customer types),
// accents ignored, best match first: a word in the title counts more than
// one in the body. The index covers every workspace; at help-centre sizes
// the workspace filter after the match is cheap.
func (q Q) SearchHelpArticles(ctx context.Context, ws int64, s HelpSearch) ([]HelpArticle, error) {
	terms := helpcenter.Terms(s.Query, maxSearchTerms)
	if len(terms) == 0 {
		return []HelpArticle{}, nil
	}
	if s.Limit <= 0 || s.Limit > 50 {
		s.Limit = 20
	}
	var a sqlArgs
	var from, where, order string
	if q.d == Postgres {
		parts := make([]string, len(terms))
		for i, t := range terms {
			parts[i] = t + ":*"
		}
		tsq := "to_tsquery('simple', " + a.add(strings.Join(parts, " & ")) + ")"
		from = "help_articles a"
		where = "a.search @@ " + tsq
		order = "ts_rank(a.search, " + tsq + ") DESC, a.id"
	} else {
		parts := make([]string, len(terms))
		for i, t := range terms {
			parts[i] = `"` + t + `"*`
		}
		from = "help_articles_fts JOIN help_articles a ON a.id = help_articles_fts.rowid"
		where = "help_articles_fts MATCH " + a.add(strings.Join(parts, " "))
		order = "bm25(help_articles_fts, 10.0, 1.0), a.id"
	}
	where += " AND a.workspace_id = " + a.add(ws)
	if s.Language != "" {
		where += " AND a.language = " + a.add(s.Language)
	}
	if s.PublishedOnly {
		where += " AND a.status = 'published'"
	}
	rows, err := q.query(ctx, `SELECT `+helpArticleCols+` FROM `+from+` WHERE `+where+` ORDER BY `+order+` LIMIT `+strconv.Itoa(s.Limit), a...)
	if err != nil {
		return nil, fmt.Errorf("store: search help articles: %w", err)
	}
	return scanHelpArticles(rows)
}

// orSlug is slug, or one made from text, or fallback when text has no
// letters a slug can hold.
func orSlug(slug, text, fallback string) string {
	if slug != "" {
		return slug
	}
	if s := helpcenter.Slugify(text); s != "" {
		return s
	}
	return fallback
}

// freeSlug returns base, or base-2, base-3 … the first one no other row of
// table (but exceptID) uses in ws and lang. A concurrent insert of the same
// slug still fails on the unique constraint (ErrConflict).
func (q Q) freeSlug(ctx context.Context, table string, ws int64, lang, base string, exceptID int64) (string, error) {
	if len(base) > helpcenter.MaxSlug-4 {
		base = strings.TrimRight(base[:helpcenter.MaxSlug-4], "-")
	}
	rows, err := q.query(ctx, `SELECT slug FROM `+table+` WHERE workspace_id = $1 AND language = $2 AND id <> $3
		AND (slug = $4 OR slug LIKE $5)`, ws, lang, exceptID, base, base+"-%")
	if err != nil {
		return "", fmt.Errorf("store: %s slug: %w", table, err)
	}
	defer rows.Close()
	taken := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		taken[s] = true
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	slug := base
	for n := 2; taken[slug]; n++ {
		slug = base + "-" + strconv.Itoa(n)
	}
	return slug, nil
}
