import { describe, expect, it } from 'vitest';
import {
  actionsFromRows,
  addableKinds,
  conditionsFromRows,
  emptyRuleForm,
  newAction,
  newRow,
  ruleBody,
  ruleForm,
  rowsFromConditions,
  splitWords,
  summary,
  type AutomationRule,
  type Names,
  type Tr,
} from './automationLogic';

const t: Tr = (key, params) => (params ? `${key}${JSON.stringify(params)}` : key);

describe('conditions', () => {
  it('round-trips every condition through rows', () => {
    const c = {
      statuses: ['queued' as const, 'open' as const],
      department_ids: [2],
      assignee: 'any' as const,
      assignee_ids: [5],
      priorities: ['high' as const],
      channel_kinds: ['whatsapp' as const],
      channel_ids: [1],
      has_label_ids: [10],
      lacks_label_ids: [11],
      attributes: [{ key: 'plano', op: 'equals' as const, value: 'ouro' }, { key: 'cpf', op: 'exists' as const }],
      message_from: 'customer' as const,
      message_contains: ['cancelar', 'reembolso'],
      business_hours: 'closed' as const,
    };
    const rows = rowsFromConditions(c);
    expect(rows.map((r) => r.kind)).toEqual(['status', 'department', 'assignee_state', 'assignee', 'priority', 'channel_kind', 'channel', 'has_labels', 'lacks_labels', 'attribute', 'attribute', 'message_from', 'message_contains', 'business_hours']);
    const back = conditionsFromRows(rows, 'message.created');
    expect(back.errors.every((e) => e === undefined)).toBe(true);
    expect(back.conditions).toEqual(c);
  });

  it.each([
    ['empty list', newRow('status'), 'conversation.created', 'pickOne'],
    ['no key', newRow('attribute'), 'conversation.created', 'keyRequired'],
    ['no value', { kind: 'attribute' as const, key: 'a', op: 'contains' as const, value: ' ' }, 'conversation.created', 'valueRequired'],
    ['no words', { kind: 'message_contains' as const, words: ' , ' }, 'message.created', 'wordsRequired'],
    ['message condition on another event', newRow('message_from'), 'conversation.updated', 'messageOnly'],
  ] as const)('flags %s', (_name, row, event, want) => {
    expect(conditionsFromRows([row], event).errors).toEqual([want]);
  });

  it('flags "nobody assigned" with a list of agents', () => {
    const { errors } = conditionsFromRows([{ kind: 'assignee_state', value: 'none' }, { kind: 'assignee', ids: [3] }], 'conversation.created');
    expect(errors).toEqual([undefined, 'contradicts']);
  });

  it('offers message conditions only for message.created, and each kind once but attributes', () => {
    expect(addableKinds([], 'conversation.created')).not.toContain('message_from');
    expect(addableKinds([], 'message.created')).toContain('message_contains');
    const used = addableKinds([newRow('status'), newRow('attribute')], 'no_agent_reply');
    expect(used).not.toContain('status');
    expect(used).toContain('attribute');
  });

  it('splits words on commas, trimmed and once', () => {
    expect(splitWords(' cancelar, reembolso ,, cancelar')).toEqual(['cancelar', 'reembolso']);
  });
});

