import { describe, expect, it } from 'vitest';
import { dict, pickLang, translate } from './i18n';

describe('pickLang', () => {
  it.each([
    [['pt-BR'], 'pt-BR'],
    [['pt'], 'pt-BR'],
    [['pt-PT'], 'pt-BR'],
    [['PT-br'], 'pt-BR'],
    [['en-US'], 'en'],
    [['es-AR'], 'en'],
    [[undefined, '', 'pt-BR'], 'pt-BR'],
    [['en', 'pt-BR'], 'en'], // the channel's setting wins over the browser
    [[], 'en'],
  ] as const)('%j → %s', (prefs, want) => {
    expect(pickLang(...prefs)).toBe(want);
  });
});

describe('dictionary', () => {
  it('has every string in both languages', () => {
    const en = Object.keys(dict.en).sort();
    expect(Object.keys(dict['pt-BR']).sort()).toEqual(en);
    for (const k of en) expect(dict['pt-BR'][k as keyof typeof dict.en].trim()).not.toBe('');
  });

  it('keeps placeholders in both languages', () => {
    for (const k of Object.keys(dict.en) as (keyof typeof dict.en)[]) {
      const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(vars(dict['pt-BR'][k]), k).toEqual(vars(dict.en[k]));
    }
  });

  it('fills placeholders', () => {
    expect(translate('pt-BR', 'typing', { name: 'Ana' })).toBe('Ana está digitando…');
    expect(translate('pt-BR', 'talkToUs')).toBe('Fale conosco');
    expect(translate('en', 'star', { n: 3 })).toBe('3 of 5 stars');
  });
});
