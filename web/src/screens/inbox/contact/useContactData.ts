// Server data of the contact panel: the contact, its conversations, and the
// mutations the panel makes (contact PATCH and labels, conversation priority
// and labels). Contact edits are applied to the cache at once and rolled back
// when the server refuses them; the global MutationCache shows the error.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, unwrap, type Contact, type Conversation } from '../../../api/client';
import { qk } from '../../../api/queries';
import { applyPatch, contactPatch, isEmptyPatch, type ContactEdit, type ContactPatch } from './contactLogic';

export function useContact(id: number | undefined) {
  return useQuery({
    queryKey: qk.contact(id ?? 0),
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
    staleTime: 15_000,
  });
}

export function useContactConversations(id: number | undefined) {
  return useQuery({
    queryKey: qk.contactConversations(id ?? 0),
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{id}/conversations', { params: { path: { id: id! } } })).then((r) => r.items),
    enabled: !!id,
    staleTime: 30_000,
  });
}

export type SaveStatus = 'idle' | 'saving' | 'saved';

/** useSaveStatus shows "Saving…" while work runs and "Saved" for a moment after it succeeds. */
export function useSaveStatus() {
  const [status, setStatus] = useState<SaveStatus>('idle');
  const running = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const track = useCallback(async <T,>(p: Promise<T>): Promise<T> => {
    running.current++;
    clearTimeout(timer.current);
    setStatus('saving');
    try {
      const v = await p;
      running.current--;
      if (running.current === 0) {
        setStatus('saved');
        timer.current = setTimeout(() => setStatus('idle'), 2000);
      }
      return v;
    } catch (e) {
      running.current--;
      if (running.current === 0) setStatus('idle');
      throw e;
    }
  }, []);
  return { status, track };
}

function sendPatch(id: number, body: ContactPatch) {
  return unwrap(api.PATCH('/api/v1/contacts/{id}', { params: { path: { id } }, body }));
}

/**
 * useSaveContact returns save(edit): it sends only what changed (nothing when
 * nothing did) and resolves true on success, false on failure. The contact id
 * travels with each mutation, so a save still in flight when the panel moves
 * to another contact lands on the right one.
 */
export function useSaveContact(id: number | undefined) {
  const qc = useQueryClient();
  const { status, track } = useSaveStatus();
  const m = useMutation({
    mutationFn: ({ id, body }: { id: number; body: ContactPatch }) => sendPatch(id, body),
    onMutate: async ({ id, body }) => {
      await qc.cancelQueries({ queryKey: qk.contact(id) });
      const prev = qc.getQueryData<Contact>(qk.contact(id));
      if (prev) qc.setQueryData<Contact>(qk.contact(id), applyPatch(prev, body));
      return { prev };
    },
    onError: (_e, { id }, ctx) => {
      if (ctx?.prev) qc.setQueryData(qk.contact(id), ctx.prev);
    },
    onSuccess: (c, { body }) => {
      qc.setQueryData(qk.contact(c.id), c);
      // conversations carry the contact's name: lists and headers show the new one
      if (body.name !== undefined) {
        void qc.invalidateQueries({ queryKey: qk.conversationLists });
        void qc.invalidateQueries({ queryKey: ['conversation'] });
        void qc.invalidateQueries({ queryKey: qk.contactConversations(c.id) });
      }
    },
  });
  const { mutateAsync } = m;
  const saveFor = useCallback(
    async (contactId: number | undefined, edit: ContactEdit): Promise<boolean> => {
      if (!contactId) return false;
      const cur = qc.getQueryData<Contact>(qk.contact(contactId));
      if (!cur) return false;
      const body = contactPatch(cur, edit);
      if (isEmptyPatch(body)) return true;
      try {
        await track(mutateAsync({ id: contactId, body }));
        return true;
      } catch {
        return false;
      }
    },
    [qc, mutateAsync, track],
  );
  const save = useCallback((edit: ContactEdit) => saveFor(id, edit), [saveFor, id]);
  return { save, saveFor, status };
}

