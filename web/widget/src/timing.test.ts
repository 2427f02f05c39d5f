import { describe, expect, it } from 'vitest';
import { backoffDelay, shouldSendTyping } from './timing';

describe('backoffDelay', () => {
  it('doubles from 1 s and caps at 30 s', () => {
    const hi = () => 1;
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((a) => backoffDelay(a, hi))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('jitters within the upper half of the step', () => {
    expect(backoffDelay(3, () => 0)).toBe(4000);
    expect(backoffDelay(3, () => 0.5)).toBe(6000);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(2);
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });
});

describe('shouldSendTyping', () => {
  it('sends at most every 3 s', () => {
    expect(shouldSendTyping(10_000, 0)).toBe(true);
    expect(shouldSendTyping(10_000, 8_000)).toBe(false);
    expect(shouldSendTyping(11_000, 8_000)).toBe(true);
  });
});
