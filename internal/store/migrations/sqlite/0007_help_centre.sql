-- Help centre (DESIGN M8): articles customers read and search before they
-- open a chat, on the public pages /help/{workspace} and in the widget.
-- Categories and articles are per workspace and per language; an article's
-- slug is its address, unique per workspace and language.
CREATE TABLE help_categories (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    language     TEXT    NOT NULL CHECK (language IN ('pt-BR', 'en')),
    name         TEXT    NOT NULL,
    slug         TEXT    NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (workspace_id, language, slug)
);
CREATE INDEX help_categories_list ON help_categories(workspace_id, language, position, id);

CREATE TABLE help_articles (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- the store checks that the category belongs to the same workspace
    category_id   INTEGER REFERENCES help_categories(id) ON DELETE SET NULL,
    language      TEXT    NOT NULL CHECK (language IN ('pt-BR', 'en')),
    status        TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    title         TEXT    NOT NULL,
    slug          TEXT    NOT NULL,
    body_markdown TEXT    NOT NULL DEFAULT '',
    author_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    views         INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    published_at  INTEGER,
    UNIQUE (workspace_id, language, slug)
);
-- the agents' list, newest edit first, filtered by status and language
CREATE INDEX help_articles_list ON help_articles(workspace_id, updated_at DESC, id DESC);
-- the public page: published articles of a language by category
CREATE INDEX help_articles_public ON help_articles(workspace_id, language, status, category_id);
CREATE INDEX help_articles_category ON help_articles(category_id) WHERE category_id IS NOT NULL;
CREATE INDEX help_articles_author ON help_articles(author_id) WHERE author_id IS NOT NULL;

-- Full-text index over title and body, kept by triggers (external content:
-- the text lives once, in help_articles). remove_diacritics folds accents,
-- so "atribuicao" finds "Atribuição"; search ranks title hits first with
-- bm25 column weights.
CREATE VIRTUAL TABLE help_articles_fts USING fts5(title, body_markdown, content='help_articles', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER help_articles_fts_insert AFTER INSERT ON help_articles BEGIN
    INSERT INTO help_articles_fts(rowid, title, body_markdown) VALUES (new.id, new.title, new.body_markdown);
END;
CREATE TRIGGER help_articles_fts_delete AFTER DELETE ON help_articles BEGIN
    INSERT INTO help_articles_fts(help_articles_fts, rowid, title, body_markdown) VALUES ('delete', old.id, old.title, old.body_markdown);
END;
CREATE TRIGGER help_articles_fts_update AFTER UPDATE OF title, body_markdown ON help_articles BEGIN
    INSERT INTO help_articles_fts(help_articles_fts, rowid, title, body_markdown) VALUES ('delete', old.id, old.title, old.body_markdown);
    INSERT INTO help_articles_fts(rowid, title, body_markdown) VALUES (new.id, new.title, new.body_markdown);
END;
