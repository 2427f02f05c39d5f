// Pure helpers of the automation rules settings (/api/v1/automation-rules):
// the rule form (event, condition rows, action rows), its mapping to and from
// the API, and the one-line summary of a rule. The server validates again and
// names a bad key; this only catches what a form can. No React here.
import type { Schemas } from '../../api/client';

export type AutomationRule = Schemas['AutomationRule'];
export type AutomationRuleInput = Schemas['AutomationRuleInput'];
export type AutomationConditions = Schemas['AutomationConditions'];
export type AutomationAction = Schemas['AutomationAction'];
export type AutomationEvent = AutomationRule['event'];
export type ActionType = AutomationAction['type'];
export type Status = NonNullable<AutomationConditions['statuses']>[number];
export type Priority = NonNullable<AutomationConditions['priorities']>[number];
export type ChannelKind = NonNullable<AutomationConditions['channel_kinds']>[number];
export type Sender = NonNullable<AutomationConditions['message_from']>;
export type AttributeOp = Schemas['RoutingAttributeCondition']['op'];

export const events = ['conversation.created', 'conversation.updated', 'conversation.resolved', 'message.created', 'no_agent_reply', 'no_customer_reply', 'snoozed_too_long'] as const satisfies readonly AutomationEvent[];
export const timedEvents: readonly AutomationEvent[] = ['no_agent_reply', 'no_customer_reply', 'snoozed_too_long'];
export const statuses = ['bot', 'queued', 'open', 'snoozed', 'resolved'] as const satisfies readonly Status[];
export const priorities = ['none', 'low', 'medium', 'high', 'urgent'] as const satisfies readonly Priority[];
export const channelKinds = ['api', 'telegram', 'whatsapp', 'messenger', 'instagram', 'sms', 'widget', 'email'] as const satisfies readonly ChannelKind[];
export const senders = ['customer', 'agent', 'bot'] as const satisfies readonly Sender[];
export const attributeOps = ['equals', 'not_equals', 'contains', 'exists', 'not_exists'] as const satisfies readonly AttributeOp[];
export const actionTypes = ['assign_agent', 'assign_department', 'add_label', 'remove_label', 'send_message', 'add_note', 'set_priority', 'snooze', 'resolve', 'queue', 'send_webhook'] as const satisfies readonly ActionType[];

// When an OpenAPI enum gains a value, `tsc` fails here until the lists above name it too.
type Every<T, L extends readonly T[]> = [Exclude<T, L[number]>] extends [never] ? true : never;
const listed: [Every<AutomationEvent, typeof events>, Every<Status, typeof statuses>, Every<ActionType, typeof actionTypes>, Every<ChannelKind, typeof channelKinds>, Every<Sender, typeof senders>] = [
  true,
  true,
  true,
  true,
  true,
];
void listed;

/** Server limits (internal/automation/rules/rules.go). */
export const automationLimits = { name: 100, text: 4096, word: 200, key: 100, value: 500, minutes: 43200, actions: 20 };

/** eventKey is an event's translation key: i18next reads dots as nesting. */
export function eventKey(e: AutomationEvent): string {
  return e.replace('.', '_');
}

export function isTimed(e: AutomationEvent): boolean {
  return timedEvents.includes(e);
}

/* ---------- conditions ---------- */

export type ConditionRow =
  | { kind: 'status'; values: Status[] }
  | { kind: 'department'; ids: number[] }
  | { kind: 'assignee_state'; value: 'none' | 'any' }
  | { kind: 'assignee'; ids: number[] }
  | { kind: 'priority'; values: Priority[] }
  | { kind: 'channel_kind'; values: ChannelKind[] }
  | { kind: 'channel'; ids: number[] }
  | { kind: 'has_labels'; ids: number[] }
  | { kind: 'lacks_labels'; ids: number[] }
  | { kind: 'attribute'; key: string; op: AttributeOp; value: string }
  | { kind: 'message_from'; value: Sender }
  | { kind: 'message_contains'; words: string }
  | { kind: 'business_hours'; value: 'open' | 'closed' };

