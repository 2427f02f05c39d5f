import { describe, expect, it } from 'vitest';
import {
  applyPatch,
  attrDisplay,
  attrText,
  attrValue,
  attributesToRows,
  contactPatch,
  conversationPath,
  contactHandles,
  formatPhone,
  handleKey,
  isEmptyPatch,
  makePrimary,
  maxHandles,
  normalizeHandles,
  phoneHref,
  previousConversations,
  removeHandle,
  removeRow,
  replaceRow,
  rowsToAttributes,
  sameJSON,
  setHandle,
  toggleLabel,
  toggleSection,
  validEmail,
  validPhone,
  validateAttr,
  validateHandle,
  type AttrRow,
  type ContactEdit,
  type ContactPatch,
} from './contactLogic';

describe('attrText', () => {
  const cases: [unknown, string][] = [
    ['Gold', 'Gold'],
    [42, '42'],
    [true, 'true'],
    [null, ''],
    [undefined, ''],
    [{ a: 1 }, '{"a":1}'],
    [['x', 2], '["x",2]'],
  ];
  it.each(cases)('%j → %s', (v, want) => expect(attrText(v)).toBe(want));
});

describe('attrDisplay', () => {
  const cases: [unknown, string][] = [
    ['Gold', 'Gold'],
    [3, '3'],
    [false, 'false'],
    [{ cidade: 'Recife', uf: 'PE' }, 'cidade: Recife, uf: PE'],
    [['a', 1, true], 'a, 1, true'],
    [{ geo: { lat: 1 } }, 'geo: {"lat":1}'],
    [{}, ''],
    [null, ''],
  ];
  it.each(cases)('%j → %s', (v, want) => expect(attrDisplay(v)).toBe(want));
});

describe('attributesToRows / rowsToAttributes', () => {
  it('round-trips every JSON type untouched', () => {
    const attrs = { cpf: '123.456.789-00', orders: 3, vip: false, address: { city: 'Recife' } };
    expect(rowsToAttributes(attributesToRows(attrs))).toEqual(attrs);
  });
  it('lists nothing for a missing object', () => {
    expect(attributesToRows(undefined)).toEqual([]);
    expect(attributesToRows(null)).toEqual([]);
  });
  it('sorts keys in code-point order like the server', () => {
    expect(attributesToRows({ plano: 1, Zona: 2, cidade: 'x', '10': 0 }).map((r) => r.key)).toEqual(['10', 'Zona', 'cidade', 'plano']);
  });
  it('trims keys and skips empty ones', () => {
    const rows: AttrRow[] = [
      { key: '  plan ', value: 'Pro' },
      { key: '   ', value: 'lost' },
    ];
    expect(rowsToAttributes(rows)).toEqual({ plan: 'Pro' });
  });
});

describe('attrValue', () => {
  const cases: [string, AttrRow, unknown][] = [
    ['new row is text', { key: 'k', value: '42' }, '42'],
    ['untouched number stays a number', { key: 'k', value: '3', original: 3 }, 3],
    ['edited number that parses stays a number', { key: 'k', value: ' 7 ', original: 3 }, 7],
    ['edited number that does not parse becomes text', { key: 'k', value: 'seven', original: 3 }, 'seven'],
    ['emptied number becomes empty text', { key: 'k', value: '', original: 3 }, ''],
    ['edited boolean', { key: 'k', value: 'true', original: false }, true],
    ['boolean turned to text', { key: 'k', value: 'yes', original: false }, 'yes'],
    ['edited object that parses', { key: 'k', value: '{"city":"Natal"}', original: { city: 'Recife' } }, { city: 'Natal' }],
    ['edited object that no longer parses', { key: 'k', value: 'Natal', original: { city: 'Recife' } }, 'Natal'],
    ['string keeps its spaces', { key: 'k', value: ' a b ', original: 'x' }, ' a b '],
  ];
  it.each(cases)('%s', (_n, row, want) => expect(attrValue(row)).toEqual(want));
});

