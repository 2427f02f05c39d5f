// Server access of the conversation column: the contact (for quick-reply
// variables), marking a conversation read, the conversation actions and the
// CSV export. Every call follows internal/httpapi/openapi/openapi.json.
import { useMutation, useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api, toApiError, unwrap, type Conversation, type Message, type Schemas } from '../../../api/client';
import { qk } from '../../../api/queries';
import { appendMessage, type PagedList } from '../../../realtime/listCache';
import { applyToLists, viewerOf } from '../../../realtime/RealtimeProvider';

type Me = Schemas['Me'];

export type MessagePages = InfiniteData<{ items: Message[]; before?: string }>;

/** useContact is the conversation's contact (GET /api/v1/contacts/{id}). */
export function useContact(id: number | undefined) {
  return useQuery({
    queryKey: qk.contact(id ?? 0),
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
    staleTime: 60_000,
    meta: { silent: true },
  });
}

/** patchConversationEverywhere rewrites one conversation in every cached list page. */
export function patchConversationEverywhere(qc: QueryClient, id: number, patch: (c: Conversation) => Conversation) {
  for (const [key, data] of qc.getQueriesData<PagedList>({ queryKey: qk.conversationLists })) {
    if (!data?.pages) continue;
    let changed = false;
    const pages = data.pages.map((p) => {
      if (!p.items.some((c) => c.id === id)) return p;
      changed = true;
      return { ...p, items: p.items.map((c) => (c.id === id ? patch(c) : c)) };
    });
    if (changed) qc.setQueryData(key, { ...data, pages });
  }
  const one = qc.getQueryData<Conversation>(qk.conversation(id));
  if (one) qc.setQueryData(qk.conversation(id), patch(one));
}

/**
 * useMarkRead tells the server the user has seen a conversation
 * (PUT /api/v1/conversations/{id}/read) and clears its unread dot locally.
 * Failures stay silent: the dot is only a hint.
 */
export function useMarkRead() {
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (id: number) => unwrap(api.PUT('/api/v1/conversations/{id}/read', { params: { path: { id } } })),
    meta: { silent: true },
    onSuccess: (_d, id) => {
      patchConversationEverywhere(qc, id, (c) => ({ ...c, unread: false }) as Conversation);
      void qc.invalidateQueries({ queryKey: qk.counters });
    },
  });
  return m.mutate;
}

/** storeConversation keeps a mutation's answer and refreshes lists and counters. */
export function storeConversation(qc: QueryClient, c: Conversation) {
  const mine = { ...c, unread: false };
  qc.setQueryData(qk.conversation(c.id), mine);
  // place it in the cached lists at once (a long list is not refetched page by page)
  const me = qc.getQueryData<Me>(qk.me);
  if (me) applyToLists(qc, mine, viewerOf(me));
  else void qc.invalidateQueries({ queryKey: qk.conversationLists });
  void qc.invalidateQueries({ queryKey: qk.counters });
}

/** appendToTimeline adds a message (e.g. the answer of a send) to the cached timeline. */
export function appendToTimeline(qc: QueryClient, m: Message) {
  qc.setQueryData<MessagePages>(qk.messages(m.conversation_id), (old) => {
    if (!old || old.pages.length === 0) return { pages: [{ items: [m] }], pageParams: [''] };
    const pages = [...old.pages];
    pages[0] = { ...pages[0], items: appendMessage(pages[0].items, m) };
    return { ...old, pages };
  });
}

type Priority = Conversation['priority'];

