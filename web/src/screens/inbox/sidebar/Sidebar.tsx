// The inbox's first column (seed 003, "coluna de informações gerais"): my
// presence, my inbox, the general views (waiting / all / finished / snoozed /
// starred), departments with their queues and agents with their presence and
// load. Counts come from one counters query that realtime events invalidate.
// On narrow screens the column is an overlay the list's menu button opens.
import { AlarmClock, CircleCheck, Hourglass, Inbox, Layers, Search, Star, Users, X } from 'lucide-react';
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { useCounters, useMe } from '../../../api/queries';
import { Avatar, Button, IconButton, Skeleton } from '../../../ui';
import type { InboxChrome } from '../InboxScreen';
import type { InboxRoute } from '../route';
import { PresenceSwitch } from './PresenceSwitch';
import { buildSections, countText, filterItems, segmentHref, type NavItem, type NavSection, type ViewKey } from './sections';
import { narrowSidebarQuery, useMedia } from './useMedia';
import s from './Sidebar.module.css';

const viewIcons: Record<ViewKey, ReactNode> = {
  mine: <Inbox size={16} aria-hidden />,
  waiting: <Hourglass size={16} aria-hidden />,
  all: <Layers size={16} aria-hidden />,
  resolved: <CircleCheck size={16} aria-hidden />,
  snoozed: <AlarmClock size={16} aria-hidden />,
  starred: <Star size={16} aria-hidden />,
};

/** Sections longer than this get a filter box ("veja e busque os times / usuários"). */
const filterFrom = 8;