describe('validateAttr', () => {
  const rows: AttrRow[] = [
    { key: 'plan', value: 'Pro' },
    { key: 'city', value: 'Recife' },
  ];
  const cases: [string, number, AttrRow, string | null][] = [
    ['ok new', -1, { key: 'cpf', value: '1' }, null],
    ['ok editing itself', 0, { key: 'plan', value: 'Basic' }, null],
    ['empty key', -1, { key: '  ', value: 'x' }, 'keyRequired'],
    ['duplicate key, case-insensitive', -1, { key: 'City', value: 'x' }, 'keyDuplicate'],
    ['renaming onto another key', 0, { key: 'city', value: 'x' }, 'keyDuplicate'],
    ['long key', -1, { key: 'k'.repeat(65), value: 'x' }, 'keyTooLong'],
    ['long value', -1, { key: 'k', value: 'v'.repeat(2001) }, 'valueTooLong'],
  ];
  it.each(cases)('%s', (_n, at, row, want) => expect(validateAttr(rows, at, row)).toBe(want));
  it('refuses a 101st attribute', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: '' }));
    expect(validateAttr(many, -1, { key: 'one-more', value: '' })).toBe('tooMany');
  });
});

describe('replaceRow / removeRow', () => {
  const rows: AttrRow[] = [
    { key: 'a', value: '1' },
    { key: 'b', value: '2' },
  ];
  it('appends with -1', () => expect(replaceRow(rows, -1, { key: 'c', value: '3' }).map((r) => r.key)).toEqual(['a', 'b', 'c']));
  it('replaces in place', () => expect(replaceRow(rows, 1, { key: 'z', value: '9' }).map((r) => r.key)).toEqual(['a', 'z']));
  it('removes', () => expect(removeRow(rows, 0).map((r) => r.key)).toEqual(['b']));
  it('does not mutate', () => {
    removeRow(rows, 0);
    replaceRow(rows, 0, { key: 'q', value: '' });
    expect(rows.map((r) => r.key)).toEqual(['a', 'b']);
  });
});

describe('formatPhone', () => {
  const cases: [string, string][] = [
    ['+55 11 97182-5138', '+55 11 97182-5138'],
    ['5511971825138', '+55 11 97182-5138'],
    ['+55 (11) 9 7182 5138', '+55 11 97182-5138'],
    ['+551132345678', '+55 11 3234-5678'],
    ['11971825138', '(11) 97182-5138'],
    ['1132345678', '(11) 3234-5678'],
    ['55991234567', '(55) 99123-4567'],
    ['+1 212 555 0100', '+1 212 555 0100'],
    ['  +44   20 7946 0958 ', '+44 20 7946 0958'],
    ['0800 123 4567', '0800 123 4567'],
    ['190', '190'],
    ['', ''],
  ];
  it.each(cases)('%s → %s', (raw, want) => expect(formatPhone(raw)).toBe(want));
});

describe('phoneHref', () => {
  const cases: [string, string][] = [
    ['+55 11 97182-5138', 'tel:+5511971825138'],
    ['(11) 3234-5678', 'tel:1132345678'],
    ['', ''],
  ];
  it.each(cases)('%s → %s', (raw, want) => expect(phoneHref(raw)).toBe(want));
});

describe('validPhone', () => {
  const cases: [string, boolean][] = [
    ['+55 11 97182-5138', true],
    ['(11) 3234.5678', true],
    ['12345678', true],
    ['1234567', false],
    ['12345', false],
    ['+55 11 9abc-5138', false],
    ['1 '.repeat(16).trim(), true],
    ['1 '.repeat(17), false], // 33 characters once trimmed
    ['1'.repeat(33), false],
    ['', false],
  ];
  it.each(cases)('%s → %s', (raw, want) => expect(validPhone(raw)).toBe(want));
});

describe('validEmail', () => {
  const cases: [string, boolean][] = [
    ['ana@example.com', true],
    [' Ana.Souza@Example.com.br ', true],
    ['ana@example', false],
    ['ana example.com', false],
    ['@example.com', false],
    ['', false],
  ];
  it.each(cases)('%s → %s', (raw, want) => expect(validEmail(raw)).toBe(want));
});

