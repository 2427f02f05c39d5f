// Pure helpers of the routing rules settings (/api/v1/routing-rules): the
// rule form (condition rows and actions) and its mapping to and from the API,
// the one-line summary of a rule, and moving a rule up or down. The server
// validates again and names a bad key; this only catches what a form can. No React here.
import type { Schemas } from '../../api/client';

export type RoutingRule = Schemas['RoutingRule'];
export type RoutingRuleInput = Schemas['RoutingRuleInput'];
export type RoutingConditions = Schemas['RoutingConditions'];
export type RoutingActions = Schemas['RoutingActions'];
export type AttributeCondition = Schemas['RoutingAttributeCondition'];
export type AttributeOp = AttributeCondition['op'];
export type ChannelKind = NonNullable<RoutingConditions['channel_kinds']>[number];
export type Priority = NonNullable<RoutingActions['priority']>;

export const channelKinds = ['api', 'telegram', 'whatsapp', 'messenger', 'instagram', 'sms', 'widget', 'email'] as const satisfies readonly ChannelKind[];
export const attributeOps = ['equals', 'not_equals', 'contains', 'exists', 'not_exists'] as const satisfies readonly AttributeOp[];
export const priorities = ['none', 'low', 'medium', 'high', 'urgent'] as const satisfies readonly Priority[];

// When an OpenAPI enum gains a value, `tsc` fails here until the lists above name it too.
type Every<T, L extends readonly T[]> = [Exclude<T, L[number]>] extends [never] ? true : never;
const listed: [Every<ChannelKind, typeof channelKinds>, Every<AttributeOp, typeof attributeOps>, Every<Priority, typeof priorities>] = [true, true, true];
void listed;

/** Server limits (internal/automation/routing/routing.go). */
export const routingLimits = { name: 100, key: 100, value: 500 };

/** Operators that compare with a value; exists and not_exists take none. */
export function opNeedsValue(op: AttributeOp): boolean {
  return op === 'equals' || op === 'not_equals' || op === 'contains';
}

/** One row of the conditions list; each maps to one key of RoutingConditions (attributes may repeat). */
export type ConditionRow =
  | { kind: 'channel'; ids: number[] }
  | { kind: 'channel_kind'; kinds: ChannelKind[] }
  | { kind: 'attribute'; key: string; op: AttributeOp; value: string }
  | { kind: 'has_labels'; ids: number[] }
  | { kind: 'lacks_labels'; ids: number[] }
  | { kind: 'has_owner'; value: boolean }
  | { kind: 'owner'; ids: number[] }
  | { kind: 'served_before'; value: boolean }
  | { kind: 'last_department'; ids: number[] }
  | { kind: 'business_hours'; value: 'open' | 'closed' };

export type ConditionKind = ConditionRow['kind'];

/** The condition kinds in the order the "add condition" menu lists them. */
export const conditionKinds: ConditionKind[] = ['channel', 'channel_kind', 'attribute', 'has_labels', 'lacks_labels', 'has_owner', 'owner', 'served_before', 'last_department', 'business_hours'];

/** A new, empty row of a kind. */
export function newRow(kind: ConditionKind): ConditionRow {
  switch (kind) {
    case 'channel':
    case 'has_labels':
    case 'lacks_labels':
    case 'owner':
    case 'last_department':
      return { kind, ids: [] };
    case 'channel_kind':
      return { kind, kinds: [] };
    case 'attribute':
      return { kind, key: '', op: 'equals', value: '' };
    case 'has_owner':
    case 'served_before':
      return { kind, value: true };
    case 'business_hours':
      return { kind, value: 'open' };
  }
}

/** Kinds that may be added once more: attributes repeat, every other kind is one key of the object. */
export function addableKinds(rows: readonly ConditionRow[]): ConditionKind[] {
  const used = new Set(rows.map((r) => r.kind));
  return conditionKinds.filter((k) => k === 'attribute' || !used.has(k));
}

/** rowsFromConditions turns the API's object into rows, in the menu's order. */
export function rowsFromConditions(c: RoutingConditions | undefined): ConditionRow[] {
  if (!c) return [];
  const rows: ConditionRow[] = [];
  if (c.channel_ids) rows.push({ kind: 'channel', ids: [...c.channel_ids] });
  if (c.channel_kinds) rows.push({ kind: 'channel_kind', kinds: [...c.channel_kinds] });
  for (const a of c.attributes ?? []) rows.push({ kind: 'attribute', key: a.key, op: a.op, value: a.value ?? '' });
  if (c.has_label_ids) rows.push({ kind: 'has_labels', ids: [...c.has_label_ids] });
  if (c.lacks_label_ids) rows.push({ kind: 'lacks_labels', ids: [...c.lacks_label_ids] });
  if (c.has_owner !== undefined) rows.push({ kind: 'has_owner', value: c.has_owner });
  if (c.owner_ids) rows.push({ kind: 'owner', ids: [...c.owner_ids] });
  if (c.served_before !== undefined) rows.push({ kind: 'served_before', value: c.served_before });
  if (c.last_department_ids) rows.push({ kind: 'last_department', ids: [...c.last_department_ids] });
  if (c.business_hours) rows.push({ kind: 'business_hours', value: c.business_hours });
  return rows;
}

