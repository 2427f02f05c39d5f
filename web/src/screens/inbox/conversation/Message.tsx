// One timeline entry: a customer message, an agent or bot reply, a private
// note or a system event. Message text is rendered as React text nodes only
// (never as HTML): whatever a customer sends shows literally.
import {
  AlarmClock,
  AlertCircle,
  ArrowRightLeft,
  Bell,
  Check,
  CheckCheck,
  CheckCircle2,
  Clock,
  Download,
  FileText,
  Flag,
  Lock,
  MessageSquarePlus,
  RotateCcw,
  Reply,
  Star,
  Tag,
  Undo2,
  UserCheck,
  Bot,
} from 'lucide-react';
import { Fragment, memo, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Attachment, Message } from '../../../api/client';
import { dateTime, fileSize } from '../../../lib/format';
import { attachmentUrl } from './data';
import { eventSentence, type EventLookup, type TimelineEvent } from './events';
import { linkify } from './linkify';
import { mediaKind } from './mediaKind';
import { tickState, type Tick } from './ticks';
import { clockTime } from './time';
import s from './timeline.module.css';

export interface MessageContext {
  lang: string;
  timeZone?: string;
  meId: number;
  contactName: string;
  userName: (id: number | null | undefined) => string | undefined;
  lookup: EventLookup;
  /** onReply, when set, offers "reply to this message" on customer and agent messages. */
  onReply?: (m: Message, senderName: string) => void;
}

/** RichText shows text with line breaks kept and http(s) addresses as links. */
export function RichText({ text }: { text: string }) {
  const parts = useMemo(() => linkify(text), [text]);
  return (
    <>
      {parts.map((p, i) =>
        p.type === 'link' ? (
          <a key={i} href={p.href} target="_blank" rel="noopener noreferrer">
            {p.text}
          </a>
        ) : (
          <Fragment key={i}>{p.text}</Fragment>
        ),
      )}
    </>
  );
}

const eventIcons: Record<string, ReactNode> = {
  created: <MessageSquarePlus size={13} />,
  assigned: <UserCheck size={13} />,
  transferred: <ArrowRightLeft size={13} />,
  returned: <Undo2 size={13} />,
  snoozed: <AlarmClock size={13} />,
  woke: <Bell size={13} />,
  resolved: <CheckCircle2 size={13} />,
  reopened: <RotateCcw size={13} />,
  priority_changed: <Flag size={13} />,
  label_added: <Tag size={13} />,
  label_removed: <Tag size={13} />,
  rated: <Star size={13} />,
  bot_started: <Bot size={13} />,
  handoff: <UserCheck size={13} />,
};

function EventLine({ m, ctx }: { m: Message; ctx: MessageContext }) {
  const { t } = useTranslation('conversation');
  const e = (m.event ?? { type: 'unknown', actor_type: 'system' }) as TimelineEvent;
  const sentence = eventSentence(e, ctx.lookup);
  return (
    <div className={s.event} data-testid={`message-${m.id}`} data-kind={m.kind} data-direction={m.direction} data-status={m.status} data-event={e.type}>
      <span className={s.eventIcon} aria-hidden>
        {eventIcons[e.type] ?? <Bell size={13} />}
      </span>
      <span data-testid="message-text">{t(`event.${sentence.key}`, sentence.values)}</span>
      <time className={s.eventTime} dateTime={new Date(m.created_at).toISOString()} title={dateTime(m.created_at, ctx.lang, ctx.timeZone)}>
        {clockTime(m.created_at, ctx.lang, ctx.timeZone)}
      </time>
    </div>
  );
}

function TickIcon({ tick, error }: { tick: Tick; error?: string }) {
  const { t } = useTranslation('conversation');
  const label = tick === 'failed' && error ? t('status.failedWith', { error }) : t(`status.${tick}`);
  const icon = {
    pending: <Clock size={13} />,
    sent: <Check size={14} />,
    delivered: <CheckCheck size={14} />,
    read: <CheckCheck size={14} />,
    failed: <AlertCircle size={14} />,
  }[tick];
  return (
    <span className={`${s.tick} ${s[`tick_${tick}`]}`} role="img" aria-label={label} title={label}>
      {icon}
    </span>
  );
}

export function AttachmentView({ a }: { a: Attachment }) {
  const { t } = useTranslation('conversation');
  const [broken, setBroken] = useState(false);
  const url = attachmentUrl(a.id);
  const kind = mediaKind(a.content_type, a.filename);
  if (kind === 'image' && !broken) {
    return (
      <a className={s.image} href={url} target="_blank" rel="noopener noreferrer" title={t('attachment.open', { name: a.filename })}>
        <img src={url} alt={t('attachment.image', { name: a.filename })} loading="lazy" decoding="async" onError={() => setBroken(true)} />
      </a>
    );
  }
  if (kind === 'audio') {
    return (
      <div className={s.media}>
        <audio controls preload="metadata" src={url} aria-label={a.filename} />
      </div>
    );
  }
  if (kind === 'video') {
    return (
      <div className={s.media}>
        <video controls preload="metadata" src={url} aria-label={a.filename} className={s.video} />
      </div>
    );
  }
  return (
    <a className={s.file} href={url} download={a.filename} title={t('attachment.download', { name: a.filename, size: fileSize(a.size) })}>
      <FileText size={20} className={s.fileIcon} aria-hidden />
      <span className="sr-only">{t('attachment.downloadWord')} </span>
      <span className={s.fileText}>
        <span className={s.fileName}>{a.filename}</span>
        <span className={s.fileSize}>{fileSize(a.size)}</span>
      </span>
      <Download size={16} className={s.fileDownload} aria-hidden />
    </a>
  );
}

