import { describe, expect, it } from 'vitest';
import { level, waitLabel, waitedSeconds } from './thermometer';

describe('level', () => {
  // defaults: yellow after 5 min, red after 15 min (DESIGN §1 M3)
  const cases: [number, string][] = [
    [0, 'green'], [300, 'green'], [301, 'yellow'], [900, 'yellow'], [901, 'red'], [86400, 'red'],
  ];
  it.each(cases)('%i s → %s', (s, want) => expect(level(s, 300, 900)).toBe(want));
  it('uses the thresholds it is given (seconds in tests)', () => {
    expect(level(3, 2, 4)).toBe('yellow');
    expect(level(5, 2, 4)).toBe('red');
  });
});

describe('waitedSeconds', () => {
  it('is null when nobody waits', () => expect(waitedSeconds(null, 1000)).toBeNull());
  it('counts whole seconds', () => expect(waitedSeconds(1_000, 62_999)).toBe(61));
  it('never goes negative with a skewed clock', () => expect(waitedSeconds(5_000, 1_000)).toBe(0));
});

describe('waitLabel', () => {
  const cases: [number, string][] = [
    [0, '0 s'], [59, '59 s'], [60, '1 min'], [3599, '59 min'], [3600, '1 h 00'], [3725, '1 h 02'], [90000, '1 d 1 h'],
  ];
  it.each(cases)('%i → %s', (s, want) => expect(waitLabel(s)).toBe(want));
});
