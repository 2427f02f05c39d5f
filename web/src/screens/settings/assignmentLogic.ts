// Pure helpers of a department's automatic assignment setting
// (GET/PUT /api/v1/departments/{id}/assignment): the form, its checks, which
// fields a save sends, and the queue message as a customer reads it. No React here.
import type { Schemas } from '../../api/client';

export type AssignmentSettings = Schemas['AssignmentSettings'];
export type AssignmentInput = Schemas['AssignmentSettingsInput'];
export type AssignmentMode = AssignmentSettings['mode'];

/** The modes in the order the form lists them. */
export const assignmentModes = ['off', 'round_robin', 'least_busy'] as const satisfies readonly AssignmentMode[];

// When the OpenAPI enum gains a mode, `tsc` fails here until the list above names it too.
type Unlisted = Exclude<AssignmentMode, (typeof assignmentModes)[number]>;
const everyModeListed: [Unlisted] extends [never] ? true : never = true;
void everyModeListed;

/** Server limits (AssignmentSettingsInput in the OpenAPI document). */
export const assignmentLimits = { limit: 10000, queueMessage: 2000 };

/** The placeholder the server swaps for the customer's place in the queue. */
export const positionPlaceholder = '{{position}}';

export interface AssignmentForm {
  mode: AssignmentMode;
  /** Text while typing; 0 or empty means no department cap (each agent's own capacity rules). */
  limit: string;
  release: boolean;
  queueEnabled: boolean;
  queueMessage: string;
}

export type AssignmentErrors = Partial<Record<'limit' | 'queueMessage', 'limit' | 'required' | 'contentLong'>>;

export function isAssignmentMode(v: string): v is AssignmentMode {
  return (assignmentModes as readonly string[]).includes(v);
}

export function assignmentForm(a: AssignmentSettings): AssignmentForm {
  return {
    mode: a.mode,
    limit: String(a.department_limit),
    release: a.release_on_offline,
    queueEnabled: a.queue_message_enabled,
    queueMessage: a.queue_message,
  };
}

/** The values a valid form stands for, in the API's shape. */
export type AssignmentValues = Omit<AssignmentSettings, 'department_id'>;

/**
 * validateAssignment checks what the server would refuse: a whole limit from
 * 0 to 10000, and a queue message of at most 2000 characters that is not empty
 * while it is switched on (an empty text would say nothing).
 */
export function validateAssignment(f: AssignmentForm): { values?: AssignmentValues; errors: AssignmentErrors } {
  const errors: AssignmentErrors = {};
  const raw = f.limit.trim();
  const limit = raw === '' ? 0 : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(limit) || limit < 0 || limit > assignmentLimits.limit) errors.limit = 'limit';
  const msg = f.queueMessage.trim();
  if ([...msg].length > assignmentLimits.queueMessage) errors.queueMessage = 'contentLong';
  else if (f.queueEnabled && !msg) errors.queueMessage = 'required';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    values: { mode: f.mode, department_limit: limit, release_on_offline: f.release, queue_message_enabled: f.queueEnabled, queue_message: msg },
  };
}

/** assignmentBody is the PUT body: only the fields that changed (the server keeps the others). */
export function assignmentBody(before: AssignmentSettings, v: AssignmentValues): AssignmentInput {
  const body: AssignmentInput = {};
  if (v.mode !== before.mode) body.mode = v.mode;
  if (v.department_limit !== before.department_limit) body.department_limit = v.department_limit;
  if (v.release_on_offline !== before.release_on_offline) body.release_on_offline = v.release_on_offline;
  if (v.queue_message_enabled !== before.queue_message_enabled) body.queue_message_enabled = v.queue_message_enabled;
  if (v.queue_message !== before.queue_message) body.queue_message = v.queue_message;
  return body;
}

/** queuePreview is the message as the customer in `position` would read it. */
export function queuePreview(message: string, position: number): string {
  return message.split(positionPlaceholder).join(String(position));
}

/** mentionsPosition tells whether the message says the customer's place (worth a hint when it does not). */
export function mentionsPosition(message: string): boolean {
  return message.includes(positionPlaceholder);
}
