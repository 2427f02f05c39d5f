// Pure helpers of the settings screens: durations, form validation, PATCH
// bodies built from what changed, password generation, colours, quick-reply
// templates. No React here, so everything is unit-tested.

import { variableNames } from '../inbox/conversation/variables';

/* ---------- durations ---------- */

/** splitMinSec turns seconds into whole minutes and the remaining seconds. */
export function splitMinSec(total: number): { minutes: number; seconds: number } {
  const t = Math.max(0, Math.floor(total));
  return { minutes: Math.floor(t / 60), seconds: t % 60 };
}

const wholeRe = /^\s*\d+\s*$/;

/** parseWhole reads a non-negative whole number; blank counts as 0; anything else is null. */
export function parseWhole(v: string): number | null {
  if (v.trim() === '') return 0;
  return wholeRe.test(v) ? Number(v.trim()) : null;
}

/**
 * joinMinSec turns a minutes field and a seconds field into seconds. Blank
 * fields count as 0; seconds must be 0–59; anything else is null.
 */
export function joinMinSec(minutes: string, seconds: string): number | null {
  const m = parseWhole(minutes);
  const s = parseWhole(seconds);
  if (m === null || s === null || s > 59) return null;
  return m * 60 + s;
}

export type DurationUnit = 'minutes' | 'hours' | 'days';

export const unitSeconds: Record<DurationUnit, number> = { minutes: 60, hours: 3600, days: 86400 };

/** bestUnit picks the largest unit that shows a duration as a whole number (minutes at least). */
export function bestUnit(seconds: number): { value: number; unit: DurationUnit } {
  for (const unit of ['days', 'hours'] as const) {
    if (seconds > 0 && seconds % unitSeconds[unit] === 0) return { value: seconds / unitSeconds[unit], unit };
  }
  return { value: Math.round(seconds / 60), unit: 'minutes' };
}

/** unitToSeconds reads a whole number of a unit; null when it is not one. */
export function unitToSeconds(value: string, unit: DurationUnit): number | null {
  const n = parseWhole(value);
  return n === null ? null : n * unitSeconds[unit];
}

/* ---------- workspace ---------- */

export interface WorkspaceValues {
  name: string;
  timezone: string;
  thermometer_yellow_seconds: number;
  thermometer_red_seconds: number;
  reopen_window_seconds: number;
  closing_reason_required: boolean;
}

export interface WorkspaceForm {
  name: string;
  timezone: string;
  yellowMin: string;
  yellowSec: string;
  redMin: string;
  redSec: string;
  reopenOn: boolean;
  reopenValue: string;
  reopenUnit: DurationUnit;
  closingReasonRequired: boolean;
}

export function workspaceForm(ws: WorkspaceValues): WorkspaceForm {
  const y = splitMinSec(ws.thermometer_yellow_seconds);
  const r = splitMinSec(ws.thermometer_red_seconds);
  const reopen = bestUnit(ws.reopen_window_seconds);
  return {
    name: ws.name,
    timezone: ws.timezone,
    yellowMin: String(y.minutes),
    yellowSec: String(y.seconds),
    redMin: String(r.minutes),
    redSec: String(r.seconds),
    reopenOn: ws.reopen_window_seconds > 0,
    reopenValue: ws.reopen_window_seconds > 0 ? String(reopen.value) : '24',
    reopenUnit: ws.reopen_window_seconds > 0 ? reopen.unit : 'hours',
    closingReasonRequired: ws.closing_reason_required,
  };
}

/** Error keys of the settings namespace (errors.*). */
export type ErrorKey = 'required' | 'tooLong' | 'duration' | 'positive' | 'yellowRange' | 'redRange' | 'redAfterYellow' | 'reopenRange';

export const limits = {
  yellow: 7 * 86400,
  red: 30 * 86400,
  reopen: 90 * 86400,
  name: 100,
};

/** validateWorkspace checks the form and answers the values in seconds, or the errors per field. */
export function validateWorkspace(f: WorkspaceForm): { values?: WorkspaceValues; errors: Partial<Record<'name' | 'yellow' | 'red' | 'reopen', ErrorKey>> } {
  const errors: Partial<Record<'name' | 'yellow' | 'red' | 'reopen', ErrorKey>> = {};
  const name = f.name.trim();
  if (!name) errors.name = 'required';
  else if ([...name].length > limits.name) errors.name = 'tooLong';
  const yellow = joinMinSec(f.yellowMin, f.yellowSec);
  const red = joinMinSec(f.redMin, f.redSec);
  if (yellow === null) errors.yellow = 'duration';
  else if (yellow > limits.yellow) errors.yellow = 'yellowRange';
  if (red === null) errors.red = 'duration';
  else if (red > limits.red) errors.red = 'redRange';
  else if (yellow !== null && red <= yellow) errors.red = 'redAfterYellow';
  let reopen = 0;
  if (f.reopenOn) {
    const v = unitToSeconds(f.reopenValue, f.reopenUnit);
    if (v === null || v === 0) errors.reopen = 'positive';
    else if (v > limits.reopen) errors.reopen = 'reopenRange';
    else reopen = v;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    values: {
      name,
      timezone: f.timezone,
      thermometer_yellow_seconds: yellow!,
      thermometer_red_seconds: red!,
      reopen_window_seconds: reopen,
      closing_reason_required: f.closingReasonRequired,
    },
  };
}

