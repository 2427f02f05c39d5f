import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../api/client';
import { buildEntries, emptyKind, flattenPages, highlight, moveIndex, rowHint, selectable, snippet, viewCount, viewName, waitingShown, type Hint, type HitLike } from './logic';

function conv(p: Partial<Conversation>): Conversation {
  return {
    id: 1,
    contact_id: 1,
    contact_name: 'Maria',
    channel_id: 1,
    department_id: null,
    assignee_id: null,
    status: 'queued',
    priority: 'none',
    automation_paused: false,
    assignee_replied: false,
    last_message_at: 0,
    last_preview: '',
    opened_at: 0,
    first_reply_at: null,
    resolved_at: null,
    snoozed_until: null,
    closing_reason_id: null,
    created_at: 0,
    updated_at: 0,
    label_ids: [],
    starred: false,
    waiting_since: null,
    waiting_seconds: null,
    automation_active: true,
    ...p,
  };
}

describe('flattenPages', () => {
  it('joins pages and drops duplicates', () => {
    const pages = [{ items: [conv({ id: 3 }), conv({ id: 2 })] }, { items: [conv({ id: 2 }), conv({ id: 1 })] }];
    expect(flattenPages(pages).map((c) => c.id)).toEqual([3, 2, 1]);
  });
  it('handles no data', () => expect(flattenPages(undefined)).toEqual([]));
});

describe('rowHint', () => {
  const ctx = {
    meId: 7,
    userName: (id: number) => ({ 7: 'Eu', 8: 'Bruno' })[id],
    departmentName: (id: number) => ({ 1: 'Vendas' })[id],
  };
  it.each<[string, Partial<Conversation>, Hint]>([
    ['mine', { status: 'open', assignee_id: 7 }, { key: 'you' }],
    ['colleague', { status: 'open', assignee_id: 8, department_id: 1 }, { key: 'agent', name: 'Bruno' }],
    ['unknown colleague', { status: 'open', assignee_id: 99 }, { key: 'assigned' }],
    ['queued in dept', { status: 'queued', department_id: 1 }, { key: 'queuedIn', dept: 'Vendas' }],
    ['queued, unknown dept', { status: 'queued', department_id: 5 }, { key: 'queued' }],
    ['bot in dept', { status: 'bot', department_id: 1 }, { key: 'botIn', dept: 'Vendas' }],
    ['bot without dept', { status: 'bot' }, { key: 'bot' }],
    ['snoozed', { status: 'snoozed', assignee_id: 7, snoozed_until: 123 }, { key: 'snoozed', until: 123 }],
    ['resolved by colleague', { status: 'resolved', assignee_id: 8 }, { key: 'resolvedBy', name: 'Bruno' }],
    ['resolved unassigned', { status: 'resolved' }, { key: 'resolved' }],
  ])('%s', (_name, p, want) => {
    expect(rowHint(conv(p), ctx)).toEqual(want);
  });
});

describe('rowHint leaves out what the view says', () => {
  const ctx = {
    meId: 7,
    userName: (id: number) => ({ 7: 'Eu', 8: 'Bruno' })[id],
    departmentName: (id: number) => ({ 1: 'Vendas' })[id],
  };
  type Spec = Parameters<typeof rowHint>[2];
  it.each<[string, Partial<Conversation>, Spec, Hint]>([
    ['waiting view: only the department', { status: 'queued', department_id: 1 }, { view: 'unassigned' }, { key: 'dept', dept: 'Vendas' }],
    ['waiting view without department', { status: 'queued' }, { view: 'unassigned' }, { key: 'queued' }],
    ['waiting view, bot keeps its mark', { status: 'bot', department_id: 1 }, { view: 'unassigned' }, { key: 'botIn', dept: 'Vendas' }],
    ['department view: no department', { status: 'queued', department_id: 1 }, { view: 'all', departmentId: 1 }, { key: 'queued' }],
    ['department view, assigned', { status: 'open', department_id: 1, assignee_id: 8 }, { view: 'all', departmentId: 1 }, { key: 'agent', name: 'Bruno' }],
    ['my inbox: the department', { status: 'open', department_id: 1, assignee_id: 7 }, { view: 'mine' }, { key: 'dept', dept: 'Vendas' }],
    ['my inbox without department', { status: 'open', assignee_id: 7 }, { view: 'mine' }, { key: 'you' }],
    ['agent view: the department', { status: 'open', department_id: 1, assignee_id: 8 }, { view: 'all', agentId: 8 }, { key: 'dept', dept: 'Vendas' }],
    ['all view: the assignee', { status: 'open', department_id: 1, assignee_id: 8 }, { view: 'all' }, { key: 'agent', name: 'Bruno' }],
  ])('%s', (_n, p, spec, want) => {
    expect(rowHint(conv(p), ctx, spec)).toEqual(want);
  });
});

