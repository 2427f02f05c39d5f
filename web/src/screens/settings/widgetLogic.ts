// Pure helpers of the website widget channel form: the form's state built
// from a channel's `widget` view, validation, and the WidgetSettings body
// of POST/PATCH /api/v1/channels (the server replaces the settings whole,
// so the body always carries every field). No React here.
import type { Schemas } from '../../api/client';
import { readableOn } from '../../ui';
import { contrast } from './logic';

export type WidgetSettings = Schemas['WidgetSettings'];
export type WidgetView = Schemas['WidgetChannel'];
export type PrechatField = Schemas['WidgetField']['name'];
export type WidgetPosition = WidgetSettings['position'];
export type WidgetLanguage = WidgetSettings['language'];

/** The pre-chat fields in the order the widget asks them. */
export const prechatFieldNames: readonly PrechatField[] = ['name', 'email', 'phone'];

/** Server limits (internal/widget/settings.go). */
export const widgetLimits = { text: 500, origins: 20 };

export interface WidgetForm {
  /** The colour as typed in the hex box; the picker writes it too. */
  color: string;
  position: WidgetPosition;
  language: WidgetLanguage;
  greetingPt: string;
  greetingEn: string;
  offlinePt: string;
  offlineEn: string;
  prechatEnabled: boolean;
  fields: Record<PrechatField, { on: boolean; required: boolean }>;
  prechatDepartmentIds: number[];
  /** Allowed sites, one per line. */
  origins: string;
  requireIdentity: boolean;
}

/** defaultWidgetForm is a new widget: the server's defaults (widget.Defaults). */
export function defaultWidgetForm(): WidgetForm {
  return {
    color: '#2256c9',
    position: 'right',
    language: 'auto',
    greetingPt: 'Olá! 👋 Como podemos ajudar?',
    greetingEn: 'Hi there! 👋 How can we help?',
    offlinePt: 'No momento não há ninguém disponível. Deixe sua mensagem e responderemos assim que possível.',
    offlineEn: 'Nobody is available right now. Leave a message and we will get back to you as soon as we can.',
    prechatEnabled: false,
    fields: { name: { on: true, required: true }, email: { on: true, required: false }, phone: { on: false, required: false } },
    prechatDepartmentIds: [],
    origins: '',
    requireIdentity: false,
  };
}

/** widgetForm fills the form from an existing channel's widget view. */
export function widgetForm(w: WidgetView): WidgetForm {
  const fields = { name: { on: false, required: false }, email: { on: false, required: false }, phone: { on: false, required: false } };
  for (const f of w.prechat_fields) fields[f.name] = { on: true, required: f.required };
  return {
    color: w.color,
    position: w.position,
    language: w.language,
    greetingPt: w.greeting_pt,
    greetingEn: w.greeting_en,
    offlinePt: w.offline_message_pt,
    offlineEn: w.offline_message_en,
    prechatEnabled: w.prechat_enabled,
    fields,
    prechatDepartmentIds: [...w.prechat_department_ids],
    origins: w.allowed_origins.join('\n'),
    requireIdentity: w.require_identity,
  };
}

/** strictHex accepts only "#rrggbb" (what the server stores), any case, and answers it lower-cased. */
export function strictHex(v: string): string | null {
  const t = v.trim();
  return /^#[0-9a-f]{6}$/i.test(t) ? t.toLowerCase() : null;
}

/**
 * normaliseOrigin reads a site origin (scheme://host[:port]) the way the
 * server does: http or https, a host, no path, query, fragment or user; it
 * answers it lower-cased, or null.
 */
