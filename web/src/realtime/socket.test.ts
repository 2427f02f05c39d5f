import { describe, expect, it } from 'vitest';
import { backoffDelay } from './socket';

describe('backoffDelay', () => {
  it('doubles from half a second', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, mid))).toEqual([500, 1000, 2000, 4000]);
  });
  it('is capped at ten seconds', () => expect(backoffDelay(30, () => 0.5)).toBe(10_000));
  it('jitters within ±20 %', () => {
    expect(backoffDelay(0, () => 0)).toBe(400);
    expect(backoffDelay(0, () => 1)).toBe(600);
  });
});
