// The composer: Reply / Private note (/ SMS) tabs, an auto-growing box with
// per-conversation drafts, emoji, attachments (picker, drop, paste), quick
// replies on "/", help-article links, voice messages, and send.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Check, FileText, Info, Lock, Mic, Paperclip, Reply, RotateCcw, Send, Smile, SquareSlash, Trash2, UserPlus, X, Zap } from 'lucide-react';
import { useCallback, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, ApiError, unwrap, type Conversation, type QuickReply } from '../../../api/client';
import { useChannels, useMe, useMessages, useQuickReplies, useUsers } from '../../../api/queries';
import { fileSize } from '../../../lib/format';
import { useRealtime } from '../../../realtime/RealtimeProvider';
import { useDrafts, useReplying } from '../../../state/ui';
import { Button, IconButton, Popover, Progress } from '../../../ui';
import { appendToTimeline, useContact, type ConversationActions } from './data';
import { EmojiPicker } from './EmojiPicker';
import { HelpArticleButton } from './HelpArticlePicker';
import { insertLink, preferredHelpLanguage } from './helpArticles';
import { applyQuickReply, filterQuickReplies, insertAt, quickReplyTrigger } from './quickReplies';
import { mmss } from './time';
import { TemplateComposer } from './TemplatePicker';
import { lastInboundAt, windowClosed } from './templates';
import { parseCc } from './cc';
import { useNow } from './useNow';
import type { Uploads } from './useUploads';
import { namedFiles } from './useUploads';
import { useVoiceRecorder } from './useVoiceRecorder';
import { fillVariables, variableContext } from './variables';
import s from './composer.module.css';

type Tab = 'reply' | 'note' | 'sms';

