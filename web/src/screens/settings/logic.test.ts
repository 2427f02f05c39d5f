import { describe, expect, it } from 'vitest';
import { readableOn } from '../../ui';
import {
  bestUnit,
  contrast,
  diffPatch,
  emptyUserForm,
  fold,
  formatMinSec,
  generatePassword,
  inboundUrl,
  insertAt,
  joinMinSec,
  matches,
  normaliseHex,
  normaliseShortcut,
  palette,
  parseWhole,
  renderTemplate,
  splitMinSec,
  unitToSeconds,
  unknownVariables,
  userForm,
  userPatch,
  validHttpUrl,
  validShortcut,
  validateUser,
  validateWorkspace,
  workspaceForm,
  zoneGroups,
  type UserValues,
  type WorkspaceForm,
  type WorkspaceValues,
} from './logic';

describe('splitMinSec / joinMinSec', () => {
  const split: [number, number, number][] = [
    [0, 0, 0],
    [59, 0, 59],
    [60, 1, 0],
    [300, 5, 0],
    [330, 5, 30],
    [90061, 1501, 1],
    [-5, 0, 0],
  ];
  it.each(split)('%i s → %i min %i s', (total, m, s) => expect(splitMinSec(total)).toEqual({ minutes: m, seconds: s }));

  const join: [string, string, number | null][] = [
    ['5', '0', 300],
    ['5', '30', 330],
    ['', '45', 45],
    ['2', '', 120],
    ['', '', 0],
    [' 3 ', '07', 187],
    ['1', '60', null],
    ['1.5', '0', null],
    ['-1', '0', null],
    ['abc', '0', null],
    ['1', '1e1', null],
  ];
  it.each(join)('%j min %j s → %j', (m, s, want) => expect(joinMinSec(m, s)).toBe(want));

  it('round-trips', () => {
    for (const total of [0, 1, 59, 60, 61, 299, 300, 900, 3601]) {
      const { minutes, seconds } = splitMinSec(total);
      expect(joinMinSec(String(minutes), String(seconds))).toBe(total);
    }
  });
});

describe('parseWhole', () => {
  const cases: [string, number | null][] = [['0', 0], ['', 0], ['  ', 0], ['12', 12], ['1,5', null], ['x', null], ['+3', null]];
  it.each(cases)('%j → %j', (v, want) => expect(parseWhole(v)).toBe(want));
});

describe('bestUnit / unitToSeconds', () => {
  const cases: [number, number, string][] = [
    [0, 0, 'minutes'],
    [60, 1, 'minutes'],
    [1800, 30, 'minutes'],
    [3600, 1, 'hours'],
    [7200, 2, 'hours'],
    [86400, 1, 'days'],
    [172800, 2, 'days'],
    [90000, 25, 'hours'],
    [90, 2, 'minutes'],
  ];
  it.each(cases)('%i s → %i %s', (s, value, unit) => expect(bestUnit(s)).toEqual({ value, unit }));
  it('converts back', () => {
    expect(unitToSeconds('2', 'hours')).toBe(7200);
    expect(unitToSeconds('3', 'days')).toBe(259200);
    expect(unitToSeconds('15', 'minutes')).toBe(900);
    expect(unitToSeconds('x', 'minutes')).toBeNull();
  });
});

const ws: WorkspaceValues = {
  name: 'Demo',
  timezone: 'America/Sao_Paulo',
  thermometer_yellow_seconds: 300,
  thermometer_red_seconds: 900,
  reopen_window_seconds: 0,
  closing_reason_required: false,
};

