package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/store/storetest"
)

func TestHelpCategoriesAndSlugs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		q := db.W()
		c1, err := q.CreateHelpCategory(ctx, f.WS.ID, store.HelpCategory{Language: "pt-BR", Name: "Primeiros passos", Position: 2})
		ok(t, err, "create category")
		c2, err := q.CreateHelpCategory(ctx, f.WS.ID, store.HelpCategory{Language: "pt-BR", Name: "Primeiros Passos!", Position: 1})
		ok(t, err, "create second category")
		c3, err := q.CreateHelpCategory(ctx, f.WS.ID, store.HelpCategory{Language: "en", Name: "Primeiros passos"})
		ok(t, err, "create category in English")
		if c1.Slug != "primeiros-passos" || c2.Slug != "primeiros-passos-2" || c3.Slug != "primeiros-passos" {
			t.Errorf("slugs %q %q %q", c1.Slug, c2.Slug, c3.Slug)
		}
		list, err := db.R().HelpCategories(ctx, f.WS.ID, "pt-BR")
		ok(t, err, "list")
		if len(list) != 2 || list[0].ID != c2.ID || list[1].ID != c1.ID {
			t.Errorf("pt-BR categories by position: %+v", list)
		}
		if _, err := db.R().HelpCategory(ctx, f.WS2.ID, c1.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("category of another workspace: %v", err)
		}
		c1.Slug = c2.Slug
		if err := q.UpdateHelpCategory(ctx, f.WS.ID, c1); !errors.Is(err, store.ErrConflict) {
			t.Errorf("update to a taken slug: %v", err)
		}
		if err := q.DeleteHelpCategory(ctx, f.WS2.ID, c1.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete from another workspace: %v", err)
		}

		// articles: slugs, category checks, publishing
		a1, err := q.CreateHelpArticle(ctx, f.WS.ID, store.HelpArticle{CategoryID: &c1.ID, Language: "pt-BR", Status: "draft",
			Title: "Atribuição de conversas", BodyMarkdown: "Como **atribuir** uma conversa.", AuthorID: &f.Admin.ID})
		ok(t, err, "create article")
		a2, err := q.CreateHelpArticle(ctx, f.WS.ID, store.HelpArticle{Language: "pt-BR", Status: "published", Title: "Atribuição de conversas!"})
		ok(t, err, "create second article")
		if a1.Slug != "atribuicao-de-conversas" || a2.Slug != "atribuicao-de-conversas-2" || a1.PublishedAt != nil || a2.PublishedAt == nil {
			t.Errorf("articles: %+v %+v", a1, a2)
		}
		if _, err := q.CreateHelpArticle(ctx, f.WS.ID, store.HelpArticle{CategoryID: &c3.ID, Language: "pt-BR", Status: "draft", Title: "x"}); !errors.Is(err, store.ErrBadReference) {
			t.Errorf("article in a category of another language: %v", err)
		}
		other, err := q.CreateHelpCategory(ctx, f.WS2.ID, store.HelpCategory{Language: "pt-BR", Name: "Outra"})
		ok(t, err, "category of WS2")
		if _, err := q.CreateHelpArticle(ctx, f.WS.ID, store.HelpArticle{CategoryID: &other.ID, Language: "pt-BR", Status: "draft", Title: "x"}); !errors.Is(err, store.ErrBadReference) {
			t.Errorf("article in another workspace's category: %v", err)
		}
		a1.Status = "published"
		ok(t, q.UpdateHelpArticle(ctx, f.WS.ID, a1), "publish")
		a1, err = db.R().HelpArticle(ctx, f.WS.ID, a1.ID)
		ok(t, err, "get")
		if a1.PublishedAt == nil || *a1.PublishedAt != a1.UpdatedAt {
			t.Errorf("published article: %+v", a1)
		}
		a1.Status = "draft"
		ok(t, q.UpdateHelpArticle(ctx, f.WS.ID, a1), "unpublish")
		if a1, _ = db.R().HelpArticle(ctx, f.WS.ID, a1.ID); a1.PublishedAt != nil {
			t.Errorf("draft keeps published_at: %+v", a1)
		}
		if _, err := db.R().PublishedHelpArticle(ctx, f.WS.ID, a1.Slug, "pt-BR"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("draft found by slug: %v", err)
		}
		if _, err := db.R().HelpArticle(ctx, f.WS2.ID, a1.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("article of another workspace: %v", err)
		}
		// deleting the category leaves its articles uncategorised
		ok(t, q.DeleteHelpCategory(ctx, f.WS.ID, c1.ID), "delete category")
		if a1, _ = db.R().HelpArticle(ctx, f.WS.ID, a1.ID); a1.CategoryID != nil {
			t.Errorf("article keeps a deleted category: %+v", a1)
		}
		ok(t, q.DeleteHelpArticle(ctx, f.WS.ID, a1.ID), "delete article")
		if err := q.DeleteHelpArticle(ctx, f.WS.ID, a1.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
	})
}

func TestHelpArticlesPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		for i := 0; i < 7; i++ {
			st := "draft"
			if i%2 == 0 {
				st = "published"
			}
			_, err := db.W().CreateHelpArticle(ctx, f.WS.ID, store.HelpArticle{Language: "pt-BR", Status: st, Title: fmt.Sprintf("Artigo %d", i)})
			ok(t, err, "create")
		}
		_, err := db.W().CreateHelpArticle(ctx, f.WS2.ID, store.HelpArticle{Language: "pt-BR", Status: "published", Title: "Artigo de outra conta"})
		ok(t, err, "create in WS2")
		seen := map[int64]bool{}
		cur, pages := "", 0
		for {
			p, err := db.R().HelpArticles(ctx, f.WS.ID, store.HelpArticleFilter{Limit: 3, Cursor: cur})
			ok(t, err, "page")
			pages++
			for i, a := range p.Items {
				if seen[a.ID] {
					t.Fatalf("article %d on two pages", a.ID)
				}
				seen[a.ID] = true
				if i > 0 && (a.UpdatedAt > p.Items[i-1].UpdatedAt || (a.UpdatedAt == p.Items[i-1].UpdatedAt && a.ID > p.Items[i-1].ID)) {
					t.Errorf("page out of order: %+v", p.Items)
				}
			}
			if cur = p.NextCursor; cur == "" {
				break
			}
		}
		if len(seen) != 7 || pages != 3 {
			t.Errorf("%d articles in %d pages, want 7 in 3", len(seen), pages)
		}
		p, err := db.R().HelpArticles(ctx, f.WS.ID, store.HelpArticleFilter{Status: "published", Language: "pt-BR"})
		ok(t, err, "published")
		if len(p.Items) != 4 {
			t.Errorf("%d published, want 4", len(p.Items))
		}
		if p, err := db.R().HelpArticles(ctx, f.WS.ID, store.HelpArticleFilter{Language: "en"}); err != nil || len(p.Items) != 0 {
			t.Errorf("English: %v %+v", err, p)
		}
		if _, err := db.R().HelpArticles(ctx, f.WS.ID, store.HelpArticleFilter{Cursor: "!!"}); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("bad cursor: %v", err)
		}
		pub, err := db.R().PublishedHelpArticles(ctx, f.WS.ID, "pt-BR")
		ok(t, err, "public list")
		if len(pub) != 4 {
			t.Errorf("public list has %d", len(pub))
		}
	})
}

func TestHelpSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := storetest.Fixture(t, db)
		q := db.W()
		create := func(ws int64, lang, status, title, body string) store.HelpArticle {
			t.Helper()
			a, err := q.CreateHelpArticle(ctx, ws, store.HelpArticle{Language: lang, Status: status, Title: title, BodyMarkdown: body})
			ok(t, err, "create "+title)
			return a
		}
		inBody := create(f.WS.ID, "pt-BR", "published", "Equipes e filas", "Veja como funciona a atribuição de conversas entre atendentes.")
		inTitle := create(f.WS.ID, "pt-BR", "published", "Atribuição automática", "Regras de distribuição.")
		draft := create(f.WS.ID, "pt-BR", "draft", "Atribuição (rascunho)", "")
		create(f.WS.ID, "en", "published", "Assignment", "atribuição in English text")
		create(f.WS2.ID, "pt-BR", "published", "Atribuição na outra conta", "")

		ids := func(list []store.HelpArticle) []int64 {
			out := []int64{}
			for _, a := range list {
				out = append(out, a.ID)
			}
			return out
		}
		got, err := db.R().SearchHelpArticles(ctx, f.WS.ID, store.HelpSearch{Query: "ATRIBUICAO", Language: "pt-BR", PublishedOnly: true})
		ok(t, err, "search")
		if fmt.Sprint(ids(got)) != fmt.Sprint([]int64{inTitle.ID, inBody.ID}) {
			t.Errorf("search atribuicao: %v, want title hit %d before body hit %d", ids(got), inTitle.ID, inBody.ID)
		}
		got, err = db.R().SearchHelpArticles(ctx, f.WS.ID, store.HelpSearch{Query: "atrib", Language: "pt-BR"})
		ok(t, err, "prefix search")
		if len(got) != 3 {
			t.Errorf("prefix search with drafts: %v (draft %d)", ids(got), draft.ID)
		}
		got, err = db.R().SearchHelpArticles(ctx, f.WS.ID, store.HelpSearch{Query: `atribuição "conversas" -(entre*)`, PublishedOnly: true})
		ok(t, err, "search with operators")
		if fmt.Sprint(ids(got)) != fmt.Sprint([]int64{inBody.ID}) {
			t.Errorf("every word must match, operators are words: %v", ids(got))
		}
		got, err = db.R().SearchHelpArticles(ctx, f.WS.ID, store.HelpSearch{Query: "' ) ; --", PublishedOnly: true})
		if err != nil || len(got) != 0 {
			t.Errorf("punctuation only: %v %v", err, ids(got))
		}
		// edits reach the index; deletes leave it
		inBody.BodyMarkdown = "Nada mais aqui."
		ok(t, q.UpdateHelpArticle(ctx, f.WS.ID, inBody), "edit")
		ok(t, q.DeleteHelpArticle(ctx, f.WS.ID, inTitle.ID), "delete")
		got, err = db.R().SearchHelpArticles(ctx, f.WS.ID, store.HelpSearch{Query: "atribuicao", Language: "pt-BR", PublishedOnly: true})
		ok(t, err, "search after edit")
		if len(got) != 0 {
			t.Errorf("search after edit and delete: %v", ids(got))
		}
		got, err = db.R().SearchHelpArticles(ctx, f.WS.ID, store.HelpSearch{Query: "nada"})
		ok(t, err, "search new text")
		if fmt.Sprint(ids(got)) != fmt.Sprint([]int64{inBody.ID}) {
			t.Errorf("search new text: %v", ids(got))
		}
	})
}