export function Composer({ c, uploads, actions }: { c: Conversation; uploads: Uploads; actions: ConversationActions }) {
  const { t, i18n } = useTranslation('conversation');
  const me = useMe().data!;
  const qc = useQueryClient();
  const users = useUsers().data ?? [];
  const channels = useChannels().data ?? [];
  const quickReplies = useQuickReplies().data ?? [];
  const contact = useContact(c.contact_id).data;
  const { sendTyping } = useRealtime();
  const hasSms = channels.some((ch) => (ch.kind as string) === 'sms');
  // WhatsApp: outside the 24-hour window only approved templates go out
  const isWhatsApp = channels.find((ch) => ch.id === c.channel_id)?.kind === 'whatsapp';
  // e-mail replies may be copied to third parties (Cc)
  const isEmail = (channels.find((ch) => ch.id === c.channel_id)?.kind as string | undefined) === 'email';
  const [ccText, setCcText] = useState('');
  const cc = parseCc(ccText);
  const timeline = useMessages(isWhatsApp ? c.id : undefined).data;
  const now = useNow(isWhatsApp ? 60_000 : 0);
  const fresh = useMemo(() => (timeline ? timeline.pages.flatMap((p) => p.items).sort((a, b) => a.created_at - b.created_at) : undefined), [timeline]);
  // a refetch (after a reconnect) must not flip the composer back to free text
  const lastLoaded = useRef(fresh);
  if (fresh) lastLoaded.current = fresh;
  const loaded = fresh ?? lastLoaded.current;
  const lastIn = loaded ? lastInboundAt(loaded) : 0;
  // the server said the window is closed: believe it until the customer writes again
  const [serverClosedAt, setServerClosedAt] = useState<number | null>(null);
  const serverClosed = serverClosedAt !== null && lastIn <= serverClosedAt;
  const templatesOnly = isWhatsApp && c.status !== 'resolved' && (serverClosed || (!!loaded && windowClosed(loaded, now)));
  const replying = useReplying((st) => st.to[c.id]);
  const setReplying = useReplying((st) => st.setReplying);
  const resolved = c.status === 'resolved';
  const [tabState, setTab] = useState<Tab>('reply');
  const [noteOnResolved, setNoteOnResolved] = useState(false);
  const tab: Tab = resolved ? 'note' : tabState === 'sms' && !hasSms ? 'reply' : tabState;
  const draftKey = `${c.id}:${tab}`;
  const text = useDrafts((st) => st.drafts[draftKey] ?? '');
  const setDraft = useDrafts((st) => st.setDraft);
  const setText = useCallback((v: string) => setDraft(c.id, tab, v), [setDraft, c.id, tab]);

  const box = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const pendingCaret = useRef<number | null>(null);
  const lastTyping = useRef(0);
  const [caret, setCaret] = useState(0);
  const [focused, setFocused] = useState(false);
  const [qrIndex, setQrIndex] = useState(0);
  const [qrDismissed, setQrDismissed] = useState<number | null>(null);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const qrId = useId();

  const recorder = useVoiceRecorder(
    useCallback((f) => uploads.add([f]), [uploads]),
    useCallback((err: unknown) => toast.error(t('voice.denied', { error: err instanceof Error ? err.message : String(err) })), [t]),
  );

  // auto-grow, and put the caret where an insertion ended
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
    if (pendingCaret.current != null) {
      el.focus();
      el.setSelectionRange(pendingCaret.current, pendingCaret.current);
      setCaret(pendingCaret.current);
      pendingCaret.current = null;
    }
  }, [text, tab, recorder.recording, noteOnResolved]);

  const replace = (r: { text: string; caret: number }) => {
    pendingCaret.current = r.caret;
    setText(r.text);
  };

  // quick replies on "/"
  const trigger = focused ? quickReplyTrigger(text, caret) : null;
  const qrOpen = !!trigger && qrDismissed !== trigger.start;
  const matches = qrOpen && trigger ? filterQuickReplies(quickReplies, trigger.query) : [];
  const showQr = qrOpen && (matches.length > 0 || (quickReplies.length === 0 && trigger?.query === ''));
  const active = Math.min(qrIndex, Math.max(0, matches.length - 1));

  const vars = useMemo(
    () => variableContext({ contact, contactName: c.contact_name, agent: me.user, conversationId: c.id, workspaceName: me.workspace.name }),
    [contact, c.contact_name, me.user, c.id, me.workspace.name],
  );

  const pickQuick = (qr: QuickReply) => {
    if (!trigger) return;
    replace(applyQuickReply(text, trigger, caret, fillVariables(qr.content, vars)));
    setQrIndex(0);
  };

  const send = useMutation({
    mutationFn: (body: { kind: Tab; content: string; attachment_ids: number[]; reply_to_id?: number; cc?: string[] }) =>
      unwrap(
        api.POST('/api/v1/conversations/{id}/messages', {
          params: { path: { id: c.id } },
          body: body as { kind: 'reply' | 'note'; content: string; attachment_ids: number[]; reply_to_id?: number; cc?: string[] },
        }),
      ),
    onSuccess: (m) => appendToTimeline(qc, m),
    onError: (e) => {
      if (e instanceof ApiError && e.code === 'window_closed') setServerClosedAt(lastIn);
    },
  });

  const ccOK = !isEmail || tab !== 'reply' || cc.invalid.length === 0;
  const canSend = ccOK && !send.isPending && !uploads.uploading && !recorder.recording && (text.trim() !== '' || uploads.ready.length > 0);

  const submit = () => {
    if (!canSend) return;
    const content = text.trim();
    const sentTab = tab;
    const ids = uploads.ready;
    const quoting = sentTab !== 'sms' ? replying : undefined;
    setText('');
    const copies = isEmail && sentTab === 'reply' && cc.addresses.length > 0 ? cc.addresses : undefined;
    send.mutate(
      { kind: sentTab, content, attachment_ids: ids, ...(quoting ? { reply_to_id: quoting.id } : {}), ...(copies ? { cc: copies } : {}) },
      {
        onSuccess: () => {
          uploads.clear();
          if (copies) setCcText('');
          if (quoting && useReplying.getState().to[c.id]?.id === quoting.id) setReplying(c.id, undefined);
        },
        onError: () => {
          // give the text back so nothing typed is lost
          const cur = useDrafts.getState().drafts[`${c.id}:${sentTab}`];
          if (!cur) useDrafts.getState().setDraft(c.id, sentTab, content);
        },
      },
    );
    box.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing || e.keyCode === 229) return; // IME at work
    if (showQr && matches.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = matches.length;
        setQrIndex((active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pickQuick(matches[active]);
        return;
      }
    }
    if (showQr && e.key === 'Escape') {
      e.preventDefault();
      setQrDismissed(trigger!.start);
      return;
    }
    if (e.key === 'Escape' && replying) {
      e.preventDefault();
      setReplying(c.id, undefined);
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      submit();
    }
  };

  const onChange = (v: string, pos: number) => {
    setText(v);
    setCaret(pos);
    setQrIndex(0);
    if (qrDismissed != null && quickReplyTrigger(v, pos)?.start !== qrDismissed) setQrDismissed(null);
    const now = Date.now();
    if (v && now - lastTyping.current > 3000) {
      lastTyping.current = now;
      sendTyping(c.id);
    }
  };

  const insertEmoji = (emoji: string) => {
    const el = box.current;
    const from = el?.selectionStart ?? text.length;
    const to = el?.selectionEnd ?? text.length;
    setEmojiOpen(false);
    replace(insertAt(text, from, to, emoji));
  };

  const insertHelpLink = (link: string) => {
    const el = box.current;
    replace(insertLink(text, el?.selectionStart ?? text.length, el?.selectionEnd ?? text.length, link));
  };

  const startQuick = () => {
    const el = box.current;
    const from = el?.selectionStart ?? text.length;
    const to = el?.selectionEnd ?? text.length;
    const before = text.slice(0, from);
    setQrDismissed(null);
    setFocused(true);
    replace(insertAt(text, from, to, before === '' || /\s$/.test(before) ? '/' : ' /'));
  };

  if (resolved && !noteOnResolved) {
    return (
      <div className={s.finished} role="status">
        <span className={s.finishedText}>
          <Check size={16} aria-hidden /> {t('composer.finished')}
        </span>
        <span className={s.finishedActions}>
          <Button size="sm" variant="ghost" onClick={() => setNoteOnResolved(true)}>
            <Lock size={14} aria-hidden /> {t('composer.finishedNote')}
          </Button>
          <Button size="sm" variant="primary" data-testid="composer-reopen" busy={actions.reopen.isPending} onClick={() => actions.reopen.mutate(undefined, { onSuccess: () => toast.success(t('reopened')) })}>
            <RotateCcw size={14} aria-hidden /> {t('actions.reopen')}
          </Button>
        </span>
      </div>
    );
  }

  const assignee = users.find((u) => u.id === c.assignee_id);
  const mine = c.assignee_id === me.user.id;
  const locked = me.user.role === 'agent' && c.assignee_id != null && !mine;
  let hint: ReactNode = null;
  if (resolved) hint = <span className={s.hintText}>{t('composer.noteOnly')}</span>;
  else if (tab !== 'note' && c.status === 'bot') hint = <span className={s.hintText}>{t('composer.botActive')}</span>;
  else if (tab !== 'note' && !mine) {
    hint = (
      <>
        <span className={s.hintText}>
          <Info size={13} aria-hidden /> {c.assignee_id ? t('composer.notMineOther', { name: assignee?.name ?? '' }) : t('composer.notMineUnassigned')}
        </span>
        {!locked && (
          <Button size="sm" variant="ghost" className={s.hintAction} data-testid="composer-assign-me" busy={actions.assign.isPending} onClick={() => actions.assign.mutate(me.user.id, { onSuccess: () => toast.success(t('assign.doneMe')) })}>
            <UserPlus size={14} aria-hidden /> {t('actions.assignMe')}
          </Button>
        )}
      </>
    );
  }

  const tabs: Tab[] = resolved ? ['note'] : hasSms ? ['reply', 'note', 'sms'] : ['reply', 'note'];
  if (tab === 'reply' && templatesOnly) {
    return (
      <div className={s.wrap}>
        {hint && <div className={s.hint}>{hint}</div>}
        <div className={s.card} data-mode="reply" data-testid="composer">
          <div className={s.tabs} role="tablist" aria-label={t('composer.tabs')}>
            {tabs.map((k) => (
              <button key={k} type="button" role="tab" aria-selected={tab === k} className={s.tab} data-tab={k} data-testid={`composer-tab-${k}`} onClick={() => setTab(k)}>
                {k === 'note' && <Lock size={12} aria-hidden />}
                {t(`composer.${k}`)}
              </button>
            ))}
          </div>
          <TemplateComposer c={c} />
        </div>
      </div>
    );
  }
  const placeholder = t(`composer.${tab}Placeholder`);

  return (
    <div className={s.wrap}>
      {hint && <div className={s.hint}>{hint}</div>}
      <div className={s.card} data-mode={tab} data-testid="composer">
        {showQr && (
          <div className={s.qr} data-testid="quick-replies">
            <div className={s.qrHead}>
              <Zap size={13} aria-hidden /> {t('quick.label')}
            </div>
            {matches.length === 0 ? (
              <p className={s.qrEmpty}>{t('quick.none')}</p>
            ) : (
              <ul id={qrId} role="listbox" aria-label={t('quick.label')} className={s.qrList}>
                {matches.map((qr, i) => (
                  <li
                    key={qr.id}
                    id={`${qrId}-${i}`}
                    role="option"
                    aria-selected={i === active}
                    className={s.qrItem}
                    data-testid={`quick-reply-${qr.shortcut}`}
                    onMouseDown={(e) => e.preventDefault()}
                    onMouseEnter={() => setQrIndex(i)}
                    onClick={() => pickQuick(qr)}
                  >
                    <span className={s.qrShortcut}>/{qr.shortcut}</span>
                    <span className={s.qrContent}>{fillVariables(qr.content, vars)}</span>
                  </li>
                ))}
              </ul>
            )}
            <div className={s.qrFoot}>{t('quick.hint')}</div>
          </div>
        )}
        <div className={s.tabs} role="tablist" aria-label={t('composer.tabs')}>
          {tabs.map((k) => (
            <button
              key={k}
              type="button"
              role="tab"
              aria-selected={tab === k}
              className={s.tab}
              data-tab={k}
              data-testid={`composer-tab-${k}`}
              onClick={() => {
                setTab(k);
                pendingCaret.current = useDrafts.getState().drafts[`${c.id}:${k}`]?.length ?? 0;
              }}
            >
              {k === 'note' && <Lock size={12} aria-hidden />}
              {t(`composer.${k}`)}
            </button>
          ))}
          {resolved && (
            <IconButton size="sm" className={s.tabClose} label={t('common:close')} icon={<X size={14} />} onClick={() => setNoteOnResolved(false)} />
          )}
        </div>

        {isEmail && tab === 'reply' && (
          <label className={s.cc}>
            <span className={s.ccLabel}>{t('composer.cc')}</span>
            <input
              className={s.ccInput}
              data-testid="composer-cc"
              type="text"
              inputMode="email"
              autoComplete="off"
              value={ccText}
              placeholder={t('composer.ccPlaceholder')}
              aria-invalid={cc.invalid.length > 0}
              aria-describedby={cc.invalid.length > 0 ? `${c.id}-cc-error` : undefined}
              onChange={(e) => setCcText(e.target.value)}
            />
            {cc.invalid.length > 0 && (
              <span id={`${c.id}-cc-error`} className={s.ccError} role="alert">
                {t('composer.ccInvalid', { addresses: cc.invalid.join(', ') })}
              </span>
            )}
          </label>
        )}
        {replying && tab !== 'sms' && (
          <div className={s.replying} data-testid="composer-replying">
            <Reply size={14} aria-hidden className={s.replyingIcon} />
            <span className={s.replyingText}>
              <span className={s.replyingName}>{t('composer.replyingTo', { name: replying.name })}</span>
              <span className={s.replyingQuote}>{replying.content || replying.filename || '…'}</span>
            </span>
            <IconButton size="sm" data-testid="composer-cancel-reply" label={t('composer.cancelReply')} icon={<X size={14} />} onClick={() => setReplying(c.id, undefined)} />
          </div>
        )}
        {uploads.items.length > 0 && (
          <ul className={s.files} aria-label={t('composer.attach')}>
            {uploads.items.map((it) => (
              <li key={it.key} className={s.fileChip} data-status={it.status} title={it.status === 'error' ? t('composer.uploadFailed', { name: it.name }) : it.name}>
                {it.preview ? <img src={it.preview} alt="" className={s.thumb} /> : <FileText size={16} className={s.fileIcon} aria-hidden />}
                <span className={s.fileMeta}>
                  <span className={s.fileName}>{it.name}</span>
                  {it.status === 'uploading' ? (
                    <Progress value={it.progress} label={t('composer.uploading', { name: it.name })} />
                  ) : (
                    <span className={s.fileSize}>{it.status === 'error' ? it.error || t('composer.uploadFailedShort') : fileSize(it.size)}</span>
                  )}
                </span>
                <IconButton size="sm" label={t('composer.removeFile', { name: it.name })} icon={<X size={14} />} onClick={() => uploads.remove(it.key)} />
              </li>
            ))}
          </ul>
        )}

        {recorder.recording ? (
          <div className={s.recording} role="status" aria-live="polite">
            <span className={s.recDot} aria-hidden />
            <span>{t('voice.recording')}</span>
            <span className={s.recTime}>{mmss(recorder.seconds)}</span>
            <span className={s.grow} />
            <IconButton data-testid="voice-cancel" label={t('voice.cancel')} icon={<Trash2 size={16} />} onClick={recorder.cancel} />
            <Button data-testid="voice-stop" variant="primary" size="sm" onClick={recorder.stop}>
              <Check size={14} aria-hidden /> {t('voice.stop')}
            </Button>
          </div>
        ) : (
          <textarea
            ref={box}
            className={s.input}
            data-testid="composer-input"
            rows={1}
            value={text}
            placeholder={placeholder}
            aria-label={t(`composer.${tab}Label`)}
            aria-autocomplete="list"
            aria-controls={showQr && matches.length ? qrId : undefined}
            aria-activedescendant={showQr && matches.length ? `${qrId}-${active}` : undefined}
            onChange={(e) => onChange(e.target.value, e.target.selectionStart)}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            onFocus={() => setFocused(true)}
            onBlur={() => setFocused(false)}
            onPaste={(e) => {
              // pasted text wins (spreadsheets put a picture of the cells on the clipboard too)
              const files = Array.from(e.clipboardData.files);
              if (files.length && !e.clipboardData.getData('text/plain')) {
                e.preventDefault();
                uploads.add(namedFiles(files));
              }
            }}
          />
        )}

        <div className={s.toolbar}>
          <Popover
            open={emojiOpen}
            onOpenChange={setEmojiOpen}
            side="top"
            label={t('composer.emoji')}
            trigger={<IconButton size="sm" data-testid="composer-emoji" label={t('composer.emoji')} icon={<Smile size={17} />} disabled={recorder.recording} />}
          >
            <EmojiPicker onPick={insertEmoji} />
          </Popover>
          <IconButton size="sm" label={t('composer.attach')} icon={<Paperclip size={17} />} onClick={() => fileInput.current?.click()} />
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            data-testid="composer-file"
            onChange={(e) => {
              uploads.add(namedFiles(e.target.files));
              e.target.value = '';
            }}
          />
          {tab !== 'sms' && (
            <HelpArticleButton
              workspaceSlug={me.workspace.slug}
              preferred={preferredHelpLanguage(contact?.attributes, i18n.language)}
              disabled={recorder.recording}
              onInsert={insertHelpLink}
            />
          )}
          <IconButton size="sm" data-testid="composer-quick-replies" label={t('composer.quickReplies')} icon={<SquareSlash size={17} />} onClick={startQuick} disabled={recorder.recording} />
          {recorder.supported && (
            <IconButton size="sm" data-testid="composer-voice" label={t('composer.voice')} icon={<Mic size={17} />} onClick={() => void recorder.start()} disabled={recorder.recording} />
          )}
          <span className={s.grow} />
          <span className={s.sendHint}>{t('composer.sendHint')}</span>
          <Button
            variant="primary"
            size="sm"
            className={s.send}
            data-testid="composer-send"
            disabled={!canSend}
            busy={send.isPending}
            onClick={submit}
          >
            {tab === 'note' ? <Lock size={14} aria-hidden /> : <Send size={14} aria-hidden />}
            {tab === 'note' ? t('composer.addNote') : t('composer.send')}
          </Button>
        </div>
      </div>
    </div>
  );
}
