import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ptBR } from './pt-BR';
import { pickLanguage } from './index';

function keys(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('translations', () => {
  for (const ns of Object.keys(en) as (keyof typeof en)[]) {
    it(`${ns}: pt-BR and en have the same keys`, () => {
      expect(keys(ptBR[ns]).sort()).toEqual(keys(en[ns]).sort());
    });
    it(`${ns}: no empty strings`, () => {
      for (const lang of [en, ptBR]) {
        for (const k of keys(lang[ns])) {
          const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], lang[ns]);
          expect(typeof v === 'string' && v.trim() !== '', `${ns}.${k}`).toBe(true);
        }
      }
    });
  }
});

describe('pickLanguage', () => {
  const cases: [string | null, string[], string][] = [
    [null, ['pt-BR', 'en'], 'pt-BR'],
    [null, ['pt'], 'pt-BR'],
    [null, ['pt-PT'], 'pt-BR'],
    [null, ['en-US', 'pt-BR'], 'en'],
    [null, ['de-DE'], 'en'],
    [null, [], 'en'],
    ['en', ['pt-BR'], 'en'],
    ['pt-BR', ['en-US'], 'pt-BR'],
    ['fr', ['pt-BR'], 'pt-BR'],
  ];
  it.each(cases)('saved %s, browser %j → %s', (saved, browser, want) => {
    expect(pickLanguage(saved, browser)).toBe(want);
  });
});
