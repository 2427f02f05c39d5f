import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClock, stepped } from './clock';

describe('createClock', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs one timer for all listeners and stops with the last one', () => {
    let t = 1000;
    const c = createClock(1000, () => t);
    const a = vi.fn();
    const b = vi.fn();
    const offA = c.subscribe(a);
    const offB = c.subscribe(b);
    expect(vi.getTimerCount()).toBe(1);
    t = 2000;
    vi.advanceTimersByTime(1000);
    expect(c.now()).toBe(2000);
    expect([a.mock.calls.length, b.mock.calls.length]).toEqual([1, 1]);
    offA();
    expect(c.running()).toBe(true);
    offB();
    expect(c.running()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reads the time again when it restarts', () => {
    let t = 0;
    const c = createClock(1000, () => t);
    c.subscribe(() => {})();
    t = 50_000;
    const off = c.subscribe(() => {});
    expect(c.now()).toBe(50_000);
    off();
  });
});

describe('stepped', () => {
  it.each<[number, number, number]>([
    [61_234, 1000, 61_000],
    [61_234, 60_000, 60_000],
    [61_234, 1, 61_234],
  ])('stepped(%d, %d) = %d', (now, step, want) => expect(stepped(now, step)).toBe(want));
});
