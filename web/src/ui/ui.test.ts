import { describe, expect, it } from 'vitest';
import { readableOn } from './index';

describe('readableOn', () => {
  const cases: [string, string][] = [['#ffffff', '#111111'], ['#000000', '#ffffff'], ['#2256c9', '#ffffff'], ['#fde68a', '#111111'], ['bad', 'inherit']];
  it.each(cases)('%s → %s', (bg, want) => expect(readableOn(bg)).toBe(want));
});