export type ConditionKind = ConditionRow['kind'];

export const conditionKinds: ConditionKind[] = ['status', 'department', 'assignee_state', 'assignee', 'priority', 'channel_kind', 'channel', 'has_labels', 'lacks_labels', 'attribute', 'message_from', 'message_contains', 'business_hours'];

const messageKinds: ConditionKind[] = ['message_from', 'message_contains'];

export function newRow(kind: ConditionKind): ConditionRow {
  switch (kind) {
    case 'status':
    case 'priority':
    case 'channel_kind':
      return { kind, values: [] };
    case 'department':
    case 'assignee':
    case 'channel':
    case 'has_labels':
    case 'lacks_labels':
      return { kind, ids: [] };
    case 'assignee_state':
      return { kind, value: 'none' };
    case 'attribute':
      return { kind, key: '', op: 'equals', value: '' };
    case 'message_from':
      return { kind, value: 'customer' };
    case 'message_contains':
      return { kind, words: '' };
    case 'business_hours':
      return { kind, value: 'open' };
  }
}

/** Kinds that may be added: attributes repeat, message conditions only for message.created. */
export function addableKinds(rows: readonly ConditionRow[], event: AutomationEvent): ConditionKind[] {
  const used = new Set(rows.map((r) => r.kind));
  return conditionKinds.filter((k) => (k === 'attribute' || !used.has(k)) && (event === 'message.created' || !messageKinds.includes(k)));
}

export function opNeedsValue(op: AttributeOp): boolean {
  return op === 'equals' || op === 'not_equals' || op === 'contains';
}

/** splitWords reads "cancelar, reembolso" as a list of words. */
export function splitWords(s: string): string[] {
  return [
    ...new Set(
      s
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean),
    ),
  ];
}

export function rowsFromConditions(c: AutomationConditions | undefined): ConditionRow[] {
  if (!c) return [];
  const rows: ConditionRow[] = [];
  if (c.statuses) rows.push({ kind: 'status', values: [...c.statuses] });
  if (c.department_ids) rows.push({ kind: 'department', ids: [...c.department_ids] });
  if (c.assignee) rows.push({ kind: 'assignee_state', value: c.assignee });
  if (c.assignee_ids) rows.push({ kind: 'assignee', ids: [...c.assignee_ids] });
  if (c.priorities) rows.push({ kind: 'priority', values: [...c.priorities] });
  if (c.channel_kinds) rows.push({ kind: 'channel_kind', values: [...c.channel_kinds] });
  if (c.channel_ids) rows.push({ kind: 'channel', ids: [...c.channel_ids] });
  if (c.has_label_ids) rows.push({ kind: 'has_labels', ids: [...c.has_label_ids] });
  if (c.lacks_label_ids) rows.push({ kind: 'lacks_labels', ids: [...c.lacks_label_ids] });
  for (const a of c.attributes ?? []) rows.push({ kind: 'attribute', key: a.key, op: a.op, value: a.value ?? '' });
  if (c.message_from) rows.push({ kind: 'message_from', value: c.message_from });
  if (c.message_contains) rows.push({ kind: 'message_contains', words: c.message_contains.join(', ') });
  if (c.business_hours) rows.push({ kind: 'business_hours', value: c.business_hours });
  return rows;
}

export type RowError = 'pickOne' | 'keyRequired' | 'valueRequired' | 'wordsRequired' | 'messageOnly' | 'contradicts';

const uniq = <T>(xs: readonly T[]) => [...new Set(xs)];

