// Pure helpers of the bot flow editor (/api/v1/bots, DESIGN M6): the editor's
// draft of a flow (every step keeps every field, so switching a step's type
// back and forth loses nothing), its mapping to and from the API's BotFlow
// (serialising only the fields each type uses — the server refuses the
// others), the checks the server makes (internal/automation/bot/bot.go),
// renaming a step with its references, and the starter flow. The server
// validates again and its 422 message is shown as well. No React here.
import type { Schemas } from '../../api/client';

export type Bot = Schemas['Bot'];
export type BotFlow = Schemas['BotFlow'];
export type BotStep = Schemas['BotStep'];
export type StepType = BotStep['type'];
export type Validator = NonNullable<BotStep['validate']>;
export type AttributeCondition = Schemas['RoutingAttributeCondition'];
export type AttributeOp = AttributeCondition['op'];

export const stepTypes = ['message', 'menu', 'ask', 'condition', 'label', 'transfer', 'handoff', 'resolve'] as const satisfies readonly StepType[];
export const validators = ['text', 'email', 'cpf', 'cnpj', 'cpf_cnpj', 'phone', 'date', 'number'] as const satisfies readonly Validator[];
export const attributeOps = ['equals', 'not_equals', 'contains', 'exists', 'not_exists'] as const satisfies readonly AttributeOp[];

// When an OpenAPI enum gains a value, `tsc` fails here until the lists above name it too.
type Every<T, L extends readonly T[]> = [Exclude<T, L[number]>] extends [never] ? true : never;
const listed: [Every<StepType, typeof stepTypes>, Every<Validator, typeof validators>, Every<AttributeOp, typeof attributeOps>] = [true, true, true];
void listed;

/** Server limits (internal/automation/bot/bot.go, BotInput.name). */
export const botLimits = { name: 80, steps: 200, id: 40, text: 4096, options: 10, label: 60, keywords: 20, retries: 10, branches: 20, attrKey: 64, value: 500, defaultRetries: 2 };

/* ---------- the draft ---------- */

export interface DraftOption {
  label: string;
  /** Keywords as typed: separated by commas. */
  keywords: string;
  next: string;
}

export interface DraftAttr {
  key: string;
  op: AttributeOp;
  value: string;
}

export interface DraftBranch {
  attributes: DraftAttr[];
  hasLabelIds: number[];
  lacksLabelIds: number[];
  /** '' when the branch does not look at business hours. */
  hours: '' | 'open' | 'closed';
  next: string;
}

export interface DraftStep {
  id: string;
  type: StepType;
  text: string;
  next: string;
  options: DraftOption[];
  invalidText: string;
  /** 0 uses the server's default (2). */
  maxRetries: number;
  onFail: string;
  attribute: string;
  validate: Validator;
  branches: DraftBranch[];
  else: string;
  labelIds: number[];
  /** 0: none (transfer requires one; handoff stays in the current department). */
  departmentId: number;
}

export interface Draft {
  start: string;
  steps: DraftStep[];
}

export function emptyStep(id: string, type: StepType): DraftStep {
  const s: DraftStep = {
    id,
    type,
    text: '',
    next: '',
    options: [],
    invalidText: '',
    maxRetries: 0,
    onFail: '',
    attribute: '',
    validate: 'text',
    branches: [],
    else: '',
    labelIds: [],
    departmentId: 0,
  };
  return withTypeDefaults(s);
}

export function emptyBranch(): DraftBranch {
  return { attributes: [], hasLabelIds: [], lacksLabelIds: [], hours: '', next: '' };
}

export function emptyOption(): DraftOption {
  return { label: '', keywords: '', next: '' };
}

/** withTypeDefaults gives a menu its first option and a condition its first branch, so the form has a row to fill. */
function withTypeDefaults(s: DraftStep): DraftStep {
  if (s.type === 'menu' && s.options.length === 0) return { ...s, options: [emptyOption()] };
  if (s.type === 'condition' && s.branches.length === 0) return { ...s, branches: [emptyBranch()] };
  return s;
}

/** setStepType changes a step's type, keeping what was typed in the other fields (only the new type's fields are saved). */
export function setStepType(d: Draft, index: number, type: StepType): Draft {
  return { ...d, steps: d.steps.map((s, i) => (i === index ? withTypeDefaults({ ...s, type }) : s)) };
}

