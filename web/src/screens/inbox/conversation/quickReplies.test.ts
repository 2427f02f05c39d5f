import { describe, expect, it } from 'vitest';
import { applyQuickReply, filterQuickReplies, fold, insertAt, quickReplyTrigger, type Trigger } from './quickReplies';

describe('quickReplyTrigger', () => {
  const cases: [string, number | undefined, Trigger | null][] = [
    ['', undefined, null],
    ['/', undefined, { start: 0, query: '' }],
    ['/sau', undefined, { start: 0, query: 'sau' }],
    ['Olá /pix', undefined, { start: 4, query: 'pix' }],
    ['Olá\n/pr', undefined, { start: 4, query: 'pr' }],
    ['a/b', undefined, null],
    ['https://x.com', undefined, null],
    ['/a/b', undefined, null],
    ['/pix ', undefined, null],
    ['/pix more', 4, { start: 0, query: 'pix' }],
    ['/pix more', 2, { start: 0, query: 'p' }],
    ['hello', undefined, null],
    ['x /', undefined, { start: 2, query: '' }],
  ];
  it.each(cases)('%j at %j', (text, caret, want) => {
    expect(quickReplyTrigger(text, caret ?? text.length)).toEqual(want);
  });
});

describe('filterQuickReplies', () => {
  const list = [
    { shortcut: 'obrigado', content: 'Obrigado pelo contato!' },
    { shortcut: 'ola', content: 'Olá! Como posso ajudar?' },
    { shortcut: 'pix', content: 'Nossa chave Pix é o CNPJ.' },
    { shortcut: 'prazo', content: 'O prazo de entrega é de 3 a 5 dias úteis.' },
    { shortcut: 'saudacao', content: 'Bom dia!', title: 'Saudação' },
  ];
  const names = (q: string) => filterQuickReplies(list, q).map((r) => r.shortcut);
  const cases: [string, string[]][] = [
    ['', ['obrigado', 'ola', 'pix', 'prazo', 'saudacao']],
    ['p', ['pix', 'prazo', 'obrigado', 'ola']],
    ['pr', ['prazo']],
    ['sau', ['saudacao']],
    ['SAU', ['saudacao']],
    ['saudação', ['saudacao']],
    ['entrega', ['prazo']],
    ['ola', ['ola']],
    ['chave', ['pix']],
    ['zzz', []],
  ];
  it.each(cases)('%j → %j', (q, want) => {
    expect(names(q)).toEqual(want);
  });
  it('limits the result', () => {
    expect(filterQuickReplies(list, '', 2)).toHaveLength(2);
  });
});

describe('fold', () => {
  it('strips accents and case', () => expect(fold('Orçamento ÁÉ')).toBe('orcamento ae'));
});

describe('applyQuickReply / insertAt', () => {
  it('replaces the trigger up to the caret and keeps the rest', () => {
    const text = 'Oi /pix tudo bem';
    expect(applyQuickReply(text, { start: 3, query: 'pix' }, 7, 'CHAVE')).toEqual({ text: 'Oi CHAVE tudo bem', caret: 8 });
  });
  it('inserts at a selection', () => {
    expect(insertAt('abcdef', 2, 4, '😀')).toEqual({ text: 'ab😀ef', caret: 4 });
  });
});
