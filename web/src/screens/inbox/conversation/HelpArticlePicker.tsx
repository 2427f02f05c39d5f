// The composer's "insert help article" button: a popover that searches the
// workspace's published help-centre articles and hands back "<title>: <URL>".
import * as RPopover from '@radix-ui/react-popover';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Command } from 'cmdk';
import { BookOpen } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../../api/client';
import { IconButton, Spinner, uiStyles } from '../../../ui';
import { helpArticleLink, helpLanguages, type HelpLanguage } from './helpArticles';
import s from './composer.module.css';

type Article = Schemas['HelpArticle'];

const searchDelay = 200;
const shown = 20;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

export function HelpArticleButton({
  workspaceSlug,
  preferred,
  disabled,
  onInsert,
}: {
  workspaceSlug: string;
  /** the language to look in first: the contact's when known, else the UI's */
  preferred: HelpLanguage;
  disabled?: boolean;
  onInsert: (link: string) => void;
}) {
  const { t } = useTranslation('conversation');
  const [open, setOpen] = useState(false);
  const picked = useRef(false);
  return (
    <RPopover.Root
      open={open}
      onOpenChange={(o) => {
        if (o) picked.current = false;
        setOpen(o);
      }}
    >
      <RPopover.Trigger asChild>
        <IconButton size="sm" data-testid="composer-help-article" label={t('helpArticle.button')} icon={<BookOpen size={17} />} disabled={disabled} />
      </RPopover.Trigger>
      <RPopover.Portal>
        <RPopover.Content
          className={uiStyles.popover}
          side="top"
          align="start"
          sideOffset={6}
          collisionPadding={8}
          aria-label={t('helpArticle.button')}
          // after a pick the composer puts the caret after the link; only Escape
          // or a click outside sends focus back to the button
          onCloseAutoFocus={(e) => {
            if (picked.current) e.preventDefault();
          }}
        >
          <HelpArticlePicker
            preferred={preferred}
            onPick={(a) => {
              picked.current = true;
              setOpen(false);
              onInsert(helpArticleLink(window.location.origin, workspaceSlug, a));
            }}
          />
        </RPopover.Content>
      </RPopover.Portal>
    </RPopover.Root>
  );
}

function HelpArticlePicker({ preferred, onPick }: { preferred: HelpLanguage; onPick: (a: Article) => void }) {
  const { t } = useTranslation('conversation');
  const [lang, setLang] = useState<HelpLanguage>(preferred);
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), searchDelay);
  const [selected, setSelected] = useState('');

  const articles = useQuery({
    // own keys under the settings screen's prefixes: its invalidations refresh these,
    // and no other screen's data shape can land here
    queryKey: ['help-articles', 'composer', lang, q],
    queryFn: () =>
      // with q: best match first; without: newest edit first
      unwrap(api.GET('/api/v1/help/articles', { params: { query: { status: 'published', language: lang, limit: shown, ...(q ? { q } : {}) } } })).then((r) => r.items),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    meta: { silent: true },
  });
  const categories = useQuery({
    queryKey: ['help-categories', 'composer', lang],
    queryFn: () => unwrap(api.GET('/api/v1/help/categories', { params: { query: { language: lang } } })).then((r) => r.items),
    staleTime: 5 * 60_000,
    meta: { silent: true },
  });
  const categoryName = (id: number | null) => (id == null ? undefined : categories.data?.find((c) => c.id === id)?.name);

  const items = articles.data ?? [];
  // keep the highlighted row on a row that exists (cmdk would otherwise point at nothing after new results)
  const active = items.some((a) => String(a.id) === selected) ? selected : items.length ? String(items[0].id) : '';
  // the rows on screen are not the answer to what is typed yet
  const stale = q !== query.trim() || articles.isPlaceholderData;
  const settling = stale || articles.isFetching;

  return (
    <Command
      className={s.help}
      label={t('helpArticle.button')}
      shouldFilter={false}
      loop
      value={active}
      onValueChange={setSelected}
      onKeyDown={(e) => {
        // Enter while typing fast would insert a row of the previous search
        if (e.key === 'Enter' && stale) e.preventDefault();
      }}
    >
      <div className={s.helpHead}>
        <Command.Input
          className={s.helpSearch}
          value={query}
          onValueChange={setQuery}
          placeholder={t('helpArticle.search')}
          aria-label={t('helpArticle.search')}
          data-testid="help-article-search"
          maxLength={200}
          autoFocus
        />
        <div className={s.helpLangs} role="radiogroup" aria-label={t('helpArticle.language')}>
          {helpLanguages.map((l) => (
            <button
              key={l}
              type="button"
              role="radio"
              aria-checked={lang === l}
              className={s.helpLang}
              data-testid={`help-article-lang-${l}`}
              title={t(`helpArticle.languages.${l}`)}
              onClick={() => setLang(l)}
            >
              {l === 'pt-BR' ? 'PT' : 'EN'}
            </button>
          ))}
        </div>
      </div>
      <Command.List className={s.helpList} aria-busy={settling}>
        {articles.isPending ? (
          <Command.Loading>
            <div className={s.helpState}>
              <Spinner size={14} /> {t('helpArticle.loading')}
            </div>
          </Command.Loading>
        ) : articles.isError && items.length === 0 ? (
          <div className={s.helpState} role="alert">
            {t('helpArticle.failed')}
          </div>
        ) : items.length === 0 ? (
          <div className={s.helpState} data-testid="help-article-empty">
            {q ? t('helpArticle.noMatch', { query: q }) : t(`helpArticle.none.${lang}`)}
          </div>
        ) : (
          items.map((a) => (
            <Command.Item key={a.id} value={String(a.id)} className={s.helpItem} data-testid={`help-article-option-${a.slug}`} onSelect={() => onPick(a)}>
              <span className={s.helpTitle}>{a.title}</span>
              <span className={s.helpMeta}>
                <span className={s.helpCategory}>{categoryName(a.category_id) ?? t('helpArticle.noCategory')}</span>
                <span className={s.helpTag}>{a.language}</span>
              </span>
            </Command.Item>
          ))
        )}
      </Command.List>
      <div className={s.helpFoot}>
        {settling && !articles.isPending ? <Spinner size={12} label={t('helpArticle.loading')} /> : null}
        <span>{t('helpArticle.hint')}</span>
      </div>
    </Command>
  );
}
