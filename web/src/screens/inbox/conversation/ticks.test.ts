import { describe, expect, it } from 'vitest';
import { tickState, type Tick } from './ticks';

describe('tickState', () => {
  const cases: [string, string, string, Tick | null][] = [
    ['out', 'text', 'pending', 'pending'],
    ['out', 'text', 'sent', 'sent'],
    ['out', 'media', 'delivered', 'delivered'],
    ['out', 'text', 'read', 'read'],
    ['out', 'text', 'failed', 'failed'],
    ['out', 'text', 'none', null],
    ['out', 'text', 'weird', null],
    ['in', 'text', 'none', null],
    ['in', 'text', 'read', null],
    ['internal', 'note', 'none', null],
    ['internal', 'event', 'none', null],
    ['out', 'note', 'sent', null],
  ];
  it.each(cases)('%s %s %s → %s', (direction, kind, status, want) => {
    expect(tickState({ direction, kind, status })).toBe(want);
  });
});