/* ---------- PATCH bodies ---------- */

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const x = [...a].sort();
    const y = [...b].sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  return a === b;
}

/**
 * diffPatch answers the fields of next whose value differs from orig: the
 * body of a PATCH that changes only what the user changed. Arrays compare as
 * sets; undefined fields in next are left out.
 */
export function diffPatch<T extends object>(orig: T, next: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(next) as (keyof T)[]) {
    const v = next[k];
    if (v === undefined) continue;
    if (!same(orig[k], v)) out[k] = v;
  }
  return out;
}

/* ---------- users ---------- */

export type UserRole = 'admin' | 'supervisor' | 'agent';
export type UserScope = 'department' | 'assigned';

export interface UserForm {
  name: string;
  email: string;
  password: string;
  role: UserRole;
  scope: UserScope;
  capacity: string;
  departmentIds: number[];
  active: boolean;
}

export interface UserValues {
  name: string;
  email: string;
  role: UserRole;
  scope: UserScope;
  capacity: number;
  department_ids: number[];
  active: boolean;
}

export const emptyUserForm: UserForm = {
  name: '',
  email: '',
  password: '',
  role: 'agent',
  scope: 'department',
  capacity: '0',
  departmentIds: [],
  active: true,
};

export function userForm(u: UserValues): UserForm {
  return {
    name: u.name,
    email: u.email,
    password: '',
    role: u.role,
    scope: u.scope,
    capacity: String(u.capacity),
    departmentIds: [...u.department_ids],
    active: u.active,
  };
}

export type UserErrorKey = ErrorKey | 'email' | 'password' | 'capacity';

const emailRe = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const minPassword = 8;

/**
 * validateUser checks a create (password required) or edit (password
 * optional: blank keeps it) form.
 */
export function validateUser(f: UserForm, creating: boolean): { values?: UserValues & { password?: string }; errors: Partial<Record<'name' | 'email' | 'password' | 'capacity', UserErrorKey>> } {
  const errors: Partial<Record<'name' | 'email' | 'password' | 'capacity', UserErrorKey>> = {};
  const name = f.name.trim();
  const email = f.email.trim().toLowerCase();
  if ([...name].length > limits.name) errors.name = 'tooLong';
  if (!email) errors.email = 'required';
  else if (!emailRe.test(email)) errors.email = 'email';
  if (creating && !f.password) errors.password = 'required';
  else if (f.password && f.password.length < minPassword) errors.password = 'password';
  const cap = parseWhole(f.capacity);
  if (cap === null || cap > 1000) errors.capacity = 'capacity';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    values: {
      name,
      email,
      role: f.role,
      scope: f.scope,
      capacity: cap!,
      department_ids: [...f.departmentIds].sort((a, b) => a - b),
      active: f.active,
      ...(f.password ? { password: f.password } : {}),
    },
  };
}

/** userPatch is the PATCH body for an edited user: changed fields, plus a new password when one was typed. */
export function userPatch(orig: UserValues, v: UserValues & { password?: string }) {
  const { password, ...rest } = v;
  const body: Partial<UserValues> & { password?: string } = diffPatch(orig, rest);
  if (body.name === '') delete body.name; // the server keeps the name; blank is not a name
  if (password) body.password = password;
  return body;
}

/* ---------- passwords ---------- */

const lower = 'abcdefghijkmnpqrstuvwxyz';
const upper = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const digits = '23456789';
const symbols = '-_.!@#';

/** randomInts fills n random 32-bit numbers from the platform's CSPRNG. */
export function randomInts(n: number): Uint32Array {
  return crypto.getRandomValues(new Uint32Array(n));
}

/**
 * generatePassword makes a password of length characters (at least 8) with
 * a lower-case letter, an upper-case letter, a digit and a symbol, leaving
 * out look-alike characters (0/O, 1/l/I) so it can be read aloud.
 */