/** useConversationActions: every header action as a mutation that updates the caches from the answer. */
export function useConversationActions(id: number) {
  const qc = useQueryClient();
  const path = { params: { path: { id } } };
  const done = useCallback((c: Conversation) => storeConversation(qc, c), [qc]);
  const assign = useMutation({
    mutationFn: (assigneeId: number) => unwrap(api.POST('/api/v1/conversations/{id}/assign', { ...path, body: { assignee_id: assigneeId } })),
    onSuccess: done,
  });
  const transfer = useMutation({
    mutationFn: (v: { departmentId: number; assigneeId?: number }) =>
      unwrap(api.POST('/api/v1/conversations/{id}/transfer', { ...path, body: { department_id: v.departmentId, assignee_id: v.assigneeId || undefined } })),
    onSuccess: done,
  });
  const returnToQueue = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/conversations/{id}/return', path)), onSuccess: done });
  const snooze = useMutation({
    mutationFn: (until: Date) => unwrap(api.POST('/api/v1/conversations/{id}/snooze', { ...path, body: { until: until.toISOString() } })),
    onSuccess: done,
  });
  const unsnooze = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/conversations/{id}/unsnooze', path)), onSuccess: done });
  const resolve = useMutation({
    mutationFn: (reasonId: number | undefined) =>
      unwrap(api.POST('/api/v1/conversations/{id}/resolve', { ...path, body: reasonId ? { closing_reason_id: reasonId } : {} })),
    onSuccess: done,
  });
  const reopen = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/conversations/{id}/reopen', path)), onSuccess: done });
  const label = useMutation({
    mutationFn: (v: { labelId: number; on: boolean }) => {
      const opts = { params: { path: { id, labelID: v.labelId } } };
      return unwrap(v.on ? api.PUT('/api/v1/conversations/{id}/labels/{labelID}', opts) : api.DELETE('/api/v1/conversations/{id}/labels/{labelID}', opts));
    },
    onSuccess: done,
  });
  const star = useMutation({
    mutationFn: (on: boolean) => unwrap(on ? api.PUT('/api/v1/conversations/{id}/star', path) : api.DELETE('/api/v1/conversations/{id}/star', path)),
    onMutate: (on) => patchConversationEverywhere(qc, id, (c) => ({ ...c, starred: on })),
    onError: (_e, on) => patchConversationEverywhere(qc, id, (c) => ({ ...c, starred: !on })),
    onSuccess: done,
  });
  const priority = useMutation({
    mutationFn: (p: Priority) => unwrap(api.PATCH('/api/v1/conversations/{id}', { ...path, body: { priority: p } })),
    onSuccess: done,
  });
  const reload = useCallback(() => {
    void qc.invalidateQueries({ queryKey: qk.conversation(id) });
    void qc.invalidateQueries({ queryKey: qk.messages(id) });
  }, [qc, id]);
  return { assign, transfer, returnToQueue, snooze, unsnooze, resolve, reopen, label, star, priority, reload };
}

export type ConversationActions = ReturnType<typeof useConversationActions>;

/**
 * exportCsv downloads GET /api/v1/conversations/{id}/export.csv, reporting
 * the bytes received as they stream in, and saves it through a Blob URL.
 */
export async function exportCsv(id: number, onProgress: (bytes: number) => void): Promise<{ bytes: number; filename: string }> {
  const res = await fetch(`/api/v1/conversations/${id}/export.csv`, { credentials: 'same-origin' });
  if (!res.ok) {
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    throw toApiError(res.status, body);
  }
  const chunks: BlobPart[] = [];
  let bytes = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value as Uint8Array<ArrayBuffer>);
      bytes += value.byteLength;
      onProgress(bytes);
    }
  } else {
    const buf = await res.arrayBuffer();
    chunks.push(buf);
    bytes = buf.byteLength;
    onProgress(bytes);
  }
  const cd = res.headers.get('Content-Disposition') ?? '';
  const filename = /filename="?([^";]+)"?/.exec(cd)?.[1] ?? `conversation-${id}.csv`;
  const url = URL.createObjectURL(new Blob(chunks, { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { bytes, filename };
}

/** attachmentUrl is where a stored file is served. */
export function attachmentUrl(id: number): string {
  return `/api/v1/attachments/${id}`;
}