describe('workspace form', () => {
  it('starts from the workspace', () => {
    expect(workspaceForm(ws)).toEqual({
      name: 'Demo',
      timezone: 'America/Sao_Paulo',
      yellowMin: '5',
      yellowSec: '0',
      redMin: '15',
      redSec: '0',
      reopenOn: false,
      reopenValue: '24',
      reopenUnit: 'hours',
      closingReasonRequired: false,
    });
    expect(workspaceForm({ ...ws, reopen_window_seconds: 172800 })).toMatchObject({ reopenOn: true, reopenValue: '2', reopenUnit: 'days' });
  });

  const base = workspaceForm(ws);
  const cases: [string, Partial<WorkspaceForm>, Record<string, string>][] = [
    ['unchanged is valid', {}, {}],
    ['blank name', { name: '  ' }, { name: 'required' }],
    ['long name', { name: 'x'.repeat(101) }, { name: 'tooLong' }],
    ['yellow equal to red', { yellowMin: '15' }, { red: 'redAfterYellow' }],
    ['yellow above red', { yellowMin: '20' }, { red: 'redAfterYellow' }],
    ['red one second after yellow', { redMin: '5', redSec: '1' }, {}],
    ['seconds over 59', { yellowSec: '75' }, { yellow: 'duration' }],
    ['not a number', { redMin: 'ten' }, { red: 'duration' }],
    ['yellow beyond 7 days', { yellowMin: String(7 * 1440 + 1), redMin: String(8 * 1440) }, { yellow: 'yellowRange' }],
    ['red beyond 30 days', { redMin: String(30 * 1440 + 1) }, { red: 'redRange' }],
    ['reopen on with zero', { reopenOn: true, reopenValue: '0' }, { reopen: 'positive' }],
    ['reopen beyond 90 days', { reopenOn: true, reopenValue: '91', reopenUnit: 'days' }, { reopen: 'reopenRange' }],
    ['reopen off ignores its value', { reopenOn: false, reopenValue: 'x' }, {}],
  ];
  it.each(cases)('%s', (_name, change, want) => {
    expect(validateWorkspace({ ...base, ...change }).errors).toEqual(want);
  });

  it('answers seconds', () => {
    const { values } = validateWorkspace({ ...base, yellowMin: '2', yellowSec: '30', redMin: '10', reopenOn: true, reopenValue: '12', reopenUnit: 'hours', name: ' Loja ' });
    expect(values).toEqual({ ...ws, name: 'Loja', thermometer_yellow_seconds: 150, thermometer_red_seconds: 600, reopen_window_seconds: 43200 });
  });
});

describe('diffPatch', () => {
  it('keeps only what changed', () => {
    const { values } = validateWorkspace({ ...workspaceForm(ws), redMin: '20', closingReasonRequired: true });
    expect(diffPatch(ws, values!)).toEqual({ thermometer_red_seconds: 1200, closing_reason_required: true });
  });
  it('is empty when nothing changed', () => {
    expect(diffPatch(ws, validateWorkspace(workspaceForm(ws)).values!)).toEqual({});
  });
  it('compares arrays as sets and skips undefined', () => {
    const a = { ids: [1, 2, 3], name: 'x' };
    expect(diffPatch(a, { ids: [3, 1, 2], name: undefined })).toEqual({});
    expect(diffPatch(a, { ids: [1, 2] })).toEqual({ ids: [1, 2] });
    expect(diffPatch(a, { ids: [] })).toEqual({ ids: [] });
  });
});

const user: UserValues = {
  name: 'Bruno',
  email: 'bruno@demo.test',
  role: 'agent',
  scope: 'department',
  capacity: 5,
  department_ids: [1, 2],
  active: true,
};

describe('users', () => {
  it('validates a new user', () => {
    expect(validateUser(emptyUserForm, true).errors).toEqual({ email: 'required', password: 'required' });
    expect(validateUser({ ...emptyUserForm, email: 'nope', password: 'short' }, true).errors).toEqual({ email: 'email', password: 'password' });
    expect(validateUser({ ...emptyUserForm, email: 'a@b.co', password: '12345678', capacity: '1001' }, true).errors).toEqual({ capacity: 'capacity' });
    expect(validateUser({ ...emptyUserForm, email: ' A@B.co ', password: '12345678', departmentIds: [3, 1] }, true).values).toEqual({
      name: '',
      email: 'a@b.co',
      role: 'agent',
      scope: 'department',
      capacity: 0,
      department_ids: [1, 3],
      active: true,
      password: '12345678',
    });
  });
  it('lets an edit keep the password', () => {
    expect(validateUser(userForm(user), false).errors).toEqual({});
  });
  const cases: [string, Partial<ReturnType<typeof userForm>>, object][] = [
    ['nothing changed', {}, {}],
    ['role and capacity', { role: 'supervisor', capacity: '10' }, { role: 'supervisor', capacity: 10 }],
    ['departments reordered', { departmentIds: [2, 1] }, {}],
    ['departments changed', { departmentIds: [2] }, { department_ids: [2] }],
    ['deactivated', { active: false }, { active: false }],
    ['new password', { password: 'new-secret-1' }, { password: 'new-secret-1' }],
    ['blank name is not sent', { name: '' }, {}],
  ];
  it.each(cases)('patch: %s', (_n, change, want) => {
    const { values } = validateUser({ ...userForm(user), ...change }, false);
    expect(userPatch(user, values!)).toEqual(want);
  });
});

