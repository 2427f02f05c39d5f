import { describe, expect, it } from 'vitest';
import { parseView, viewSegment } from './route';

describe('parseView', () => {
  const q = (s: string) => new URLSearchParams(s);
  const cases: [string | undefined, string, object][] = [
    [undefined, '', { view: 'mine', sort: 'latest' }],
    ['unassigned', 'sort=waiting_since', { view: 'unassigned', sort: 'waiting_since' }],
    ['dept-3', '', { view: 'all', sort: 'latest', departmentId: 3 }],
    ['agent-7', 'sort=opened_at&label=2&channel=4', { view: 'all', sort: 'opened_at', agentId: 7, labelId: 2, channelId: 4 }],
    ['bogus', 'sort=nope&label=x', { view: 'mine', sort: 'latest' }],
    ['resolved', '', { view: 'resolved', sort: 'latest' }],
  ];
  it.each(cases)('%s ? %s', (seg, qs, want) => expect(parseView(seg, q(qs))).toEqual(want));
});

describe('viewSegment', () => {
  it('round-trips', () => {
    for (const seg of ['mine', 'all', 'starred', 'dept-2', 'agent-9']) {
      expect(viewSegment(parseView(seg, new URLSearchParams()))).toBe(seg);
    }
  });
});
