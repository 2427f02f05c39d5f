import { describe, expect, it } from 'vitest';
import {
  addableKinds,
  conditionsFromRows,
  departmentGone,
  emptyRuleForm,
  moveRule,
  newRow,
  reorderLocal,
  ruleBody,
  ruleForm,
  rowsFromConditions,
  sortRules,
  summary,
  toggleId,
  type Names,
  type RoutingConditions,
  type RoutingRule,
  type Tr,
} from './routingLogic';

// A fake translator that shows the key and its parameters, so a test sees what was asked for.
const t: Tr = (key, p) => (p ? `${key}(${Object.entries(p).map(([k, v]) => `${k}=${String(v)}`).join(';')})` : key);

const names: Names = {
  channels: new Map([[1, 'Site']]),
  labels: new Map([
    [10, 'VIP'],
    [11, 'Late'],
  ]),
  users: new Map([[5, 'Ana']]),
  departments: new Map([
    [2, 'Sales'],
    [3, 'Support'],
  ]),
};

function rule(id: number, position: number, over: Partial<RoutingRule> = {}): RoutingRule {
  return { id, position, name: `r${id}`, enabled: true, conditions: {}, actions: { department_id: 2 }, created_at: 0, updated_at: 0, ...over };
}

const everything: RoutingConditions = {
  channel_ids: [1],
  channel_kinds: ['whatsapp', 'email'],
  attributes: [
    { key: 'plan', op: 'equals', value: 'gold' },
    { key: 'cpf', op: 'exists' },
  ],
  has_label_ids: [10],
  lacks_label_ids: [11],
  has_owner: true,
  owner_ids: [5],
  served_before: false,
  last_department_ids: [3],
  business_hours: 'closed',
};

describe('conditions ↔ rows', () => {
  it('round-trips every condition key', () => {
    const rows = rowsFromConditions(everything);
    expect(rows.map((r) => r.kind)).toEqual(['channel', 'channel_kind', 'attribute', 'attribute', 'has_labels', 'lacks_labels', 'has_owner', 'owner', 'served_before', 'last_department', 'business_hours']);
    const { conditions, errors } = conditionsFromRows(rows);
    expect(errors.every((e) => e === undefined)).toBe(true);
    expect(conditions).toEqual(everything);
  });

  it('maps no rows to the empty object (matches everything)', () => {
    expect(conditionsFromRows([])).toEqual({ conditions: {}, errors: [] });
    expect(rowsFromConditions({})).toEqual([]);
    expect(rowsFromConditions(undefined)).toEqual([]);
  });

  it('keeps false booleans, which differ from leaving the key out', () => {
    const { conditions } = conditionsFromRows([{ kind: 'has_owner', value: false }, { kind: 'served_before', value: false }]);
    expect(conditions).toEqual({ has_owner: false, served_before: false });
  });

  it('names the row that is incomplete', () => {
    const { errors } = conditionsFromRows([
      newRow('channel'),
      { kind: 'attribute', key: ' ', op: 'equals', value: 'x' },
      { kind: 'attribute', key: 'plan', op: 'contains', value: '  ' },
      { kind: 'attribute', key: 'plan', op: 'not_exists', value: 'ignored' },
      newRow('channel_kind'),
      newRow('business_hours'),
    ]);
    expect(errors).toEqual(['pickOne', 'keyRequired', 'valueRequired', undefined, 'pickOne', undefined]);
  });

  it('drops the value of exists/not_exists and trims the rest', () => {
    const { conditions } = conditionsFromRows([
      { kind: 'attribute', key: ' plan ', op: 'not_equals', value: ' free ' },
      { kind: 'attribute', key: 'cpf', op: 'not_exists', value: 'left over' },
    ]);
    expect(conditions.attributes).toEqual([
      { key: 'plan', op: 'not_equals', value: 'free' },
      { key: 'cpf', op: 'not_exists' },
    ]);
  });

  it('offers each key once, attributes any number of times', () => {
    const rows = [newRow('channel'), newRow('attribute'), newRow('business_hours')];
    const kinds = addableKinds(rows);
    expect(kinds).toContain('attribute');
    expect(kinds).not.toContain('channel');
    expect(kinds).not.toContain('business_hours');
    expect(kinds).toContain('served_before');
  });
});

