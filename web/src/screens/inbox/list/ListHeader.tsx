// The list's header: view title and size, the menu button that opens the
// sidebar on narrow screens, the search box (contacts by name / phone /
// e-mail, and full text over messages), sort and filters. Everything lives in
// the URL through route.setQuery, so a filtered view can be bookmarked.
import { Menu as MenuIcon, Search, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel, Label } from '../../../api/client';
import { IconButton, Select } from '../../../ui';
import type { InboxChrome } from '../InboxScreen';
import type { InboxRoute } from '../route';
import s from './List.module.css';
import { NewConversationButton } from './NewConversationDialog';

const sorts = ['latest', 'waiting_since', 'opened_at'] as const;

export function ListHeader({
  route,
  chrome,
  title,
  count,
  labels,
  channels,
  busy,
  onFocusList,
}: {
  route: InboxRoute;
  chrome: InboxChrome;
  title: string;
  count: number | undefined;
  labels: Label[] | undefined;
  channels: Pick<Channel, 'id' | 'name'>[] | undefined;
  busy: boolean;
  onFocusList: () => void;
}) {
  const { t, i18n } = useTranslation('inbox');
  const menuRef = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    // Give focus back to the menu button when the sidebar overlay closes.
    if (wasOpen.current && !chrome.sidebarOpen && menuRef.current && getComputedStyle(menuRef.current).display !== 'none') menuRef.current.focus();
    wasOpen.current = chrome.sidebarOpen;
  }, [chrome.sidebarOpen]);
  const { spec, setQuery } = route;
  const hasFilters = !!(spec.labelId || spec.channelId);
  return (
    <header className={s.header}>
      <div className={s.titleRow}>
        <IconButton
          ref={menuRef}
          className={s.menuButton}
          label={t('header.openMenu')}
          icon={<MenuIcon size={18} />}
          aria-expanded={chrome.sidebarOpen}
          onClick={() => chrome.setSidebarOpen(true)}
          data-testid="list-menu"
        />
        <h2 className={s.title} title={title}>
          {title}
        </h2>
        {count !== undefined && (
          <span className={s.titleCount} aria-label={t('header.count', { count })}>
            {new Intl.NumberFormat(i18n.language).format(count)}
          </span>
        )}
        {busy && <span className={s.busy} aria-hidden />}
        <NewConversationButton onOpen={(id) => route.open(id)} />
      </div>
      <SearchBox q={route.q} onSearch={(q) => setQuery({ q: q || undefined })} onFocusList={onFocusList} />
      <div className={s.filters}>
        <Select
          className={s.sort}
          data-testid="list-sort"
          aria-label={t('header.sort')}
          title={t('header.sort')}
          value={spec.sort}
          onChange={(e) => setQuery({ sort: e.target.value === 'latest' ? undefined : e.target.value })}
        >
          {sorts.map((v) => (
            <option key={v} value={v}>
              {t(`sort.${v}`)}
            </option>
          ))}
        </Select>
        <Select
          className={s.filter}
          data-testid="filter-label"
          data-active={!!spec.labelId}
          aria-label={t('header.label')}
          title={t('header.label')}
          value={spec.labelId ? String(spec.labelId) : ''}
          onChange={(e) => setQuery({ label: e.target.value || undefined })}
        >
          <option value="">{t('header.allLabels')}</option>
          {(labels ?? []).map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </Select>
        {channels && (
          <Select
            className={s.filter}
            data-testid="filter-channel"
            data-active={!!spec.channelId}
            aria-label={t('header.channel')}
            title={t('header.channel')}
            value={spec.channelId ? String(spec.channelId) : ''}
            onChange={(e) => setQuery({ channel: e.target.value || undefined })}
          >
            <option value="">{t('header.allChannels')}</option>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </Select>
        )}
        {hasFilters && (
          <IconButton size="sm" label={t('header.clearFilters')} icon={<X size={14} />} onClick={() => setQuery({ label: undefined, channel: undefined })} />
        )}
      </div>
    </header>
  );
}

/** SearchBox types freely and sends the query after a 300 ms pause (Enter sends at once, Escape clears). */
function SearchBox({ q, onSearch, onFocusList }: { q: string; onSearch: (q: string) => void; onFocusList: () => void }) {
  const { t } = useTranslation('inbox');
  const [value, setValue] = useState(q);
  const sent = useRef(q);
  const onSearchRef = useRef(onSearch);
  onSearchRef.current = onSearch;

  // The URL changed by itself (view switch, back button): show its query.
  useEffect(() => {
    if (q !== sent.current) {
      sent.current = q;
      setValue(q);
    }
  }, [q]);

  const send = (v: string) => {
    const next = v.trim();
    if (next === sent.current) return;
    sent.current = next;
    onSearchRef.current(next);
  };

  useEffect(() => {
    const id = setTimeout(() => send(value), 300);
    return () => clearTimeout(id);
  }, [value]);

  return (
    <div className={s.search} role="search">
      <Search size={14} className={s.searchIcon} aria-hidden />
      <input
        type="search"
        className={s.searchInput}
        data-testid="list-search"
        aria-label={t('header.search')}
        placeholder={t('header.searchPlaceholder')}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') send(value);
          else if (e.key === 'Escape' && value) {
            e.preventDefault();
            setValue('');
            send('');
          } else if (e.key === 'ArrowDown') {
            e.preventDefault();
            send(value);
            onFocusList();
          }
        }}
      />
      {value && (
        <button
          type="button"
          className={s.clear}
          aria-label={t('header.clearSearch')}
          title={t('header.clearSearch')}
          onClick={() => {
            setValue('');
            send('');
          }}
        >
          <X size={14} aria-hidden />
        </button>
      )}
    </div>
  );
}
