// The inbox's second column (seed 003, "coluna de conversas"): the open view's
// conversations, newest page first, virtualised so that 10,000 rows scroll as
// smoothly as 10; the next page loads as its first rows come into view.
// Keyboard: ↑/↓ or j/k move and open, Home/End jump, Enter opens.
import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { AlarmClock, CircleCheck, Hourglass, Inbox, Layers, SearchX, SlidersHorizontal, Star, Users, UserRound } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { api, unwrap, type Counters } from '../../../api/client';
import { qk, useChannels, useConversationList, useCounters, useDepartments, useLabels, useMe, useUsers } from '../../../api/queries';
import { Button, EmptyState, Skeleton, Spinner } from '../../../ui';
import type { InboxChrome } from '../InboxScreen';
import type { InboxRoute } from '../route';
import { ConversationRow, HitRow, placeAt, type RowContext } from './ConversationRow';
import { ListHeader } from './ListHeader';
import { buildEntries, emptyKind, entryHeight, flattenPages, moveIndex, selectable, viewCount, viewName, type EmptyKind, type Entry, type HitLike } from './logic';
import s from './List.module.css';

/** useMessageSearch is full-text search over messages (20 newest hits). */
function useMessageSearch(q: string) {
  const term = q.trim();
  return useQuery({
    queryKey: qk.search(term),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/search/messages', { params: { query: { q: term } }, signal })).then((r) => r.items as HitLike[]),
    enabled: term.length >= 2,
    staleTime: 30_000,
  });
}

const emptyIcons: Record<EmptyKind, ReactNode> = {
  search: <SearchX size={28} />,
  filtered: <SlidersHorizontal size={28} />,
  mine: <Inbox size={28} />,
  unassigned: <Hourglass size={28} />,
  all: <Layers size={28} />,
  snoozed: <AlarmClock size={28} />,
  resolved: <CircleCheck size={28} />,
  starred: <Star size={28} />,
  dept: <Users size={28} />,
  agent: <UserRound size={28} />,
};

