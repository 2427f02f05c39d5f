// Pure state of the bot test panel: a pretend conversation with the draft
// flow through POST /api/v1/bots/{id}/test. The server keeps nothing, so the
// panel carries the bot's place (state), the pretend contact's attributes
// and labels from one turn to the next. A reducer, the request of a turn and
// the sentence of each non-text action ("salvou cpf = …"). No React here.
import type { Schemas } from '../../api/client';
import type { BotFlow } from './botFlowLogic';

export type BotTestRequest = Schemas['BotTestRequest'];
export type BotTestResult = Schemas['BotTestResult'];
export type BotTestAction = Schemas['BotTestAction'];

export type TestEntry =
  | { id: number; kind: 'customer'; text: string }
  | { id: number; kind: 'bot'; text: string; choices?: string[]; step: string }
  | { id: number; kind: 'action'; action: BotTestAction }
  | { id: number; kind: 'error'; text: string };

export interface TestState {
  entries: TestEntry[];
  /** Where the bot waits; null before the first turn (the next request starts the flow). */
  state: { step: string; retries: number } | null;
  attributes: Record<string, unknown>;
  labelIds: number[];
  /** The flow ended (transfer, handoff, resolve): only Restart goes on. */
  done: boolean;
  /** A request is on its way. */
  busy: boolean;
  /** Within business hours, for conditions that look at them. */
  open: boolean;
  nextId: number;
}

export type TestEvent =
  | { type: 'send'; input: string }
  | { type: 'start' }
  | { type: 'result'; result: BotTestResult }
  | { type: 'failed'; message: string }
  | { type: 'restart' }
  | { type: 'setOpen'; open: boolean };

export const initialTest: TestState = { entries: [], state: null, attributes: {}, labelIds: [], done: false, busy: false, open: true, nextId: 1 };

export function testReducer(s: TestState, e: TestEvent): TestState {
  switch (e.type) {
    case 'start':
      return { ...s, busy: true };
    case 'send':
      return { ...s, busy: true, entries: [...s.entries, { id: s.nextId, kind: 'customer', text: e.input }], nextId: s.nextId + 1 };
    case 'result': {
      let id = s.nextId;
      const entries: TestEntry[] = (e.result.actions ?? []).map((a) => {
        if (a.kind === 'send') {
          const bot: TestEntry = { id: id++, kind: 'bot', text: a.text ?? '', step: a.step };
          if (a.choices && a.choices.length > 0) bot.choices = [...a.choices];
          return bot;
        }
        return { id: id++, kind: 'action', action: a };
      });
      return {
        ...s,
        busy: false,
        entries: [...s.entries, ...entries],
        state: e.result.done ? null : { step: e.result.state.step, retries: e.result.state.retries },
        attributes: { ...(e.result.attributes ?? {}) },
        labelIds: [...(e.result.label_ids ?? [])],
        done: e.result.done,
        nextId: id,
      };
    }
    case 'failed':
      return { ...s, busy: false, entries: [...s.entries, { id: s.nextId, kind: 'error', text: e.message }], nextId: s.nextId + 1 };
    case 'restart':
      // a new pretend conversation: the business-hours switch stays as set
      return { ...initialTest, open: s.open };
    case 'setOpen':
      return { ...s, open: e.open };
  }
}

/**
 * testRequest is the body of the next turn: the draft flow (unsaved edits
 * included), where the bot waits and the contact so far. Without a state it
 * starts the flow and sends no input.
 */
export function testRequest(s: TestState, flow: BotFlow, input?: string, contactName = 'Cliente Teste'): BotTestRequest {
  const req: BotTestRequest = {
    flow,
    contact: { name: contactName, attributes: { ...s.attributes }, label_ids: [...s.labelIds] },
    open: s.open,
  };
  if (s.state) {
    req.state = { ...s.state };
    req.input = input ?? '';
  }
  return req;
}

/** canSend tells whether the customer may answer now: the flow started, waits and nothing is on its way. */
export function canSend(s: TestState): boolean {
  return !s.done && !s.busy && s.state !== null;
}

/** activeChoices is the id of the last bot menu, whose choices are clickable while the bot waits on it. */
export function activeChoices(s: TestState): number | null {
  if (!canSend(s)) return null;
  for (let i = s.entries.length - 1; i >= 0; i--) {
    const e = s.entries[i];
    if (e.kind === 'customer') return null;
    if (e.kind === 'bot' && e.choices) return e.id;
  }
  return null;
}

/** Names for the ids an action carries. */
export interface ActionLookup {
  department: (id: number) => string | undefined;
  label: (id: number) => string | undefined;
}

/** valueText shows an attribute value the way the customer wrote it, normalised by the validator. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** actionSentence is the i18n key (under `bots.test.act.`) and values of a non-send action. */
export function actionSentence(a: BotTestAction, look: ActionLookup): { key: string; values: Record<string, string> } {
  const dept = (id: number) => look.department(id) ?? `#${id}`;
  switch (a.kind) {
    case 'set_attribute':
      return { key: 'setAttribute', values: { attribute: a.attribute ?? '', value: valueText(a.value) } };
    case 'add_labels':
      return { key: 'addLabels', values: { labels: (a.label_ids ?? []).map((id) => look.label(id) ?? `#${id}`).join(', ') } };
    case 'transfer':
      return { key: 'transfer', values: { department: a.department_id ? dept(a.department_id) : '' } };
    case 'handoff':
      return a.department_id ? { key: 'handoffTo', values: { department: dept(a.department_id) } } : { key: 'handoff', values: {} };
    case 'resolve':
      return { key: 'resolve', values: {} };
    case 'send':
      return { key: 'send', values: { text: a.text ?? '' } };
  }
}