describe('moveIndex', () => {
  it.each<[number, string, number, number | null]>([
    [-1, 'ArrowDown', 5, 0],
    [-1, 'ArrowUp', 5, 0],
    [0, 'ArrowDown', 5, 1],
    [0, 'j', 5, 1],
    [4, 'ArrowDown', 5, 4],
    [3, 'ArrowUp', 5, 2],
    [3, 'k', 5, 2],
    [0, 'ArrowUp', 5, 0],
    [3, 'Home', 5, 0],
    [1, 'End', 5, 4],
    [-1, 'End', 5, 4],
    [2, 'x', 5, null],
    [2, 'Enter', 5, null],
    [-1, 'ArrowDown', 0, null],
  ])('from %d with %s over %d → %s', (cur, key, count, want) => {
    expect(moveIndex(cur, key, count)).toBe(want);
  });
});

describe('buildEntries', () => {
  const rows = [conv({ id: 1 }), conv({ id: 2 })];
  const hits: HitLike[] = [{ id: 50, conversation_id: 9, content: 'oi', contact_name: 'Ana', created_at: 0, kind: 'text' }];
  const shape = (e: ReturnType<typeof buildEntries>) => e.map((x) => x.key);
  it.each<[string, Parameters<typeof buildEntries>[1], string[]]>([
    ['plain list', { searching: false, hasMore: false }, ['c-1', 'c-2']],
    ['plain list with more pages', { searching: false, hasMore: true }, ['c-1', 'c-2', 'more']],
    ['search with hits', { searching: true, hasMore: false, hits, hitsState: 'ready' }, ['h-conversations', 'c-1', 'c-2', 'h-messages', 'm-50']],
    ['search, hits loading', { searching: true, hasMore: false, hitsState: 'loading' }, ['h-conversations', 'c-1', 'c-2', 'h-messages', 'n-messages']],
    ['search, no hits', { searching: true, hasMore: false, hits: [], hitsState: 'ready' }, ['h-conversations', 'c-1', 'c-2', 'h-messages', 'n-messages']],
  ])('%s', (_n, opts, want) => {
    expect(shape(buildEntries(rows, opts))).toEqual(want);
  });
  it('says when no conversation matches', () => {
    const e = buildEntries([], { searching: true, hasMore: false, hits, hitsState: 'ready' });
    expect(shape(e)).toEqual(['h-conversations', 'n-conversations', 'h-messages', 'm-50']);
    expect(selectable(e)).toEqual([{ index: 3, conversationId: 9 }]);
  });
  it('selectable covers rows and hits with their entry index', () => {
    const e = buildEntries(rows, { searching: true, hasMore: false, hits, hitsState: 'ready' });
    expect(selectable(e)).toEqual([
      { index: 1, conversationId: 1 },
      { index: 2, conversationId: 2 },
      { index: 4, conversationId: 9 },
    ]);
  });
});

describe('highlight', () => {
  const marked = (text: string, q: string) =>
    highlight(text, q)
      .map((p) => (p.match ? `[${p.text}]` : p.text))
      .join('');
  it.each<[string, string, string]>([
    ['Meu pedido chegou', 'pedido', 'Meu [pedido] chegou'],
    ['Pedido e PEDIDO', 'pedido', '[Pedido] e [PEDIDO]'],
    ['Não recebi a nota', 'nao nota', '[Não] recebi a [nota]'],
    ['sem nada', 'xyz', 'sem nada'],
    ['texto', '', 'texto'],
  ])('%j / %j', (text, q, want) => {
    expect(marked(text, q)).toBe(want);
  });
});