export function ConversationList({ route, chrome }: { route: InboxRoute; chrome: InboxChrome }) {
  const { t, i18n } = useTranslation('inbox');
  const me = useMe().data;
  const counters = useCounters().data as (Counters & { starred?: number }) | undefined;
  const users = useUsers().data;
  const departments = useDepartments().data;
  const labels = useLabels().data;
  const channels = useChannels();
  const list = useConversationList(route.spec, route.q);
  const { spec } = route;
  const q = route.q.trim();
  const searching = q !== '';
  const hits = useMessageSearch(q);
  const { search } = useLocation();

  const rows = useMemo(() => flattenPages(list.data?.pages), [list.data]);
  const hasMore = !!list.hasNextPage;
  const hitsState = !searching ? undefined : q.length < 2 ? 'short' : hits.isPending ? 'loading' : 'ready';
  const entries = useMemo(
    () => buildEntries(rows, { searching, hasMore, hits: hits.data, hitsState }),
    [rows, searching, hasMore, hits.data, hitsState],
  );
  const sel = useMemo(() => selectable(entries), [entries]);

  const ctx = useMemo<RowContext>(() => {
    const userMap = new Map((users ?? []).map((u) => [u.id, u.name]));
    for (const a of counters?.agents ?? []) if (!userMap.has(a.id)) userMap.set(a.id, a.name);
    const deptMap = new Map((departments ?? []).map((d) => [d.id, d.name]));
    for (const d of counters?.departments ?? []) if (!deptMap.has(d.id)) deptMap.set(d.id, d.name);
    return {
      meId: me?.user.id,
      userName: (id) => userMap.get(id),
      departmentName: (id) => deptMap.get(id),
      labels: new Map((labels ?? []).map((l) => [l.id, l])),
      channels: new Map((channels.data ?? []).map((c) => [c.id, { name: c.name, kind: c.kind }])),
      channelNames: (channels.data?.length ?? 0) > 1,
      spec: { view: spec.view, departmentId: spec.departmentId, agentId: spec.agentId },
      timeZone: me?.workspace.timezone || undefined,
      lang: i18n.language,
      yellowAfter: me?.workspace.thermometer_yellow_seconds ?? 300,
      redAfter: me?.workspace.thermometer_red_seconds ?? 900,
    };
  }, [users, departments, counters?.agents, counters?.departments, labels, channels.data, me, i18n.language, spec.view, spec.departmentId, spec.agentId]);

  // --- virtual list ---------------------------------------------------------
  const scrollRef = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => entryHeight[entries[i]?.type ?? 'row'],
    getItemKey: (i) => entries[i]?.key ?? i,
    overscan: 12,
  });
  const items = virt.getVirtualItems();

  // Fetch the next page when the "loading more" entry comes within 20 entries of the screen.
  const lastVisible = items.length ? items[items.length - 1].index : -1;
  const moreAt = hasMore ? entries.findIndex((e) => e.type === 'more') : -1;
  const { fetchNextPage, isFetchingNextPage } = list;
  useEffect(() => {
    if (moreAt >= 0 && !isFetchingNextPage && lastVisible >= moreAt - 20) void fetchNextPage();
  }, [moreAt, lastVisible, isFetchingNextPage, fetchNextPage]);

  // A new view, filter or search starts at the top.
  const listKey = JSON.stringify([route.spec, q]);
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [listKey]);

  // --- selection and keyboard -----------------------------------------------
  const [cursorKey, setCursorKey] = useState<string | null>(null);
  const openId = route.conversationId;
  const activePos = useMemo(() => {
    if (openId == null) return -1;
    if (cursorKey) {
      const p = sel.findIndex((x) => entries[x.index].key === cursorKey);
      if (p >= 0 && sel[p].conversationId === openId) return p;
    }
    return sel.findIndex((x) => x.conversationId === openId);
  }, [sel, entries, cursorKey, openId]);
  const activeIndex = activePos >= 0 ? sel[activePos].index : -1;

  // Bring the open conversation into view once when it changes (deep link, other pane), not on every reorder.
  const scrolledFor = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (openId == null || activeIndex < 0 || scrolledFor.current === openId) return;
    scrolledFor.current = openId;
    virt.scrollToIndex(activeIndex, { align: 'auto' });
  }, [openId, activeIndex, virt]);

  // Keys can come faster than the URL change renders: remember where the
  // last key moved to until the route catches up.
  const pending = useRef<{ pos: number; id: number } | null>(null);
  useEffect(() => {
    if (pending.current && pending.current.id === openId) pending.current = null;
  }, [openId]);

  // route.open changes with every location (react-router's navigate does);
  // rows get stable handlers through a ref so that opening a conversation
  // re-renders two rows, not all of them.
  const openRef = useRef(route.open);
  openRef.current = route.open;
  const open = useCallback((id: number) => openRef.current(id), []);
  const openEntry = useCallback(
    (p: number) => {
      const target = sel[p];
      if (!target) return;
      pending.current = target.conversationId !== openId ? { pos: p, id: target.conversationId } : null;
      setCursorKey(entries[target.index].key);
      scrolledFor.current = target.conversationId;
      virt.scrollToIndex(target.index, { align: 'auto' });
      if (target.conversationId !== openId) open(target.conversationId);
    },
    [sel, entries, virt, open, openId],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const from = pending.current ? pending.current.pos : activePos;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openEntry(from >= 0 ? from : 0);
      return;
    }
    const next = moveIndex(from, e.key, sel.length);
    if (next === null) return;
    e.preventDefault();
    openEntry(next);
  };

  const onOpenRow = useCallback(
    (id: number) => {
      pending.current = null;
      setCursorKey(null);
      scrolledFor.current = id;
      open(id);
    },
    [open],
  );
  const onOpenHit = useCallback(
    (id: number) => {
      pending.current = null;
      scrolledFor.current = id;
      open(id);
    },
    [open],
  );
  const hrefFor = (id: number) => `/inbox/${route.segment}/${id}${search}`;

  // --- header -----------------------------------------------------------------
  const name = viewName(route.spec, counters, departments, users);
  const baseTitle = route.spec.departmentId || route.spec.agentId ? (name ?? '…') : t(`views.${route.spec.view === 'unassigned' ? 'waiting' : route.spec.view}`);
  const count = viewCount(route.spec, q, counters);
  const showChannels = channels.isError ? undefined : channels.data;

  // --- body -------------------------------------------------------------------
  const setSize = hasMore ? -1 : rows.length;
  const hitCount = hits.data?.length ?? 0;
  const domId = (key: string) => `inbox-entry-${key}`;
  const nothingFound = searching && !list.isPending && rows.length === 0 && !hasMore && hitsState === 'ready' && hitCount === 0;
  const empty = !list.isPending && !list.isError && ((!searching && rows.length === 0 && !hasMore) || nothingFound);

  let body: ReactNode;
  if (list.isPending) {
    body = <SkeletonRows />;
  } else if (list.isError && rows.length === 0) {
    body = (
      <div className={s.error} role="alert">
        <p>{t('error')}</p>
        <Button size="sm" onClick={() => void list.refetch()}>
          {t('common:retry')}
        </Button>
      </div>
    );
  } else if (empty) {
    const kind = emptyKind(route.spec, q);
    body = (
      <div data-testid="list-empty" className={s.empty}>
        <EmptyState
          icon={emptyIcons[kind]}
          title={t(`empty.${kind}.title`, { q, name: name ?? '' })}
          body={t(`empty.${kind}.body`)}
          action={
            kind === 'filtered' ? (
              <Button size="sm" onClick={() => route.setQuery({ label: undefined, channel: undefined })}>
                {t('header.clearFilters')}
              </Button>
            ) : kind === 'mine' && (counters?.unassigned ?? 0) > 0 ? (
              <Button size="sm" onClick={() => route.go('unassigned')}>
                {t('views.waiting')} · {new Intl.NumberFormat(i18n.language).format(counters?.unassigned ?? 0)}
              </Button>
            ) : undefined
          }
        />
      </div>
    );
  } else {
    body = (
      <div style={{ height: virt.getTotalSize(), position: 'relative', width: '100%' }}>
        {items.map((vi) => {
          const e = entries[vi.index] as Entry | undefined;
          if (!e) return null;
          const style = placeAt(vi.start, vi.size);
          switch (e.type) {
            case 'row':
              return (
                <ConversationRow
                  key={vi.key}
                  c={e.conversation}
                  domId={domId(e.key)}
                  selected={e.conversation.id === openId}
                  start={vi.start}
                  size={vi.size}
                  pos={e.pos}
                  setSize={setSize}
                  ctx={ctx}
                  href={hrefFor(e.conversation.id)}
                  onOpen={onOpenRow}
                />
              );
            case 'hit':
              return (
                <HitRow
                  key={vi.key}
                  hit={e.hit}
                  q={q}
                  domId={domId(e.key)}
                  selected={vi.index === activeIndex}
                  start={vi.start}
                  size={vi.size}
                  pos={e.pos}
                  setSize={hitCount}
                  ctx={ctx}
                  href={hrefFor(e.hit.conversation_id)}
                  onOpen={onOpenHit}
                />
              );
            case 'heading':
              return (
                <div key={vi.key} role="presentation" className={s.sectionHeading} style={style}>
                  {t(`search.${e.section}`)}
                  {e.count !== undefined && <span className={s.sectionCount}>{e.count}</span>}
                </div>
              );
            case 'note':
              return (
                <div key={vi.key} role="presentation" className={s.note} style={style}>
                  {e.state === 'loading' && <Spinner size={14} />}
                  {e.state === 'loading'
                    ? t('search.searching')
                    : e.state === 'short'
                      ? t('search.short')
                      : e.section === 'messages'
                        ? t('search.noMessages')
                        : t('search.noConversations')}
                </div>
              );
            case 'more':
              return (
                <div key={vi.key} role="presentation" className={s.more} style={style}>
                  <Spinner size={14} />
                  {t('more')}
                </div>
              );
          }
        })}
      </div>
    );
  }

  const listReady = !list.isPending && !empty && !(list.isError && rows.length === 0);
  return (
    <div className={s.column}>
      <ListHeader
        route={route}
        chrome={chrome}
        title={baseTitle}
        count={count}
        labels={labels}
        channels={showChannels}
        busy={list.isPlaceholderData || (list.isFetching && !list.isFetchingNextPage && !list.isPending)}
        onFocusList={() => scrollRef.current?.focus()}
      />
      <span id="inbox-list-keys" className="sr-only">
        {t('header.keyboard')}
      </span>
      <div
        ref={scrollRef}
        className={s.scroller}
        data-testid="conversation-list"
        data-stale={list.isPlaceholderData || undefined}
        role={listReady ? 'listbox' : undefined}
        aria-label={listReady ? baseTitle : undefined}
        aria-describedby={listReady ? 'inbox-list-keys' : undefined}
        aria-activedescendant={listReady && activeIndex >= 0 && items.some((v) => v.index === activeIndex) ? domId(entries[activeIndex].key) : undefined}
        aria-busy={list.isPending || undefined}
        tabIndex={0}
        onKeyDown={listReady ? onKeyDown : undefined}
      >
        {body}
      </div>
    </div>
  );
}

function SkeletonRows() {
  return (
    <div aria-hidden className={s.skeletons}>
      {Array.from({ length: 9 }, (_, i) => (
        <div key={i} className={s.skeletonRow}>
          <Skeleton width={36} height={36} style={{ borderRadius: '50%', flex: 'none' }} />
          <div className={s.skeletonLines}>
            <div style={{ display: 'flex', justifyContent: 'space-between' }}>
              <Skeleton width={`${38 + ((i * 17) % 30)}%`} height={11} />
              <Skeleton width={32} height={10} />
            </div>
            <Skeleton width={`${62 + ((i * 23) % 30)}%`} height={10} />
            <Skeleton width={`${30 + ((i * 11) % 25)}%`} height={9} />
          </div>
        </div>
      ))}
    </div>
  );
}