describe('actions', () => {
  it('builds each action with its one field', () => {
    const rows = [
      { ...newAction('assign_agent'), ref: '5' },
      { ...newAction('assign_department'), ref: '2' },
      { ...newAction('add_label'), ref: '10' },
      { ...newAction('send_webhook'), ref: '4' },
      { ...newAction('send_message'), text: 'Olá' },
      { ...newAction('set_priority'), priority: 'urgent' as const },
      { ...newAction('snooze'), minutes: '90' },
      newAction('resolve'),
    ];
    const { actions, errors } = actionsFromRows(rows);
    expect(errors.every((e) => e === undefined)).toBe(true);
    expect(actions).toEqual([
      { type: 'assign_agent', user_id: 5 },
      { type: 'assign_department', department_id: 2 },
      { type: 'add_label', label_id: 10 },
      { type: 'send_webhook', webhook_id: 4 },
      { type: 'send_message', text: 'Olá' },
      { type: 'set_priority', priority: 'urgent' },
      { type: 'snooze', minutes: 90 },
      { type: 'resolve' },
    ]);
  });

  it.each([
    ['no agent', newAction('assign_agent'), 'refRequired'],
    ['blank text', { ...newAction('add_note'), text: '  ' }, 'textRequired'],
    ['zero minutes', { ...newAction('snooze'), minutes: '0' }, 'minutes'],
    ['too many minutes', { ...newAction('snooze'), minutes: '43201' }, 'minutes'],
    ['not a number', { ...newAction('snooze'), minutes: '1e3' }, 'minutes'],
  ] as const)('flags %s', (_n, row, want) => {
    expect(actionsFromRows([row]).errors).toEqual([want]);
  });
});

describe('ruleBody', () => {
  it('needs a name and an action, and minutes only for time-based events', () => {
    const { body, errors } = ruleBody(emptyRuleForm);
    expect(body).toBeUndefined();
    expect(errors.name).toBe('required');
    expect(errors.actions).toBe('noActions');
    expect(errors.minutes).toBeUndefined();
    const timed = ruleBody({ ...emptyRuleForm, name: 'x', event: 'no_agent_reply', minutes: '', actions: [newAction('resolve')] });
    expect(timed.errors.minutes).toBe('minutes');
  });

  it('sends minutes 0 for event rules and the delay for time-based ones', () => {
    const ok = ruleBody({ ...emptyRuleForm, name: ' Espera ', event: 'no_agent_reply', minutes: '15', actions: [newAction('resolve')] });
    expect(ok.body).toEqual({ name: 'Espera', enabled: true, event: 'no_agent_reply', minutes: 15, conditions: {}, actions: [{ type: 'resolve' }] });
    const ev = ruleBody({ ...emptyRuleForm, name: 'x', minutes: '15', actions: [newAction('queue')] });
    expect(ev.body?.minutes).toBe(0);
  });

  it('reads a stored rule back into the same body', () => {
    const rule: AutomationRule = {
      id: 1,
      name: 'Cancelar',
      enabled: false,
      event: 'message.created',
      minutes: 0,
      conditions: { message_contains: ['cancelar'], has_label_ids: [3] },
      actions: [{ type: 'add_label', label_id: 3 }, { type: 'add_note', text: 'n' }],
      created_at: 0,
      updated_at: 0,
    };
    const { body } = ruleBody(ruleForm(rule));
    expect(body).toEqual({ name: 'Cancelar', enabled: false, event: 'message.created', minutes: 0, conditions: rule.conditions, actions: rule.actions });
  });
});

describe('summary', () => {
  const names: Names = {
    channels: new Map(),
    labels: new Map([[3, 'VIP']]),
    users: new Map([[5, 'Bia']]),
    departments: new Map([[2, 'Financeiro']]),
    webhooks: new Map(),
  };
  it('says when, if what, and what it does', () => {
    const s = summary({ event: 'no_agent_reply', minutes: 15, conditions: { has_label_ids: [3], assignee: 'none' }, actions: [{ type: 'assign_agent', user_id: 5 }, { type: 'snooze', minutes: 30 }] }, names, t);
    expect(s).toBe('sum.event.no_agent_reply{"n":15}, sum.if sum.unassigned sum.and sum.hasLabels{"list":"VIP"} → sum.act.assign_agent{"name":"Bia"} · sum.act.snooze{"n":30}');
  });
  it('names deleted things by id', () => {
    const s = summary({ event: 'conversation.created', minutes: 0, conditions: {}, actions: [{ type: 'send_webhook', webhook_id: 9 }] }, names, t);
    expect(s).toMatch(/unknown\{\\"id\\":9\}/);
  });
});
