import { describe, expect, it } from 'vitest';
import { eventSentence, type EventLookup, type Sentence, type TimelineEvent } from './events';

const users: Record<number, string> = { 1: 'Ana', 3: 'Bruno' };
const look: EventLookup = {
  user: (id) => users[id],
  department: (id) => ({ 1: 'Vendas', 2: 'Financeiro' })[id],
  label: (id) => ({ 1: 'VIP' })[id],
  reason: (id) => ({ 2: 'Venda realizada' })[id],
  time: (ms) => `T${ms}`,
  priority: (p) => p.toUpperCase(),
};

const ana = { actor_type: 'user', actor_id: 1 } as const;
const sys = { actor_type: 'system' } as const;

describe('eventSentence', () => {
  const cases: [string, TimelineEvent, Sentence][] = [
    ['created in a department', { type: 'created', ...sys, to: 'queued', department_id: 1 }, { key: 'created.department', values: { department: 'Vendas' } }],
    ['created', { type: 'created', ...sys, to: 'bot' }, { key: 'created.plain', values: {} }],
    ['assigned by someone', { type: 'assigned', ...ana, assignee_id: 3 }, { key: 'assigned.by', values: { actor: 'Ana', assignee: 'Bruno' } }],
    ['took it', { type: 'assigned', actor_type: 'user', actor_id: 3, assignee_id: 3 }, { key: 'assigned.self', values: { assignee: 'Bruno' } }],
    ['assigned automatically', { type: 'assigned', ...sys, assignee_id: 3 }, { key: 'assigned.auto', values: { assignee: 'Bruno' } }],
    ['assigned to a deleted user', { type: 'assigned', ...ana, assignee_id: 99 }, { key: 'assigned.by', values: { actor: 'Ana', assignee: '#99' } }],
    ['unknown actor', { type: 'assigned', actor_type: 'user', actor_id: 77, assignee_id: 3 }, { key: 'assigned.auto', values: { assignee: 'Bruno' } }],
    ['transferred', { type: 'transferred', ...ana, department_id: 2 }, { key: 'transferred.by', values: { actor: 'Ana', department: 'Financeiro' } }],
    ['transferred (system)', { type: 'transferred', ...sys, department_id: 2 }, { key: 'transferred.auto', values: { department: 'Financeiro' } }],
    ['transferred to an agent', { type: 'transferred', ...ana, department_id: 1, assignee_id: 3 }, { key: 'transferredTo.by', values: { actor: 'Ana', department: 'Vendas', assignee: 'Bruno' } }],
    ['returned', { type: 'returned', ...ana }, { key: 'returned.by', values: { actor: 'Ana' } }],
    ['rated', { type: 'rated', actor_type: 'contact', actor_id: 9, to: '4' }, { key: 'rated.plain', values: { score: '4', stars: '★★★★☆', comment: '' } }],
    ['rated with a comment', { type: 'rated', actor_type: 'contact', to: '5', detail: 'Ótimo' }, { key: 'rated.comment', values: { score: '5', stars: '★★★★★', comment: 'Ótimo' } }],
    ['rated out of range', { type: 'rated', actor_type: 'contact', to: '9' }, { key: 'rated.plain', values: { score: '5', stars: '★★★★★', comment: '' } }],
    ['snoozed', { type: 'snoozed', ...ana, until: 5 }, { key: 'snoozed.by', values: { actor: 'Ana', until: 'T5' } }],
    ['woke by unsnooze', { type: 'woke', ...sys, detail: 'unsnoozed' }, { key: 'woke.unsnoozed', values: {} }],
    ['woke by timer', { type: 'woke', ...sys, detail: 'timer' }, { key: 'woke.timer', values: {} }],
    ['woke by customer', { type: 'woke', ...sys, detail: 'customer_message' }, { key: 'woke.customer', values: {} }],
    ['woke otherwise', { type: 'woke', ...sys }, { key: 'woke.other', values: {} }],
    ['resolved', { type: 'resolved', ...ana }, { key: 'resolved.by', values: { actor: 'Ana' } }],
    ['resolved with a reason', { type: 'resolved', ...ana, closing_reason_id: 2 }, { key: 'resolvedReason.by', values: { actor: 'Ana', reason: 'Venda realizada' } }],
    ['resolved by the system', { type: 'resolved', ...sys }, { key: 'resolved.auto', values: {} }],
    ['reopened by the customer', { type: 'reopened', actor_type: 'contact' }, { key: 'reopened.customer', values: {} }],
    ['reopened', { type: 'reopened', ...ana }, { key: 'reopened.by', values: { actor: 'Ana' } }],
    ['priority', { type: 'priority_changed', ...ana, from: 'none', to: 'high' }, { key: 'priority.by', values: { actor: 'Ana', priority: 'HIGH' } }],
    ['priority cleared', { type: 'priority_changed', ...ana, from: 'high', to: 'none' }, { key: 'priorityCleared.by', values: { actor: 'Ana' } }],
    ['label added', { type: 'label_added', ...ana, detail: '1' }, { key: 'labelAdded.by', values: { actor: 'Ana', label: 'VIP' } }],
    ['label removed (deleted label)', { type: 'label_removed', ...ana, detail: '9' }, { key: 'labelRemoved.by', values: { actor: 'Ana', label: '#9' } }],
    ['bot action', { type: 'label_added', actor_type: 'bot', detail: '1' }, { key: 'labelAdded.auto', values: { label: 'VIP' } }],
    ['routed by a rule', { type: 'routed', ...sys, department_id: 2, detail: '3:VIP: clientes' }, { key: 'routed', values: { department: 'Financeiro', rule: '3 · VIP: clientes' } }],
    ['an automation rule applied', { type: 'rule_applied', ...sys, detail: 'rule:7:Espera longa: urgente' }, { key: 'ruleApplied', values: { rule: 'Espera longa: urgente' } }],
    ['routed to a deleted department', { type: 'routed', ...sys, department_id: 9, detail: '1:' }, { key: 'routed', values: { department: '#9', rule: '1' } }],
    ['bot started', { type: 'bot_started', actor_type: 'bot', actor_id: 4, from: 'queued', to: 'bot', detail: 'Becon' }, { key: 'botStarted', values: { bot: 'Becon' } }],
    ['bot started without a name', { type: 'bot_started', actor_type: 'bot', actor_id: 4 }, { key: 'botStarted', values: { bot: '#4' } }],
    ['bot handed to the queue', { type: 'handoff', actor_type: 'bot', actor_id: 4, from: 'bot', to: 'queued', detail: 'Becon' }, { key: 'handoff.bot', values: { bot: 'Becon' } }],
    ['bot handed to another queue', { type: 'handoff', actor_type: 'bot', actor_id: 4, to: 'queued', department_id: 2, detail: 'Becon' }, { key: 'handoff.botDepartment', values: { bot: 'Becon', department: 'Financeiro' } }],
    ['bot handed back to the assignee', { type: 'handoff', actor_type: 'bot', actor_id: 4, to: 'open', detail: 'Becon' }, { key: 'handoff.botAssignee', values: { bot: 'Becon' } }],
    ['a person took over from the bot', { type: 'handoff', ...ana, from: 'bot', to: 'queued' }, { key: 'handoff.by', values: { actor: 'Ana' } }],
    ['handoff without a known person', { type: 'handoff', actor_type: 'user', actor_id: 77, to: 'queued' }, { key: 'handoff.auto', values: {} }],
    ['bot transferred', { type: 'transferred', actor_type: 'bot', actor_id: 4, department_id: 2, detail: 'Becon' }, { key: 'transferred.bot', values: { bot: 'Becon', department: 'Financeiro' } }],
    ['bot resolved', { type: 'resolved', actor_type: 'bot', actor_id: 4, from: 'bot', to: 'resolved', detail: 'Becon' }, { key: 'resolved.bot', values: { bot: 'Becon' } }],
    ['unknown type', { type: 'sla_breached', ...sys }, { key: 'other', values: { type: 'sla_breached' } }],
  ];
  it.each(cases)('%s', (_, e, want) => {
    expect(eventSentence(e, look)).toEqual(want);
  });
});