export type RowError = 'pickOne' | 'keyRequired' | 'valueRequired';

const uniq = <T>(xs: readonly T[]) => [...new Set(xs)];

/**
 * conditionsFromRows builds the API's object; `errors` has one entry per row
 * (undefined when the row is fine). A list row must pick something, an
 * attribute a key and, for the comparing operators, a value.
 */
export function conditionsFromRows(rows: readonly ConditionRow[]): { conditions: RoutingConditions; errors: (RowError | undefined)[] } {
  const c: RoutingConditions = {};
  const errors = rows.map((r): RowError | undefined => {
    switch (r.kind) {
      case 'channel':
        if (r.ids.length === 0) return 'pickOne';
        c.channel_ids = uniq([...(c.channel_ids ?? []), ...r.ids]);
        return;
      case 'channel_kind':
        if (r.kinds.length === 0) return 'pickOne';
        c.channel_kinds = uniq([...(c.channel_kinds ?? []), ...r.kinds]);
        return;
      case 'attribute': {
        const key = r.key.trim();
        if (!key) return 'keyRequired';
        const value = r.value.trim();
        if (opNeedsValue(r.op) && !value) return 'valueRequired';
        (c.attributes ??= []).push(opNeedsValue(r.op) ? { key, op: r.op, value } : { key, op: r.op });
        return;
      }
      case 'has_labels':
        if (r.ids.length === 0) return 'pickOne';
        c.has_label_ids = uniq([...(c.has_label_ids ?? []), ...r.ids]);
        return;
      case 'lacks_labels':
        if (r.ids.length === 0) return 'pickOne';
        c.lacks_label_ids = uniq([...(c.lacks_label_ids ?? []), ...r.ids]);
        return;
      case 'owner':
        if (r.ids.length === 0) return 'pickOne';
        c.owner_ids = uniq([...(c.owner_ids ?? []), ...r.ids]);
        return;
      case 'last_department':
        if (r.ids.length === 0) return 'pickOne';
        c.last_department_ids = uniq([...(c.last_department_ids ?? []), ...r.ids]);
        return;
      case 'has_owner':
        c.has_owner = r.value;
        return;
      case 'served_before':
        c.served_before = r.value;
        return;
      case 'business_hours':
        c.business_hours = r.value;
        return;
    }
  });
  return { conditions: c, errors };
}

/* ---------- the whole rule ---------- */

export interface RuleForm {
  name: string;
  enabled: boolean;
  rows: ConditionRow[];
  /** 'last' sends to the contact's previous department; otherwise a department id as text ('' while none is chosen). */
  target: 'department' | 'last';
  departmentId: string;
  /** '' leaves the conversation's priority alone. */
  priority: Priority | '';
  labelIds: number[];
  /** The bot that talks to the conversation in place of its department's own, as text ('' for the department's own). */
  botId: string;
}

export const emptyRuleForm: RuleForm = { name: '', enabled: true, rows: [], target: 'department', departmentId: '', priority: '', labelIds: [], botId: '' };

export function ruleForm(r: RoutingRule): RuleForm {
  return {
    name: r.name,
    enabled: r.enabled,
    rows: rowsFromConditions(r.conditions),
    target: r.actions.last_department ? 'last' : 'department',
    departmentId: r.actions.department_id ? String(r.actions.department_id) : '',
    priority: r.actions.priority ?? '',
    labelIds: [...(r.actions.label_ids ?? [])],
    botId: r.actions.bot_id ? String(r.actions.bot_id) : '',
  };
}

export interface RuleErrors {
  name?: 'required' | 'tooLong';
  department?: 'required';
  rows: (RowError | undefined)[];
}

export function hasRuleErrors(e: RuleErrors): boolean {
  return !!e.name || !!e.department || e.rows.some(Boolean);
}

/**
 * ruleBody validates the form and builds the request body. The same full body
 * serves create (POST) and change (PATCH): conditions and actions are sent
 * whole, so a removed condition goes away.
 */
export function ruleBody(f: RuleForm): { body?: Required<Pick<RoutingRuleInput, 'name' | 'enabled' | 'conditions' | 'actions'>>; errors: RuleErrors } {
  const name = f.name.trim();
  const { conditions, errors: rowErrors } = conditionsFromRows(f.rows);
  const errors: RuleErrors = { rows: rowErrors };
  if (!name) errors.name = 'required';
  else if ([...name].length > routingLimits.name) errors.name = 'tooLong';
  const actions: RoutingActions = {};
  if (f.target === 'last') actions.last_department = true;
  else if (/^\d+$/.test(f.departmentId) && Number(f.departmentId) > 0) actions.department_id = Number(f.departmentId);
  else errors.department = 'required';
  if (f.priority) actions.priority = f.priority;
  if (f.labelIds.length > 0) actions.label_ids = uniq(f.labelIds);
  if (/^\d+$/.test(f.botId) && Number(f.botId) > 0) actions.bot_id = Number(f.botId);
  if (hasRuleErrors(errors)) return { errors };
  return { body: { name, enabled: f.enabled, conditions, actions }, errors };
}

