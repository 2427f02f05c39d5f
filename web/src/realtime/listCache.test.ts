import { describe, expect, it } from 'vitest';
import type { Conversation } from '../api/client';
import { appendMessage, applyConversation, belongs, removeConversation, serverSort, type ListSpec, type PagedList, type ViewerInfo } from './listCache';

function conv(id: number, o: Partial<Conversation> = {}): Conversation {
  return {
    id, contact_id: id, contact_name: `C${id}`, channel_id: 1, department_id: 1, assignee_id: null, status: 'queued',
    priority: 'none', automation_paused: false, assignee_replied: false, last_message_at: id * 1000, last_preview: '',
    opened_at: id * 1000, first_reply_at: null, resolved_at: null, snoozed_until: null, closing_reason_id: null,
    created_at: id * 1000, updated_at: id * 1000, label_ids: [], starred: false, waiting_since: null, waiting_seconds: null,
    automation_active: true, ...o,
  } as Conversation;
}

const vendas: ViewerInfo = { userId: 10, role: 'agent', scope: 'department', departmentIds: [1] };
const admin: ViewerInfo = { userId: 1, role: 'admin', scope: 'department', departmentIds: [] };
const assignedOnly: ViewerInfo = { userId: 11, role: 'agent', scope: 'assigned', departmentIds: [1] };
const spec = (view: ListSpec['view'], o: Partial<ListSpec> = {}): ListSpec => ({ view, sort: 'latest', ...o });

describe('belongs', () => {
  const cases: [string, Conversation, ListSpec, ViewerInfo, boolean][] = [
    ['queued in my department is unassigned', conv(1), spec('unassigned'), vendas, true],
    ['queued in another department is hidden', conv(1, { department_id: 2 }), spec('all'), vendas, false],
    ['admin sees every department', conv(1, { department_id: 2 }), spec('all'), admin, true],
    ['assigned to me is mine', conv(1, { status: 'open', assignee_id: 10 }), spec('mine'), vendas, true],
    ['assigned to a colleague is not mine', conv(1, { status: 'open', assignee_id: 12 }), spec('mine'), vendas, false],
    ['assigned is not unassigned', conv(1, { status: 'open', assignee_id: 12 }), spec('unassigned'), vendas, false],
    ['mine stays visible after transfer away', conv(1, { status: 'open', assignee_id: 10, department_id: 2 }), spec('mine'), vendas, true],
    ['assigned-only agent does not see the queue', conv(1), spec('unassigned'), assignedOnly, false],
    ['snoozed only in snoozed', conv(1, { status: 'snoozed', assignee_id: 10 }), spec('all'), vendas, false],
    ['snoozed view', conv(1, { status: 'snoozed', assignee_id: 10 }), spec('snoozed'), vendas, true],
    ['resolved view', conv(1, { status: 'resolved' }), spec('resolved'), vendas, true],
    ['starred view needs the star', conv(1), spec('starred'), vendas, false],
    ['label filter', conv(1, { label_ids: [5] }), spec('all', { labelId: 5 }), vendas, true],
    ['label filter misses', conv(1, { label_ids: [4] }), spec('all', { labelId: 5 }), vendas, false],
    ['channel filter', conv(1, { channel_id: 3 }), spec('all', { channelId: 2 }), vendas, false],
    ['department list', conv(1), spec('all', { departmentId: 1 }), vendas, true],
    ['agent list', conv(1, { status: 'open', assignee_id: 12 }), spec('all', { agentId: 12 }), vendas, true],
  ];
  it.each(cases)('%s', (_n, c, s, v, want) => expect(belongs(c, s, v)).toBe(want));
});

function list(...pages: Conversation[][]): PagedList {
  return { pages: pages.map((items, i) => ({ items, next_cursor: i < pages.length - 1 ? `c${i}` : undefined })), pageParams: pages.map(() => undefined) };
}
const ids = (l: PagedList) => l.pages.map((p) => p.items.map((c) => c.id));

