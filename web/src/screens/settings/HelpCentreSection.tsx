// Help centre (central de ajuda; admins and supervisors, like the server's
// `manager` routes that write it): categories per language and Markdown
// articles, drafts or published at /help/{workspace}/{slug}. Articles are
// edited in a full-width panel instead of a dialog: their bodies are long.
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ArrowDown, ArrowLeft, ArrowUp, BookOpen, ExternalLink, FolderOpen, Pencil, Plus, Search, Trash2 } from 'lucide-react';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../api/queries';
import { Badge, Button, EmptyState, Field, IconButton, Input, Select, Textarea } from '../../ui';
import {
  articleForm,
  articleQuery,
  categoriesOf,
  emptyArticleForm,
  hasFilters,
  helpArticleUrl,
  helpHomeUrl,
  helpLanguages,
  helpLimits,
  moveCategory,
  nextPosition,
  noFilters,
  slugify,
  sortCategories,
  validateArticle,
  validateCategory,
  withLanguage,
  type ArticleFilters,
  type ArticleForm,
  type HelpArticle,
  type HelpCategory,
  type HelpLanguage,
} from './helpLogic';
import { ConfirmDialog, FormDialog, Panel, SectionHeader, TableSkeleton } from './parts';
import s from './settings.module.css';

const helpKeys = {
  categories: ['help-categories'] as const,
  articles: ['help-articles'] as const,
  articleList: (f: ArticleFilters) => ['help-articles', f] as const,
};

function useHelpCategories() {
  return useQuery({
    queryKey: helpKeys.categories,
    queryFn: () => unwrap(api.GET('/api/v1/help/categories')).then((r) => r.items),
    staleTime: 60_000,
  });
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/** The UI language's help language first: where new articles and categories start. */
function useDefaultLanguage(): HelpLanguage {
  const { i18n } = useTranslation();
  return i18n.language?.startsWith('pt') ? 'pt-BR' : 'en';
}

export function HelpCentreSection() {
  const { t } = useTranslation('settings');
  const me = useMe().data;
  const categories = useHelpCategories();
  const [editing, setEditing] = useState<HelpArticle | 'new' | null>(null);
  const wsSlug = me?.workspace.slug ?? '';
  const origin = location.origin;

  if (editing) {
    return (
      <section aria-labelledby="settings-section-title">
        <ArticleEditor article={editing === 'new' ? null : editing} categories={categories.data ?? []} wsSlug={wsSlug} onClose={() => setEditing(null)} />
      </section>
    );
  }

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader
        title={t('help.title')}
        description={t('help.description')}
        actions={
          <>
            {wsSlug && (
              <a href={helpHomeUrl(origin, wsSlug)} target="_blank" rel="noreferrer" className={s.linkButton} data-testid="help-public-link">
                <ExternalLink size={14} aria-hidden />
                &nbsp;{t('help.publicSite')}
              </a>
            )}
            <Button variant="primary" onClick={() => setEditing('new')} data-testid="help-article-new">
              <Plus size={16} aria-hidden /> {t('help.newArticle')}
            </Button>
          </>
        }
      />
      <ArticleList categories={categories.data ?? []} wsSlug={wsSlug} onEdit={setEditing} onNew={() => setEditing('new')} />
      <CategoryList categories={categories.data} pending={categories.isPending} />
    </section>
  );
}

/* ---------- articles ---------- */