export function draftFromFlow(f: BotFlow | undefined): Draft {
  if (!f) return { start: '', steps: [] };
  return {
    start: f.start,
    steps: f.steps.map((s) => ({
      id: s.id,
      type: s.type,
      text: s.text ?? '',
      next: s.next ?? '',
      options: (s.options ?? []).map((o) => ({ label: o.label, keywords: (o.keywords ?? []).join(', '), next: o.next })),
      invalidText: s.invalid_text ?? '',
      maxRetries: s.max_retries ?? 0,
      onFail: s.on_fail ?? '',
      attribute: s.attribute ?? '',
      validate: s.validate ?? 'text',
      branches: (s.branches ?? []).map((b) => ({
        attributes: (b.when.attributes ?? []).map((a) => ({ key: a.key, op: a.op, value: a.value ?? '' })),
        hasLabelIds: [...(b.when.has_label_ids ?? [])],
        lacksLabelIds: [...(b.when.lacks_label_ids ?? [])],
        hours: b.when.business_hours ?? '',
        next: b.next,
      })),
      else: s.else ?? '',
      labelIds: [...(s.label_ids ?? [])],
      departmentId: s.department_id ?? 0,
    })),
  };
}

/** splitKeywords reads the comma-separated keywords of an option, dropping blanks and repeats. */
export function splitKeywords(s: string): string[] {
  const out: string[] = [];
  for (const k of s.split(',')) {
    const w = k.trim();
    if (w && !out.includes(w)) out.push(w);
  }
  return out;
}

export function opNeedsValue(op: AttributeOp): boolean {
  return op === 'equals' || op === 'not_equals' || op === 'contains';
}

/** Which fields each step type uses: the server refuses a step carrying any other. */
export const stepFields: Record<StepType, readonly string[]> = {
  message: ['text', 'next'],
  menu: ['text', 'options', 'invalid_text', 'max_retries', 'on_fail'],
  ask: ['text', 'next', 'invalid_text', 'max_retries', 'on_fail', 'attribute', 'validate'],
  condition: ['branches', 'else'],
  label: ['label_ids', 'next'],
  transfer: ['text', 'department_id'],
  handoff: ['text', 'department_id'],
  resolve: ['text'],
};

/** stepFromDraft serialises one step with only the fields its type uses, and leaves empty ones out. */
export function stepFromDraft(s: DraftStep): BotStep {
  const out: BotStep = { id: s.id, type: s.type };
  const uses = new Set(stepFields[s.type]);
  if (uses.has('text') && s.text.trim()) out.text = s.text;
  if (uses.has('next') && s.next) out.next = s.next;
  if (uses.has('options'))
    out.options = s.options.map((o) => {
      const kw = splitKeywords(o.keywords);
      return kw.length > 0 ? { label: o.label.trim(), keywords: kw, next: o.next } : { label: o.label.trim(), next: o.next };
    });
  if (uses.has('invalid_text') && s.invalidText.trim()) out.invalid_text = s.invalidText;
  if (uses.has('max_retries') && s.maxRetries) out.max_retries = s.maxRetries;
  if (uses.has('on_fail') && s.onFail) out.on_fail = s.onFail;
  if (uses.has('attribute')) out.attribute = s.attribute.trim();
  if (uses.has('validate') && s.validate !== 'text') out.validate = s.validate;
  if (uses.has('branches'))
    out.branches = s.branches.map((b) => {
      const when: Schemas['BotConditions'] = {};
      if (b.attributes.length > 0) when.attributes = b.attributes.map((a) => (opNeedsValue(a.op) ? { key: a.key.trim(), op: a.op, value: a.value.trim() } : { key: a.key.trim(), op: a.op }));
      if (b.hasLabelIds.length > 0) when.has_label_ids = [...b.hasLabelIds];
      if (b.lacksLabelIds.length > 0) when.lacks_label_ids = [...b.lacksLabelIds];
      if (b.hours) when.business_hours = b.hours;
      return { when, next: b.next };
    });
  if (uses.has('else') && s.else) out.else = s.else;
  if (uses.has('label_ids') && s.labelIds.length > 0) out.label_ids = [...s.labelIds];
  if (uses.has('department_id') && s.departmentId > 0) out.department_id = s.departmentId;
  return out;
}

