// Client-only state: theme, notification opt-in, the realtime connection and
// who is typing where, and composer drafts per conversation. Server data lives
// in TanStack Query, never here.
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { SocketStatus } from '../realtime/socket';

export type Theme = 'light' | 'dark' | 'system';

interface Prefs {
  theme: Theme;
  notify: boolean; // browser notification + sound for my conversations (opt-in)
  setTheme: (t: Theme) => void;
  setNotify: (on: boolean) => void;
}

export const usePrefs = create<Prefs>()(
  persist(
    (set) => ({
      theme: 'system',
      notify: false,
      setTheme: (theme) => set({ theme }),
      setNotify: (notify) => set({ notify }),
    }),
    { name: 'atende.prefs' },
  ),
);

interface Live {
  status: SocketStatus;
  /** typing[conversationId][userId] = until (ms); userId CUSTOMER is the customer (website widget) */
  typing: Record<number, Record<number, number>>;
  setStatus: (s: SocketStatus) => void;
  setTyping: (conversationId: number, userId: number, until: number) => void;
}

export const useLive = create<Live>()((set) => ({
  status: 'connecting',
  typing: {},
  setStatus: (status) => set({ status }),
  setTyping: (conversationId, userId, until) =>
    set((s) => ({ typing: { ...s.typing, [conversationId]: { ...s.typing[conversationId], [userId]: until } } })),
}));

/** CUSTOMER stands for the conversation's customer among the typing users. */
export const CUSTOMER = 0;

/** typingUsers lists who typed in a conversation within their `until`. */
export function typingUsers(typing: Live['typing'], conversationId: number, now: number, except?: number): number[] {
  return Object.entries(typing[conversationId] ?? {})
    .filter(([uid, until]) => until > now && Number(uid) !== except)
    .map(([uid]) => Number(uid));
}

interface Drafts {
  drafts: Record<string, string>; // key: `${conversationId}:${tab}`
  setDraft: (conversationId: number, tab: string, text: string) => void;
}

export const useDrafts = create<Drafts>()(
  persist(
    (set) => ({
      drafts: {},
      setDraft: (conversationId, tab, text) =>
        set((s) => {
          const key = `${conversationId}:${tab}`;
          const drafts = { ...s.drafts };
          if (text) drafts[key] = text;
          else delete drafts[key];
          return { drafts };
        }),
    }),
    { name: 'atende.drafts' },
  ),
);

/** Quoted is the message an agent is answering in the composer. */
export interface Quoted {
  id: number;
  name: string; // who wrote it, as the timeline names them
  content: string;
  filename?: string;
}

interface Replying {
  to: Record<number, Quoted>; // key: conversation id
  setReplying: (conversationId: number, q: Quoted | undefined) => void;
}

/** useReplying holds, per conversation, the message the composer answers (not persisted). */
export const useReplying = create<Replying>()((set) => ({
  to: {},
  setReplying: (conversationId, q) =>
    set((s) => {
      const to = { ...s.to };
      if (q) to[conversationId] = q;
      else delete to[conversationId];
      return { to };
    }),
}));