/** toggleId adds or removes one id of a multi-choice list, keeping the ids sorted. */
export function toggleId<T extends number | string>(ids: readonly T[], id: T, on: boolean): T[] {
  const set = new Set(ids);
  if (on) set.add(id);
  else set.delete(id);
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/* ---------- summary ---------- */

/** Names of the things a rule points at by id. A missing name was deleted or is not visible. */
export interface Names {
  channels: Map<number, string>;
  labels: Map<number, string>;
  users: Map<number, string>;
  departments: Map<number, string>;
  /** Bots by id; absent where the summary need not name them. */
  bots?: Map<number, string>;
}

/** A translator: i18next's t bound to the settings namespace (tests pass a fake). */
export type Tr = (key: string, params?: Record<string, unknown>) => string;

function named(ids: readonly number[], m: Map<number, string>, t: Tr): string {
  return ids.map((id) => m.get(id) ?? t('routing.unknown', { id })).join(', ');
}

/** conditionTexts is one short text per condition, in the menu's order. */
export function conditionTexts(c: RoutingConditions, names: Names, t: Tr): string[] {
  return rowsFromConditions(c).map((r) => {
    switch (r.kind) {
      case 'channel':
        return t('routing.sum.channel', { list: named(r.ids, names.channels, t) });
      case 'channel_kind':
        return t('routing.sum.channelKind', { list: r.kinds.map((k) => t(`routing.kinds.${k}`)).join(', ') });
      case 'attribute':
        return t(`routing.sum.attr.${r.op}`, { key: r.key, value: r.value });
      case 'has_labels':
        return t('routing.sum.hasLabels', { list: named(r.ids, names.labels, t) });
      case 'lacks_labels':
        return t('routing.sum.lacksLabels', { list: named(r.ids, names.labels, t) });
      case 'has_owner':
        return t(r.value ? 'routing.sum.hasOwner' : 'routing.sum.noOwner');
      case 'owner':
        return t('routing.sum.owner', { list: named(r.ids, names.users, t) });
      case 'served_before':
        return t(r.value ? 'routing.sum.servedBefore' : 'routing.sum.notServedBefore');
      case 'last_department':
        return t('routing.sum.lastDepartmentIn', { list: named(r.ids, names.departments, t) });
      case 'business_hours':
        return t(r.value === 'open' ? 'routing.sum.open' : 'routing.sum.closed');
    }
  });
}

/** actionText says where a matching conversation goes, and what else the rule sets. */
export function actionText(a: RoutingActions, names: Names, t: Tr): string {
  const parts = [a.last_department ? t('routing.sum.toLast') : a.department_id ? (names.departments.get(a.department_id) ?? t('routing.unknown', { id: a.department_id })) : '—'];
  if (a.priority) parts.push(t('routing.sum.priority', { priority: t(`routing.priorities.${a.priority}`) }));
  if (a.label_ids?.length) parts.push(t('routing.sum.labels', { list: named(a.label_ids, names.labels, t) }));
  if (a.bot_id) parts.push(t('routing.sum.bot', { name: names.bots?.get(a.bot_id) ?? t('routing.unknown', { id: a.bot_id }) }));
  return parts.join(' · ');
}

/** summary is the rule on one line: its conditions joined by "and", an arrow, and its actions. */
export function summary(r: Pick<RoutingRule, 'conditions' | 'actions'>, names: Names, t: Tr): string {
  const conds = conditionTexts(r.conditions, names, t);
  const when = conds.length === 0 ? t('routing.sum.always') : conds.join(` ${t('routing.sum.and')} `);
  return `${when} → ${actionText(r.actions, names, t)}`;
}

/** departmentGone tells whether the rule points at a department that no longer exists (the server skips it). */
export function departmentGone(r: Pick<RoutingRule, 'actions'>, departments: Map<number, string>): boolean {
  return !!r.actions.department_id && !departments.has(r.actions.department_id);
}

/* ---------- order ---------- */

/**
 * moveRule is the ids in their new order after moving the rule at `index` one
 * place up (-1) or down (+1), or null when it is already at that end.
 */
export function moveRule(ids: readonly number[], index: number, dir: -1 | 1): number[] | null {
  const to = index + dir;
  if (index < 0 || index >= ids.length || to < 0 || to >= ids.length) return null;
  const next = [...ids];
  [next[index], next[to]] = [next[to], next[index]];
  return next;
}

/** reorderLocal puts the rules in the order of `ids` and renumbers their positions, as the server will. */
export function reorderLocal(rules: readonly RoutingRule[], ids: readonly number[]): RoutingRule[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  return ids.flatMap((id, i) => {
    const r = byId.get(id);
    return r ? [{ ...r, position: i + 1 }] : [];
  });
}

/** sortRules puts rules in evaluation order (the list arrives in it; this guards a cache edited by hand). */
export function sortRules(rules: readonly RoutingRule[]): RoutingRule[] {
  return [...rules].sort((a, b) => a.position - b.position || a.id - b.id);
}