/** conditionsFromRows builds the API's object, with one error (or undefined) per row. */
export function conditionsFromRows(rows: readonly ConditionRow[], event: AutomationEvent): { conditions: AutomationConditions; errors: (RowError | undefined)[] } {
  const c: AutomationConditions = {};
  const errors = rows.map((r): RowError | undefined => {
    if (messageKinds.includes(r.kind) && event !== 'message.created') return 'messageOnly';
    switch (r.kind) {
      case 'status':
        if (r.values.length === 0) return 'pickOne';
        c.statuses = uniq([...(c.statuses ?? []), ...r.values]);
        return;
      case 'priority':
        if (r.values.length === 0) return 'pickOne';
        c.priorities = uniq([...(c.priorities ?? []), ...r.values]);
        return;
      case 'channel_kind':
        if (r.values.length === 0) return 'pickOne';
        c.channel_kinds = uniq([...(c.channel_kinds ?? []), ...r.values]);
        return;
      case 'department':
        if (r.ids.length === 0) return 'pickOne';
        c.department_ids = uniq([...(c.department_ids ?? []), ...r.ids]);
        return;
      case 'assignee':
        if (r.ids.length === 0) return 'pickOne';
        c.assignee_ids = uniq([...(c.assignee_ids ?? []), ...r.ids]);
        return;
      case 'channel':
        if (r.ids.length === 0) return 'pickOne';
        c.channel_ids = uniq([...(c.channel_ids ?? []), ...r.ids]);
        return;
      case 'has_labels':
        if (r.ids.length === 0) return 'pickOne';
        c.has_label_ids = uniq([...(c.has_label_ids ?? []), ...r.ids]);
        return;
      case 'lacks_labels':
        if (r.ids.length === 0) return 'pickOne';
        c.lacks_label_ids = uniq([...(c.lacks_label_ids ?? []), ...r.ids]);
        return;
      case 'assignee_state':
        c.assignee = r.value;
        return;
      case 'attribute': {
        const key = r.key.trim();
        if (!key) return 'keyRequired';
        const value = r.value.trim();
        if (opNeedsValue(r.op) && !value) return 'valueRequired';
        (c.attributes ??= []).push(opNeedsValue(r.op) ? { key, op: r.op, value } : { key, op: r.op });
        return;
      }
      case 'message_from':
        c.message_from = r.value;
        return;
      case 'message_contains': {
        const words = splitWords(r.words);
        if (words.length === 0) return 'wordsRequired';
        c.message_contains = words;
        return;
      }
      case 'business_hours':
        c.business_hours = r.value;
        return;
    }
  });
  // "nobody assigned" and "assigned to one of these" cannot both hold
  if (c.assignee === 'none' && c.assignee_ids) {
    const i = rows.findIndex((r) => r.kind === 'assignee');
    if (i >= 0) errors[i] = 'contradicts';
  }
  return { conditions: c, errors };
}

/* ---------- actions ---------- */

/** What an action type takes besides its type. */
export type ActionNeed = 'user' | 'department' | 'label' | 'webhook' | 'text' | 'priority' | 'minutes' | null;

export function actionNeed(type: ActionType): ActionNeed {
  switch (type) {
    case 'assign_agent':
      return 'user';
    case 'assign_department':
      return 'department';
    case 'add_label':
    case 'remove_label':
      return 'label';
    case 'send_webhook':
      return 'webhook';
    case 'send_message':
    case 'add_note':
      return 'text';
    case 'set_priority':
      return 'priority';
    case 'snooze':
      return 'minutes';
    case 'resolve':
    case 'queue':
      return null;
  }
}

/** One action row; ids and minutes are text while edited ('' while none is chosen). */
export interface ActionRow {
  type: ActionType;
  ref: string;
  text: string;
  priority: Priority;
  minutes: string;
}

export function newAction(type: ActionType): ActionRow {
  return { type, ref: '', text: '', priority: 'high', minutes: '60' };
}

export function actionRow(a: AutomationAction): ActionRow {
  const ref = a.user_id ?? a.department_id ?? a.label_id ?? a.webhook_id;
  return { type: a.type, ref: ref ? String(ref) : '', text: a.text ?? '', priority: a.priority ?? 'high', minutes: a.minutes ? String(a.minutes) : '60' };
}

