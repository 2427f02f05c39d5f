// The visitor's view of the conversation: server messages merged with the
// visitor's own optimistic sends. Kept free of DOM so that the ordering and
// de-duplication rules can be tested on their own.

export type Status = 'none' | 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Attachment {
  id: number;
  filename: string;
  content_type: string;
  size: number;
  url: string;
}

export interface WidgetMessage {
  id: number;
  direction: 'in' | 'out';
  sender: 'visitor' | 'agent' | 'bot';
  agent_name?: string;
  content: string;
  attachments: Attachment[];
  status: Status;
  created_at: number;
  choices?: string[];
}

// Msg is a WidgetMessage with a stable render key. A local (optimistic)
// message keeps its key when the server's copy replaces it, so its element
// stays in place and the live region does not announce it twice.
export interface Msg extends WidgetMessage {
  key: string;
  local?: boolean;
}

const rank: Record<Status, number> = { none: 0, failed: 0, pending: 1, sent: 2, delivered: 3, read: 4 };

// mergeStatus never lets a late or re-ordered update move a tick backwards
// (read → delivered), but lets a failure replace a send that never got far,
// and lets a successful retry replace a failure.
export function mergeStatus(cur: Status, next: Status): Status {
  if (next === 'failed') return rank[cur] >= rank.delivered ? cur : 'failed';
  if (cur === 'failed') return next;
  return rank[next] >= rank[cur] ? next : cur;
}

function compare(a: Msg, b: Msg): number {
  // Unconfirmed sends stay last: their local clock may disagree with the server's.
  if (!!a.local !== !!b.local) return a.local ? 1 : -1;
  if (a.created_at !== b.created_at) return a.created_at - b.created_at;
  if (a.local && b.local) return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  return a.id - b.id;
}

export function sortMsgs(list: Msg[]): Msg[] {
  return list.slice().sort(compare);
}

function fromServer(m: WidgetMessage, key: string, cur?: Msg): Msg {
  return {
    ...m,
    attachments: m.attachments ?? [],
    key,
    status: cur ? mergeStatus(cur.status, m.status) : m.status,
  };
}

// upsert adds or updates one server message (a WebSocket frame or an HTTP answer).
export function upsert(list: Msg[], m: WidgetMessage): Msg[] {
  const i = list.findIndex((x) => !x.local && x.id === m.id);
  if (i < 0) return sortMsgs([...list, fromServer(m, 'm' + m.id)]);
  const next = list.slice();
  next[i] = fromServer(m, list[i].key, list[i]);
  return sortMsgs(next);
}

// markReadUpTo marks the visitor's own stored messages up to upTo (Unix ms)
// as read by the team.
export function markReadUpTo(list: Msg[], upTo: number): Msg[] {
  let changed = false;
  const next = list.map((m) => {
    if (m.local || m.direction !== 'in' || m.created_at > upTo || m.status === 'read') return m;
    changed = true;
    return { ...m, status: mergeStatus(m.status, 'read') };
  });
  return changed ? next : list;
}

export function addLocal(list: Msg[], m: Msg): Msg[] {
  return sortMsgs([...list, { ...m, local: true }]);
}

// confirmLocal swaps an optimistic message for the server's answer. The
// WebSocket echo may have arrived first: then the echo's entry is kept and
// the optimistic one dropped, so the message shows once.
export function confirmLocal(list: Msg[], key: string, m: WidgetMessage): Msg[] {
  const rest = list.filter((x) => x.key !== key);
  const echoed = rest.find((x) => !x.local && x.id === m.id);
  if (echoed) return upsert(rest, m);
  return sortMsgs([...rest, fromServer(m, key)]);
}

export function failLocal(list: Msg[], key: string): Msg[] {
  return list.map((x) => (x.key === key ? { ...x, status: 'failed' as Status } : x));
}

export function removeKey(list: Msg[], key: string): Msg[] {
  return list.filter((x) => x.key !== key);
}

// replaceAll installs a fresh server snapshot (page load, reconnect): the
// server's list is the truth, except for sends still in flight or failed,
// which only this page knows about.
export function replaceAll(list: Msg[], server: WidgetMessage[]): Msg[] {
  const byId = new Map<number, Msg>();
  for (const x of list) if (!x.local) byId.set(x.id, x);
  const seen = new Set<number>();
  const out: Msg[] = [];
  for (const m of server) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    const cur = byId.get(m.id);
    out.push(fromServer(m, cur ? cur.key : 'm' + m.id, cur));
  }
  for (const x of list) if (x.local) out.push(x);
  return sortMsgs(out);
}

// lastAgentId is the newest message from the team (agent or bot), the one
// POST /read acknowledges.
export function lastAgentId(list: Msg[]): number | null {
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i];
    if (!m.local && m.sender !== 'visitor') return m.id;
  }
  return null;
}