export function flowFromDraft(d: Draft): BotFlow {
  return { start: d.start, steps: d.steps.map(stepFromDraft) };
}

/* ---------- checks ---------- */

/**
 * An issue the editor shows: `step` is the step's index (null for the whole
 * flow), `field` where on its card (for tests and focus), `code` the i18n key
 * under `bots.issues.` and `params` its values.
 */
export interface Issue {
  step: number | null;
  field: string;
  code: string;
  params?: Record<string, string | number>;
}

/** words splits a phrase the way the engine compares answers: case, accents and punctuation aside. */
export function words(s: string): string[] {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

const phraseKey = (s: string) => words(s).join(' ');

/** unknownVariable returns the first {{name}} the server does not know, or null. */
export function unknownVariable(text: string): string | null {
  for (const m of text.matchAll(/\{\{(.*?)\}\}/gs)) {
    const name = m[1].trim();
    if (name === 'contact.name' || name === 'contact.first_name') continue;
    if (name.startsWith('attributes.') && name.length > 'attributes.'.length) continue;
    return name;
  }
  return null;
}

const attrKeyRe = /^[a-z0-9_]{1,64}$/;

/** idProblem says what is wrong with a step id, or null. */
export function idProblem(id: string): 'idEmpty' | 'idTooLong' | 'idSpaces' | 'idControl' | null {
  if (id === '') return 'idEmpty';
  if ([...id].length > botLimits.id) return 'idTooLong';
  if (id.trim() !== id) return 'idSpaces';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(id)) return 'idControl';
  return null;
}

const waits = (t: StepType) => t === 'menu' || t === 'ask';

/** successors of a step that does not wait: where the engine goes on without an answer. */
function successors(s: DraftStep): string[] {
  switch (s.type) {
    case 'message':
    case 'label':
      return [s.next];
    case 'condition':
      return [s.else, ...s.branches.map((b) => b.next)];
  }
  return [];
}

/** findLoop returns the ids of a loop through steps that never wait for the customer (the server refuses it), or null. */
export function findLoop(d: Draft): string[] | null {
  const index = new Map(d.steps.map((s, i) => [s.id, i]));
  const colour = d.steps.map(() => 0);
  const path: string[] = [];
  const visit = (i: number): string[] | null => {
    colour[i] = 1;
    path.push(d.steps[i].id);
    for (const next of successors(d.steps[i])) {
      const j = next ? index.get(next) : undefined;
      if (j === undefined || waits(d.steps[j].type)) continue;
      if (colour[j] === 1) return path.slice(path.indexOf(next));
      if (colour[j] === 0) {
        const found = visit(j);
        if (found) return found;
      }
    }
    path.pop();
    colour[i] = 2;
    return null;
  };
  for (let i = 0; i < d.steps.length; i++) {
    if (colour[i] === 0 && !waits(d.steps[i].type)) {
      const found = visit(i);
      if (found) return found;
    }
  }
  return null;
}

/** The workspace's departments and labels, when loaded: the server refuses ids that are not its own (deleted since). */
export interface Known {
  departments: ReadonlySet<number>;
  labels: ReadonlySet<number>;
}

/**
 * validateDraft mirrors the server's checks and reports every problem found
 * (the server stops at the first), each on the step it belongs to. With
 * `known` it also flags departments and labels that no longer exist.
 */
