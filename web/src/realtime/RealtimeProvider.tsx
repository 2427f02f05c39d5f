// RealtimeProvider owns the app's WebSocket: it turns pushed events into
// cache updates (lists, the open conversation, its timeline, counters) and,
// after a reconnect, refetches everything to catch up on what it missed.
import { useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { toast } from 'sonner';
import { useTranslation } from 'react-i18next';
import type { Conversation, Message, RealtimeEvent } from '../api/client';
import { qk, useMe } from '../api/queries';
import { CUSTOMER, useLive, usePrefs } from '../state/ui';
import { appendMessage, applyConversation, canSee, type ListSpec, type PagedList, type ViewerInfo } from './listCache';
import { RealtimeSocket } from './socket';
import { notifyNewMessage } from './notify';

interface Realtime {
  sendTyping: (conversationId: number) => void;
}

const Ctx = createContext<Realtime>({ sendTyping: () => {} });

export function useRealtime() {
  return useContext(Ctx);
}

type MessagePages = InfiniteData<{ items: Message[]; before?: string }>;

/** openConversationId is the conversation shown on screen, read by the event handler. */
export const openConversation = { id: 0 };

export function mergeUserFields(prev: Conversation | undefined, next: Conversation, isOpen: boolean): Conversation {
  if (!prev) return isOpen ? { ...next, unread: false } : next;
  const grew = next.last_message_at > prev.last_message_at && next.waiting_since != null;
  const unread = isOpen ? false : grew ? true : prev.unread ?? false;
  return { ...next, starred: prev.starred, unread };
}

function findCached(qc: QueryClient, id: number): Conversation | undefined {
  const one = qc.getQueryData<Conversation>(qk.conversation(id));
  if (one) return one;
  for (const [, data] of qc.getQueriesData<PagedList>({ queryKey: qk.conversationLists })) {
    for (const p of data?.pages ?? []) {
      const c = p.items.find((x) => x.id === id);
      if (c) return c;
    }
  }
  return undefined;
}

/**
 * applyToLists puts a changed conversation into every cached list it now
 * belongs to and takes it out of the others, without refetching pages.
 */
export function applyToLists(qc: QueryClient, c: Conversation, viewer: ViewerInfo) {
  for (const query of qc.getQueryCache().findAll({ queryKey: qk.conversationLists })) {
    const data = query.state.data as PagedList | undefined;
    const [, spec, q] = query.queryKey as unknown as [string, ListSpec, string];
    // a list still loading may have been read before this change, and a
    // search result cannot be judged here: fetch those again
    if (!data || q) void qc.invalidateQueries({ queryKey: query.queryKey, exact: true });
    else qc.setQueryData(query.queryKey, applyConversation(data, c, spec, viewer));
  }
}

/** viewerOf is the visibility a logged-in user's lists follow. */
export function viewerOf(me: { user: { id: number; role: ViewerInfo['role']; scope: ViewerInfo['scope']; department_ids: number[] } }): ViewerInfo {
  return { userId: me.user.id, role: me.user.role, scope: me.user.scope, departmentIds: me.user.department_ids };
}

export function handleEvent(qc: QueryClient, e: RealtimeEvent, viewer: ViewerInfo, onMine: (m: Message) => void) {
  switch (e.type) {
    case 'conversation.created':
    case 'conversation.updated': {
      const incoming = e.data as Conversation;
      const c = mergeUserFields(findCached(qc, incoming.id), incoming, openConversation.id === incoming.id);
      if (canSee(c, viewer)) qc.setQueryData(qk.conversation(c.id), c);
      else void qc.invalidateQueries({ queryKey: qk.conversation(c.id) });
      applyToLists(qc, c, viewer);
      void qc.invalidateQueries({ queryKey: qk.contactConversations(c.contact_id) });
      break;
    }
    case 'message.created':
    case 'message.updated': {
      const m = e.data as Message;
      if (qc.getQueryState(qk.messages(m.conversation_id))?.status === 'pending') {
        void qc.invalidateQueries({ queryKey: qk.messages(m.conversation_id), exact: true });
      }
      qc.setQueryData<MessagePages>(qk.messages(m.conversation_id), (old) => {
        if (!old || old.pages.length === 0) return old;
        const pages = [...old.pages];
        pages[0] = { ...pages[0], items: appendMessage(pages[0].items, m) };
        return { ...old, pages };
      });
      if (e.type === 'message.created' && m.direction === 'in' && e.assignee_id === viewer.userId) onMine(m);
      break;
    }
    case 'counters.changed':
      void qc.invalidateQueries({ queryKey: qk.counters });
      break;
    case 'presence.updated':
      void qc.invalidateQueries({ queryKey: qk.me });
      void qc.invalidateQueries({ queryKey: qk.counters });
      void qc.invalidateQueries({ queryKey: qk.users });
      break;
    case 'typing': {
      const d = e.data as { user_id?: number; contact_id?: number } | undefined;
      if (e.conversation_id && d?.user_id) useLive.getState().setTyping(e.conversation_id, d.user_id, Date.now() + 6000);
      else if (e.conversation_id && d?.contact_id) useLive.getState().setTyping(e.conversation_id, CUSTOMER, Date.now() + 6000);
      break;
    }
  }
}

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const me = useMe().data;
  const { t } = useTranslation();
  const viewerRef = useRef<ViewerInfo | null>(null);
  const socketRef = useRef<RealtimeSocket | null>(null);
  const userId = me?.user.id;

  useEffect(() => {
    if (!me) return;
    viewerRef.current = viewerOf(me);
  }, [me]);

  useEffect(() => {
    if (!userId) return;
    let wasDown = false;
    const s = new RealtimeSocket({
      onEvent: (e) => {
        if (!viewerRef.current) return;
        handleEvent(qc, e, viewerRef.current, (m) => {
          if (usePrefs.getState().notify && openConversation.id !== m.conversation_id) notifyNewMessage(m, t('inbox:newMessage'));
        });
      },
      onStatus: (status, reconnected) => {
        useLive.getState().setStatus(status);
        if (status === 'closed' && !wasDown) {
          wasDown = true;
          toast.warning(t('connection.offline'), { id: 'connection' });
        }
        if (status === 'open' && reconnected) {
          wasDown = false;
          toast.success(t('connection.back'), { id: 'connection', duration: 2000 });
          void qc.invalidateQueries(); // catch up on everything missed while down
        }
      },
    });
    socketRef.current = s;
    s.start();
    return () => {
      s.stop();
      socketRef.current = null;
    };
  }, [userId, qc, t]);

  const value = useMemo<Realtime>(() => ({ sendTyping: (id) => socketRef.current?.sendTyping(id) }), []);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
