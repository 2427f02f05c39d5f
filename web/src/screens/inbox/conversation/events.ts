// System events of the timeline (kind "event") become one translated
// sentence: "Ana assigned this to Bruno", "Transferred to Financeiro"...
// eventSentence picks the i18n key (under `event.`) and its values; the
// component translates. Event types come from internal/conversation.

export interface TimelineEvent {
  type: string;
  actor_type: 'contact' | 'user' | 'bot' | 'system';
  actor_id?: number;
  from?: string;
  to?: string;
  department_id?: number;
  assignee_id?: number;
  until?: number;
  closing_reason_id?: number;
  detail?: string;
}

export interface EventLookup {
  user: (id: number) => string | undefined;
  department: (id: number) => string | undefined;
  label: (id: number) => string | undefined;
  reason: (id: number) => string | undefined;
  time: (ms: number) => string;
  priority: (p: string) => string;
}

export interface Sentence {
  key: string;
  values: Record<string, string>;
}

/** by picks `<base>.by` when a named person acted, `<base>.auto` otherwise. */
function by(base: string, actor: string | undefined, values: Record<string, string> = {}): Sentence {
  return actor ? { key: `${base}.by`, values: { actor, ...values } } : { key: `${base}.auto`, values };
}

export function eventSentence(e: TimelineEvent, look: EventLookup): Sentence {
  const actor = e.actor_type === 'user' && e.actor_id ? look.user(e.actor_id) : undefined;
  const name = (id: number | undefined, f: (id: number) => string | undefined) => (id ? f(id) ?? `#${id}` : '');
  // a bot's events carry its name in detail (internal/conversation/bot.go): the bot may have been renamed or deleted since
  const bot = e.actor_type === 'bot' ? e.detail || (e.actor_id ? `#${e.actor_id}` : '') : '';
  switch (e.type) {
    case 'bot_started':
      return { key: 'botStarted', values: { bot: e.detail || (e.actor_id ? `#${e.actor_id}` : '') } };
    case 'handoff': {
      if (e.actor_type === 'bot') {
        if (e.department_id) return { key: 'handoff.botDepartment', values: { bot, department: name(e.department_id, look.department) } };
        return { key: e.to === 'open' ? 'handoff.botAssignee' : 'handoff.bot', values: { bot } };
      }
      return by('handoff', actor);
    }
    case 'created':
      return e.department_id ? { key: 'created.department', values: { department: name(e.department_id, look.department) } } : { key: 'created.plain', values: {} };
    case 'assigned': {
      const assignee = name(e.assignee_id, look.user);
      if (e.actor_type === 'user' && e.actor_id && e.actor_id === e.assignee_id) return { key: 'assigned.self', values: { assignee } };
      return by('assigned', actor, { assignee });
    }
    case 'transferred': {
      const department = name(e.department_id, look.department);
      if (e.actor_type === 'bot') return { key: 'transferred.bot', values: { bot, department } };
      if (e.assignee_id) return by('transferredTo', actor, { department, assignee: name(e.assignee_id, look.user) });
      return by('transferred', actor, { department });
    }
    case 'returned':
      return by('returned', actor);
    case 'snoozed':
      return by('snoozed', actor, { until: e.until ? look.time(e.until) : '' });
    case 'woke':
      switch (e.detail) {
        case 'unsnoozed':
          return { key: 'woke.unsnoozed', values: {} };
        case 'timer':
          return { key: 'woke.timer', values: {} };
        case 'customer_message':
          return { key: 'woke.customer', values: {} };
        default:
          return { key: 'woke.other', values: {} };
      }
    case 'resolved':
      if (e.actor_type === 'bot') return { key: 'resolved.bot', values: { bot } };
      if (e.closing_reason_id) return by('resolvedReason', actor, { reason: name(e.closing_reason_id, look.reason) });
      return by('resolved', actor);
    case 'reopened':
      if (e.actor_type === 'contact') return { key: 'reopened.customer', values: {} };
      return by('reopened', actor);
    case 'priority_changed':
      if (!e.to || e.to === 'none') return by('priorityCleared', actor);
      return by('priority', actor, { priority: look.priority(e.to) });
    case 'label_added':
    case 'label_removed': {
      const id = Number(e.detail);
      const label = id > 0 ? look.label(id) ?? `#${id}` : e.detail ?? '';
      return by(e.type === 'label_added' ? 'labelAdded' : 'labelRemoved', actor, { label });
    }
    case 'routed': {
      // detail is "<rule position>:<rule name>" (internal/conversation/routing.go)
      const [position, ...rest] = (e.detail ?? '').split(':');
      const ruleName = rest.join(':');
      const rule = ruleName ? `${position} · ${ruleName}` : position;
      return { key: 'routed', values: { department: name(e.department_id, look.department), rule } };
    }
    case 'rule_applied': {
      // detail is "rule:<id>:<name>" (internal/conversation/rules.go)
      const ruleName = (e.detail ?? '').split(':').slice(2).join(':');
      return { key: 'ruleApplied', values: { rule: ruleName || e.detail || '' } };
    }
    case 'rated': {
      const stars = Math.max(0, Math.min(5, Number(e.to) || 0));
      const values = { score: String(stars), stars: '★'.repeat(stars) + '☆'.repeat(5 - stars), comment: e.detail ?? '' };
      return { key: e.detail ? 'rated.comment' : 'rated.plain', values };
    }
    default:
      return { key: 'other', values: { type: e.type } };
  }
}