export function validateDraft(d: Draft, known?: Known): Issue[] {
  const issues: Issue[] = [];
  const add = (step: number | null, field: string, code: string, params?: Issue['params']) => issues.push(params ? { step, field, code, params } : { step, field, code });
  if (d.steps.length === 0) add(null, 'steps', 'noSteps');
  if (d.steps.length > botLimits.steps) add(null, 'steps', 'tooManySteps', { max: botLimits.steps });
  const count = new Map<string, number>();
  for (const s of d.steps) count.set(s.id, (count.get(s.id) ?? 0) + 1);
  const exists = (id: string) => count.has(id);
  d.steps.forEach((s, i) => {
    const p = idProblem(s.id);
    if (p) add(i, 'id', p, { max: botLimits.id });
    else if ((count.get(s.id) ?? 0) > 1) add(i, 'id', 'idDuplicate', { id: s.id });
  });
  if (d.steps.length > 0) {
    if (!d.start) add(null, 'start', 'noStart');
    else if (!exists(d.start)) add(null, 'start', 'startMissing', { id: d.start });
  }

  d.steps.forEach((s, i) => {
    const ref = (field: string, target: string, required: boolean) => {
      if (!target) {
        if (required) add(i, field, 'refRequired');
      } else if (!exists(target)) add(i, field, 'refMissing', { id: target });
    };
    const uses = new Set(stepFields[s.type]);
    if (uses.has('text')) {
      for (const [field, text] of [
        ['text', s.text],
        ['invalidText', uses.has('invalid_text') ? s.invalidText : ''],
      ] as const) {
        if ([...text].length > botLimits.text) add(i, field, 'textTooLong', { max: botLimits.text });
        const v = unknownVariable(text);
        if (v !== null) add(i, field, 'unknownVariable', { name: v });
      }
    }
    if (uses.has('next')) ref('next', s.next, false);
    switch (s.type) {
      case 'message':
        if (!s.text.trim()) add(i, 'text', 'messageText');
        break;
      case 'menu': {
        if (!s.text.trim()) add(i, 'text', 'menuText');
        if (s.options.length === 0) add(i, 'options', 'menuNoOptions');
        if (s.options.length > botLimits.options) add(i, 'options', 'menuTooManyOptions', { max: botLimits.options });
        const owner = new Map<string, number>();
        s.options.forEach((o, j) => {
          const n = j + 1;
          const label = o.label.trim();
          if (!label) add(i, `options.${j}.label`, 'optionNoLabel', { n });
          else if ([...label].length > botLimits.label) add(i, `options.${j}.label`, 'optionLabelTooLong', { n, max: botLimits.label });
          ref(`options.${j}.next`, o.next, true);
          const key = phraseKey(label);
          if (key) {
            const prev = owner.get(key);
            if (prev !== undefined) add(i, `options.${j}.label`, 'optionSameLabel', { n, other: prev });
            else owner.set(key, n);
          }
          const kws = splitKeywords(o.keywords);
          if (kws.length > botLimits.keywords) add(i, `options.${j}.keywords`, 'tooManyKeywords', { n, max: botLimits.keywords });
          for (const k of kws) {
            const kk = phraseKey(k);
            if (!/\p{L}/u.test(kk)) {
              add(i, `options.${j}.keywords`, 'keywordNoLetters', { n, keyword: k });
              continue;
            }
            if ([...k].length > botLimits.label) add(i, `options.${j}.keywords`, 'keywordTooLong', { n, keyword: k, max: botLimits.label });
            const prev = owner.get(kk);
            if (prev === n) continue;
            if (prev !== undefined) add(i, `options.${j}.keywords`, 'keywordTaken', { n, keyword: k, other: prev });
            else owner.set(kk, n);
          }
        });
        break;
      }
      case 'ask':
        if (!s.text.trim()) add(i, 'text', 'askText');
        if (!s.attribute.trim()) add(i, 'attribute', 'askAttribute');
        else if (!attrKeyRe.test(s.attribute.trim())) add(i, 'attribute', 'attributeKey', { max: botLimits.attrKey });
        break;
      case 'condition':
        if (s.branches.length === 0) add(i, 'branches', 'conditionNoBranch');
        if (s.branches.length > botLimits.branches) add(i, 'branches', 'tooManyBranches', { max: botLimits.branches });
        s.branches.forEach((b, j) => {
          const n = j + 1;
          b.attributes.forEach((a, k) => {
            if (!a.key.trim()) add(i, `branches.${j}.attributes.${k}`, 'condKey', { n });
            else if ([...a.key.trim()].length > botLimits.attrKey) add(i, `branches.${j}.attributes.${k}`, 'condKeyLong', { n, max: botLimits.attrKey });
            if (opNeedsValue(a.op) && !a.value.trim()) add(i, `branches.${j}.attributes.${k}`, 'condValue', { n });
            if ([...a.value].length > botLimits.value) add(i, `branches.${j}.attributes.${k}`, 'condValueLong', { n, max: botLimits.value });
          });
          ref(`branches.${j}.next`, b.next, true);
          if (known) {
            for (const id of [...b.hasLabelIds, ...b.lacksLabelIds]) if (!known.labels.has(id)) add(i, `branches.${j}.labels`, 'labelGone', { id });
          }
        });
        ref('else', s.else, false);
        break;
      case 'label':
        if (s.labelIds.length === 0) add(i, 'labels', 'labelNone');
        if (known) for (const id of s.labelIds) if (!known.labels.has(id)) add(i, 'labels', 'labelGone', { id });
        break;
      case 'transfer':
        if (!(s.departmentId > 0)) add(i, 'department', 'transferDepartment');
        break;
    }
    if (known && uses.has('department_id') && s.departmentId > 0 && !known.departments.has(s.departmentId)) add(i, 'department', 'departmentGone', { id: s.departmentId });
    if (s.type === 'menu' || s.type === 'ask') {
      if (!Number.isInteger(s.maxRetries) || s.maxRetries < 0 || s.maxRetries > botLimits.retries) add(i, 'maxRetries', 'retriesRange', { max: botLimits.retries });
      ref('onFail', s.onFail, false);
    }
  });
  const loop = findLoop(d);
  if (loop) add(d.steps.findIndex((s) => s.id === loop[0]), 'next', 'loop', { steps: loop.join(' → ') });
  return issues;
}

