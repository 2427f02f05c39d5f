// Query keys and the shared queries of the app. Every screen reads server
// data through TanStack Query with these keys, so realtime events and
// mutations can update or invalidate one place.
import { keepPreviousData, useInfiniteQuery, useQuery, type QueryClient } from '@tanstack/react-query';
import { api, setCsrfToken, unwrap } from './client';
import { serverSort, type ListSpec } from '../realtime/listCache';

export const qk = {
  me: ['me'] as const,
  users: ['users'] as const,
  departments: ['departments'] as const,
  labels: ['labels'] as const,
  quickReplies: ['quick-replies'] as const,
  closingReasons: ['closing-reasons'] as const,
  channels: ['channels'] as const,
  tokens: ['tokens'] as const,
  counters: ['counters'] as const,
  conversationLists: ['conversations'] as const,
  conversations: (spec: ListSpec, q?: string) => ['conversations', spec, q ?? ''] as const,
  conversation: (id: number) => ['conversation', id] as const,
  messages: (id: number) => ['messages', id] as const,
  contact: (id: number) => ['contact', id] as const,
  contactConversations: (id: number) => ['contact-conversations', id] as const,
  search: (q: string) => ['search', q] as const,
};

/** useMe is the logged-in user and workspace; its 401 sends the app to /login. */
export function useMe() {
  return useQuery({
    queryKey: qk.me,
    queryFn: async () => {
      const me = await unwrap(api.GET('/api/v1/me'));
      setCsrfToken(me.csrf_token);
      return me;
    },
    retry: false,
    staleTime: 60_000,
  });
}

const long = { staleTime: 5 * 60_000 };

export function useUsers() {
  return useQuery({ queryKey: qk.users, queryFn: () => unwrap(api.GET('/api/v1/users')).then((r) => r.items), ...long });
}
export function useDepartments() {
  return useQuery({ queryKey: qk.departments, queryFn: () => unwrap(api.GET('/api/v1/departments')).then((r) => r.items), ...long });
}
export function useLabels() {
  return useQuery({ queryKey: qk.labels, queryFn: () => unwrap(api.GET('/api/v1/labels')).then((r) => r.items), ...long });
}
export function useQuickReplies() {
  return useQuery({ queryKey: qk.quickReplies, queryFn: () => unwrap(api.GET('/api/v1/quick-replies')).then((r) => r.items), ...long });
}
export function useClosingReasons() {
  return useQuery({ queryKey: qk.closingReasons, queryFn: () => unwrap(api.GET('/api/v1/closing-reasons')).then((r) => r.items), ...long });
}
export function useChannels() {
  return useQuery({ queryKey: qk.channels, queryFn: () => unwrap(api.GET('/api/v1/channels')).then((r) => r.items), meta: { silent: true }, ...long });
}

/** useCounters is every badge of the inbox; realtime events invalidate it. */
export function useCounters() {
  return useQuery({ queryKey: qk.counters, queryFn: () => unwrap(api.GET('/api/v1/conversations/counters')), staleTime: 30_000 });
}

export const pageSize = 100;

/** useConversationList pages through one list (view, sort, filters) with keyset cursors. */
export function useConversationList(spec: ListSpec, q = '') {
  return useInfiniteQuery({
    queryKey: qk.conversations(spec, q),
    initialPageParam: '' as string,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/conversations', {
          params: {
            query: {
              view: spec.view,
              sort: serverSort(spec.sort),
              department_id: spec.departmentId,
              agent_id: spec.agentId,
              label_id: spec.labelId,
              channel_id: spec.channelId,
              cursor: pageParam || undefined,
              limit: pageSize,
              q: q || undefined,
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.next_cursor || undefined,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export function useConversation(id: number | undefined) {
  return useQuery({
    queryKey: qk.conversation(id ?? 0),
    queryFn: () => unwrap(api.GET('/api/v1/conversations/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
  });
}

/** useMessages is the timeline of a conversation, newest page first in `pages`. */
export function useMessages(id: number | undefined) {
  return useInfiniteQuery({
    queryKey: qk.messages(id ?? 0),
    initialPageParam: '' as string,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/conversations/{id}/messages', {
          params: { path: { id: id! }, query: { before: pageParam || undefined, limit: 50 } },
          signal,
        }),
      ),
    getNextPageParam: (last) => last.before || undefined,
    enabled: !!id,
  });
}

/** invalidateEverything refetches all server data (after a reconnect: catch up on what was missed). */
export function invalidateEverything(qc: QueryClient) {
  return qc.invalidateQueries();
}