function ArticleList({ categories, wsSlug, onEdit, onNew }: { categories: HelpCategory[]; wsSlug: string; onEdit: (a: HelpArticle) => void; onNew: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const [filters, setFilters] = useState<ArticleFilters>(noFilters);
  const [deleting, setDeleting] = useState<HelpArticle | null>(null);
  const applied = useDebounced(filters, 250);
  const articles = useInfiniteQuery({
    queryKey: helpKeys.articleList(applied),
    initialPageParam: '',
    queryFn: ({ pageParam, signal }) => unwrap(api.GET('/api/v1/help/articles', { params: { query: articleQuery(applied, pageParam) }, signal })),
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: keepPreviousData,
  });
  const remove = useMutation({
    mutationFn: (a: HelpArticle) => unwrap(api.DELETE('/api/v1/help/articles/{id}', { params: { path: { id: a.id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: helpKeys.articles });
      setDeleting(null);
      toast.success(t('deleted'));
    },
  });
  const list = articles.data?.pages.flatMap((p) => p.items) ?? [];
  const catName = new Map(categories.map((c) => [c.id, c.name]));
  const set = <K extends keyof ArticleFilters>(k: K, v: ArticleFilters[K]) => setFilters({ ...filters, [k]: v });
  const origin = location.origin;

  return (
    <>
      <div className={s.toolbar}>
        <div className={s.searchBox}>
          <Search size={14} aria-hidden className={s.searchIcon} />
          <Input
            type="search"
            value={filters.q}
            onChange={(e) => set('q', e.target.value)}
            placeholder={t('help.search')}
            aria-label={t('help.search')}
            className={s.searchInput}
            data-testid="help-article-search"
          />
        </div>
        <div className={s.helpFilters}>
          <Select value={filters.status} onChange={(e) => set('status', e.target.value as ArticleFilters['status'])} aria-label={t('help.status')} data-testid="help-filter-status">
            <option value="">{t('help.anyStatus')}</option>
            <option value="published">{t('help.statuses.published')}</option>
            <option value="draft">{t('help.statuses.draft')}</option>
          </Select>
          <Select
            value={filters.language}
            onChange={(e) => {
              const language = e.target.value as ArticleFilters['language'];
              const keep = !filters.categoryId || categories.some((c) => c.id === filters.categoryId && (!language || c.language === language));
              setFilters({ ...filters, language, categoryId: keep ? filters.categoryId : 0 });
            }}
            aria-label={t('help.language')}
            data-testid="help-filter-language"
          >
            <option value="">{t('help.anyLanguage')}</option>
            {helpLanguages.map((l) => (
              <option key={l} value={l}>
                {t(`help.languages.${l}`)}
              </option>
            ))}
          </Select>
          {categories.length > 0 && (
            <Select value={String(filters.categoryId)} onChange={(e) => set('categoryId', Number(e.target.value))} aria-label={t('help.category')} data-testid="help-filter-category">
              <option value="0">{t('help.anyCategory')}</option>
              {sortCategories(categories)
                .filter((c) => !filters.language || c.language === filters.language)
                .map((c) => (
                  <option key={c.id} value={c.id}>
                    {filters.language ? c.name : `${c.name} (${t(`help.languages.${c.language}`)})`}
                  </option>
                ))}
            </Select>
          )}
        </div>
      </div>
      <Panel>
        {articles.isPending ? (
          <TableSkeleton rows={4} />
        ) : list.length === 0 && !hasFilters(applied) ? (
          <EmptyState
            icon={<BookOpen size={28} aria-hidden />}
            title={t('help.emptyTitle')}
            body={t('help.emptyBody')}
            action={
              <Button onClick={onNew}>
                <Plus size={16} aria-hidden /> {t('help.newArticle')}
              </Button>
            }
          />
        ) : list.length === 0 ? (
          <EmptyState icon={<Search size={28} aria-hidden />} title={t('noMatches')} body={t('noMatchesBody')} />
        ) : (
          <table className={s.table} aria-label={t('help.articles')}>
            <thead>
              <tr>
                <th scope="col">{t('help.articleTitle')}</th>
                <th scope="col" className={s.hideSm}>
                  {t('help.category')}
                </th>
                <th scope="col" className={s.hideMd}>
                  {t('help.language')}
                </th>
                <th scope="col">{t('help.status')}</th>
                <th scope="col" className={s.actionsCol}>
                  <span className="sr-only">{t('actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr key={a.id} data-testid={`help-article-row-${a.id}`}>
                  <td>
                    <button type="button" className={s.linkLike} onClick={() => onEdit(a)}>
                      <span className={s.cellTitle}>{a.title}</span>
                    </button>
                    <span className={`${s.cellSub} ${s.mono}`}>/{a.slug}</span>
                  </td>
                  <td className={s.hideSm}>{a.category_id ? catName.get(a.category_id) ?? `#${a.category_id}` : <span className={s.muted}>—</span>}</td>
                  <td className={s.hideMd}>{t(`help.languages.${a.language}`)}</td>
                  <td>
                    <StatusBadge status={a.status} />
                  </td>
                  <td className={s.actionsCol}>
                    <span className={s.rowButtons}>
                      {a.status === 'published' && wsSlug && (
                        <a
                          href={helpArticleUrl(origin, wsSlug, a.slug)}
                          target="_blank"
                          rel="noreferrer"
                          className={s.iconLink}
                          aria-label={t('help.viewPublicOf', { name: a.title })}
                          title={t('help.viewPublic')}
                        >
                          <ExternalLink size={14} aria-hidden />
                        </a>
                      )}
                      <IconButton size="sm" label={t('editItem', { name: a.title })} icon={<Pencil size={14} aria-hidden />} onClick={() => onEdit(a)} data-testid={`help-article-edit-${a.id}`} />
                      <IconButton size="sm" label={t('deleteItem', { name: a.title })} icon={<Trash2 size={14} aria-hidden />} onClick={() => setDeleting(a)} data-testid={`help-article-delete-${a.id}`} />
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      {articles.hasNextPage && (
        <div className={s.loadMore}>
          <Button onClick={() => void articles.fetchNextPage()} busy={articles.isFetchingNextPage} data-testid="help-article-more">
            {t('help.loadMore')}
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('help.deleteArticleTitle', { name: deleting?.title ?? '' })}
        body={t('help.deleteArticleBody')}
        confirmLabel={tc('delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
    </>
  );
}

function StatusBadge({ status }: { status: HelpArticle['status'] }) {
  const { t } = useTranslation('settings');
  return <Badge className={status === 'published' ? s.publishedBadge : undefined}>{t(`help.statuses.${status}`)}</Badge>;
}

export function ArticleEditor({ article, categories, wsSlug, onClose }: { article: HelpArticle | null; categories: HelpCategory[]; wsSlug: string; onClose: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const lang = useDefaultLanguage();
  const [form, setForm] = useState<ArticleForm>(() => (article ? articleForm(article) : emptyArticleForm(lang)));
  const [saved, setSaved] = useState<HelpArticle | null>(article);
  const [tried, setTried] = useState(false);
  const creating = !saved;
  const { input, errors } = validateArticle(form, categories, creating);
  const set = <K extends keyof ArticleForm>(k: K, v: ArticleForm[K]) => setForm({ ...form, [k]: v });
  const own = categoriesOf(categories, form.language);

  const save = useMutation({
    mutationFn: (body: NonNullable<typeof input>) =>
      saved
        ? unwrap(api.PATCH('/api/v1/help/articles/{id}', { params: { path: { id: saved.id } }, body }))
        : unwrap(api.POST('/api/v1/help/articles', { body })),
    onSuccess: (a) => {
      void qc.invalidateQueries({ queryKey: helpKeys.articles });
      setSaved(a);
      setForm(articleForm(a));
      toast.success(a.status === 'published' ? t('help.publishedToast') : tc('saved'));
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (input) save.mutate(input);
  };
  const err = (k: keyof typeof errors) => (tried && errors[k] ? t(`help.errors.${errors[k]}`, { max: k === 'title' ? helpLimits.title : helpLimits.body }) : undefined);
  const publicUrl = saved?.status === 'published' && wsSlug ? helpArticleUrl(location.origin, wsSlug, saved.slug) : null;

  return (
    <form onSubmit={submit} noValidate className={s.stack} data-testid="help-article-form">
      <button type="button" className={s.back} onClick={onClose} data-testid="help-article-back">
        <ArrowLeft size={16} aria-hidden /> {t('help.backToList')}
      </button>
      <SectionHeader
        title={saved ? t('help.editArticle') : t('help.newArticle')}
        actions={
          <>
            {publicUrl && (
              <a href={publicUrl} target="_blank" rel="noreferrer" className={s.linkButton} data-testid="help-article-public">
                <ExternalLink size={14} aria-hidden />
                &nbsp;{t('help.viewPublic')}
              </a>
            )}
            <Button variant="primary" type="submit" busy={save.isPending} data-testid="help-article-save">
              {saved ? tc('save') : tc('create')}
            </Button>
          </>
        }
      />
      <Panel className={s.formPanel}>
        <Field label={t('help.articleTitle')} htmlFor="help-title" error={err('title')}>
          <Input id="help-title" value={form.title} autoFocus maxLength={helpLimits.title + 20} onChange={(e) => set('title', e.target.value)} data-testid="help-article-title" />
        </Field>
        <div className={s.formGrid}>
          <Field label={t('help.language')} htmlFor="help-language">
            <Select id="help-language" value={form.language} onChange={(e) => setForm(withLanguage(form, e.target.value as HelpLanguage, categories))} data-testid="help-article-language">
              {helpLanguages.map((l) => (
                <option key={l} value={l}>
                  {t(`help.languages.${l}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('help.category')} htmlFor="help-category" hint={own.length === 0 ? t('help.noCategoriesHint') : undefined} error={err('category')}>
            <Select id="help-category" value={String(form.categoryId)} onChange={(e) => set('categoryId', Number(e.target.value))} data-testid="help-article-category">
              <option value="0">{t('help.noCategory')}</option>
              {own.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('help.status')} htmlFor="help-status" hint={t(form.status === 'published' ? 'help.publishedHint' : 'help.draftHint')}>
            <Select id="help-status" value={form.status} onChange={(e) => set('status', e.target.value as ArticleForm['status'])} data-testid="help-article-status">
              <option value="draft">{t('help.statuses.draft')}</option>
              <option value="published">{t('help.statuses.published')}</option>
            </Select>
          </Field>
        </div>
        <Field label={t('help.slug')} htmlFor="help-slug" hint={t('help.slugHint')} error={err('slug')}>
          <div className={s.prefixed}>
            <span className={s.prefix} aria-hidden>
              /help/{wsSlug}/
            </span>
            <Input
              id="help-slug"
              value={form.slug}
              onChange={(e) => set('slug', e.target.value.toLowerCase())}
              placeholder={slugify(form.title) || 'como-trocar-a-senha'}
              className={s.mono}
              spellCheck={false}
              data-testid="help-article-slug"
            />
          </div>
        </Field>
        <Field label={t('help.body')} htmlFor="help-body" hint={t('help.bodyHint')} error={err('body')}>
          <Textarea id="help-body" rows={18} value={form.body} onChange={(e) => set('body', e.target.value)} className={s.bodyArea} spellCheck data-testid="help-article-body" />
        </Field>
      </Panel>
      <div className={s.formFooter}>
        <Button onClick={onClose}>{saved ? tc('close') : tc('cancel')}</Button>
      </div>
    </form>
  );
}

/* ---------- categories ---------- */

function CategoryList({ categories, pending }: { categories?: HelpCategory[]; pending: boolean }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<HelpCategory | 'new' | null>(null);
  const [deleting, setDeleting] = useState<HelpCategory | null>(null);
  const all = categories ?? [];
  const invalidate = () => {
    void qc.invalidateQueries({ queryKey: helpKeys.categories });
    void qc.invalidateQueries({ queryKey: helpKeys.articles });
  };
  const move = useMutation({
    mutationFn: async (changes: { id: number; position: number }[]) => {
      for (const c of changes) await unwrap(api.PATCH('/api/v1/help/categories/{id}', { params: { path: { id: c.id } }, body: { position: c.position } }));
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: helpKeys.categories }),
  });
  const remove = useMutation({
    mutationFn: (c: HelpCategory) => unwrap(api.DELETE('/api/v1/help/categories/{id}', { params: { path: { id: c.id } } })),
    onSuccess: () => {
      invalidate();
      setDeleting(null);
      toast.success(t('deleted'));
    },
  });

  return (
    <>
      <div className={`${s.sectionHeader} ${s.subHeader}`}>
        <div className={s.sectionHeading}>
          <h2 className={s.panelTitle}>{t('help.categories')}</h2>
          <p className={s.sectionDescription}>{t('help.categoriesHelp')}</p>
        </div>
        <div className={s.sectionActions}>
          <Button onClick={() => setEditing('new')} data-testid="help-category-new">
            <Plus size={16} aria-hidden /> {t('help.newCategory')}
          </Button>
        </div>
      </div>
      <Panel>
        {pending ? (
          <TableSkeleton rows={3} />
        ) : all.length === 0 ? (
          <EmptyState icon={<FolderOpen size={28} aria-hidden />} title={t('help.noCategoriesTitle')} body={t('help.noCategoriesBody')} />
        ) : (
          helpLanguages
            .filter((l) => all.some((c) => c.language === l))
            .map((l) => {
              const list = categoriesOf(all, l);
              return (
                <div key={l}>
                  <div className={s.groupHeading}>{t(`help.languages.${l}`)}</div>
                  <ul className={s.rows} aria-label={t('help.categoriesOf', { language: t(`help.languages.${l}`) })}>
                    {list.map((c, i) => (
                      <li key={c.id} className={s.row} data-testid={`help-category-row-${c.id}`}>
                        <span className={s.cellTitle}>{c.name}</span>
                        <span className={`${s.mono} ${s.muted} ${s.hideSm}`}>/{c.slug}</span>
                        <span className={s.spacer} />
                        <span className={s.rowButtons}>
                          <IconButton
                            size="sm"
                            label={t('help.moveUp', { name: c.name })}
                            icon={<ArrowUp size={14} aria-hidden />}
                            disabled={i === 0 || move.isPending}
                            onClick={() => move.mutate(moveCategory(all, c.id, -1))}
                            data-testid={`help-category-up-${c.id}`}
                          />
                          <IconButton
                            size="sm"
                            label={t('help.moveDown', { name: c.name })}
                            icon={<ArrowDown size={14} aria-hidden />}
                            disabled={i === list.length - 1 || move.isPending}
                            onClick={() => move.mutate(moveCategory(all, c.id, 1))}
                            data-testid={`help-category-down-${c.id}`}
                          />
                          <IconButton size="sm" label={t('editItem', { name: c.name })} icon={<Pencil size={14} aria-hidden />} onClick={() => setEditing(c)} data-testid={`help-category-edit-${c.id}`} />
                          <IconButton size="sm" label={t('deleteItem', { name: c.name })} icon={<Trash2 size={14} aria-hidden />} onClick={() => setDeleting(c)} data-testid={`help-category-delete-${c.id}`} />
                        </span>
                      </li>
                    ))}
                  </ul>
                </div>
              );
            })
        )}
      </Panel>
      {editing && <CategoryDialog category={editing === 'new' ? null : editing} all={all} onClose={() => setEditing(null)} onSaved={invalidate} />}
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('help.deleteCategoryTitle', { name: deleting?.name ?? '' })}
        body={t('help.deleteCategoryBody')}
        confirmLabel={tc('delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
    </>
  );
}

function CategoryDialog({ category, all, onClose, onSaved }: { category: HelpCategory | null; all: HelpCategory[]; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const lang = useDefaultLanguage();
  const [name, setName] = useState(category?.name ?? '');
  const [language, setLanguage] = useState<HelpLanguage>(category?.language ?? lang);
  const [position, setPosition] = useState(String(category?.position ?? nextPosition(all, lang)));
  const [tried, setTried] = useState(false);
  const v = validateCategory(name, position);
  const save = useMutation({
    mutationFn: () =>
      category
        ? unwrap(api.PATCH('/api/v1/help/categories/{id}', { params: { path: { id: category.id } }, body: { name: v.name, position: v.position } }))
        : unwrap(api.POST('/api/v1/help/categories', { body: { name: v.name, language, position: v.position } })),
    onSuccess: () => {
      onSaved();
      toast.success(tc('saved'));
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(v.errors).length === 0) save.mutate();
  };
  return (
    <FormDialog
      title={category ? t('help.editCategory') : t('help.newCategory')}
      formId="help-category-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={category ? tc('save') : tc('create')}
      submitTestId="help-category-save"
    >
      <Field label={t('help.categoryName')} htmlFor="help-category-name" error={tried && v.errors.name ? t(`help.errors.${v.errors.name}`, { max: helpLimits.name }) : undefined}>
        <Input id="help-category-name" value={name} autoFocus onChange={(e) => setName(e.target.value)} placeholder={t('help.categoryPlaceholder')} data-testid="help-category-name" />
      </Field>
      <div className={s.formGrid}>
        <Field label={t('help.language')} htmlFor="help-category-language" hint={category ? t('help.languageFixed') : undefined}>
          <Select
            id="help-category-language"
            value={language}
            disabled={!!category}
            onChange={(e) => {
              const l = e.target.value as HelpLanguage;
              setLanguage(l);
              setPosition(String(nextPosition(all, l)));
            }}
            data-testid="help-category-language"
          >
            {helpLanguages.map((l) => (
              <option key={l} value={l}>
                {t(`help.languages.${l}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('help.position')} htmlFor="help-category-position" hint={t('help.positionHint')} error={tried && v.errors.position ? t('help.errors.position') : undefined}>
          <Input id="help-category-position" inputMode="numeric" value={position} onChange={(e) => setPosition(e.target.value)} className={s.positionInput} data-testid="help-category-position" />
        </Field>
      </div>
    </FormDialog>
  );
}