/** issuesOf picks the issues of one step (or of the whole flow with null). */
export function issuesOf(issues: readonly Issue[], step: number | null): Issue[] {
  return issues.filter((x) => x.step === step);
}

/* ---------- editing ---------- */

/** References of a step to other steps, as [field, id] pairs. */
function mapRefs(s: DraftStep, f: (id: string) => string): DraftStep {
  return {
    ...s,
    next: f(s.next),
    onFail: f(s.onFail),
    else: f(s.else),
    options: s.options.map((o) => ({ ...o, next: f(o.next) })),
    branches: s.branches.map((b) => ({ ...b, next: f(b.next) })),
  };
}

export type RenameError = 'idEmpty' | 'idTooLong' | 'idSpaces' | 'idControl' | 'idTaken';

/**
 * renameStep gives the step at `index` a new id and points every reference
 * (start, next, on_fail, else, options and branches) at it. It refuses an
 * invalid id or one another step has, so references never merge.
 */
export function renameStep(d: Draft, index: number, id: string): { draft: Draft; error?: undefined } | { draft?: undefined; error: RenameError } {
  const old = d.steps[index]?.id;
  if (old === undefined) return { draft: d };
  if (id === old) return { draft: d };
  const p = idProblem(id);
  if (p) return { error: p };
  if (d.steps.some((s, i) => i !== index && s.id === id)) return { error: 'idTaken' };
  // an id two steps share (a hand-made flow) leaves references alone: which step they meant is unknown
  const shared = d.steps.some((s, i) => i !== index && s.id === old);
  const f = (ref: string) => (!shared && ref === old ? id : ref);
  return {
    draft: {
      start: f(d.start),
      steps: d.steps.map((s, i) => mapRefs(i === index ? { ...s, id } : s, f)),
    },
  };
}

