import { describe, expect, it } from 'vitest';
import { fileSize, initials, listTime, titleWithUnread } from './format';

describe('listTime', () => {
  const now = Date.UTC(2026, 10, 21, 15, 0, 0);
  it('says now under a minute', () => {
    expect(listTime(now - 30_000, now, 'en', 'UTC')).toBe('now');
    expect(listTime(now - 30_000, now, 'pt-BR', 'UTC')).toBe('agora');
  });
  it('counts minutes under an hour', () => expect(listTime(now - 5 * 60_000, now, 'en', 'UTC')).toBe('5 min'));
  it('shows the hour today', () => expect(listTime(now - 3 * 3_600_000, now, 'pt-BR', 'UTC')).toBe('12:00'));
  it('shows the date before today', () => expect(listTime(now - 2 * 86_400_000, now, 'pt-BR', 'UTC')).toBe('19/11'));
  it('follows the time zone', () => expect(listTime(now - 3 * 3_600_000, now, 'pt-BR', 'America/Sao_Paulo')).toBe('09:00'));
});

describe('fileSize', () => {
  const cases: [number, string][] = [[0, '0 B'], [1023, '1023 B'], [1536, '1.5 KB'], [5 * 1024 * 1024, '5.0 MB'], [300 * 1024 * 1024, '300 MB']];
  it.each(cases)('%i → %s', (b, want) => expect(fileSize(b)).toBe(want));
});

describe('initials', () => {
  const cases: [string, string][] = [['Ana Souza', 'AS'], ['joão', 'J'], ['  Maria  da  Silva ', 'MS'], ['', '?']];
  it.each(cases)('%s → %s', (n, want) => expect(initials(n)).toBe(want));
});

describe('titleWithUnread', () => {
  it('leaves the title alone with nothing unread', () => expect(titleWithUnread('Atende', 0)).toBe('Atende'));
  it('prefixes the count', () => expect(titleWithUnread('Atende', 3)).toBe('(3) Atende'));
  it('caps at 99+', () => expect(titleWithUnread('Atende', 250)).toBe('(99+) Atende'));
});