describe('handleKey / normalizeHandles', () => {
  it('phones are the same number when their digits are', () => {
    expect(handleKey('phone', '+55 (11) 98765-4321')).toBe(handleKey('phone', '5511987654321'));
    expect(handleKey('phone', ' abc ')).toBe('abc');
  });
  it('e-mails ignore case', () => expect(handleKey('email', ' Ana@X.org ')).toBe('ana@x.org'));
  const cases: [string, 'phone' | 'email', string[], string[]][] = [
    ['empty', 'phone', [], []],
    ['trims and drops empty', 'phone', ['  ', ' 11 1111-1111 ', ''], ['11 1111-1111']],
    ['phone repeats by digits, first kept', 'phone', ['+55 11 98765-4321', '5511987654321', '(21) 3333-4444'], ['+55 11 98765-4321', '(21) 3333-4444']],
    ['e-mails lower-cased, repeats dropped', 'email', ['Ana@X.org', 'ana@x.org', ' b@x.org'], ['ana@x.org', 'b@x.org']],
  ];
  it.each(cases)('%s', (_n, kind, list, want) => expect(normalizeHandles(kind, list)).toEqual(want));
});

describe('contactHandles', () => {
  it('uses the lists when the answer has them', () => {
    expect(contactHandles({ phone: 'a', phones: ['a', 'b'] }, 'phone')).toEqual(['a', 'b']);
    expect(contactHandles({ email: 'x@y.z', emails: [] }, 'email')).toEqual([]);
  });
  it('falls back to the primary alone', () => {
    expect(contactHandles({ phone: '190' }, 'phone')).toEqual(['190']);
    expect(contactHandles({ email: '' }, 'email')).toEqual([]);
  });
});

describe('validateHandle', () => {
  const phones = ['+55 11 98765-4321', '190'];
  const ten = Array.from({ length: maxHandles }, (_, i) => `+55 11 95555-${String(i).padStart(4, '0')}`);
  const cases: [string, 'phone' | 'email', string[], number, string, ReturnType<typeof validateHandle>][] = [
    ['new valid phone', 'phone', phones, -1, '(21) 3333-4444', null],
    ['new phone too short', 'phone', phones, -1, '191', 'invalid'],
    ['new phone with letters', 'phone', phones, -1, '+55 11 98765-432 x', 'invalid'],
    ['new phone repeats another by digits', 'phone', phones, -1, '5511987654321', 'duplicate'],
    ['an eleventh phone', 'phone', ten, -1, '(21) 3333-4444', 'tooMany'],
    ['editing a row to a new valid value', 'phone', phones, 1, '(21) 3333-4444', null],
    ['a row left as it was passes even when it breaks the rules', 'phone', phones, 1, ' 190 ', null],
    ['editing a row to its own number written otherwise', 'phone', phones, 0, '5511987654321', null],
    ['editing a row to another row', 'phone', phones, 1, '+55 (11) 98765-4321', 'duplicate'],
    ['editing at the limit', 'phone', ten, 3, '(21) 3333-4444', null],
    ['new e-mail', 'email', ['a@x.org'], -1, 'b@x.org', null],
    ['e-mail repeat ignores case', 'email', ['a@x.org'], -1, 'A@X.org', 'duplicate'],
    ['e-mail without domain', 'email', [], -1, 'a@', 'invalid'],
    ['e-mail with two @', 'email', [], -1, 'a@b@x.org', 'invalid'],
  ];
  it.each(cases)('%s', (_n, kind, list, at, v, want) => expect(validateHandle(kind, list, at, v)).toBe(want));
});

describe('setHandle / removeHandle / makePrimary', () => {
  const list = ['a', 'b', 'c'];
  it('appends', () => expect(setHandle(list, -1, ' d ')).toEqual(['a', 'b', 'c', 'd']));
  it('appends nothing for an empty value', () => expect(setHandle(list, -1, '  ')).toEqual(list));
  it('replaces', () => expect(setHandle(list, 1, 'x')).toEqual(['a', 'x', 'c']));
  it('an emptied row is removed', () => expect(setHandle(list, 0, '')).toEqual(['b', 'c']));
  it('removes', () => expect(removeHandle(list, 2)).toEqual(['a', 'b']));
  it('moves a row to the front', () => expect(makePrimary(list, 2)).toEqual(['c', 'a', 'b']));
  it('the primary stays', () => expect(makePrimary(list, 0)).toEqual(list));
  it('out of range changes nothing', () => expect(makePrimary(list, 5)).toEqual(list));
  it('does not touch its input', () => {
    makePrimary(list, 1);
    setHandle(list, 0, 'z');
    expect(list).toEqual(['a', 'b', 'c']);
  });
});