export function Sidebar({ route, chrome }: { route: InboxRoute; chrome: InboxChrome }) {
  const { t } = useTranslation('inbox');
  const me = useMe().data;
  const counters = useCounters();
  const narrow = useMedia(narrowSidebarQuery);
  const overlay = narrow && chrome.sidebarOpen;
  const closeRef = useRef<HTMLButtonElement>(null);
  const { setSidebarOpen } = chrome;

  const sections = useMemo(() => (counters.data ? buildSections(counters.data, me?.user.id) : null), [counters.data, me?.user.id]);

  useEffect(() => {
    if (!overlay) return;
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setSidebarOpen(false);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [overlay, setSidebarOpen]);

  const close = useCallback(() => setSidebarOpen(false), [setSidebarOpen]);
  const { search } = useLocation();

  return (
    <div className={s.sidebar}>
      <div className={s.top}>
        <span className={s.title}>{t('sidebar.title')}</span>
        {narrow && <IconButton ref={closeRef} label={t('sidebar.close')} icon={<X size={16} />} size="sm" onClick={close} />}
      </div>
      <PresenceSwitch />
      <nav className={s.nav} aria-label={t('counters')}>
        {sections ? (
          sections.map((sec) => <Section key={sec.id} section={sec} active={route.segment} search={search} onNavigate={close} />)
        ) : counters.isError ? (
          <div className={s.error} role="alert">
            <p>{t('sidebar.error')}</p>
            <Button size="sm" onClick={() => void counters.refetch()}>
              {t('common:retry')}
            </Button>
          </div>
        ) : (
          <SidebarSkeleton />
        )}
      </nav>
      {overlay && createPortal(<div className={s.backdrop} onClick={close} aria-hidden />, document.body)}
    </div>
  );
}

function Section({ section, active, search, onNavigate }: { section: NavSection; active: string; search: string; onNavigate: () => void }) {
  const { t } = useTranslation('inbox');
  const headingId = useId();
  const [query, setQuery] = useState('');
  const filterable = (section.id === 'departments' || section.id === 'agents') && section.items.length >= filterFrom;
  const items = filterable ? filterItems(section.items, query) : section.items;
  const findLabel = section.id === 'departments' ? t('sidebar.findDepartment') : t('sidebar.findAgent');
  return (
    <section className={s.section} aria-labelledby={headingId}>
      <h2 id={headingId} className={s.heading}>
        {t(`sidebar.${section.id}`)}
      </h2>
      {filterable && (
        <label className={s.find}>
          <Search size={13} aria-hidden />
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder={findLabel} aria-label={findLabel} />
        </label>
      )}
      <ul className={s.items}>
        {items.map((it) => (
          <li key={it.segment}>
            <NavRow item={it} active={active === it.segment} search={search} onNavigate={onNavigate} />
          </li>
        ))}
      </ul>
      {filterable && items.length === 0 && <p className={s.noMatch}>{t('sidebar.noMatch', { q: query.trim() })}</p>}
    </section>
  );
}

const NavRow = memo(function NavRow({ item, active, search, onNavigate }: { item: NavItem; active: boolean; search: string; onNavigate: () => void }) {
  const { t, i18n } = useTranslation('inbox');
  const num = (n: number) => countText(n, i18n.language);
  const name = item.view ? t(`views.${item.view}`) : (item.name ?? '');
  let icon: ReactNode;
  let extra: ReactNode = null;
  let counts: ReactNode = null;
  // Numbers stay visible text; their meaning is added for screen readers
  // (sr-only) so the accessible name starts with what is on screen.
  if (item.presence) {
    icon = <Avatar name={name} size={22} presence={item.presence} />;
    extra = <span className="sr-only">, {t(`common:presence.${item.presence}`)}</span>;
    counts = (
      <span className={s.count} title={t('sidebar.openTitle')}>
        {num(item.count ?? 0)}
        <span className="sr-only"> {t('sidebar.openTitle')}</span>
      </span>
    );
  } else if (item.queued !== undefined) {
    icon = <Users size={16} aria-hidden />;
    counts = (
      <span className={s.pair}>
        <span className={s.queued} data-zero={item.queued === 0} title={t('sidebar.queuedTitle')}>
          {num(item.queued)}
          <span className="sr-only"> {t('sidebar.queuedTitle')},</span>
        </span>
        <span className={s.count} title={t('sidebar.openTitle')}>
          {num(item.open ?? 0)}
          <span className="sr-only"> {t('sidebar.openTitle')}</span>
        </span>
      </span>
    );
  } else {
    icon = item.view ? viewIcons[item.view] : null;
    if (item.count !== undefined) {
      counts = (
        <span className={s.pair}>
          {item.unread ? (
            <span className={s.unread} title={t('sidebar.unread', { count: item.unread })}>
              {num(item.unread)}
              <span className="sr-only"> {t('sidebar.unreadShort')},</span>
            </span>
          ) : null}
          <span className={item.view === 'waiting' && item.count > 0 ? s.attention : s.count}>{num(item.count)}</span>
        </span>
      );
    }
  }
  return (
    <Link to={segmentHref(item.segment, search)} className={s.item} data-testid={item.testId} aria-current={active ? 'page' : undefined} onClick={onNavigate}>
      <span className={s.itemInner} data-testid={item.innerTestId}>
        <span className={s.icon}>{icon}</span>
        <span className={s.name}>
          {name}
          {item.isMe && <span className={s.you}> ({t('sidebar.you')})</span>}
          {extra}
        </span>
        {counts}
      </span>
    </Link>
  );
});

function SidebarSkeleton() {
  const rows = [1, 5, 3, 4];
  return (
    <div className={s.skeleton} aria-busy="true">
      {rows.map((n, i) => (
        <div key={i} className={s.section}>
          <Skeleton width={72} height={10} style={{ margin: '6px 10px 8px' }} />
          {Array.from({ length: n }, (_, j) => (
            <div key={j} className={s.skeletonRow}>
              <Skeleton width={16} height={16} />
              <Skeleton width={`${50 + ((i * 7 + j * 13) % 35)}%`} height={10} />
              <Skeleton width={18} height={10} style={{ marginLeft: 'auto' }} />
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