describe('generatePassword', () => {
  it('has every class, the asked length and no look-alikes', () => {
    for (let i = 0; i < 200; i++) {
      const p = generatePassword(16);
      expect(p).toHaveLength(16);
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[2-9]/);
      expect(p).toMatch(/[-_.!@#]/);
      expect(p).not.toMatch(/[0O1lI]/);
    }
  });
  it('never goes below the minimum length', () => {
    expect(generatePassword(4)).toHaveLength(8);
  });
  it('is deterministic for a given random source', () => {
    const src = (n: number) => Uint32Array.from({ length: n }, (_, i) => i * 7919);
    expect(generatePassword(12, src)).toBe(generatePassword(12, src));
  });
  it('differs between calls', () => {
    expect(generatePassword()).not.toBe(generatePassword());
  });
});

describe('colours', () => {
  const cases: [string, string | null][] = [
    ['#ABC', '#aabbcc'],
    ['abc', '#aabbcc'],
    ['#2256C9', '#2256c9'],
    [' 2256c9 ', '#2256c9'],
    ['#12345', null],
    ['red', null],
    ['', null],
  ];
  it.each(cases)('normaliseHex(%j) → %j', (v, want) => expect(normaliseHex(v)).toBe(want));

  it.each(palette)('palette %s is readable (AA) with readableOn', (c) => {
    const text = readableOn(c) === '#ffffff' ? '#ffffff' : '#111111';
    expect(contrast(c, text)).toBeGreaterThanOrEqual(4.5);
  });
  it('contrast of black on white is 21', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
  });
});

describe('quick replies', () => {
  const shortcuts: [string, boolean][] = [
    ['ola', true],
    ['/ola', true],
    ['boas-vindas_2', true],
    ['preço', true],
    ['two words', false],
    ['', false],
    ['/', false],
    ['x'.repeat(41), false],
    ['a.b', false],
  ];
  it.each(shortcuts)('validShortcut(%j) = %s', (v, want) => expect(validShortcut(v)).toBe(want));
  it('normalises', () => expect(normaliseShortcut('  /ola ')).toBe('ola'));

  it('searches without accents or case', () => {
    expect(fold('Preço ÁGUA')).toBe('preco agua');
    expect(matches('preco', 'preço', 'Nosso preço é…')).toBe(true);
    expect(matches('/ola', 'ola', 'Olá!')).toBe(true);
    expect(matches('ola mundo', 'ola', 'Olá mundo')).toBe(true);
    expect(matches('xyz', 'ola', 'Olá')).toBe(false);
    expect(matches('  ', 'a')).toBe(true);
  });

  const inserts: [string, number, number, string, string, number][] = [
    ['Olá !', 4, 4, '{{contact.first_name}}', 'Olá {{contact.first_name}}!', 26],
    ['', 0, 0, '{{agent.name}}', '{{agent.name}}', 14],
    ['abc', 1, 2, 'X', 'aXc', 2],
    ['abc', 10, 12, 'X', 'abcX', 4],
  ];
  it.each(inserts)('insertAt(%j, %i, %i, %j)', (text, a, b, ins, want, caret) => expect(insertAt(text, a, b, ins)).toEqual({ text: want, caret }));

  it('renders a preview', () => {
    expect(renderTemplate('Olá {{contact.first_name}}, sou {{ agent.name }}. {{x.y}}', { 'contact.first_name': 'Ana', 'agent.name': 'Bruno' })).toBe('Olá Ana, sou Bruno. {{x.y}}');
  });
  it('finds unknown variables', () => {
    expect(unknownVariables('{{contact.name}} {{contato.nome}} {{ agent.first_name }} {{contato.nome}}')).toEqual(['contato.nome']);
  });
});

describe('time zones', () => {
  it('groups by region and keeps the current zone', () => {
    expect(zoneGroups(['Europe/Lisbon', 'America/Sao_Paulo', 'America/Manaus'], 'UTC')).toEqual([
      { region: 'America', zones: ['America/Manaus', 'America/Sao_Paulo'] },
      { region: 'Europe', zones: ['Europe/Lisbon'] },
      { region: 'Other', zones: ['UTC'] },
    ]);
  });
});

describe('channels', () => {
  it('builds the inbound URL', () => {
    expect(inboundUrl('https://atende.example.com')).toBe('https://atende.example.com/api/v1/channels/api/messages');
    expect(inboundUrl('http://localhost:5204/')).toBe('http://localhost:5204/api/v1/channels/api/messages');
  });
  const urls: [string, boolean][] = [
    ['https://app.example.com/atende', true],
    ['http://10.0.0.1:8080/cb', true],
    ['ftp://x', false],
    ['example.com', false],
    ['', false],
  ];
  it.each(urls)('validHttpUrl(%j) = %s', (u, want) => expect(validHttpUrl(u)).toBe(want));
});

describe('formatMinSec', () => {
  const cases: [number, string][] = [
    [0, '0 s'],
    [45, '45 s'],
    [300, '5 min'],
    [330, '5 min 30 s'],
    [3600, '1 h'],
    [3900, '1 h 5 min'],
    [3601, '1 h 1 s'],
  ];
  it.each(cases)('%i → %s', (s, want) => expect(formatMinSec(s)).toBe(want));
});
