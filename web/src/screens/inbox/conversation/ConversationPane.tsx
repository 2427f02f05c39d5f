// The conversation column of the inbox: header with actions, the timeline
// and the composer — or a calm empty state when no conversation is open.
import { EyeOff, MessagesSquare, Paperclip, AlertTriangle } from 'lucide-react';
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { ApiError, type Conversation } from '../../../api/client';
import { useConversation, useMe, useMessages, useUsers } from '../../../api/queries';
import { CUSTOMER, typingUsers, useLive } from '../../../state/ui';
import { Button, EmptyState, Skeleton, toastError } from '../../../ui';
import type { InboxChrome } from '../InboxScreen';
import type { InboxRoute } from '../route';
import { Composer } from './Composer';
import { useConversationActions, useMarkRead } from './data';
import { ConversationHeader } from './Header';
import { Timeline } from './Timeline';
import { maxAttachments, namedFiles, useUploads } from './useUploads';
import { useNow } from './useNow';
import s from './pane.module.css';

export function ConversationPane({ route, chrome }: { route: InboxRoute; chrome: InboxChrome }) {
  const { t } = useTranslation('conversation');
  const id = route.conversationId;
  if (!id) {
    return (
      <div className={s.pane}>
        <EmptyState icon={<MessagesSquare size={40} strokeWidth={1.5} />} title={t('empty.title')} body={t('empty.body')} />
      </div>
    );
  }
  return <OpenConversation key={id} id={id} route={route} chrome={chrome} />;
}

function OpenConversation({ id, route, chrome }: { id: number; route: InboxRoute; chrome: InboxChrome }) {
  const { t } = useTranslation('conversation');
  const conv = useConversation(id);
  const messages = useMessages(id);
  const markRead = useMarkRead();

  // tell the server (and the list) that the user has seen it — on open and as new messages come in
  const lastId = messages.data?.pages[0]?.items.at(-1)?.id;
  const loaded = conv.isSuccess;
  useEffect(() => {
    if (!loaded) return;
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    markRead(id);
  }, [id, loaded, lastId, markRead]);

  if (conv.isError) {
    const gone = conv.error instanceof ApiError && conv.error.status === 404;
    return (
      <div className={s.pane}>
        <EmptyState
          icon={gone ? <EyeOff size={40} strokeWidth={1.5} /> : <AlertTriangle size={40} strokeWidth={1.5} />}
          title={gone ? t('gone.title') : t('failed.title')}
          body={gone ? t('gone.body') : conv.error.message}
          action={
            gone ? (
              <Button data-testid="conversation-back" onClick={() => route.open(undefined)}>
                {t('gone.back')}
              </Button>
            ) : (
              <Button onClick={() => void conv.refetch()}>{t('common:retry')}</Button>
            )
          }
        />
      </div>
    );
  }
  if (!conv.data) return <PaneSkeleton />;
  return <Loaded c={conv.data} route={route} chrome={chrome} />;
}

function Loaded({ c, route, chrome }: { c: Conversation; route: InboxRoute; chrome: InboxChrome }) {
  const { t } = useTranslation('conversation');
  const actions = useConversationActions(c.id);
  const onUploadError = useCallback((name: string, err: unknown) => toastError(err, t('composer.uploadFailed', { name })), [t]);
  const onTooMany = useCallback(() => toast.warning(t('composer.tooMany', { count: maxAttachments })), [t]);
  const uploads = useUploads(onUploadError, onTooMany);
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);

  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');
  const dropHandlers = {
    onDragEnter: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current++;
      setDragging(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setDragging(false);
      uploads.add(namedFiles(e.dataTransfer.files));
    },
  };

  return (
    <div className={s.pane}>
      <ConversationHeader c={c} route={route} chrome={chrome} actions={actions} />
      <div className={s.body} {...dropHandlers}>
        <Timeline c={c} />
        <TypingIndicator conversationId={c.id} contactName={c.contact_name} />
        <Composer c={c} uploads={uploads} actions={actions} />
        {dragging && (
          <div className={s.drop} aria-hidden>
            <Paperclip size={22} />
            {t('composer.drop')}
          </div>
        )}
      </div>
    </div>
  );
}

/** TypingIndicator names the colleagues typing in this conversation right now. */
function TypingIndicator({ conversationId, contactName }: { conversationId: number; contactName: string }) {
  const { t, i18n } = useTranslation('conversation');
  const me = useMe().data!;
  const users = useUsers().data ?? [];
  const typing = useLive((st) => st.typing);
  const anyone = Object.values(typing[conversationId] ?? {}).some((until) => until > Date.now());
  useNow(anyone ? 1000 : 0); // re-render each second so names drop out when their typing expires
  const ids = typingUsers(typing, conversationId, Date.now(), me.user.id);
  const names = ids.map((uid) => (uid === CUSTOMER ? contactName || t('timeline.customer') : users.find((u) => u.id === uid)?.name ?? t('timeline.unknownUser')));
  const list = new Intl.ListFormat(i18n.language, { style: 'long', type: 'conjunction' }).format(names);
  return (
    <div className={s.typingSlot} aria-live="polite">
      {names.length > 0 && (
        <span className={s.typing} data-testid="typing-indicator">
          <span className={s.dots} aria-hidden>
            <i />
            <i />
            <i />
          </span>
          {t('typing', { count: names.length, names: list })}
        </span>
      )}
    </div>
  );
}

function PaneSkeleton() {
  return (
    <div className={s.pane} aria-busy>
      <div className={s.skelHeader}>
        <Skeleton width={180} height={18} />
        <Skeleton width={260} height={12} />
        <div className={s.skelBar}>
          <Skeleton width={110} height={24} />
          <Skeleton width={90} height={24} />
          <Skeleton width={70} height={24} />
        </div>
      </div>
      <div className={s.skelBody}>
        {[220, 160, 280, 190].map((w, i) => (
          <div key={i} style={{ alignSelf: i % 2 ? 'flex-end' : 'flex-start' }}>
            <Skeleton width={w} height={36} style={{ borderRadius: 12 }} />
          </div>
        ))}
      </div>
    </div>
  );
}
