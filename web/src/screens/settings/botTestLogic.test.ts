import { describe, expect, it } from 'vitest';
import type { BotFlow } from './botFlowLogic';
import { actionSentence, activeChoices, canSend, initialTest, testReducer, testRequest, valueText, type BotTestResult, type TestState } from './botTestLogic';

const flow: BotFlow = { start: 'm', steps: [{ id: 'm', type: 'menu', text: 'Escolha', options: [{ label: 'A', next: 'm' }] }] };

const menuTurn: BotTestResult = {
  actions: [
    { kind: 'send', step: 'oi', text: 'Olá' },
    { kind: 'send', step: 'm', text: 'Escolha\n\n1 – Vendas\n2 – Financeiro', choices: ['Vendas', 'Financeiro'] },
  ],
  state: { step: 'm', retries: 0 },
  done: false,
  steps: 2,
  attributes: {},
  label_ids: [],
};

const endTurn: BotTestResult = {
  actions: [
    { kind: 'set_attribute', step: 'cpf', attribute: 'cpf', value: '12345678909' },
    { kind: 'add_labels', step: 'tag', label_ids: [1] },
    { kind: 'send', step: 'fin', text: 'Transferindo' },
    { kind: 'transfer', step: 'fin', department_id: 2 },
  ],
  state: { step: '', retries: 0 },
  done: true,
  steps: 3,
  attributes: { cpf: '12345678909' },
  label_ids: [1],
};

function run(...events: Parameters<typeof testReducer>[1][]): TestState {
  return events.reduce(testReducer, initialTest);
}

describe('testReducer', () => {
  it('starts, shows texts and menus and waits', () => {
    const s = run({ type: 'start' }, { type: 'result', result: menuTurn });
    expect(s.busy).toBe(false);
    expect(s.state).toEqual({ step: 'm', retries: 0 });
    expect(s.entries).toEqual([
      { id: 1, kind: 'bot', text: 'Olá', step: 'oi' },
      { id: 2, kind: 'bot', text: 'Escolha\n\n1 – Vendas\n2 – Financeiro', step: 'm', choices: ['Vendas', 'Financeiro'] },
    ]);
    expect(canSend(s)).toBe(true);
    expect(activeChoices(s)).toBe(2);
  });

  it('keeps attributes and labels between turns and ends', () => {
    const s = run({ type: 'start' }, { type: 'result', result: menuTurn }, { type: 'send', input: '2' }, { type: 'result', result: endTurn });
    expect(s.entries.map((e) => e.kind)).toEqual(['bot', 'bot', 'customer', 'action', 'action', 'bot', 'action']);
    expect(s.entries[2]).toEqual({ id: 3, kind: 'customer', text: '2' });
    expect(s.attributes).toEqual({ cpf: '12345678909' });
    expect(s.labelIds).toEqual([1]);
    expect(s.done).toBe(true);
    expect(s.state).toBeNull();
    expect(canSend(s)).toBe(false);
    expect(activeChoices(s)).toBeNull();
    expect(new Set(s.entries.map((e) => e.id)).size).toBe(s.entries.length);
  });

  it('is busy while a turn is on its way', () => {
    const s = run({ type: 'start' }, { type: 'result', result: menuTurn }, { type: 'send', input: 'x' });
    expect(s.busy).toBe(true);
    expect(canSend(s)).toBe(false);
    expect(activeChoices(s)).toBeNull();
  });

  it('shows a failure and lets the customer try again', () => {
    const s = run({ type: 'start' }, { type: 'result', result: menuTurn }, { type: 'send', input: 'x' }, { type: 'failed', message: 'step "m": a menu needs a prompt text' });
    expect(s.entries.at(-1)).toEqual({ id: 4, kind: 'error', text: 'step "m": a menu needs a prompt text' });
    expect(s.state).toEqual({ step: 'm', retries: 0 });
    expect(canSend(s)).toBe(true);
    expect(activeChoices(s)).toBeNull(); // the customer already answered that menu
  });

  it('restarts keeping the business-hours switch', () => {
    const s = run({ type: 'setOpen', open: false }, { type: 'start' }, { type: 'result', result: endTurn }, { type: 'restart' });
    expect(s).toEqual({ ...initialTest, open: false });
  });
});

describe('testRequest', () => {
  it('starts the flow without state or input', () => {
    expect(testRequest(initialTest, flow, 'ignored', 'Ana')).toEqual({ flow, contact: { name: 'Ana', attributes: {}, label_ids: [] }, open: true });
  });

  it('answers where the bot waits, with the contact so far', () => {
    const s = run({ type: 'setOpen', open: false }, { type: 'start' }, { type: 'result', result: { ...endTurn, done: false, state: { step: 'm', retries: 1 } } });
    const req = testRequest(s, flow, 'Financeiro', 'Ana');
    expect(req).toEqual({
      flow,
      state: { step: 'm', retries: 1 },
      input: 'Financeiro',
      contact: { name: 'Ana', attributes: { cpf: '12345678909' }, label_ids: [1] },
      open: false,
    });
    // the request is a copy: a later turn cannot change it
    (req.contact!.attributes as Record<string, unknown>).x = 1;
    expect(s.attributes).toEqual({ cpf: '12345678909' });
  });
});

describe('actionSentence', () => {
  const look = { department: (id: number) => ({ 2: 'Financeiro' })[id], label: (id: number) => ({ 1: 'VIP' })[id] };
  const cases: [string, Parameters<typeof actionSentence>[0], ReturnType<typeof actionSentence>][] = [
    ['saved', { kind: 'set_attribute', step: 's', attribute: 'cpf', value: '12345678909' }, { key: 'setAttribute', values: { attribute: 'cpf', value: '12345678909' } }],
    ['saved a number', { kind: 'set_attribute', step: 's', attribute: 'idade', value: 42 }, { key: 'setAttribute', values: { attribute: 'idade', value: '42' } }],
    ['labels', { kind: 'add_labels', step: 's', label_ids: [1, 9] }, { key: 'addLabels', values: { labels: 'VIP, #9' } }],
    ['transfer', { kind: 'transfer', step: 's', department_id: 2 }, { key: 'transfer', values: { department: 'Financeiro' } }],
    ['handoff', { kind: 'handoff', step: 's' }, { key: 'handoff', values: {} }],
    ['handoff elsewhere', { kind: 'handoff', step: 's', department_id: 7 }, { key: 'handoffTo', values: { department: '#7' } }],
    ['resolve', { kind: 'resolve', step: 's' }, { key: 'resolve', values: {} }],
  ];
  it.each(cases)('%s', (_, a, want) => expect(actionSentence(a, look)).toEqual(want));

  it('shows values as text', () => {
    expect(valueText(null)).toBe('');
    expect(valueText(true)).toBe('true');
    expect(valueText({ a: 1 })).toBe('{"a":1}');
  });
});
