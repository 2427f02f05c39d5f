// One row of the conversation list and one message-search hit. Rows are
// memoised: only the thermometer and the time subscribe to the shared clock,
// so a tick re-renders those two small parts, not the rows.
import { Bot, Code2, Flag, Globe, Mail, MessageCircle, MessageSquareText, Send, Smartphone, Star, StickyNote, Timer } from 'lucide-react';
import { memo, type CSSProperties, type MouseEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Conversation, Label } from '../../../api/client';
import { level, waitedSeconds, waitLabel } from '../../../lib/thermometer';
import { Avatar } from '../../../ui';
import type { ListSpec } from '../../../realtime/listCache';
import { useNow } from './clock';
import { fullTime, rowTime } from './time';
import { highlight, rowHint, snippet, waitingShown, type HintContext, type HitLike } from './logic';
import s from './List.module.css';

export interface RowContext extends HintContext {
  labels: Map<number, Label>;
  channels: Map<number, { name: string; kind: string }>;
  /** The list's view, so hints leave out what the view already says. */
  spec?: Pick<ListSpec, 'view' | 'departmentId' | 'agentId'>;
  /** With one channel its name says nothing: rows show only its icon. */
  channelNames: boolean;
  timeZone?: string;
  lang: string;
  yellowAfter: number;
  redAfter: number;
}

const channelIcons: Record<string, ReactNode> = {
  api: <Code2 size={12} aria-hidden />,
  whatsapp: <MessageCircle size={12} aria-hidden />,
  telegram: <Send size={12} aria-hidden />,
  email: <Mail size={12} aria-hidden />,
  sms: <MessageSquareText size={12} aria-hidden />,
  widget: <Globe size={12} aria-hidden />,
  messenger: <MessageCircle size={12} aria-hidden />,
  instagram: <MessageCircle size={12} aria-hidden />,
  app: <Smartphone size={12} aria-hidden />,
};

/** placeAt positions a virtual entry (absolute, moved with a transform so scrolling never relayouts rows). */
export function placeAt(start: number, size: number): CSSProperties {
  return { position: 'absolute', top: 0, left: 0, width: '100%', height: size, transform: `translateY(${start}px)` };
}

/** onRowClick opens in place, or in a new tab with Ctrl/⌘ or the middle button, like a link. */
function clickHandler(href: string, open: () => void) {
  return (e: MouseEvent) => {
    if (e.button === 1 || e.metaKey || e.ctrlKey) {
      window.open(href, '_blank', 'noopener');
      return;
    }
    if (e.button === 0) open();
  };
}

export const ConversationRow = memo(function ConversationRow({
  c,
  domId,
  selected,
  start,
  size,
  pos,
  setSize,
  ctx,
  href,
  onOpen,
}: {
  c: Conversation;
  domId: string;
  selected: boolean;
  start: number;
  size: number;
  pos: number;
  setSize: number;
  ctx: RowContext;
  href: string;
  onOpen: (id: number) => void;
}) {
  const { t } = useTranslation('inbox');
  const unread = c.unread === true;
  const hint = rowHint(c, ctx, ctx.spec);
  const hintText =
    hint.key === 'snoozed'
      ? hint.until
        ? t('hint.snoozed', { until: fullTime(hint.until, ctx.lang, ctx.timeZone) })
        : t('common:status.snoozed')
      : t(`hint.${hint.key}`, { name: hint.name, dept: hint.dept });
  const channel = ctx.channels.get(c.channel_id);
  const labels = c.label_ids.map((id) => ctx.labels.get(id)).filter((l): l is Label => !!l);
  const name = c.contact_name || `#${c.id}`;
  const handler = clickHandler(href, () => onOpen(c.id));
  return (
    <div
      id={domId}
      role="option"
      aria-selected={selected}
      aria-posinset={pos + 1}
      aria-setsize={setSize}
      data-testid={`conversation-row-${c.id}`}
      data-unread={unread ? 'true' : 'false'}
      data-status={c.status}
      className={s.row}
      style={placeAt(start, size)}
      onClick={handler}
      onAuxClick={handler}
    >
      <Avatar name={name} size={36} />
      <div className={s.rowBody}>
        <div className={s.line}>
          <span className={s.name} title={name}>
            {name}
          </span>
          {c.priority !== 'none' && (
            <Flag
              size={12}
              className={s.priority}
              data-priority={c.priority}
              role="img"
              aria-label={t('row.priority', { level: t(`common:priority.${c.priority}`) })}
            >
              <title>{t('row.priority', { level: t(`common:priority.${c.priority}`) })}</title>
            </Flag>
          )}
          <RowTime at={c.last_message_at} lang={ctx.lang} timeZone={ctx.timeZone} />
        </div>
        <div className={s.line}>
          <span className={s.preview}>{c.last_preview || <em className={s.noPreview}>{t('row.noPreview')}</em>}</span>
          {unread && <span className={s.unreadDot} role="img" aria-label={t('row.unread')} title={t('row.unread')} />}
        </div>
        <div className={s.line}>
          <span className={s.meta}>
            {channel && (
              <span className={s.channel} title={t('row.channel', { name: channel.name })}>
                {channelIcons[channel.kind] ?? <MessageCircle size={12} aria-hidden />}
                {ctx.channelNames ? <span className={s.channelName}>{channel.name}</span> : <span className="sr-only">{channel.name}</span>}
              </span>
            )}
            {channel && ctx.channelNames && <span aria-hidden className={s.sep}>·</span>}
            <span className={s.hint} data-hint={hint.key}>
              {(hint.key === 'bot' || hint.key === 'botIn') && <Bot size={12} aria-hidden />}
              {hintText}
            </span>
            {labels.length > 0 && (
              <span className={s.labels} role="img" aria-label={t('row.labels', { names: labels.map((l) => l.name).join(', ') })} title={labels.map((l) => l.name).join(', ')}>
                {labels.slice(0, 4).map((l) => (
                  <span key={l.id} className={s.labelDot} style={{ background: l.color }} />
                ))}
                {labels.length > 4 && <span className={s.moreLabels}>+{labels.length - 4}</span>}
              </span>
            )}
          </span>
          {c.starred && (
            <Star size={12} className={s.star} role="img" aria-label={t('row.starred')}>
              <title>{t('row.starred')}</title>
            </Star>
          )}
          {waitingShown(c) && <Thermometer since={c.waiting_since!} yellowAfter={ctx.yellowAfter} redAfter={ctx.redAfter} />}
        </div>
      </div>
    </div>
  );
});