describe('sameJSON', () => {
  const cases: [unknown, unknown, boolean][] = [
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
    [{ a: [1, { c: 'x' }] }, { a: [1, { c: 'x' }] }, true],
    [{ a: 1 }, { a: '1' }, false],
    [{ a: 1 }, { a: 1, b: undefined }, false],
    [[1, 2], [2, 1], false],
    [null, {}, false],
    [{}, {}, true],
  ];
  it.each(cases)('%j vs %j → %s', (a, b, want) => expect(sameJSON(a, b)).toBe(want));
});

describe('contactPatch', () => {
  const c = { name: 'João Silva', phone: '+55 11 97182-5138', email: 'joao@example.com', attributes: { plan: 'Pro', orders: 2 }, notes: 'likes coffee', owner_id: null };
  const cases: [string, ContactEdit, ContactPatch][] = [
    ['nothing changed', { name: 'João Silva', phone: '+55 11 97182-5138' }, {}],
    ['name trimmed equal', { name: '  João Silva ' }, {}],
    ['name changed', { name: ' João da Silva ' }, { name: 'João da Silva' }],
    ['phone cleared', { phone: '' }, { phone: '' }],
    ['e-mail case only', { email: 'JOAO@example.com' }, {}],
    ['e-mail changed', { email: ' Joao.S@Example.com' }, { email: 'joao.s@example.com' }],
    ['attributes same, other order', { attributes: { orders: 2, plan: 'Pro' } }, {}],
    ['attribute added', { attributes: { plan: 'Pro', orders: 2, city: 'Recife' } }, { attributes: { plan: 'Pro', orders: 2, city: 'Recife' } }],
    ['attributes emptied', { attributes: {} }, { attributes: {} }],
    ['notes keep spaces', { notes: 'likes coffee ' }, { notes: 'likes coffee ' }],
    ['owner set', { owner_id: 4 }, { owner_id: 4 }],
    ['owner none → none', { owner_id: null }, {}],
    ['several', { name: 'Jo', notes: '' }, { name: 'Jo', notes: '' }],
  ];
  it.each(cases)('%s', (_n, edit, want) => expect(contactPatch(c, edit)).toEqual(want));
  const multi = { ...c, phones: ['+55 11 97182-5138', '(21) 3333-4444'], emails: ['joao@example.com'] };
  const lists: [string, ContactEdit, ContactPatch][] = [
    ['same lists', { phones: ['+55 11 97182-5138', '(21) 3333-4444'], emails: ['joao@example.com'] }, {}],
    ['same lists once normalised', { phones: [' +55 11 97182-5138', '', '(21) 3333-4444', '5511971825138'], emails: ['JOAO@example.com '] }, {}],
    ['new order', { phones: ['(21) 3333-4444', '+55 11 97182-5138'] }, { phones: ['(21) 3333-4444', '+55 11 97182-5138'] }],
    ['one more e-mail, lower-cased', { emails: ['joao@example.com', 'J.Casa@Example.org'] }, { emails: ['joao@example.com', 'j.casa@example.org'] }],
    ['everything removed', { phones: [], emails: [''] }, { phones: [], emails: [] }],
  ];
  it.each(lists)('lists: %s', (_n, edit, want) => expect(contactPatch(multi, edit)).toEqual(want));
  it('compares lists with the primary when the answer has none', () => {
    expect(contactPatch(c, { phones: ['+55 11 97182-5138'] })).toEqual({});
    expect(contactPatch(c, { phones: ['+55 11 97182-5138', '(21) 3333-4444'] })).toEqual({ phones: ['+55 11 97182-5138', '(21) 3333-4444'] });
  });
  it('clears an owner with 0', () => expect(contactPatch({ ...c, owner_id: 4 }, { owner_id: null })).toEqual({ owner_id: 0 }));
  it('treats missing attributes as empty', () => expect(contactPatch({ ...c, attributes: undefined as never }, { attributes: {} })).toEqual({}));
});