export function normaliseOrigin(v: string): string | null {
  const t = v.trim();
  // a scheme written without "//" (https:example.com) parses in browsers but not on the server
  if (!/^https?:\/\//i.test(t)) return null;
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return null;
  if (u.pathname !== '/' || u.search || u.hash || u.username || u.password) return null;
  // "https://a.com/x?" keeps an empty search; the raw text tells
  if (/[?#]/.test(t.replace(/^https?:\/\//i, ''))) return null;
  return `${u.protocol}//${u.host}`.toLowerCase();
}

/** parseOrigins reads the "one site per line" box: the normalised sites, without repeats, and the lines that are not sites. */
export function parseOrigins(text: string): { origins: string[]; invalid: string[] } {
  const origins: string[] = [];
  const invalid: string[] = [];
  for (const line of text.split(/[\r\n,]+/)) {
    const t = line.trim();
    if (!t) continue;
    const o = normaliseOrigin(t);
    if (!o) invalid.push(t);
    else if (!origins.includes(o)) origins.push(o);
  }
  return { origins, invalid };
}

export type WidgetErrorKey = 'hex' | 'textLong' | 'origins' | 'tooManyOrigins';
export type WidgetErrorField = 'color' | 'greetingPt' | 'greetingEn' | 'offlinePt' | 'offlineEn' | 'origins';

/** validateWidget checks the form and answers the settings body, or the errors per field (plus the lines that are not sites). */
export function validateWidget(f: WidgetForm): { settings?: WidgetSettings; errors: Partial<Record<WidgetErrorField, WidgetErrorKey>>; invalidOrigins: string[] } {
  const errors: Partial<Record<WidgetErrorField, WidgetErrorKey>> = {};
  const color = strictHex(f.color);
  if (!color) errors.color = 'hex';
  for (const k of ['greetingPt', 'greetingEn', 'offlinePt', 'offlineEn'] as const) {
    if ([...f[k].trim()].length > widgetLimits.text) errors[k] = 'textLong';
  }
  const { origins, invalid } = parseOrigins(f.origins);
  if (invalid.length > 0) errors.origins = 'origins';
  else if (origins.length > widgetLimits.origins) errors.origins = 'tooManyOrigins';
  if (Object.keys(errors).length > 0) return { errors, invalidOrigins: invalid };
  return {
    errors,
    invalidOrigins: [],
    settings: {
      color: color!,
      position: f.position,
      language: f.language,
      greeting_pt: f.greetingPt.trim(),
      greeting_en: f.greetingEn.trim(),
      offline_message_pt: f.offlinePt.trim(),
      offline_message_en: f.offlineEn.trim(),
      prechat_enabled: f.prechatEnabled,
      prechat_fields: prechatFieldNames.filter((n) => f.fields[n].on).map((n) => ({ name: n, required: f.fields[n].required })),
      prechat_department_ids: [...f.prechatDepartmentIds],
      allowed_origins: origins,
      require_identity: f.requireIdentity,
    },
  };
}

/**
 * colourCheck is what the preview shows about a brand colour: the text
 * colour the widget puts on it (black or white, the same choice as label
 * badges make with readableOn; the widget draws pure black), its contrast
 * ratio and whether it passes WCAG AA for text, and whether the launcher
 * button stands out on a white page (3:1, WCAG 1.4.11) — the one check a
 * brand colour can actually fail.
 */
export function colourCheck(hex: string): { text: string; ratio: number; aa: boolean; visibleOnWhite: boolean } | null {
  const c = strictHex(hex);
  if (!c) return null;
  const text = readableOn(c) === '#ffffff' ? '#ffffff' : '#000000';
  const ratio = contrast(c, text);
  return { text, ratio, aa: ratio >= 4.5, visibleOnWhite: contrast(c, '#ffffff') >= 3 };
}

/** toggleId adds or removes an id of a multi-select. */
export function toggleId(ids: number[], id: number, on: boolean): number[] {
  const rest = ids.filter((x) => x !== id);
  return on ? [...rest, id] : rest;
}

/**
 * identityExample is what a company adds for logged-in customers: the
 * HMAC computed on its server (Node.js here; any language with HMAC-SHA256
 * works the same) and the snippet carrying the id and its hash in
 * data attributes, which the loader passes to the widget.
 */
export function identityExample(snippet: string): string {
  const tag = snippet.includes(' async>')
    ? snippet.replace(' async>', ' data-atende-user-id="USER_ID" data-atende-user-hash="USER_HASH" async>')
    : snippet.replace(/><\/script>$/, ' data-atende-user-id="USER_ID" data-atende-user-hash="USER_HASH"></script>');
  return [
    '// on your server, never in the browser:',
    "const USER_HASH = require('node:crypto')",
    "  .createHmac('sha256', process.env.ATENDE_IDENTITY_SECRET)",
    '  .update(String(USER_ID))',
    "  .digest('hex');",
    '',
    tag,
  ].join('\n');
}