function senderName(m: Pick<Message, 'sender_type' | 'sender_id'>, ctx: MessageContext, t: (k: string) => string): string {
  switch (m.sender_type) {
    case 'contact':
      return ctx.contactName || t('timeline.customer');
    case 'bot':
      return t('timeline.bot');
    case 'system':
      return t('timeline.system');
    default:
      return ctx.userName(m.sender_id) ?? t('timeline.unknownUser');
  }
}

/** jumpTo scrolls the timeline to a loaded message and flashes it. */
function jumpTo(id: number) {
  const el = document.querySelector<HTMLElement>(`[data-testid="message-${id}"]`);
  if (!el) return;
  el.scrollIntoView({ block: 'center', behavior: 'smooth' });
  el.dataset.flash = '';
  window.setTimeout(() => delete el.dataset.flash, 1600);
}

type QuoteData = NonNullable<Message['reply_to']>;

/** QuoteBlock shows the message a reply answers; it jumps there when that message is loaded. */
function QuoteBlock({ q, ctx }: { q: QuoteData; ctx: MessageContext }) {
  const { t } = useTranslation('conversation');
  const name = senderName(q, ctx, t);
  const text = q.content || (q.filename ? t('timeline.quoteFile', { name: q.filename }) : '…');
  return (
    <button
      type="button"
      className={`${s.quote} ${q.direction === 'in' ? s.quoteIn : s.quoteOut}`}
      data-testid="message-quote"
      data-quote-id={q.id}
      title={t('timeline.quoteJump')}
      aria-label={`${t('timeline.quoteOf', { name })}: ${text}`}
      onClick={() => jumpTo(q.id)}
    >
      <span className={s.quoteName}>{name}</span>
      <span className={s.quoteText} dir="auto">
        {text}
      </span>
    </button>
  );
}

/** MessageItem renders one entry; `grouped` hides the sender line under a previous message of the same sender. */
export const MessageItem = memo(function MessageItem({ m, grouped, ctx }: { m: Message; grouped: boolean; ctx: MessageContext }) {
  const { t } = useTranslation('conversation');
  if (m.kind === 'event') return <EventLine m={m} ctx={ctx} />;
  const note = m.kind === 'note';
  const side = m.direction === 'in' ? 'in' : 'out';
  const tick = tickState(m);
  const name = senderName(m, ctx, t);
  const time = (
    <time className={s.time} dateTime={new Date(m.created_at).toISOString()} title={dateTime(m.created_at, ctx.lang, ctx.timeZone)}>
      {clockTime(m.created_at, ctx.lang, ctx.timeZone)}
    </time>
  );
  return (
    <div
      className={`${s.row} ${side === 'in' ? s.rowIn : s.rowOut} ${grouped ? s.grouped : ''}`}
      data-testid={`message-${m.id}`}
      data-kind={m.kind}
      data-direction={m.direction}
      data-status={m.status}
    >
      {!grouped && !note && (
        <div className={s.sender}>
          {m.sender_type === 'bot' && <Bot size={12} aria-hidden />}
          {name}
        </div>
      )}
      <div className={note ? s.note : `${s.bubble} ${side === 'in' ? s.bubbleIn : s.bubbleOut}`}>
        {note && (
          <div className={s.noteHead}>
            <Lock size={12} aria-hidden />
            <span className={s.noteLabel}>{t('timeline.privateNote')}</span>
            <span className={s.noteAuthor}>· {name}</span>
          </div>
        )}
        {m.reply_to && <QuoteBlock q={m.reply_to} ctx={ctx} />}
        {m.attachments.length > 0 && (
          <div className={s.attachments}>
            {m.attachments.map((a) => (
              <AttachmentView key={a.id} a={a} />
            ))}
          </div>
        )}
        {m.content !== '' && (
          <div className={s.text} data-testid="message-text" dir="auto">
            <RichText text={m.content} />
          </div>
        )}
        {m.choices && m.choices.length > 0 && (
          // a bot menu's options as the customer's channel may show them as buttons; here they only inform
          <ul className={s.choices} aria-label={t('timeline.choices')} data-testid="message-choices">
            {m.choices.map((c, i) => (
              <li key={i} className={s.choice}>
                {c}
              </li>
            ))}
          </ul>
        )}
        <div className={s.meta}>
          {ctx.onReply && !note && (
            <button
              type="button"
              className={s.replyBtn}
              data-testid="message-reply"
              aria-label={t('timeline.replyAction')}
              title={t('timeline.replyAction')}
              onClick={() => ctx.onReply!(m, name)}
            >
              <Reply size={13} aria-hidden />
            </button>
          )}
          {m.via === 'sms' && (
            <span className={s.via} data-testid="message-via" title={t('timeline.viaSmsTitle')}>
              {t('timeline.viaSms')} ·
            </span>
          )}
          {time}
          {tick && <TickIcon tick={tick} error={m.error} />}
        </div>
      </div>
      {tick === 'failed' && (
        <div className={s.failed} role="note">
          <AlertCircle size={12} aria-hidden />
          {m.error ? t('status.failedWith', { error: m.error }) : t('status.failed')}
        </div>
      )}
    </div>
  );
});