/** useContactLabel toggles a label on the contact. */
export function useContactLabel(id: number | undefined) {
  const qc = useQueryClient();
  const { status, track } = useSaveStatus();
  const m = useMutation({
    mutationFn: ({ id, labelId, on }: { id: number; labelId: number; on: boolean }) => {
      const params = { path: { id, labelID: labelId } };
      return unwrap(on ? api.PUT('/api/v1/contacts/{id}/labels/{labelID}', { params }) : api.DELETE('/api/v1/contacts/{id}/labels/{labelID}', { params }));
    },
    onMutate: async ({ id, labelId, on }) => {
      await qc.cancelQueries({ queryKey: qk.contact(id) });
      const prev = qc.getQueryData<Contact>(qk.contact(id));
      if (prev) {
        const label_ids = on ? [...new Set([...prev.label_ids, labelId])] : prev.label_ids.filter((x) => x !== labelId);
        qc.setQueryData<Contact>(qk.contact(id), { ...prev, label_ids });
      }
      return { prev };
    },
    onError: (_e, { id }, ctx) => {
      if (ctx?.prev) qc.setQueryData(qk.contact(id), ctx.prev);
    },
    onSuccess: (c) => qc.setQueryData(qk.contact(c.id), c),
  });
  const { mutateAsync } = m;
  const toggle = useCallback(
    (labelId: number, on: boolean) => {
      if (!id) return;
      track(mutateAsync({ id, labelId, on })).catch(() => {});
    },
    [id, mutateAsync, track],
  );
  return { toggle, status };
}

/** mergeConversation lays an answer over the cached conversation (older servers omit `unread`). */
function mergeConversation(prev: Conversation | undefined, next: Conversation): Conversation {
  return prev ? { ...prev, ...next } : next;
}

type Prev = { id: number; prev?: Conversation };

/** useConversationEdit changes a conversation's priority and labels. */
export function useConversationEdit(id: number | undefined) {
  const qc = useQueryClient();
  const { status, track } = useSaveStatus();
  const settle = (c: Conversation) => {
    qc.setQueryData<Conversation>(qk.conversation(c.id), (prev) => mergeConversation(prev, c));
    void qc.invalidateQueries({ queryKey: qk.conversationLists });
    void qc.invalidateQueries({ queryKey: qk.contactConversations(c.contact_id) });
  };
  const optimistic = async (id: number, change: (c: Conversation) => Conversation): Promise<Prev> => {
    await qc.cancelQueries({ queryKey: qk.conversation(id) });
    const prev = qc.getQueryData<Conversation>(qk.conversation(id));
    if (prev) qc.setQueryData<Conversation>(qk.conversation(id), change(prev));
    return { id, prev };
  };
  const rollback = (_e: unknown, _v: unknown, ctx: Prev | undefined) => {
    if (ctx?.prev) qc.setQueryData(qk.conversation(ctx.id), ctx.prev);
  };
  const priority = useMutation({
    mutationFn: ({ id, p }: { id: number; p: Conversation['priority'] }) =>
      unwrap(api.PATCH('/api/v1/conversations/{id}', { params: { path: { id } }, body: { priority: p } })),
    onMutate: ({ id, p }) => optimistic(id, (c) => ({ ...c, priority: p })),
    onError: rollback,
    onSuccess: settle,
  });
  const label = useMutation({
    mutationFn: ({ id, labelId, on }: { id: number; labelId: number; on: boolean }) => {
      const params = { path: { id, labelID: labelId } };
      return unwrap(
        on ? api.PUT('/api/v1/conversations/{id}/labels/{labelID}', { params }) : api.DELETE('/api/v1/conversations/{id}/labels/{labelID}', { params }),
      );
    },
    onMutate: ({ id, labelId, on }) =>
      optimistic(id, (c) => ({ ...c, label_ids: on ? [...new Set([...c.label_ids, labelId])] : c.label_ids.filter((x) => x !== labelId) })),
    onError: rollback,
    onSuccess: settle,
  });
  return {
    status,
    setPriority: (p: Conversation['priority']) => {
      if (id) track(priority.mutateAsync({ id, p })).catch(() => {});
    },
    toggleLabel: (labelId: number, on: boolean) => {
      if (id) track(label.mutateAsync({ id, labelId, on })).catch(() => {});
    },
  };
}

/** useEraseContact deletes the contact with all its conversations (LGPD). */
export function useEraseContact() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/contacts/{id}', { params: { path: { id } } })),
    onSuccess: (_d, id) => {
      qc.removeQueries({ queryKey: qk.contact(id) });
      qc.removeQueries({ queryKey: qk.contactConversations(id) });
      void qc.invalidateQueries({ queryKey: qk.conversationLists });
      void qc.invalidateQueries({ queryKey: qk.counters });
    },
  });
}