/** uniqueId is `base`, or `base_2`, `base_3`… when taken. */
export function uniqueId(d: Draft, base: string): string {
  const taken = new Set(d.steps.map((s) => s.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}_${n}`;
    if (!taken.has(id)) return id;
  }
}

/** addStep appends a new step of a type (after `after` when given); the first step of a flow becomes its start. */
export function addStep(d: Draft, type: StepType, after?: number): { draft: Draft; index: number } {
  const s = emptyStep(uniqueId(d, type), type);
  const at = after === undefined ? d.steps.length : Math.max(0, Math.min(d.steps.length, after + 1));
  const steps = [...d.steps.slice(0, at), s, ...d.steps.slice(at)];
  return { draft: { start: d.start || s.id, steps }, index: at };
}

/**
 * removeStep deletes a step and clears the references to it (a required one,
 * like an option's next, then shows as missing); removing the start makes
 * the first remaining step the start.
 */
export function removeStep(d: Draft, index: number): Draft {
  const gone = d.steps[index];
  if (!gone) return d;
  const shared = d.steps.some((s, i) => i !== index && s.id === gone.id);
  const f = (ref: string) => (!shared && ref === gone.id ? '' : ref);
  const steps = d.steps.filter((_, i) => i !== index).map((s) => mapRefs(s, f));
  const start = shared || d.start !== gone.id ? d.start : (steps[0]?.id ?? '');
  return { start, steps };
}

/** moveStep moves a step one place up (-1) or down (+1); the order is only for reading, the start step runs first. */
export function moveStep(d: Draft, index: number, dir: -1 | 1): Draft {
  const to = index + dir;
  if (index < 0 || index >= d.steps.length || to < 0 || to >= d.steps.length) return d;
  const steps = [...d.steps];
  [steps[index], steps[to]] = [steps[to], steps[index]];
  return { ...d, steps };
}

/** updateStep replaces some fields of one step. */
export function updateStep(d: Draft, index: number, patch: Partial<Omit<DraftStep, 'id' | 'type'>>): Draft {
  return { ...d, steps: d.steps.map((s, i) => (i === index ? { ...s, ...patch } : s)) };
}

/** stepTitle is how "next" selects list a step: its id and the start of its text. */
export function stepTitle(s: Pick<DraftStep, 'id' | 'text'>, max = 32): string {
  const text = s.text.replace(/\s+/g, ' ').trim();
  if (!text) return s.id;
  const short = [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text;
  return `${s.id} — ${short}`;
}

/** targetsFor lists the steps a reference of step `index` may point at: every other step (a menu may point at itself to ask again). */
export function targetsFor(d: Draft, index: number): DraftStep[] {
  return d.steps.filter((s, i) => i !== index || waits(s.type));
}

/** isDirty tells whether the draft differs from the saved flow as the server would see it. */
export function isDirty(d: Draft, saved: BotFlow | undefined): boolean {
  return JSON.stringify(flowFromDraft(d)) !== JSON.stringify(flowFromDraft(draftFromFlow(saved)));
}

/* ---------- the starter flow ---------- */

/** Texts of the starter flow, in the admin's language. */
export interface StarterTexts {
  greeting: string;
  prompt: string;
  invalid: string;
  sales: string;
  finance: string;
  support: string;
  /** Said when handing off; {{department}} is the option's label. */
  handoff: string;
}

/**
 * starterFlow is a greeting and a "1 – Vendas / 2 – Financeiro / 3 – Suporte"
 * menu whose options hand the conversation to people. An option goes to the
 * queue of the department with the same name (accents and case aside) when
 * there is one, else stays in the bot's own department.
 */
export function starterFlow(t: StarterTexts, departments: readonly { id: number; name: string }[]): BotFlow {
  const dept = (label: string) => departments.find((d) => phraseKey(d.name) === phraseKey(label))?.id ?? 0;
  const options = [
    { id: 'vendas', label: t.sales },
    { id: 'financeiro', label: t.finance },
    { id: 'suporte', label: t.support },
  ];
  const handoffs: BotStep[] = options.map((o) => {
    const s: BotStep = { id: o.id, type: 'handoff', text: t.handoff.replace('{{department}}', o.label) };
    const id = dept(o.label);
    if (id) s.department_id = id;
    return s;
  });
  return {
    start: 'boas_vindas',
    steps: [
      { id: 'boas_vindas', type: 'message', text: t.greeting, next: 'menu' },
      { id: 'menu', type: 'menu', text: t.prompt, options: options.map((o) => ({ label: o.label, next: o.id })), invalid_text: t.invalid },
      ...handoffs,
    ],
  };
}

/** menuPreview is the menu as a text-only channel shows it: the prompt, a blank line and "1 – Vendas" lines. */
export function menuPreview(prompt: string, labels: readonly string[]): string {
  return [prompt.trim(), '', ...labels.map((l, i) => `${i + 1} – ${l.trim()}`)].join('\n');
}

/* ---------- the bot itself ---------- */

export interface AgentForm {
  name: string;
  url: string;
}

export function checkBotName(name: string): 'required' | 'tooLong' | undefined {
  const n = name.trim();
  if (!n) return 'required';
  if ([...n].length > botLimits.name) return 'tooLong';
  return undefined;
}

/** checkAgentUrl wants an absolute http(s) URL; the server also refuses private addresses. */
export function checkAgentUrl(url: string): 'required' | 'url' | undefined {
  const u = url.trim();
  if (!u) return 'required';
  try {
    const p = new URL(u);
    if ((p.protocol !== 'http:' && p.protocol !== 'https:') || !p.hostname) return 'url';
  } catch {
    return 'url';
  }
  return undefined;
}

/** sortBots lists bots by name, as the server does. */
export function sortBots(bots: readonly Bot[]): Bot[] {
  return [...bots].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}