export type ActionError = 'refRequired' | 'textRequired' | 'textTooLong' | 'minutes';

const positive = (s: string) => (/^\d+$/.test(s.trim()) && Number(s) > 0 ? Number(s) : 0);

export function actionsFromRows(rows: readonly ActionRow[]): { actions: AutomationAction[]; errors: (ActionError | undefined)[] } {
  const actions: AutomationAction[] = [];
  const errors = rows.map((r): ActionError | undefined => {
    const a: AutomationAction = { type: r.type };
    switch (actionNeed(r.type)) {
      case 'user':
      case 'department':
      case 'label':
      case 'webhook': {
        const id = positive(r.ref);
        if (!id) return 'refRequired';
        const field = { user: 'user_id', department: 'department_id', label: 'label_id', webhook: 'webhook_id' } as const;
        a[field[actionNeed(r.type) as 'user' | 'department' | 'label' | 'webhook']] = id;
        break;
      }
      case 'text':
        if (!r.text.trim()) return 'textRequired';
        if ([...r.text].length > automationLimits.text) return 'textTooLong';
        a.text = r.text;
        break;
      case 'priority':
        a.priority = r.priority;
        break;
      case 'minutes': {
        const m = positive(r.minutes);
        if (!m || m > automationLimits.minutes) return 'minutes';
        a.minutes = m;
        break;
      }
      case null:
        break;
    }
    actions.push(a);
  });
  return { actions, errors };
}

/* ---------- the whole rule ---------- */

export interface RuleForm {
  name: string;
  enabled: boolean;
  event: AutomationEvent;
  /** the delay of a time-based event, as text */
  minutes: string;
  rows: ConditionRow[];
  actions: ActionRow[];
}

export const emptyRuleForm: RuleForm = { name: '', enabled: true, event: 'conversation.created', minutes: '30', rows: [], actions: [] };

export function ruleForm(r: AutomationRule): RuleForm {
  return {
    name: r.name,
    enabled: r.enabled,
    event: r.event,
    minutes: r.minutes ? String(r.minutes) : '30',
    rows: rowsFromConditions(r.conditions),
    actions: r.actions.map(actionRow),
  };
}

export interface RuleErrors {
  name?: 'required' | 'tooLong';
  minutes?: 'minutes';
  actions?: 'noActions' | 'tooMany';
  rows: (RowError | undefined)[];
  actionRows: (ActionError | undefined)[];
}

export function hasRuleErrors(e: RuleErrors): boolean {
  return !!e.name || !!e.minutes || !!e.actions || e.rows.some(Boolean) || e.actionRows.some(Boolean);
}

/** ruleBody validates the form and builds the full body that serves both create and change. */
export function ruleBody(f: RuleForm): { body?: Required<Pick<AutomationRuleInput, 'name' | 'enabled' | 'event' | 'minutes' | 'conditions' | 'actions'>>; errors: RuleErrors } {
  const name = f.name.trim();
  const { conditions, errors: rows } = conditionsFromRows(f.rows, f.event);
  const { actions, errors: actionRows } = actionsFromRows(f.actions);
  const errors: RuleErrors = { rows, actionRows };
  if (!name) errors.name = 'required';
  else if ([...name].length > automationLimits.name) errors.name = 'tooLong';
  let minutes = 0;
  if (isTimed(f.event)) {
    minutes = positive(f.minutes);
    if (!minutes || minutes > automationLimits.minutes) errors.minutes = 'minutes';
  }
  if (f.actions.length === 0) errors.actions = 'noActions';
  else if (f.actions.length > automationLimits.actions) errors.actions = 'tooMany';
  if (hasRuleErrors(errors)) return { errors };
  return { body: { name, enabled: f.enabled, event: f.event, minutes, conditions, actions }, errors };
}

