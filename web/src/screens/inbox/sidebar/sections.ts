// Pure logic of the inbox sidebar (seed 003, first column): which entries it
// shows, with which counts, in which order. The component only renders this.
import type { Counters } from '../../../api/client';

export type Presence = 'online' | 'away' | 'offline';

/** The built-in views of the sidebar; their label is `inbox:views.<key>`. */
export type ViewKey = 'mine' | 'waiting' | 'all' | 'resolved' | 'snoozed' | 'starred';

export interface NavItem {
  /** URL segment the entry opens (see route.ts). */
  segment: string;
  /** data-testid of the link. */
  testId: string;
  /** A second data-testid on the link's content (the "waiting" entry is also the "unassigned" one). */
  innerTestId?: string;
  /** Built-in view (translated label) … */
  view?: ViewKey;
  /** … or a department / agent name. */
  name?: string;
  /** Main number; undefined when the server does not count it. */
  count?: number;
  /** Departments: conversations waiting in the queue (bot + queued). */
  queued?: number;
  /** Departments: conversations in service. */
  open?: number;
  /** Agents: presence dot. */
  presence?: Presence;
  /** Agents: this is the signed-in user. */
  isMe?: boolean;
  /** Unread conversations (only "mine" for now). */
  unread?: number;
}

export interface NavSection {
  id: 'mine' | 'general' | 'departments' | 'agents';
  items: NavItem[];
}

/** Optional counters the server may add (read defensively until schema.d.ts has them). */
type Extra = { unread_mine?: number; starred?: number };

const presenceRank: Record<Presence, number> = { online: 0, away: 1, offline: 2 };

const collator = new Intl.Collator('pt-BR', { sensitivity: 'base', numeric: true });

/** byName sorts by name the way people read lists (accents ignored, numbers natural). */
export function byName<T extends { name: string }>(a: T, b: T): number {
  return collator.compare(a.name, b.name);
}

/**
 * buildSections turns the counters answer into the sidebar: my inbox,
 * the general views, departments (by name) and agents (me first, then
 * online → away → offline, then by name).
 */
export function buildSections(c: Counters, meId?: number): NavSection[] {
  const extra = c as Counters & Extra;
  const mine: NavItem = { segment: 'mine', testId: 'counter-mine', view: 'mine', count: c.mine };
  if (extra.unread_mine) mine.unread = extra.unread_mine;
  const general: NavItem[] = [
    { segment: 'unassigned', testId: 'counter-unassigned', innerTestId: 'counter-waiting', view: 'waiting', count: c.unassigned },
    { segment: 'all', testId: 'counter-all', view: 'all', count: c.all },
    { segment: 'resolved', testId: 'counter-resolved', view: 'resolved', count: c.resolved },
    { segment: 'snoozed', testId: 'counter-snoozed', view: 'snoozed', count: c.snoozed },
    { segment: 'starred', testId: 'counter-starred', view: 'starred', count: typeof extra.starred === 'number' ? extra.starred : undefined },
  ];
  const departments: NavItem[] = [...(c.departments ?? [])].sort(byName).map((d) => ({
    segment: `dept-${d.id}`,
    testId: `counter-dept-${d.id}`,
    name: d.name,
    queued: d.queued,
    open: d.open,
    count: d.queued + d.open,
  }));
  const agents: NavItem[] = [...(c.agents ?? [])]
    .sort((a, b) => Number(b.id === meId) - Number(a.id === meId) || presenceRank[a.presence] - presenceRank[b.presence] || byName(a, b))
    .map((a) => ({
      segment: `agent-${a.id}`,
      testId: `counter-agent-${a.id}`,
      name: a.name,
      presence: a.presence,
      count: a.open,
      isMe: a.id === meId,
    }));
  const out: NavSection[] = [
    { id: 'mine', items: [mine] },
    { id: 'general', items: general },
  ];
  if (departments.length) out.push({ id: 'departments', items: departments });
  if (agents.length) out.push({ id: 'agents', items: agents });
  return out;
}

/** filterItems keeps the entries whose name contains every word of query (accents and case ignored). */
export function filterItems(items: NavItem[], query: string): NavItem[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return items;
  return items.filter((it) => {
    const name = fold(it.name ?? '');
    return words.every((w) => name.includes(w));
  });
}

/** fold lower-cases and strips accents ("Sérgio" → "sergio"). */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** segmentHref is the link of a sidebar entry: the view path, keeping filters and sort but not the search. */
export function segmentHref(segment: string, search: string): string {
  const q = new URLSearchParams(search);
  q.delete('q');
  const s = q.toString();
  return `/inbox/${segment}${s ? `?${s}` : ''}`;
}

/** countText renders a badge number compactly: exact up to 9,999, then "10 mil" / "10K". */
export function countText(n: number, lang = 'en'): string {
  if (n < 10_000) return String(n);
  return new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}
