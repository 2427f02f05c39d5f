import { describe, expect, it } from 'vitest';
import { dayKey, dayLabel, fromLocalInput, mmss, snoozePresets, toLocalInput, wall, zoned } from './time';

describe('wall / zoned', () => {
  it.each([
    ['UTC', Date.UTC(2026, 10, 21, 12, 5), { y: 2026, m: 11, d: 21, h: 12, mi: 5, wd: 6 }],
    ['America/Sao_Paulo', Date.UTC(2026, 10, 21, 1, 30), { y: 2026, m: 11, d: 20, h: 22, mi: 30, wd: 5 }],
    ['Asia/Tokyo', Date.UTC(2026, 11, 31, 20, 0), { y: 2027, m: 1, d: 1, h: 5, mi: 0, wd: 5 }],
  ] as const)('wall in %s', (tz, ms, want) => expect(wall(ms, tz)).toEqual(want));

  it.each([
    ['UTC', [2026, 11, 22, 9, 0], Date.UTC(2026, 10, 22, 9, 0)],
    ['America/Sao_Paulo', [2026, 11, 22, 9, 0], Date.UTC(2026, 10, 22, 12, 0)],
    ['Europe/Berlin', [2026, 7, 1, 9, 0], Date.UTC(2026, 6, 1, 7, 0)], // summer time
    ['Europe/Berlin', [2026, 12, 1, 9, 0], Date.UTC(2026, 11, 1, 8, 0)],
    ['Europe/Berlin', [2026, 3, 29, 12, 0], Date.UTC(2026, 2, 29, 10, 0)], // the day clocks go forward
    ['UTC', [2026, 12, 32, 9, 0], Date.UTC(2027, 0, 1, 9, 0)], // day overflow rolls over
  ] as const)('zoned in %s', (tz, [y, m, d, h, mi], want) => expect(zoned(y, m, d, h, mi, tz)).toBe(want));
});

describe('snoozePresets', () => {
  const iso = (d: Date, tz: string) => toLocalInput(d.getTime(), tz);
  // 2026-11-18 is a Wednesday
  const cases: [string, number, string, string, string][] = [
    ['UTC', Date.UTC(2026, 10, 18, 14, 30), '2026-11-18T15:30', '2026-11-19T09:00', '2026-11-23T09:00'],
    ['UTC', Date.UTC(2026, 10, 23, 8, 0), '2026-11-23T09:00', '2026-11-24T09:00', '2026-11-30T09:00'], // Monday → next Monday
    ['UTC', Date.UTC(2026, 10, 22, 23, 30), '2026-11-23T00:30', '2026-11-23T09:00', '2026-11-23T09:00'], // Sunday night
    ['UTC', Date.UTC(2026, 11, 31, 20, 0), '2026-12-31T21:00', '2027-01-01T09:00', '2027-01-04T09:00'], // year end
    // 01:30 UTC on Thursday is still Wednesday evening in São Paulo
    ['America/Sao_Paulo', Date.UTC(2026, 10, 19, 1, 30), '2026-11-18T23:30', '2026-11-19T09:00', '2026-11-23T09:00'],
  ];
  it.each(cases)('%s %s', (tz, now, h, tomorrow, week) => {
    const p = snoozePresets(now, tz);
    expect(iso(p['1h'], tz)).toBe(h);
    expect(iso(p.tomorrow, tz)).toBe(tomorrow);
    expect(iso(p.nextweek, tz)).toBe(week);
  });
});

describe('local input', () => {
  it('round-trips in a time zone', () => {
    const t = Date.UTC(2026, 0, 5, 10, 9);
    expect(toLocalInput(t, 'America/Sao_Paulo')).toBe('2026-01-05T07:09');
    expect(fromLocalInput('2026-01-05T07:09', 'America/Sao_Paulo')?.getTime()).toBe(t);
    expect(fromLocalInput('2026-01-05T07:09:30', 'UTC')?.getTime()).toBe(Date.UTC(2026, 0, 5, 7, 9));
  });
  it.each(['', 'soon', '2026-01-05', '2026-01-05 07:09', '2026-13-01T10:00', '2026-01-01T25:00'])('rejects %j', (v) => expect(fromLocalInput(v, 'UTC')).toBeNull());
});

describe('dayKey / dayLabel', () => {
  const now = Date.UTC(2026, 10, 21, 12, 0); // Sat 21 Nov 2026 12:00 UTC = 09:00 in São Paulo
  it('uses the time zone', () => {
    const lateUTC = Date.UTC(2026, 10, 21, 1, 0); // 20 Nov 22:00 in São Paulo
    expect(dayKey(lateUTC, 'UTC')).toBe('2026-11-21');
    expect(dayKey(lateUTC, 'America/Sao_Paulo')).toBe('2026-11-20');
  });
  it.each([
    [now - 3_600_000, 'today'],
    [now - 86_400_000, 'yesterday'],
    [now - 3 * 86_400_000, 'date'],
  ] as const)('%s → %s', (at, kind) => {
    expect(dayLabel(at, now, 'en', 'America/Sao_Paulo').kind).toBe(kind);
  });
  it('renders older days as dates, with the year only when it differs', () => {
    expect(dayLabel(Date.UTC(2026, 10, 18, 15), now, 'en', 'UTC').text).toBe('Wednesday, November 18');
    expect(dayLabel(Date.UTC(2025, 10, 18, 15), now, 'en', 'UTC').text).toBe('Tuesday, November 18, 2025');
  });
});

describe('mmss', () => {
  it.each([
    [0, '0:00'],
    [5.7, '0:05'],
    [65, '1:05'],
    [600, '10:00'],
  ] as const)('%s → %s', (s, want) => expect(mmss(s)).toBe(want));
});
