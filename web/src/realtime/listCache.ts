// Pure functions that keep cached conversation lists true as realtime events
// arrive, without refetching every loaded page: an updated conversation is
// removed from every list and put back, in sort order, into the lists whose
// view it now belongs to. The server stays the authority: a refetch after a
// reconnect replaces whatever these functions built.
import type { Conversation } from '../api/client';

export type ViewName = 'mine' | 'unassigned' | 'all' | 'snoozed' | 'resolved' | 'starred';
export type SortName = 'latest' | 'waiting_since' | 'opened_at';

/** serverSort names a list sort as GET /api/v1/conversations does. */
export function serverSort(sort: SortName): 'latest' | 'waiting' | 'in_service' {
  switch (sort) {
    case 'waiting_since':
      return 'waiting';
    case 'opened_at':
      return 'in_service';
    default:
      return 'latest';
  }
}

/** ListSpec names one conversation list: the query string of GET /conversations. */
export interface ListSpec {
  view: ViewName;
  sort: SortName;
  departmentId?: number;
  agentId?: number;
  labelId?: number;
  channelId?: number;
}

export interface ViewerInfo {
  userId: number;
  role: 'admin' | 'supervisor' | 'agent';
  scope: 'department' | 'assigned';
  departmentIds: number[];
}

export interface Page {
  items: Conversation[];
  next_cursor?: string;
}

export interface PagedList {
  pages: Page[];
  pageParams: unknown[];
}

const activeStatuses = ['bot', 'queued', 'open'];

/** canSee mirrors the store's visibility rule (DESIGN §3). */
export function canSee(c: Conversation, v: ViewerInfo): boolean {
  if (v.role === 'admin') return true;
  if (c.assignee_id === v.userId) return true;
  if (v.role === 'agent' && v.scope === 'assigned') return false;
  return c.department_id != null && v.departmentIds.includes(c.department_id);
}

/** belongs reports whether conversation c is a row of list spec for viewer v. */
export function belongs(c: Conversation, spec: ListSpec, v: ViewerInfo): boolean {
  if (!canSee(c, v)) return false;
  let statusOK: boolean;
  switch (spec.view) {
    case 'mine':
      statusOK = activeStatuses.includes(c.status) && c.assignee_id === v.userId;
      break;
    case 'unassigned':
      statusOK = (c.status === 'bot' || c.status === 'queued') && c.assignee_id == null;
      break;
    case 'all':
      statusOK = activeStatuses.includes(c.status);
      break;
    case 'starred':
      statusOK = activeStatuses.includes(c.status) && c.starred;
      break;
    case 'snoozed':
      statusOK = c.status === 'snoozed';
      break;
    case 'resolved':
      statusOK = c.status === 'resolved';
      break;
  }
  if (!statusOK) return false;
  if (spec.departmentId && c.department_id !== spec.departmentId) return false;
  if (spec.agentId && c.assignee_id !== spec.agentId) return false;
  if (spec.labelId && !c.label_ids.includes(spec.labelId)) return false;
  if (spec.channelId && c.channel_id !== spec.channelId) return false;
  return true;
}

/** compare orders two conversations as the server's sort does (ties by id, newest id first on latest). */
export function compare(a: Conversation, b: Conversation, sort: SortName): number {
  switch (sort) {
    case 'latest':
      return b.last_message_at - a.last_message_at || b.id - a.id;
    case 'waiting_since': {
      const aw = a.waiting_since ?? Number.MAX_SAFE_INTEGER;
      const bw = b.waiting_since ?? Number.MAX_SAFE_INTEGER;
      return aw - bw || a.id - b.id;
    }
    case 'opened_at':
      return a.opened_at - b.opened_at || a.id - b.id;
  }
}

/**
 * applyConversation returns list with c removed and, when it belongs to the
 * list, inserted at its sorted place. A row that would sort after the last
 * loaded row of a list with more pages is left for pagination to bring.
 * The per-user starred flag is kept from the cached row: events are built for
 * every viewer and cannot know whose star it is.
 */
export function applyConversation(list: PagedList, c: Conversation, spec: ListSpec, v: ViewerInfo): PagedList {
  let cachedStar: boolean | undefined;
  const pages = list.pages.map((p) => {
    const items = p.items.filter((x) => {
      if (x.id !== c.id) return true;
      cachedStar = x.starred;
      return false;
    });
    return items.length === p.items.length ? p : { ...p, items };
  });
  const row = cachedStar === undefined ? c : { ...c, starred: cachedStar };
  if (!belongs(row, spec, v)) {
    return pages.every((p, i) => p === list.pages[i]) ? list : { ...list, pages };
  }
  for (let i = 0; i < pages.length; i++) {
    const items = pages[i].items;
    const at = items.findIndex((x) => compare(row, x, spec.sort) < 0);
    const last = i === pages.length - 1;
    if (at >= 0 || (last && !pages[i].next_cursor)) {
      const next = [...items];
      next.splice(at >= 0 ? at : items.length, 0, row);
      const out = [...pages];
      out[i] = { ...pages[i], items: next };
      return { ...list, pages: out };
    }
  }
  if (pages.length === 0) return { ...list, pages: [{ items: [row] }], pageParams: [undefined] };
  return { ...list, pages };
}

/** removeConversation drops c from every page (it left the viewer's sight). */
export function removeConversation(list: PagedList, id: number): PagedList {
  let changed = false;
  const pages = list.pages.map((p) => {
    const items = p.items.filter((x) => x.id !== id);
    if (items.length !== p.items.length) changed = true;
    return items.length === p.items.length ? p : { ...p, items };
  });
  return changed ? { ...list, pages } : list;
}

const deliveryRank: Record<string, number> = { none: 0, pending: 1, sent: 2, delivered: 3, read: 4, failed: 5 };

/**
 * appendMessage adds m to a cached timeline once, in (created_at, id) order.
 * A copy that arrives late (the answer of the send, after the realtime event
 * that it was delivered) never moves the delivery status backwards.
 */
export function appendMessage<M extends { id: number; created_at: number; status?: string }>(list: M[], m: M): M[] {
  const i = list.findIndex((x) => x.id === m.id);
  if (i >= 0) {
    const have = list[i];
    const next = [...list];
    next[i] = (deliveryRank[have.status ?? ''] ?? 0) > (deliveryRank[m.status ?? ''] ?? 0) ? { ...m, status: have.status, error: (have as { error?: string }).error } : m;
    return next;
  }
  const next = [...list, m];
  next.sort((a, b) => a.created_at - b.created_at || a.id - b.id);
  return next;
}
