// Pure logic of the conversation list (seed 003, second column): rows from
// pages, the hint under each row, keyboard movement, the entries of the
// virtual list, search highlighting and which empty state to show.
import type { Conversation } from '../../../api/client';
import type { ListSpec } from '../../../realtime/listCache';

/** flattenPages joins the loaded pages, keeping the first copy of a conversation that realtime moved between pages. */
export function flattenPages(pages: { items: Conversation[] }[] | undefined): Conversation[] {
  if (!pages) return [];
  const seen = new Set<number>();
  const out: Conversation[] = [];
  for (const p of pages) {
    for (const c of p.items) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      out.push(c);
    }
  }
  return out;
}

export interface HintContext {
  meId?: number;
  userName: (id: number) => string | undefined;
  departmentName: (id: number) => string | undefined;
}

/** A row's status / assignee hint as an i18n key (inbox:hint.*) with its values. */
export interface Hint {
  key: 'you' | 'agent' | 'assigned' | 'queued' | 'queuedIn' | 'bot' | 'botIn' | 'snoozed' | 'resolved' | 'resolvedBy' | 'dept';
  name?: string;
  dept?: string;
  until?: number;
}

/**
 * rowHint says who has the conversation: me, a colleague, or which
 * department's queue (or bot) it waits in. It leaves out what the view
 * already says: in Waiting every row waits (so only the department), in a
 * department's view the department, in my inbox or an agent's view the
 * assignee (so the department instead).
 */
export function rowHint(c: Conversation, ctx: HintContext, spec?: Pick<ListSpec, 'view' | 'departmentId' | 'agentId'>): Hint {
  const inDeptView = !!spec?.departmentId;
  const dept = c.department_id != null && !inDeptView ? ctx.departmentName(c.department_id) : undefined;
  const agent = c.assignee_id != null ? ctx.userName(c.assignee_id) : undefined;
  switch (c.status) {
    case 'resolved':
      return agent ? { key: 'resolvedBy', name: agent } : { key: 'resolved' };
    case 'snoozed':
      return { key: 'snoozed', until: c.snoozed_until ?? undefined };
  }
  if (c.assignee_id != null) {
    const assigneeIsView = spec?.view === 'mine' || (spec?.agentId != null && spec.agentId === c.assignee_id);
    if (assigneeIsView) return dept ? { key: 'dept', dept } : c.assignee_id === ctx.meId ? { key: 'you' } : agent ? { key: 'agent', name: agent } : { key: 'assigned' };
    if (c.assignee_id === ctx.meId) return { key: 'you' };
    return agent ? { key: 'agent', name: agent } : { key: 'assigned' };
  }
  if (c.status === 'bot') return dept ? { key: 'botIn', dept } : { key: 'bot' };
  if (spec?.view === 'unassigned' && dept) return { key: 'dept', dept };
  return dept ? { key: 'queuedIn', dept } : { key: 'queued' };
}

/**
 * moveIndex is where a key press moves the selection in a list of count
 * entries: ArrowDown/j and ArrowUp/k by one (stopping at the ends), Home and
 * End to the ends. From no selection (-1) down/up both go to the first. null
 * when the key does not move.
 */
