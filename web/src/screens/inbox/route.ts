// The inbox's state lives in the URL, so a view, a filter or a conversation
// can be bookmarked, shared and restored on reload:
//   /inbox/<view>/<conversationId>?sort=&label=&channel=&q=
// where <view> is mine | unassigned | all | snoozed | resolved | starred |
// dept-<id> (a department's conversations) | agent-<id> (an agent's).
import { useCallback, useMemo } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import type { ListSpec, SortName, ViewName } from '../../realtime/listCache';

const views: ViewName[] = ['mine', 'unassigned', 'all', 'snoozed', 'resolved', 'starred'];
const sorts: SortName[] = ['latest', 'waiting_since', 'opened_at'];

/** parseView turns the view segment and query string into a ListSpec. */
export function parseView(segment: string | undefined, query: URLSearchParams): ListSpec {
  const sort = sorts.includes(query.get('sort') as SortName) ? (query.get('sort') as SortName) : 'latest';
  const spec: ListSpec = { view: 'mine', sort };
  const seg = segment ?? 'mine';
  const m = /^(dept|agent)-(\d+)$/.exec(seg);
  if (m) {
    spec.view = 'all';
    if (m[1] === 'dept') spec.departmentId = Number(m[2]);
    else spec.agentId = Number(m[2]);
  } else if (views.includes(seg as ViewName)) {
    spec.view = seg as ViewName;
  }
  const label = Number(query.get('label'));
  if (label > 0) spec.labelId = label;
  const channel = Number(query.get('channel'));
  if (channel > 0) spec.channelId = channel;
  return spec;
}

/** viewSegment is the inverse of parseView for the path. */
export function viewSegment(spec: Pick<ListSpec, 'view' | 'departmentId' | 'agentId'>): string {
  if (spec.departmentId) return `dept-${spec.departmentId}`;
  if (spec.agentId) return `agent-${spec.agentId}`;
  return spec.view;
}

export interface InboxRoute {
  segment: string;
  spec: ListSpec;
  conversationId: number | undefined;
  q: string;
  /** open shows a conversation in the current view. */
  open: (id: number | undefined) => void;
  /** go switches view (keeps filters unless told otherwise). */
  go: (segment: string, keepQuery?: boolean) => void;
  /** setQuery changes sort / label / channel / q. */
  setQuery: (patch: Record<string, string | undefined>) => void;
}

export function useInboxRoute(): InboxRoute {
  const params = useParams();
  const [query] = useSearchParams();
  const nav = useNavigate();
  const segment = params.view ?? 'mine';
  const spec = useMemo(() => parseView(segment, query), [segment, query]);
  const conversationId = params.conversationId ? Number(params.conversationId) || undefined : undefined;
  const q = query.get('q') ?? '';
  const qs = query.toString();
  const open = useCallback((id: number | undefined) => nav(`/inbox/${segment}${id ? `/${id}` : ''}${qs ? `?${qs}` : ''}`), [nav, segment, qs]);
  const go = useCallback(
    (seg: string, keepQuery = true) => {
      const next = new URLSearchParams(keepQuery ? qs : '');
      next.delete('q');
      const s = next.toString();
      nav(`/inbox/${seg}${s ? `?${s}` : ''}`);
    },
    [nav, qs],
  );
  const setQuery = useCallback(
    (patch: Record<string, string | undefined>) => {
      const next = new URLSearchParams(qs);
      for (const [k, v] of Object.entries(patch)) {
        if (v) next.set(k, v);
        else next.delete(k);
      }
      const s = next.toString();
      nav(`/inbox/${segment}${conversationId ? `/${conversationId}` : ''}${s ? `?${s}` : ''}`, { replace: true });
    },
    [nav, qs, segment, conversationId],
  );
  return { segment, spec, conversationId, q, open, go, setQuery };
}
