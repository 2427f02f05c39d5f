import { describe, expect, it } from 'vitest';
import {
  articleForm,
  articleQuery,
  categoriesOf,
  emptyArticleForm,
  hasFilters,
  helpArticleUrl,
  helpHomeUrl,
  moveCategory,
  nextPosition,
  noFilters,
  slugify,
  validSlug,
  validateArticle,
  validateCategory,
  withLanguage,
  type HelpArticle,
  type HelpCategory,
} from './helpLogic';

const cat = (id: number, name: string, position: number, language: HelpCategory['language'] = 'pt-BR'): HelpCategory => ({
  id,
  name,
  position,
  language,
  slug: slugify(name),
  created_at: 0,
  updated_at: 0,
});

describe('articleQuery', () => {
  it('sends nothing without filters', () => {
    expect(articleQuery(noFilters)).toEqual({});
    expect(hasFilters(noFilters)).toBe(false);
  });
  it('sends only the filters that are set, the search trimmed', () => {
    const f = { q: '  senha  ', status: 'published' as const, language: 'pt-BR' as const, categoryId: 7 };
    expect(articleQuery(f, 'c1')).toEqual({ q: 'senha', status: 'published', language: 'pt-BR', category_id: 7, cursor: 'c1' });
    expect(hasFilters(f)).toBe(true);
  });
  it('ignores a blank search and category 0', () => {
    expect(articleQuery({ ...noFilters, q: '   ', status: 'draft' })).toEqual({ status: 'draft' });
    expect(hasFilters({ ...noFilters, q: '  ' })).toBe(false);
  });
});

describe('public addresses', () => {
  it('builds the help centre and article URLs', () => {
    expect(helpHomeUrl('https://app.example.com/', 'acme')).toBe('https://app.example.com/help/acme');
    expect(helpArticleUrl('https://app.example.com', 'acme', 'trocar-senha')).toBe('https://app.example.com/help/acme/trocar-senha');
  });
});

describe('slugs', () => {
  const slugs: [string, string][] = [
    ['Como trocar a senha?', 'como-trocar-a-senha'],
    ['  Pagamento via PIX — é seguro?  ', 'pagamento-via-pix-e-seguro'],
    ['Ação!!!', 'acao'],
    ['???', ''],
  ];
  it.each(slugs)('slugify(%j) → %j', (title, want) => expect(slugify(title)).toBe(want));
  it('keeps slugs within 80 characters without a trailing hyphen', () => {
    const s = slugify('palavra '.repeat(30));
    expect(s.length).toBeLessThanOrEqual(80);
    expect(validSlug(s)).toBe(true);
  });
  const valid: [string, boolean][] = [
    ['ok', true],
    ['a-b-1', true],
    ['', false],
    ['-a', false],
    ['a-', false],
    ['a--b', false],
    ['A', false],
    ['á', false],
    ['a b', false],
    ['a'.repeat(80), true],
    ['a'.repeat(81), false],
  ];
  it.each(valid)('validSlug(%j) → %j', (v, want) => expect(validSlug(v)).toBe(want));
});

