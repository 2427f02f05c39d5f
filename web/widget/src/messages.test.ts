import { describe, expect, it } from 'vitest';
import { addLocal, confirmLocal, failLocal, lastAgentId, markReadUpTo, mergeStatus, type Msg, replaceAll, upsert, type WidgetMessage } from './messages';

const srv = (id: number, over: Partial<WidgetMessage> = {}): WidgetMessage => ({
  id,
  direction: 'in',
  sender: 'visitor',
  content: 'm' + id,
  attachments: [],
  status: 'sent',
  created_at: 1000 + id,
  ...over,
});

const local = (n: number, content = 'hi'): Msg => ({
  id: -n,
  key: 'l' + n,
  local: true,
  direction: 'in',
  sender: 'visitor',
  content,
  attachments: [],
  status: 'pending',
  created_at: 5,
});

const ids = (l: Msg[]) => l.map((m) => (m.local ? m.key : m.id));

describe('message list', () => {
  it('sorts server messages by time then id and keeps sends in flight last', () => {
    let l: Msg[] = [];
    l = upsert(l, srv(3));
    l = addLocal(l, local(1));
    l = upsert(l, srv(1));
    l = upsert(l, srv(2, { created_at: 1001 })); // same time as 1: id breaks the tie
    expect(ids(l)).toEqual([1, 2, 3, 'l1']);
  });

  it('replaces an optimistic send with the server answer, keeping its key', () => {
    let l = addLocal([], local(1));
    l = confirmLocal(l, 'l1', srv(10, { content: 'hi' }));
    expect(l).toHaveLength(1);
    expect(l[0]).toMatchObject({ id: 10, key: 'l1', status: 'sent' });
    expect(l[0].local).toBeUndefined();
  });

  it('shows a message once when the WebSocket echo beats the HTTP answer', () => {
    let l = addLocal([], local(1));
    l = upsert(l, srv(10, { status: 'delivered' })); // echo first
    expect(l).toHaveLength(2);
    l = confirmLocal(l, 'l1', srv(10, { status: 'sent' }));
    expect(ids(l)).toEqual([10]);
    expect(l[0].status).toBe('delivered'); // the late answer does not undo the tick
  });

  it('de-duplicates by id and applies status updates without regressing', () => {
    let l = upsert([], srv(1));
    l = upsert(l, srv(1, { status: 'read' }));
    l = upsert(l, srv(1, { status: 'delivered' }));
    expect(l).toHaveLength(1);
    expect(l[0].status).toBe('read');
  });

  it('marks a failed send and lets a retry succeed', () => {
    let l = failLocal(addLocal([], local(1)), 'l1');
    expect(l[0].status).toBe('failed');
    l = confirmLocal(l, 'l1', srv(7));
    expect(l[0]).toMatchObject({ id: 7, status: 'sent' });
  });

  it('installs a snapshot but keeps unconfirmed sends and known keys', () => {
    let l = upsert([], srv(1));
    l = addLocal(l, local(1, 'pending'));
    l = upsert(l, srv(99)); // gone from the server (e.g. beyond the page): dropped
    l = replaceAll(l, [srv(1, { status: 'read' }), srv(2, { direction: 'out', sender: 'agent' }), srv(2)]);
    expect(ids(l)).toEqual([1, 2, 'l1']);
    expect(l[0]).toMatchObject({ key: 'm1', status: 'read' });
  });

  it('marks the visitor’s stored messages up to the team’s read time as read', () => {
    let l: Msg[] = [];
    l = upsert(l, srv(1)); // created 1001
    l = upsert(l, srv(2, { direction: 'out', sender: 'agent', status: 'delivered' })); // 1002
    l = upsert(l, srv(3)); // 1003
    l = addLocal(l, local(1));
    const read = markReadUpTo(l, 1002);
    expect(read.map((m) => m.status)).toEqual(['read', 'delivered', 'sent', 'pending']);
    expect(markReadUpTo(read, 1002)).toBe(read); // nothing new: the same list
    expect(markReadUpTo(read, 5000).map((m) => m.status)).toEqual(['read', 'delivered', 'read', 'pending']);
  });

  it('finds the newest team message for POST /read', () => {
    let l = upsert([], srv(1, { sender: 'agent', direction: 'out' }));
    l = upsert(l, srv(2, { sender: 'bot', direction: 'out' }));
    l = upsert(l, srv(3));
    l = addLocal(l, local(1));
    expect(lastAgentId(l)).toBe(2);
    expect(lastAgentId(upsert([], srv(1)))).toBeNull();
  });

  it.each([
    ['pending', 'sent', 'sent'],
    ['read', 'delivered', 'read'],
    ['pending', 'failed', 'failed'],
    ['delivered', 'failed', 'delivered'],
    ['failed', 'sent', 'sent'],
    ['none', 'none', 'none'],
  ] as const)('mergeStatus(%s, %s) = %s', (cur, next, want) => {
    expect(mergeStatus(cur, next)).toBe(want);
  });
});
