// The timeline: oldest → newest with day separators. Scrolling to the top
// loads older pages (keeping the reader's place); new messages keep the view
// at the bottom when the reader is there, and raise a "new messages" pill
// otherwise.
import { ArrowDown } from 'lucide-react';
import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Conversation, Message } from '../../../api/client';
import { useClosingReasons, useDepartments, useLabels, useMe, useMessages, useUsers } from '../../../api/queries';
import { dateTime } from '../../../lib/format';
import { useReplying } from '../../../state/ui';
import { Button, Skeleton, Spinner } from '../../../ui';
import type { EventLookup } from './events';
import { MessageItem, type MessageContext } from './Message';
import { dayKey, dayLabel } from './time';
import s from './timeline.module.css';

const groupGap = 5 * 60_000;
const bottomSlack = 80;

function sameSender(a: Message, b: Message): boolean {
  return a.kind !== 'event' && b.kind !== 'event' && (a.kind === 'note') === (b.kind === 'note') && a.sender_type === b.sender_type && a.sender_id === b.sender_id && a.direction === b.direction;
}

export function Timeline({ c }: { c: Conversation }) {
  const { t, i18n } = useTranslation('conversation');
  const me = useMe().data!;
  const q = useMessages(c.id);
  const users = useUsers().data;
  const departments = useDepartments().data;
  const labels = useLabels().data;
  const reasons = useClosingReasons().data;
  const tz = me.workspace.timezone;
  const lang = i18n.language;

  const items = useMemo(() => (q.data ? [...q.data.pages].reverse().flatMap((p) => p.items) : []), [q.data]);

  const ctx = useMemo<MessageContext>(() => {
    const lookup: EventLookup = {
      user: (id) => users?.find((u) => u.id === id)?.name,
      department: (id) => departments?.find((d) => d.id === id)?.name,
      label: (id) => labels?.find((l) => l.id === id)?.name,
      reason: (id) => reasons?.find((r) => r.id === id)?.name,
      time: (ms) => dateTime(ms, lang, tz),
      priority: (p) => t(`common:priority.${p}`),
    };
    const onReply =
      c.status === 'resolved'
        ? undefined
        : (m: Message, name: string) => {
            useReplying.getState().setReplying(c.id, { id: m.id, name, content: m.content, filename: m.attachments[0]?.filename });
            document.querySelector<HTMLTextAreaElement>('[data-testid="composer-input"]')?.focus();
          };
    return { lang, timeZone: tz, meId: me.user.id, contactName: c.contact_name, userName: (id) => (id ? lookup.user(id) : undefined), lookup, onReply };
  }, [users, departments, labels, reasons, lang, tz, me.user.id, c.contact_name, c.id, c.status, t]);

  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const prevLast = useRef<number | undefined>(undefined);
  const [unseen, setUnseen] = useState(0);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = q;
  const loadOlder = useCallback(() => {
    const el = scroller.current;
    if (!el || !hasNextPage || isFetchingNextPage) return;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const toBottom = useCallback((smooth = false) => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = true;
    el.scrollTo({ top: el.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
    setUnseen(0);
  }, []);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < bottomSlack;
    if (atBottom.current && unseen) setUnseen(0);
    if (el.scrollTop < 240) loadOlder();
  };

  // an older page was prepended: keep the same message under the reader's eyes
  const firstId = items[0]?.id;
  useLayoutEffect(() => {
    const el = scroller.current;
    const a = anchor.current;
    if (!el || !a) return;
    el.scrollTop = a.top + (el.scrollHeight - a.height);
    anchor.current = null;
  }, [firstId]);

  // a newer message arrived: follow it when at the bottom (or when it is mine), count it otherwise
  const lastId = items.at(-1)?.id;
  useLayoutEffect(() => {
    if (lastId === undefined) return;
    const prev = prevLast.current;
    prevLast.current = lastId;
    if (prev === undefined || prev === lastId) {
      if (prev === undefined) toBottom();
      return;
    }
    const idx = items.findIndex((m) => m.id === prev);
    const fresh = idx >= 0 ? items.slice(idx + 1) : [];
    const mineNow = fresh.some((m) => m.sender_type === 'user' && m.sender_id === me.user.id);
    if (atBottom.current || mineNow) toBottom();
    else setUnseen((n) => n + fresh.filter((m) => m.kind !== 'event').length);
  }, [lastId]);

  // images and media load later and grow the content, the composer grows and shrinks the view: stay at the bottom if we were there
  useEffect(() => {
    const el = scroller.current;
    const inner = content.current;
    if (!el || !inner || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (atBottom.current && !anchor.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(inner);
    ro.observe(el); // the composer grew (attachments, a longer text): the view got shorter
    return () => ro.disconnect();
  }, [q.isSuccess]);

  // a first page shorter than the view cannot be scrolled: load older right away
  useEffect(() => {
    const el = scroller.current;
    if (el && q.isSuccess && hasNextPage && !isFetchingNextPage && el.scrollHeight <= el.clientHeight + 4) loadOlder();
  }, [q.isSuccess, items.length, hasNextPage, isFetchingNextPage, loadOlder]);

  const now = Date.now();
  let prevDay = '';
  let prevMsg: Message | undefined;

  return (
    <div className={s.wrap}>
      <div ref={scroller} className={s.scroller} onScroll={onScroll} role="log" aria-label={t('timeline.label')} aria-busy={q.isPending || isFetchingNextPage} data-testid="timeline" tabIndex={0}>
        <div ref={content} className={s.content}>
          {q.isPending ? (
            <TimelineSkeleton />
          ) : (
            <>
              <div className={s.top}>
                {isFetchingNextPage ? (
                  <span className={s.topNote}>
                    <Spinner size={14} /> {t('timeline.loadingOlder')}
                  </span>
                ) : hasNextPage ? (
                  <Button size="sm" variant="ghost" onClick={loadOlder}>
                    {t('timeline.loadOlder')}
                  </Button>
                ) : items.length > 0 ? (
                  <span className={s.topNote}>{t('timeline.start')}</span>
                ) : (
                  <span className={s.topNote}>{t('timeline.empty')}</span>
                )}
              </div>
              {items.map((m) => {
                const day = dayKey(m.created_at, tz);
                const newDay = day !== prevDay;
                const grouped = !newDay && !!prevMsg && sameSender(prevMsg, m) && m.created_at - prevMsg.created_at < groupGap;
                prevDay = day;
                prevMsg = m;
                const dl = newDay ? dayLabel(m.created_at, now, lang, tz) : null;
                return (
                  <Fragment key={m.id}>
                    {dl && (
                      <div className={s.day} role="separator" aria-label={dl.kind === 'date' ? dl.text : t(`timeline.${dl.kind}`)}>
                        <span>{dl.kind === 'date' ? dl.text : t(`timeline.${dl.kind}`)}</span>
                      </div>
                    )}
                    <MessageItem m={m} grouped={grouped} ctx={ctx} />
                  </Fragment>
                );
              })}
            </>
          )}
        </div>
      </div>
      {unseen > 0 && (
        <button type="button" className={s.pill} onClick={() => toBottom(true)}>
          <ArrowDown size={14} aria-hidden />
          {t('timeline.newMessages', { count: unseen })}
        </button>
      )}
    </div>
  );
}

function TimelineSkeleton() {
  const rows: [boolean, number][] = [
    [true, 220],
    [true, 140],
    [false, 260],
    [true, 180],
    [false, 200],
    [false, 120],
  ];
  return (
    <div className={s.skeleton} aria-hidden>
      {rows.map(([left, w], i) => (
        <div key={i} className={left ? s.skelIn : s.skelOut}>
          <Skeleton width={w} height={34} style={{ borderRadius: 12 }} />
        </div>
      ))}
    </div>
  );
}