/** RowTime is the "5 min" / "14:32" / "12/03" of the last message; it re-renders every 15 s. */
function RowTime({ at, lang, timeZone }: { at: number; lang: string; timeZone?: string }) {
  const now = useNow(15_000);
  return (
    <time className={s.time} dateTime={new Date(at).toISOString()} title={fullTime(at, lang, timeZone)}>
      {rowTime(at, Math.max(now, at), lang, timeZone)}
    </time>
  );
}

/** Thermometer is the waiting badge (seed 003): how long the customer waits, green → yellow → red. */
export function Thermometer({ since, yellowAfter, redAfter }: { since: number; yellowAfter: number; redAfter: number }) {
  const { t } = useTranslation('inbox');
  const now = useNow(1000);
  const waited = waitedSeconds(since, now) ?? 0;
  const lvl = level(waited, yellowAfter, redAfter);
  const label = waitLabel(waited);
  return (
    <span className={s.thermometer} data-testid="thermometer" data-level={lvl} title={t('row.waiting', { time: label })}>
      <Timer size={11} aria-hidden />
      <span className="sr-only">{t('row.waiting', { time: label })}</span>
      <span aria-hidden>{label}</span>
    </span>
  );
}

export const HitRow = memo(function HitRow({
  hit,
  q,
  domId,
  selected,
  start,
  size,
  pos,
  setSize,
  ctx,
  href,
  onOpen,
}: {
  hit: HitLike;
  q: string;
  domId: string;
  selected: boolean;
  start: number;
  size: number;
  pos: number;
  setSize: number;
  ctx: RowContext;
  href: string;
  onOpen: (id: number) => void;
}) {
  const { t } = useTranslation('inbox');
  const handler = clickHandler(href, () => onOpen(hit.conversation_id));
  return (
    <div
      id={domId}
      role="option"
      aria-selected={selected}
      aria-posinset={pos + 1}
      aria-setsize={setSize}
      data-testid={`message-hit-${hit.id}`}
      className={`${s.row} ${s.hit}`}
      style={placeAt(start, size)}
      onClick={handler}
      onAuxClick={handler}
    >
      <div className={s.rowBody}>
        <div className={s.line}>
          <span className={s.hitName}>
            {hit.kind === 'note' && (
              <StickyNote size={12} className={s.noteIcon} role="img" aria-label={t('search.note')}>
                <title>{t('search.note')}</title>
              </StickyNote>
            )}
            {hit.contact_name || `#${hit.conversation_id}`}
          </span>
          <RowTime at={hit.created_at} lang={ctx.lang} timeZone={ctx.timeZone} />
        </div>
        <p className={s.hitText}>
          {highlight(snippet(hit.content, q), q).map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
        </p>
      </div>
    </div>
  );
});