describe('applyConversation', () => {
  it('puts a new conversation on top of the latest list', () => {
    const l = applyConversation(list([conv(3), conv(2)]), conv(9), spec('unassigned'), vendas);
    expect(ids(l)).toEqual([[9, 3, 2]]);
  });
  it('moves an updated conversation to its new place', () => {
    const l = applyConversation(list([conv(3), conv(2), conv(1)]), conv(1, { last_message_at: 99_000 }), spec('unassigned'), vendas);
    expect(ids(l)).toEqual([[1, 3, 2]]);
  });
  it('removes a conversation that left the view (transfer to another department)', () => {
    const l = applyConversation(list([conv(3), conv(2)]), conv(3, { department_id: 2 }), spec('all'), vendas);
    expect(ids(l)).toEqual([[2]]);
  });
  it('removes an assigned conversation from unassigned', () => {
    const l = applyConversation(list([conv(3), conv(2)]), conv(2, { status: 'open', assignee_id: 10 }), spec('unassigned'), vendas);
    expect(ids(l)).toEqual([[3]]);
  });
  it('leaves rows past the loaded pages to pagination', () => {
    const more: PagedList = { pages: [{ items: [conv(9), conv(8)], next_cursor: 'c0' }], pageParams: [undefined] };
    expect(ids(applyConversation(more, conv(1), spec('unassigned'), vendas))).toEqual([[9, 8]]);
  });
  it('appends to the end of a fully loaded list', () => {
    const l = applyConversation({ pages: [{ items: [conv(9), conv(8)] }], pageParams: [undefined] }, conv(1), spec('unassigned'), vendas);
    expect(ids(l)).toEqual([[9, 8, 1]]);
  });
  it('keeps my star on an event that cannot know it', () => {
    const l = applyConversation(list([conv(3, { starred: true })]), conv(3, { starred: false, last_preview: 'hi' }), spec('starred'), vendas);
    expect(l.pages[0].items[0].starred).toBe(true);
    expect(l.pages[0].items[0].last_preview).toBe('hi');
  });
  it('sorts by longest waiting', () => {
    const l = applyConversation(list([conv(3, { waiting_since: 100 }), conv(2, { waiting_since: 300 })]), conv(7, { waiting_since: 200 }), spec('unassigned', { sort: 'waiting_since' }), vendas);
    expect(ids(l)).toEqual([[3, 7, 2]]);
  });
  it('returns the same object when nothing changes', () => {
    const before = list([conv(3)]);
    expect(applyConversation(before, conv(4, { department_id: 2 }), spec('all'), vendas)).toBe(before);
  });
});

describe('removeConversation', () => {
  it('drops the row from any page', () => expect(ids(removeConversation(list([conv(3)], [conv(2)]), 2))).toEqual([[3], []]));
});

describe('appendMessage', () => {
  it('adds once and keeps order', () => {
    const a = { id: 1, created_at: 10 }, b = { id: 2, created_at: 20 }, c = { id: 3, created_at: 15 };
    expect(appendMessage(appendMessage([a, b], c), c).map((m) => m.id)).toEqual([1, 3, 2]);
  });
  it('never moves a delivery status backwards (a late send answer after the sent event)', () => {
    const sent = { id: 1, created_at: 1, status: 'sent' };
    expect(appendMessage([sent], { id: 1, created_at: 1, status: 'pending' })[0].status).toBe('sent');
    expect(appendMessage([sent], { id: 1, created_at: 1, status: 'read' })[0].status).toBe('read');
  });
  it('replaces an updated message (delivery status)', () => {
    expect(appendMessage([{ id: 1, created_at: 1, s: 'sent' }], { id: 1, created_at: 1, s: 'read' })).toEqual([{ id: 1, created_at: 1, s: 'read' }]);
  });
});

describe('serverSort', () => {
  it('names sorts as the API does', () => {
    expect(['latest', 'waiting_since', 'opened_at'].map((x) => serverSort(x as never))).toEqual(['latest', 'waiting', 'in_service']);
  });
});