describe('rule form ↔ body', () => {
  it('needs a name and a department', () => {
    const { body, errors } = ruleBody(emptyRuleForm);
    expect(body).toBeUndefined();
    expect(errors.name).toBe('required');
    expect(errors.department).toBe('required');
  });

  it('refuses a name over 100 characters', () => {
    expect(ruleBody({ ...emptyRuleForm, name: 'x'.repeat(101), departmentId: '2' }).errors.name).toBe('tooLong');
    expect(ruleBody({ ...emptyRuleForm, name: 'x'.repeat(100), departmentId: '2' }).body).toBeDefined();
  });

  it('builds a full body', () => {
    const { body } = ruleBody({ ...emptyRuleForm, name: ' VIPs ', rows: [{ kind: 'has_labels', ids: [10] }], departmentId: '3', priority: 'high', labelIds: [11, 11] });
    expect(body).toEqual({ name: 'VIPs', enabled: true, conditions: { has_label_ids: [10] }, actions: { department_id: 3, priority: 'high', label_ids: [11] } });
  });

  it('sends the last department instead of an id', () => {
    const { body } = ruleBody({ ...emptyRuleForm, name: 'back', target: 'last', departmentId: '3' });
    expect(body?.actions).toEqual({ last_department: true });
  });

  it('round-trips a saved rule', () => {
    const r = rule(4, 1, { name: 'All', enabled: false, conditions: everything, actions: { department_id: 3, priority: 'none', label_ids: [10] } });
    const { body } = ruleBody(ruleForm(r));
    expect(body).toEqual({ name: 'All', enabled: false, conditions: everything, actions: r.actions });
    expect(ruleBody(ruleForm(rule(5, 2, { actions: { last_department: true } }))).body?.actions).toEqual({ last_department: true });
  });

  it('sends the chosen bot, and none for the department\'s own', () => {
    expect(ruleBody({ ...emptyRuleForm, name: 'b', departmentId: '2', botId: '7' }).body?.actions).toEqual({ department_id: 2, bot_id: 7 });
    expect(ruleBody({ ...emptyRuleForm, name: 'b', departmentId: '2', botId: '' }).body?.actions).toEqual({ department_id: 2 });
    const r = rule(6, 1, { actions: { department_id: 2, bot_id: 7 } });
    expect(ruleForm(r).botId).toBe('7');
    expect(ruleBody(ruleForm(r)).body?.actions).toEqual(r.actions);
  });

  it('a row error blocks the body', () => {
    const { body, errors } = ruleBody({ ...emptyRuleForm, name: 'a', departmentId: '2', rows: [newRow('owner')] });
    expect(body).toBeUndefined();
    expect(errors.rows).toEqual(['pickOne']);
  });

  it('toggles ids sorted', () => {
    expect(toggleId([3, 1], 2, true)).toEqual([1, 2, 3]);
    expect(toggleId([1, 2, 3], 2, false)).toEqual([1, 3]);
    expect(toggleId(['whatsapp'], 'email', true)).toEqual(['email', 'whatsapp']);
  });
});

describe('summary', () => {
  it('says "always" for a rule without conditions', () => {
    expect(summary(rule(1, 1), names, t)).toBe('routing.sum.always → Sales');
  });

  it('joins conditions and names ids', () => {
    const s = summary({ conditions: { channel_kinds: ['whatsapp'], has_label_ids: [10, 99], business_hours: 'open' }, actions: { last_department: true, priority: 'urgent', label_ids: [11] } }, names, t);
    expect(s).toBe(
      'routing.sum.channelKind(list=routing.kinds.whatsapp) routing.sum.and routing.sum.hasLabels(list=VIP, routing.unknown(id=99)) routing.sum.and routing.sum.open → routing.sum.toLast · routing.sum.priority(priority=routing.priorities.urgent) · routing.sum.labels(list=Late)',
    );
  });

  it('names the bot of a rule', () => {
    expect(summary({ conditions: {}, actions: { department_id: 2, bot_id: 7 } }, { ...names, bots: new Map([[7, 'Becon']]) }, t)).toBe('routing.sum.always → Sales · routing.sum.bot(name=Becon)');
    expect(summary({ conditions: {}, actions: { department_id: 2, bot_id: 8 } }, names, t)).toBe('routing.sum.always → Sales · routing.sum.bot(name=routing.unknown(id=8))');
  });

  it('describes attribute tests by operator', () => {
    expect(summary({ conditions: { attributes: [{ key: 'plan', op: 'exists' }] }, actions: { department_id: 3 } }, names, t)).toBe('routing.sum.attr.exists(key=plan;value=) → Support');
  });

  it('flags a deleted department', () => {
    expect(departmentGone(rule(1, 1, { actions: { department_id: 42 } }), names.departments)).toBe(true);
    expect(departmentGone(rule(1, 1), names.departments)).toBe(false);
    expect(departmentGone(rule(1, 1, { actions: { last_department: true } }), names.departments)).toBe(false);
  });
});

describe('order', () => {
  it('moves a rule up and down', () => {
    expect(moveRule([1, 2, 3], 1, -1)).toEqual([2, 1, 3]);
    expect(moveRule([1, 2, 3], 1, 1)).toEqual([1, 3, 2]);
  });
  it('refuses to move past an end', () => {
    expect(moveRule([1, 2, 3], 0, -1)).toBeNull();
    expect(moveRule([1, 2, 3], 2, 1)).toBeNull();
    expect(moveRule([], 0, 1)).toBeNull();
  });
  it('renumbers positions like the server', () => {
    const got = reorderLocal([rule(1, 1), rule(2, 2), rule(3, 3)], [3, 1, 2]);
    expect(got.map((r) => [r.id, r.position])).toEqual([
      [3, 1],
      [1, 2],
      [2, 3],
    ]);
  });
  it('sorts by position', () => {
    expect(sortRules([rule(2, 2), rule(1, 1)]).map((r) => r.id)).toEqual([1, 2]);
  });
});
