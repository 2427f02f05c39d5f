// Pure helpers of the help-centre settings: list filters as API query
// parameters, the article and category forms and their bodies, category
// ordering and the public addresses. No React here.
import type { operations } from '../../api/schema';
import type { Schemas } from '../../api/client';

export type HelpArticle = Schemas['HelpArticle'];
export type HelpCategory = Schemas['HelpCategory'];
export type HelpArticleInput = Schemas['HelpArticleInput'];
export type HelpCategoryInput = Schemas['HelpCategoryInput'];
export type HelpLanguage = HelpArticle['language'];
export type HelpStatus = HelpArticle['status'];
export type ArticleQuery = NonNullable<operations['listHelpArticles']['parameters']['query']>;

export const helpLanguages: readonly HelpLanguage[] = ['pt-BR', 'en'];

/** Server limits (internal/httpapi/help.go, internal/helpcenter). */
export const helpLimits = { title: 200, body: 100_000, slug: 80, name: 100, position: 1_000_000 };

/* ---------- list filters ---------- */

export interface ArticleFilters {
  q: string;
  status: '' | HelpStatus;
  language: '' | HelpLanguage;
  /** 0: every category. */
  categoryId: number;
}

export const noFilters: ArticleFilters = { q: '', status: '', language: '', categoryId: 0 };

/** articleQuery is the query of GET /api/v1/help/articles: only the filters that are set. */
export function articleQuery(f: ArticleFilters, cursor?: string): ArticleQuery {
  const out: ArticleQuery = {};
  const q = f.q.trim();
  if (q) out.q = q;
  if (f.status) out.status = f.status;
  if (f.language) out.language = f.language;
  if (f.categoryId > 0) out.category_id = f.categoryId;
  if (cursor) out.cursor = cursor;
  return out;
}

export function hasFilters(f: ArticleFilters): boolean {
  return !!(f.q.trim() || f.status || f.language || f.categoryId);
}

/* ---------- addresses ---------- */

/** helpHomeUrl is the public help centre of a workspace. */
export function helpHomeUrl(origin: string, workspaceSlug: string): string {
  return `${origin.replace(/\/+$/, '')}/help/${encodeURIComponent(workspaceSlug)}`;
}

/** helpArticleUrl is an article's public page. */
export function helpArticleUrl(origin: string, workspaceSlug: string, slug: string): string {
  return `${helpHomeUrl(origin, workspaceSlug)}/${encodeURIComponent(slug)}`;
}

/* ---------- slugs ---------- */

const slugRe = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function validSlug(v: string): boolean {
  return v.length > 0 && v.length <= helpLimits.slug && slugRe.test(v);
}

/** slugify previews the slug the server makes from a title: accents folded, anything between words one hyphen, at most 80 characters. */
export function slugify(title: string): string {
  const joined = title
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join('-');
  return joined.slice(0, helpLimits.slug).replace(/-+$/, '');
}

/* ---------- categories ---------- */

/** sortCategories orders categories as the public page does: by position, then name. */
export function sortCategories(list: HelpCategory[]): HelpCategory[] {
  return [...list].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name) || a.id - b.id);
}

/** categoriesOf are the categories of one language, in order. */
export function categoriesOf(list: HelpCategory[], language: HelpLanguage): HelpCategory[] {
  return sortCategories(list.filter((c) => c.language === language));
}

/** nextPosition places a new category after the last one of its language. */
export function nextPosition(list: HelpCategory[], language: HelpLanguage): number {
  const own = list.filter((c) => c.language === language);
  return own.length === 0 ? 0 : Math.min(helpLimits.position, Math.max(...own.map((c) => c.position)) + 10);
}

/**
 * moveCategory moves a category one place up (-1) or down (+1) among those
 * of its language and answers the position changes to save: the new order
 * numbered 0, 10, 20… (equal positions would not move otherwise), only for
 * the categories whose position changes.
 */