export function generatePassword(length = 16, random: (n: number) => Uint32Array = randomInts): string {
  const len = Math.max(minPassword, length);
  const all = lower + upper + digits + symbols;
  const r = random(len * 2);
  const chars = [lower, upper, digits, symbols].map((set, i) => set[r[i] % set.length]);
  for (let i = chars.length; i < len; i++) chars.push(all[r[i] % all.length]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = r[len + i] % (i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

/* ---------- colours ---------- */

/** normaliseHex accepts "#abc", "abc", "#AABBCC" or "aabbcc" and answers "#aabbcc", or null. */
export function normaliseHex(v: string): string | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(v.trim());
  if (!m) return null;
  let h = m[1].toLowerCase();
  if (h.length === 3) h = [...h].map((c) => c + c).join('');
  return `#${h}`;
}

function luminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
}

/** contrast is the WCAG contrast ratio of two #rrggbb colours. */
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** Label colours that carry black or white text at WCAG AA in both themes. */
export const palette = [
  '#b42318', // red
  '#c2410c', // orange
  '#8f5a00', // amber
  '#137a3a', // green
  '#0f766e', // teal
  '#0369a1', // sky
  '#2256c9', // blue
  '#5b3cc4', // violet
  '#a21caf', // fuchsia
  '#be185d', // pink
  '#4b5563', // slate
  '#fde68a', // light yellow
  '#bbf7d0', // light green
  '#bfdbfe', // light blue
  '#fecdd3', // light pink
  '#e5e7eb', // light grey
];

/* ---------- quick replies ---------- */

/** The variables a quick reply may use: the composer's list, which fills them in. */
export const quickReplyVariables = variableNames;

const shortcutRe = /^[\p{L}\p{N}_-]{1,40}$/u;

/** normaliseShortcut trims a shortcut and drops a leading "/" (the server stores it without). */
export function normaliseShortcut(v: string): string {
  return v.trim().replace(/^\//, '');
}

export function validShortcut(v: string): boolean {
  return shortcutRe.test(normaliseShortcut(v));
}

/** fold lower-cases and strips accents for search. */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** matches tells whether any of the texts contains every word of the query (accent- and case-insensitive). */
export function matches(query: string, ...texts: string[]): boolean {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = fold(texts.join(' '));
  return words.every((w) => hay.includes(w.replace(/^\//, '')));
}

/** insertAt replaces text[start:end] with insert and answers the new text and caret position. */
export function insertAt(text: string, start: number, end: number, insert: string): { text: string; caret: number } {
  const a = Math.max(0, Math.min(start, text.length));
  const b = Math.max(a, Math.min(end, text.length));
  return { text: text.slice(0, a) + insert + text.slice(b), caret: a + insert.length };
}

/** renderTemplate fills {{variables}} for a preview; unknown ones stay as written. */
export function renderTemplate(content: string, vars: Record<string, string>): string {
  return content.replace(/\{\{\s*([a-z_.]+)\s*\}\}/gi, (all, name: string) => (name in vars ? vars[name] : all));
}

/** unknownVariables lists the {{variables}} of a text that the product does not fill. */
export function unknownVariables(content: string): string[] {
  const known = new Set<string>(quickReplyVariables);
  const out = new Set<string>();
  for (const m of content.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) if (!known.has(m[1])) out.add(m[1]);
  return [...out];
}

/* ---------- time zones ---------- */

/** zoneOffset renders the current UTC offset of a zone, e.g. "GMT-03:00"; "" when unknown. */
export function zoneOffset(zone: string, at = new Date()): string {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName');
    return part?.value ?? '';
  } catch {
    return '';
  }
}

/**
 * zoneGroups groups IANA zones by their region (America, Europe…), sorted,
 * making sure the current value is present even when the platform's list
 * lacks it (e.g. "UTC").
 */
export function zoneGroups(zones: readonly string[], current: string): { region: string; zones: string[] }[] {
  const all = new Set(zones);
  if (current) all.add(current);
  const by = new Map<string, string[]>();
  for (const z of all) {
    const region = z.includes('/') ? z.slice(0, z.indexOf('/')) : 'Other';
    by.set(region, [...(by.get(region) ?? []), z]);
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a === 'Other' ? 1 : b === 'Other' ? -1 : a.localeCompare(b)))
    .map(([region, list]) => ({ region, zones: list.sort() }));
}

/** supportedZones lists the platform's IANA zones (a short list when the API is missing). */
export function supportedZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (k: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? ['America/Sao_Paulo', 'UTC'];
  } catch {
    return ['America/Sao_Paulo', 'UTC'];
  }
}

/* ---------- channels ---------- */

/** inboundUrl is where an API channel posts customer messages. */
export function inboundUrl(origin: string): string {
  return `${origin.replace(/\/+$/, '')}/api/v1/channels/api/messages`;
}

export function statusesUrl(origin: string): string {
  return `${origin.replace(/\/+$/, '')}/api/v1/channels/api/statuses`;
}

export function validHttpUrl(v: string): boolean {
  try {
    const u = new URL(v.trim());
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
  } catch {
    return false;
  }
}

/** formatMinSec renders seconds as "45 s", "5 min", "5 min 30 s", "2 h 5 min". */
export function formatMinSec(total: number): string {
  const { minutes, seconds } = splitMinSec(total);
  if (minutes === 0) return `${seconds} s`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts: string[] = [];
  if (h > 0) parts.push(`${h} h`);
  if (m > 0 || (h === 0 && seconds === 0)) parts.push(`${m} min`);
  if (seconds > 0) parts.push(`${seconds} s`);
  return parts.join(' ');
}
