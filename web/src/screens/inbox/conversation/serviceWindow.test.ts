import { describe, expect, it } from 'vitest';
import { lastInboundAt, windowClosed, WINDOW_MS } from './templates';

describe('the WhatsApp customer-service window', () => {
  const now = 10 * WINDOW_MS;
  const cases: { name: string; msgs: { direction: 'in' | 'out' | 'internal'; created_at: number }[]; last: number; closed: boolean }[] = [
    { name: 'no customer message', msgs: [{ direction: 'out', created_at: now - 1000 }], last: 0, closed: true },
    { name: 'customer wrote an hour ago', msgs: [{ direction: 'in', created_at: now - 3_600_000 }, { direction: 'out', created_at: now - 1000 }], last: now - 3_600_000, closed: false },
    { name: 'customer wrote 24 h ago', msgs: [{ direction: 'in', created_at: now - WINDOW_MS }], last: now - WINDOW_MS, closed: true },
    {
      name: 'the newest customer message counts',
      msgs: [
        { direction: 'in', created_at: now - 2 * WINDOW_MS },
        { direction: 'internal', created_at: now - WINDOW_MS },
        { direction: 'in', created_at: now - 60_000 },
      ],
      last: now - 60_000,
      closed: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(lastInboundAt(c.msgs)).toBe(c.last);
      expect(windowClosed(c.msgs, now)).toBe(c.closed);
    });
  }
});