export function moveCategory(list: HelpCategory[], id: number, dir: -1 | 1): { id: number; position: number }[] {
  const moving = list.find((c) => c.id === id);
  if (!moving) return [];
  const order = categoriesOf(list, moving.language);
  const i = order.findIndex((c) => c.id === id);
  const j = i + dir;
  if (j < 0 || j >= order.length) return [];
  [order[i], order[j]] = [order[j], order[i]];
  return order.map((c, k) => ({ id: c.id, position: k * 10, was: c.position })).filter((c) => c.position !== c.was).map(({ id, position }) => ({ id, position }));
}

export type HelpErrorKey = 'required' | 'tooLong' | 'slug' | 'bodyLong' | 'position' | 'category';

/** validateCategory checks a category's name and position; answers the trimmed name and the number. */
export function validateCategory(name: string, position: string): { name: string; position: number; errors: Partial<Record<'name' | 'position', HelpErrorKey>> } {
  const errors: Partial<Record<'name' | 'position', HelpErrorKey>> = {};
  const n = name.trim();
  if (!n) errors.name = 'required';
  else if ([...n].length > helpLimits.name) errors.name = 'tooLong';
  const p = /^\s*\d+\s*$/.test(position) ? Number(position.trim()) : position.trim() === '' ? 0 : NaN;
  if (!Number.isInteger(p) || p < 0 || p > helpLimits.position) errors.position = 'position';
  return { name: n, position: p, errors };
}

/* ---------- articles ---------- */

export interface ArticleForm {
  title: string;
  /** 0: no category. */
  categoryId: number;
  language: HelpLanguage;
  status: HelpStatus;
  /** Blank on a new article: the server makes one from the title. */
  slug: string;
  body: string;
}

export function emptyArticleForm(language: HelpLanguage, categoryId = 0): ArticleForm {
  return { title: '', categoryId, language, status: 'draft', slug: '', body: '' };
}

export function articleForm(a: HelpArticle): ArticleForm {
  return { title: a.title, categoryId: a.category_id ?? 0, language: a.language, status: a.status, slug: a.slug, body: a.body_markdown };
}

/**
 * validateArticle checks the form against the categories (a category must
 * have the article's language) and answers the body of POST or PATCH: on
 * create a blank slug is left out (the server derives it from the title); on
 * edit the slug is kept unless changed.
 */
export function validateArticle(
  f: ArticleForm,
  categories: HelpCategory[],
  creating: boolean,
): { input?: HelpArticleInput; errors: Partial<Record<'title' | 'slug' | 'body' | 'category', HelpErrorKey>> } {
  const errors: Partial<Record<'title' | 'slug' | 'body' | 'category', HelpErrorKey>> = {};
  const title = f.title.trim();
  if (!title) errors.title = 'required';
  else if ([...title].length > helpLimits.title) errors.title = 'tooLong';
  const slug = f.slug.trim();
  if (slug ? !validSlug(slug) : !creating) errors.slug = 'slug';
  if ([...f.body].length > helpLimits.body) errors.body = 'bodyLong';
  const cat = f.categoryId ? categories.find((c) => c.id === f.categoryId) : undefined;
  if (f.categoryId && (!cat || cat.language !== f.language)) errors.category = 'category';
  if (Object.keys(errors).length > 0) return { errors };
  const input: HelpArticleInput = {
    title,
    language: f.language,
    status: f.status,
    category_id: f.categoryId || null,
    body_markdown: f.body,
  };
  if (slug) input.slug = slug;
  return { input, errors };
}

/** withLanguage changes an article's language, keeping its category only when it has the new language. */
export function withLanguage(f: ArticleForm, language: HelpLanguage, categories: HelpCategory[]): ArticleForm {
  const keep = categories.some((c) => c.id === f.categoryId && c.language === language);
  return { ...f, language, categoryId: keep ? f.categoryId : 0 };
}