export function toggleValue<T extends number | string>(xs: readonly T[], x: T, on: boolean): T[] {
  const set = new Set(xs);
  if (on) set.add(x);
  else set.delete(x);
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/* ---------- summary ---------- */

export interface Names {
  channels: Map<number, string>;
  labels: Map<number, string>;
  users: Map<number, string>;
  departments: Map<number, string>;
  webhooks: Map<number, string>;
}

/** A translator: i18next's t bound to the automation namespace (tests pass a fake). */
export type Tr = (key: string, params?: Record<string, unknown>) => string;

function named(ids: readonly number[], m: Map<number, string>, t: Tr): string {
  return ids.map((id) => m.get(id) ?? t('unknown', { id })).join(', ');
}

/** eventText says when the rule runs: "When a message arrives", "After 30 min without an answer". */
export function eventText(r: Pick<AutomationRule, 'event' | 'minutes'>, t: Tr): string {
  return t(`sum.event.${eventKey(r.event)}`, { n: r.minutes });
}

export function conditionTexts(c: AutomationConditions, names: Names, t: Tr): string[] {
  return rowsFromConditions(c).map((r) => {
    switch (r.kind) {
      case 'status':
        return t('sum.status', { list: r.values.map((v) => t(`statuses.${v}`)).join(', ') });
      case 'priority':
        return t('sum.priority', { list: r.values.map((v) => t(`priorities.${v}`)).join(', ') });
      case 'channel_kind':
        return t('sum.channelKind', { list: r.values.map((v) => t(`kinds.${v}`)).join(', ') });
      case 'department':
        return t('sum.department', { list: named(r.ids, names.departments, t) });
      case 'assignee':
        return t('sum.assignee', { list: named(r.ids, names.users, t) });
      case 'assignee_state':
        return t(r.value === 'none' ? 'sum.unassigned' : 'sum.assigned');
      case 'channel':
        return t('sum.channel', { list: named(r.ids, names.channels, t) });
      case 'has_labels':
        return t('sum.hasLabels', { list: named(r.ids, names.labels, t) });
      case 'lacks_labels':
        return t('sum.lacksLabels', { list: named(r.ids, names.labels, t) });
      case 'attribute':
        return t(`sum.attr.${r.op}`, { key: r.key, value: r.value });
      case 'message_from':
        return t('sum.from', { who: t(`from.${r.value}`) });
      case 'message_contains':
        return t('sum.contains', { list: splitWords(r.words).join(', ') });
      case 'business_hours':
        return t(r.value === 'open' ? 'sum.open' : 'sum.closed');
    }
  });
}

export function actionTextOf(a: AutomationAction, names: Names, t: Tr): string {
  switch (a.type) {
    case 'assign_agent':
      return t('sum.act.assign_agent', { name: named([a.user_id ?? 0], names.users, t) });
    case 'assign_department':
      return t('sum.act.assign_department', { name: named([a.department_id ?? 0], names.departments, t) });
    case 'add_label':
    case 'remove_label':
      return t(`sum.act.${a.type}`, { name: named([a.label_id ?? 0], names.labels, t) });
    case 'send_webhook':
      return t('sum.act.send_webhook', { name: named([a.webhook_id ?? 0], names.webhooks, t) });
    case 'set_priority':
      return t('sum.act.set_priority', { priority: t(`priorities.${a.priority ?? 'none'}`) });
    case 'snooze':
      return t('sum.act.snooze', { n: a.minutes ?? 0 });
    default:
      return t(`sum.act.${a.type}`);
  }
}

/** summary is the rule on one line: when, if which conditions, → what it does. */
export function summary(r: Pick<AutomationRule, 'event' | 'minutes' | 'conditions' | 'actions'>, names: Names, t: Tr): string {
  const conds = conditionTexts(r.conditions, names, t);
  const when = eventText(r, t) + (conds.length ? `, ${t('sum.if')} ${conds.join(` ${t('sum.and')} `)}` : '');
  return `${when} → ${r.actions.map((a) => actionTextOf(a, names, t)).join(' · ')}`;
}