describe('snippet', () => {
  const long = `${'palavra '.repeat(30)}pedido ${'fim '.repeat(30)}`;
  it('keeps short text', () => expect(snippet('  olá\n mundo ', 'x')).toBe('olá mundo'));
  it('centres on the match', () => {
    const s = snippet(long, 'pedido', 60);
    expect(s.startsWith('…')).toBe(true);
    expect(s).toContain('pedido');
    expect(s.length).toBeLessThanOrEqual(60);
  });
  it('cuts the end when the match is early or missing', () => {
    expect(snippet(long, 'zzz', 40).endsWith('…')).toBe(true);
    expect(snippet(long, 'zzz', 40).length).toBe(40);
  });
});

describe('emptyKind', () => {
  it.each<[Parameters<typeof emptyKind>[0], string, string]>([
    [{ view: 'mine', sort: 'latest' }, '', 'mine'],
    [{ view: 'unassigned', sort: 'latest' }, '', 'unassigned'],
    [{ view: 'all', sort: 'latest', departmentId: 2 }, '', 'dept'],
    [{ view: 'all', sort: 'latest', agentId: 2 }, '', 'agent'],
    [{ view: 'all', sort: 'latest', labelId: 2 }, '', 'filtered'],
    [{ view: 'resolved', sort: 'latest', channelId: 1 }, '', 'filtered'],
    [{ view: 'mine', sort: 'latest', labelId: 1 }, 'ana', 'search'],
    [{ view: 'starred', sort: 'latest' }, '  ', 'starred'],
  ])('%j q=%j → %s', (spec, q, want) => {
    expect(emptyKind(spec, q)).toBe(want);
  });
});

describe('waitingShown', () => {
  it.each<[number | null, Conversation['status'], boolean]>([
    [null, 'open', false],
    [1, 'open', true],
    [1, 'queued', true],
    [1, 'resolved', false],
  ])('waiting_since=%s status=%s → %s', (ws, status, want) => {
    expect(waitingShown({ waiting_since: ws, status })).toBe(want);
  });
});

describe('viewCount and viewName', () => {
  const c = {
    mine: 2,
    unassigned: 5,
    all: 9,
    snoozed: 1,
    resolved: 7,
    departments: [{ id: 1, name: 'Vendas', queued: 3, open: 4 }],
    agents: [{ id: 8, name: 'Bruno', open: 6 }],
  };
  it.each<[Parameters<typeof viewCount>[0], string, number | undefined]>([
    [{ view: 'mine', sort: 'latest' }, '', 2],
    [{ view: 'unassigned', sort: 'waiting_since' }, '', 5],
    [{ view: 'resolved', sort: 'latest' }, '', 7],
    [{ view: 'starred', sort: 'latest' }, '', undefined],
    [{ view: 'all', sort: 'latest', departmentId: 1 }, '', 7],
    [{ view: 'all', sort: 'latest', departmentId: 2 }, '', undefined],
    [{ view: 'all', sort: 'latest', agentId: 8 }, '', 6],
    [{ view: 'all', sort: 'latest', labelId: 1 }, '', undefined],
    [{ view: 'all', sort: 'latest' }, 'ana', undefined],
  ])('%j q=%j → %s', (spec, q, want) => {
    expect(viewCount(spec, q, c)).toBe(want);
  });
  it('counts starred when the server sends it', () => expect(viewCount({ view: 'starred', sort: 'latest' }, '', { ...c, starred: 3 })).toBe(3));
  it.each<[Parameters<typeof viewName>[0], string | undefined]>([
    [{ view: 'all', sort: 'latest', departmentId: 1 }, 'Vendas'],
    [{ view: 'all', sort: 'latest', departmentId: 4 }, 'Suporte'],
    [{ view: 'all', sort: 'latest', agentId: 8 }, 'Bruno'],
    [{ view: 'all', sort: 'latest', agentId: 9 }, 'Carla'],
    [{ view: 'all', sort: 'latest', agentId: 10 }, undefined],
    [{ view: 'mine', sort: 'latest' }, undefined],
  ])('viewName %j → %s', (spec, want) => {
    expect(viewName(spec, c, [{ id: 4, name: 'Suporte' }], [{ id: 9, name: 'Carla' }])).toBe(want);
  });
});