describe('isEmptyPatch / applyPatch', () => {
  const c = { id: 1, name: 'A', phone: '', email: '', attributes: {}, notes: '', owner_id: 3 as number | null };
  it('empty', () => {
    expect(isEmptyPatch({})).toBe(true);
    expect(isEmptyPatch({ name: '' })).toBe(false);
  });
  it('applies fields and owner 0 as null', () => {
    expect(applyPatch(c, { name: 'B', owner_id: 0, attributes: { x: 1 } })).toEqual({ ...c, name: 'B', owner_id: null, attributes: { x: 1 } });
  });
  it('keeps what the patch does not name', () => expect(applyPatch(c, {})).toEqual(c));
  const m = { ...c, phone: '11 1111-1111', phones: ['11 1111-1111', '22 2222-2222'], email: 'a@x.org', emails: ['a@x.org', 'b@x.org'] };
  it('lists set the primary', () => {
    expect(applyPatch(m, { phones: ['22 2222-2222', '11 1111-1111'], emails: [] })).toEqual({
      ...m,
      phone: '22 2222-2222',
      phones: ['22 2222-2222', '11 1111-1111'],
      email: '',
      emails: [],
    });
  });
  it('a primary alone keeps the others', () => {
    expect(applyPatch(m, { phone: '33 3333-3333' })).toEqual({ ...m, phone: '33 3333-3333', phones: ['33 3333-3333', '22 2222-2222'] });
    expect(applyPatch(m, { email: 'b@x.org' })).toEqual({ ...m, email: 'b@x.org', emails: ['b@x.org'] });
  });
  it('an emptied primary lets the next one move up', () => {
    expect(applyPatch(m, { phone: '' })).toEqual({ ...m, phone: '22 2222-2222', phones: ['22 2222-2222'] });
  });
});

describe('toggleLabel', () => {
  it('adds', () => expect(toggleLabel([1, 2], 3)).toEqual({ ids: [1, 2, 3], on: true }));
  it('removes', () => expect(toggleLabel([1, 2], 1)).toEqual({ ids: [2], on: false }));
});

describe('previousConversations', () => {
  const all = [
    { id: 1, status: 'resolved' as const, last_message_at: 100 },
    { id: 5, status: 'open' as const, last_message_at: 500 },
    { id: 3, status: 'resolved' as const, last_message_at: 300 },
    { id: 4, status: 'resolved' as const, last_message_at: 300 },
  ];
  it('drops the open one and sorts newest first', () => expect(previousConversations(all, 5).map((c) => c.id)).toEqual([4, 3, 1]));
  it('keeps all without an open one', () => expect(previousConversations(all, undefined).map((c) => c.id)).toEqual([5, 4, 3, 1]));
});

describe('conversationPath', () => {
  const cases: [string, { id: number; status: 'bot' | 'queued' | 'open' | 'snoozed' | 'resolved' }, boolean, string, string, string][] = [
    ['in view keeps view and filters', { id: 7, status: 'open' }, true, 'mine', 'sort=latest', '/inbox/mine/7?sort=latest'],
    ['in view without query', { id: 7, status: 'open' }, true, 'dept-2', '', '/inbox/dept-2/7'],
    ['resolved elsewhere', { id: 8, status: 'resolved' }, false, 'mine', 'label=3', '/inbox/resolved/8'],
    ['snoozed elsewhere', { id: 9, status: 'snoozed' }, false, 'mine', '', '/inbox/snoozed/9'],
    ['open elsewhere', { id: 10, status: 'queued' }, false, 'resolved', '', '/inbox/all/10'],
  ];
  it.each(cases)('%s', (_n, c, inView, seg, q, want) => expect(conversationPath(c, inView, seg, q)).toBe(want));
});

describe('toggleSection', () => {
  it('collapses', () => expect(toggleSection(['a'], 'b')).toEqual(['a', 'b']));
  it('expands', () => expect(toggleSection(['a', 'b'], 'a')).toEqual(['b']));
});
