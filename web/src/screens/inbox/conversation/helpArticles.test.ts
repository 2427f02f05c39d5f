import { describe, expect, it } from 'vitest';
import { contactHelpLanguage, helpArticleLink, helpArticleURL, helpLanguageOf, insertLink, preferredHelpLanguage } from './helpArticles';

describe('helpLanguageOf', () => {
  const cases: [unknown, string | null][] = [
    ['pt-BR', 'pt-BR'],
    ['pt', 'pt-BR'],
    ['PT_br', 'pt-BR'],
    ['pt-PT', 'pt-BR'],
    [' en ', 'en'],
    ['en-US', 'en'],
    ['EN_gb', 'en'],
    ['es', null],
    ['ptx', null],
    ['english', null],
    ['', null],
    [undefined, null],
    [42, null],
  ];
  it.each(cases)('%j → %j', (tag, want) => {
    expect(helpLanguageOf(tag)).toBe(want);
  });
});

describe('contact language', () => {
  it('reads the first known attribute', () => {
    expect(contactHelpLanguage({ language: 'en-US' })).toBe('en');
    expect(contactHelpLanguage({ locale: 'pt_BR' })).toBe('pt-BR');
    expect(contactHelpLanguage({ language: 'fr', lang: 'en' })).toBe('en');
    expect(contactHelpLanguage({ city: 'Recife' })).toBeNull();
    expect(contactHelpLanguage(undefined)).toBeNull();
  });
  it('prefers the contact, then the UI language', () => {
    expect(preferredHelpLanguage({ language: 'en' }, 'pt-BR')).toBe('en');
    expect(preferredHelpLanguage({ language: 'de' }, 'pt-BR')).toBe('pt-BR');
    expect(preferredHelpLanguage(undefined, 'en')).toBe('en');
    expect(preferredHelpLanguage(null, 'ja')).toBe('en');
  });
});

describe('helpArticleURL', () => {
  it('builds the public address with the article language', () => {
    expect(helpArticleURL('https://app.example.test', 'acme', { slug: 'trocar-senha', language: 'pt-BR' })).toBe(
      'https://app.example.test/help/acme/trocar-senha?lang=pt-BR',
    );
  });
  it('drops a trailing slash of the origin and escapes the segments', () => {
    expect(helpArticleURL('http://localhost:5173/', 'a b', { slug: 'x/y?z', language: 'en' })).toBe('http://localhost:5173/help/a%20b/x%2Fy%3Fz?lang=en');
  });
});

describe('helpArticleLink', () => {
  it('is "<title>: <url>"', () => {
    expect(helpArticleLink('https://h.test', 'acme', { title: 'How to reset your password', slug: 'reset', language: 'en' })).toBe(
      'How to reset your password: https://h.test/help/acme/reset?lang=en',
    );
  });
  it('keeps the title on one line', () => {
    expect(helpArticleLink('https://h.test', 'acme', { title: '  Pix\n e boleto ', slug: 'pix', language: 'pt-BR' })).toBe('Pix e boleto: https://h.test/help/acme/pix?lang=pt-BR');
  });
  it('is only the URL without a title', () => {
    expect(helpArticleLink('https://h.test', 'acme', { title: ' ', slug: 'pix', language: 'pt-BR' })).toBe('https://h.test/help/acme/pix?lang=pt-BR');
  });
});

describe('insertLink', () => {
  const L = 'T: https://h.test/x';
  const cases: [string, number, number, string, number][] = [
    ['', 0, 0, L, L.length],
    ['Veja ', 5, 5, `Veja ${L}`, 5 + L.length],
    ['Veja', 4, 4, `Veja ${L}`, 5 + L.length],
    ['Veja aqui', 5, 5, `Veja ${L} aqui`, 5 + L.length + 1],
    ['Veja\naqui', 4, 4, `Veja ${L}\naqui`, 5 + L.length],
    ['Veja XXX.', 5, 8, `Veja ${L} .`, 5 + L.length + 1],
    ['abc', 10, 10, `abc ${L}`, 4 + L.length],
  ];
  it.each(cases)('%j [%i,%i)', (text, from, to, want, caret) => {
    expect(insertLink(text, from, to, L)).toEqual({ text: want, caret });
  });
});