export function moveIndex(current: number, key: string, count: number): number | null {
  if (count <= 0) return null;
  switch (key) {
    case 'ArrowDown':
    case 'j':
      return current < 0 ? 0 : Math.min(current + 1, count - 1);
    case 'ArrowUp':
    case 'k':
      return current < 0 ? 0 : Math.max(current - 1, 0);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/** SearchHit is the part of a message search result the list shows. */
export interface HitLike {
  id: number;
  conversation_id: number;
  content: string;
  contact_name: string;
  created_at: number;
  kind: string;
}

export type Entry =
  | { type: 'heading'; key: string; section: 'conversations' | 'messages'; count?: number }
  | { type: 'row'; key: string; conversation: Conversation; pos: number }
  | { type: 'hit'; key: string; hit: HitLike; pos: number }
  | { type: 'note'; key: string; section: 'conversations' | 'messages'; state: 'none' | 'loading' | 'short' }
  | { type: 'more'; key: string };

export const entryHeight: Record<Entry['type'], number> = { heading: 32, row: 76, hit: 64, note: 44, more: 44 };

/**
 * buildEntries lays out the virtual list. Without a search it is the rows
 * (plus a "loading more" entry while pages remain). With a search it has two
 * sections, conversations (contacts matching by name, phone or e-mail) and
 * messages (full text), each with a heading.
 */
export function buildEntries(
  rows: Conversation[],
  opts: { searching: boolean; hasMore: boolean; hits?: HitLike[]; hitsState?: 'loading' | 'ready' | 'short' },
): Entry[] {
  const out: Entry[] = [];
  if (opts.searching) out.push({ type: 'heading', key: 'h-conversations', section: 'conversations', count: opts.hasMore ? undefined : rows.length });
  rows.forEach((c, i) => out.push({ type: 'row', key: `c-${c.id}`, conversation: c, pos: i }));
  if (opts.hasMore) out.push({ type: 'more', key: 'more' });
  if (!opts.searching) return out;
  if (rows.length === 0 && !opts.hasMore) out.push({ type: 'note', key: 'n-conversations', section: 'conversations', state: 'none' });
  const hits = opts.hits ?? [];
  out.push({ type: 'heading', key: 'h-messages', section: 'messages', count: opts.hitsState === 'ready' ? hits.length : undefined });
  if (opts.hitsState === 'loading') out.push({ type: 'note', key: 'n-messages', section: 'messages', state: 'loading' });
  else if (opts.hitsState === 'short') out.push({ type: 'note', key: 'n-messages', section: 'messages', state: 'short' });
  else if (hits.length === 0) out.push({ type: 'note', key: 'n-messages', section: 'messages', state: 'none' });
  hits.forEach((h, i) => out.push({ type: 'hit', key: `m-${h.id}`, hit: h, pos: i }));
  return out;
}

/** selectable lists the entries keyboard navigation moves over, with the conversation each opens. */
export function selectable(entries: Entry[]): { index: number; conversationId: number }[] {
  const out: { index: number; conversationId: number }[] = [];
  entries.forEach((e, index) => {
    if (e.type === 'row') out.push({ index, conversationId: e.conversation.id });
    else if (e.type === 'hit') out.push({ index, conversationId: e.hit.conversation_id });
  });
  return out;
}

/** highlight splits text into parts, marking the words of query (case and accents ignored). */
export function highlight(text: string, query: string): { text: string; match: boolean }[] {
  const words = fold(query)
    .split(/\s+/)
    .filter((w) => w.length > 0);
  if (words.length === 0 || !text) return text ? [{ text, match: false }] : [];
  const folded = foldKeepLength(text);
  const marks = new Array<boolean>(text.length).fill(false);
  for (const w of words) {
    let from = 0;
    for (;;) {
      const at = folded.indexOf(w, from);
      if (at < 0) break;
      for (let i = at; i < at + w.length; i++) marks[i] = true;
      from = at + w.length;
    }
  }
  const out: { text: string; match: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const last = out[out.length - 1];
    if (last && last.match === marks[i]) last.text += text[i];
    else out.push({ text: text[i], match: marks[i] });
  }
  return out;
}

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** foldKeepLength folds character by character so indexes still match the original text. */
function foldKeepLength(s: string): string {
  let out = '';
  for (const ch of s) {
    const f = fold(ch);
    out += f.length === ch.length ? f : ch.toLowerCase();
  }
  return out;
}

/** snippet cuts a long message around the first match so the hit shows why it matched. */
export function snippet(text: string, query: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const words = fold(query).split(/\s+/).filter(Boolean);
  const folded = foldKeepLength(flat);
  const at = words.length ? Math.min(...words.map((w) => folded.indexOf(w)).filter((i) => i >= 0), flat.length) : 0;
  if (at === flat.length || at < max / 3) return `${flat.slice(0, max - 1).trimEnd()}…`;
  const start = Math.max(0, at - Math.floor(max / 3));
  const end = Math.min(flat.length, start + max - 2);
  return `…${flat.slice(start, end).trim()}${end < flat.length ? '…' : ''}`;
}

export type EmptyKind = 'search' | 'filtered' | 'mine' | 'unassigned' | 'all' | 'snoozed' | 'resolved' | 'starred' | 'dept' | 'agent';

/** emptyKind picks the empty state: a search or filter that found nothing says so; otherwise per view. */
export function emptyKind(spec: ListSpec, q: string): EmptyKind {
  if (q.trim()) return 'search';
  if (spec.labelId || spec.channelId) return 'filtered';
  if (spec.departmentId) return 'dept';
  if (spec.agentId) return 'agent';
  return spec.view;
}

/** waitingShown reports whether a row shows the waiting thermometer: the customer waits and the cycle is not over. */
export function waitingShown(c: Pick<Conversation, 'waiting_since' | 'status'>): boolean {
  return c.waiting_since != null && c.status !== 'resolved';
}

/** ViewCounters is the part of the counters answer that gives a view's size. */
export interface ViewCounters {
  mine: number;
  unassigned: number;
  all: number;
  snoozed: number;
  resolved: number;
  starred?: number;
  departments: { id: number; name: string; queued: number; open: number }[];
  agents: { id: number; name: string; open: number }[];
}

/**
 * viewCount is the number shown beside the view's title, from the counters;
 * undefined when a search or filter narrows the list (the counters do not
 * know those sizes) or the server does not count the view.
 */
export function viewCount(spec: ListSpec, q: string, c: ViewCounters | undefined): number | undefined {
  if (!c || q.trim() || spec.labelId || spec.channelId) return undefined;
  if (spec.departmentId) {
    const d = c.departments.find((x) => x.id === spec.departmentId);
    return d ? d.queued + d.open : undefined;
  }
  if (spec.agentId) return c.agents.find((x) => x.id === spec.agentId)?.open;
  return spec.view === 'starred' ? c.starred : c[spec.view];
}

/** viewName is the name in the title of a department or agent view (from the counters or the full lists). */
export function viewName(
  spec: ListSpec,
  c: ViewCounters | undefined,
  departments: { id: number; name: string }[] | undefined,
  users: { id: number; name: string }[] | undefined,
): string | undefined {
  if (spec.departmentId) return [...(c?.departments ?? []), ...(departments ?? [])].find((x) => x.id === spec.departmentId)?.name;
  if (spec.agentId) return [...(c?.agents ?? []), ...(users ?? [])].find((x) => x.id === spec.agentId)?.name;
  return undefined;
}
