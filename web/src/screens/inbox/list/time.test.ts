import { describe, expect, it } from 'vitest';
import { dateTime, listTime } from '../../../lib/format';
import { fullTime, rowTime } from './time';

// The cached versions must render exactly what the shared helpers render.
const now = Date.UTC(2026, 10, 21, 15, 30, 0);
const cases: [string, number][] = [
  ['30 s ago', now - 30_000],
  ['5 min ago', now - 5 * 60_000],
  ['59 min ago', now - 59 * 60_000],
  ['3 h ago', now - 3 * 3_600_000],
  ['yesterday', now - 20 * 3_600_000],
  ['last month', now - 40 * 86_400_000],
];

describe('rowTime / fullTime match lib/format', () => {
  for (const lang of ['pt-BR', 'en']) {
    for (const tz of ['America/Sao_Paulo', 'UTC', undefined]) {
      it.each(cases)(`${lang} ${tz}: %s`, (_n, at) => {
        expect(rowTime(at, now, lang, tz)).toBe(listTime(at, now, lang, tz));
        expect(fullTime(at, lang, tz)).toBe(dateTime(at, lang, tz));
      });
    }
  }
});