describe('categories', () => {
  const list = [cat(1, 'Pagamentos', 10), cat(2, 'Conta', 0), cat(3, 'Billing', 0, 'en'), cat(4, 'Entrega', 10)];

  it('orders one language by position, then name', () => {
    expect(categoriesOf(list, 'pt-BR').map((c) => c.id)).toEqual([2, 4, 1]);
    expect(categoriesOf(list, 'en').map((c) => c.id)).toEqual([3]);
  });

  it('places a new category after the last of its language', () => {
    expect(nextPosition(list, 'pt-BR')).toBe(20);
    expect(nextPosition(list, 'en')).toBe(10);
    expect(nextPosition([], 'en')).toBe(0);
  });

  it('moves a category and renumbers only what changes', () => {
    // order is Conta(0), Entrega(10), Pagamentos(10): Pagamentos up → Conta, Pagamentos, Entrega
    // (Pagamentos keeps 10, Entrega goes to 20)
    expect(moveCategory(list, 1, -1)).toEqual([{ id: 4, position: 20 }]);
    expect(moveCategory(list, 2, 1)).toEqual([
      { id: 4, position: 0 },
      { id: 2, position: 10 },
      { id: 1, position: 20 },
    ]);
  });

  it('does not move past the ends or across languages', () => {
    expect(moveCategory(list, 2, -1)).toEqual([]);
    expect(moveCategory(list, 1, 1)).toEqual([]);
    expect(moveCategory(list, 3, 1)).toEqual([]);
    expect(moveCategory(list, 99, 1)).toEqual([]);
  });

  it('separates equal positions', () => {
    const same = [cat(1, 'A', 0), cat(2, 'B', 0)];
    expect(moveCategory(same, 2, -1)).toEqual([{ id: 1, position: 10 }]);
  });

  const forms: [string, string, object][] = [
    ['Conta', '0', {}],
    ['  Conta  ', ' 20 ', {}],
    ['Conta', '', {}],
    ['', '0', { name: 'required' }],
    ['x'.repeat(101), '0', { name: 'tooLong' }],
    ['Conta', '-1', { position: 'position' }],
    ['Conta', '1.5', { position: 'position' }],
    ['Conta', '1000001', { position: 'position' }],
  ];
  it.each(forms)('validateCategory(%j, %j) errors %j', (name, position, want) => expect(validateCategory(name, position).errors).toEqual(want));
  it('answers the trimmed name and the number', () => expect(validateCategory('  Conta ', ' 20 ')).toMatchObject({ name: 'Conta', position: 20 }));
});

describe('articles', () => {
  const cats = [cat(1, 'Conta', 0), cat(2, 'Account', 0, 'en')];
  const article: HelpArticle = {
    id: 5,
    category_id: 1,
    language: 'pt-BR',
    status: 'published',
    title: 'Como trocar a senha',
    slug: 'trocar-senha',
    body_markdown: '# Passos\n\n1. Abra o perfil',
    author_id: 1,
    views: 3,
    created_at: 0,
    updated_at: 0,
    published_at: 0,
  };

  it('leaves a blank slug out of a new article and sends null for no category', () => {
    const f = { ...emptyArticleForm('pt-BR'), title: '  Horário de atendimento ', body: 'Seg a sex' };
    expect(validateArticle(f, cats, true)).toEqual({
      errors: {},
      input: { title: 'Horário de atendimento', language: 'pt-BR', status: 'draft', category_id: null, body_markdown: 'Seg a sex' },
    });
  });

  it('round-trips an article through the PATCH body', () => {
    expect(validateArticle(articleForm(article), cats, false).input).toEqual({
      title: article.title,
      language: 'pt-BR',
      status: 'published',
      category_id: 1,
      slug: 'trocar-senha',
      body_markdown: article.body_markdown,
    });
  });

  it('reports bad fields', () => {
    expect(validateArticle({ ...emptyArticleForm('en'), title: ' ' }, cats, true).errors).toEqual({ title: 'required' });
    expect(validateArticle({ ...articleForm(article), title: 'x'.repeat(201) }, cats, false).errors).toEqual({ title: 'tooLong' });
    expect(validateArticle({ ...articleForm(article), slug: 'Não' }, cats, false).errors).toEqual({ slug: 'slug' });
    // an existing article keeps an address
    expect(validateArticle({ ...articleForm(article), slug: '' }, cats, false).errors).toEqual({ slug: 'slug' });
    expect(validateArticle({ ...articleForm(article), body: 'x'.repeat(100_001) }, cats, false).errors).toEqual({ body: 'bodyLong' });
    expect(validateArticle({ ...articleForm(article), categoryId: 2 }, cats, false).errors).toEqual({ category: 'category' });
    expect(validateArticle({ ...articleForm(article), categoryId: 99 }, cats, false).errors).toEqual({ category: 'category' });
  });

  it('drops the category when the language changes to one it does not have', () => {
    const f = articleForm(article);
    expect(withLanguage(f, 'en', cats)).toMatchObject({ language: 'en', categoryId: 0 });
    expect(withLanguage(f, 'pt-BR', cats)).toMatchObject({ language: 'pt-BR', categoryId: 1 });
  });
});
