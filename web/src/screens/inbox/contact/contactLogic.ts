// Pure logic of the contact panel (cadastro do cliente): attribute rows ↔ the
// contact's attributes object, phone display, light validation, and turning
// an edit into the smallest PATCH body. No React here, so Vitest covers it.
import type { Contact, Conversation } from '../../../api/client';

// ---------------------------------------------------------------- attributes

/** AttrRow is one custom attribute as the panel edits it: text, plus the value it came from. */
export interface AttrRow {
  key: string;
  value: string;
  /** The stored value (number, boolean, object…) the row was built from; absent for new rows. */
  original?: unknown;
}

/** attrText renders any stored attribute value as editable text. */
export function attrText(v: unknown): string {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** attrDisplay renders a stored value for reading: objects as "key: value, …", lists joined by commas. */
export function attrDisplay(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => attrDisplay(x)).join(', ');
  if (v !== null && typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}: ${x !== null && typeof x === 'object' ? JSON.stringify(x) : attrText(x)}`)
      .join(', ');
  }
  return attrText(v);
}

/**
 * attributesToRows lists a contact's attributes sorted by key in code-point
 * order, as the server sends them, so a row does not jump when the answer
 * replaces an optimistic edit.
 */
export function attributesToRows(attrs: Record<string, unknown> | null | undefined): AttrRow[] {
  return Object.entries(attrs ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, original]) => ({ key, value: attrText(original), original }));
}

/**
 * attrValue turns edited text back into a stored value. Untouched text keeps
 * its original value; text edited on a number, boolean or JSON attribute keeps
 * that type when it still parses as one (bots write such values); anything
 * else is stored as a string.
 */
export function attrValue(row: AttrRow): unknown {
  const { value, original } = row;
  if (original !== undefined && attrText(original) === value) return original;
  const t = value.trim();
  if (typeof original === 'number' && t !== '' && Number.isFinite(Number(t))) return Number(t);
  if (typeof original === 'boolean' && (t === 'true' || t === 'false')) return t === 'true';
  if (original !== null && typeof original === 'object') {
    try {
      const parsed: unknown = JSON.parse(t);
      if (parsed !== null && typeof parsed === 'object') return parsed;
    } catch {
      // not JSON any more: keep the text
    }
  }
  return value;
}

/** rowsToAttributes builds the attributes object for PATCH; rows with an empty key are skipped. */
export function rowsToAttributes(rows: AttrRow[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of rows) {
    const key = r.key.trim();
    if (!key) continue;
    out[key] = attrValue(r);
  }
  return out;
}

export const attrKeyMax = 64;
export const attrValueMax = 2000;

export type AttrError = 'keyRequired' | 'keyTooLong' | 'keyDuplicate' | 'valueTooLong' | 'tooMany';

/**
 * validateAttr checks the row being edited (index `at` of rows, or a new row
 * when at = -1) against the others.
 */
export function validateAttr(rows: AttrRow[], at: number, row: AttrRow): AttrError | null {
  const key = row.key.trim();
  if (!key) return 'keyRequired';
  if (key.length > attrKeyMax) return 'keyTooLong';
  if (row.value.length > attrValueMax) return 'valueTooLong';
  if (rows.some((r, i) => i !== at && r.key.trim().toLowerCase() === key.toLowerCase())) return 'keyDuplicate';
  if (at < 0 && rows.length >= 100) return 'tooMany';
  return null;
}

/** replaceRow returns rows with index `at` replaced by row (at = -1 appends). */
export function replaceRow(rows: AttrRow[], at: number, row: AttrRow): AttrRow[] {
  if (at < 0) return [...rows, row];
  return rows.map((r, i) => (i === at ? row : r));
}

/** removeRow returns rows without index `at`. */
export function removeRow(rows: AttrRow[], at: number): AttrRow[] {
  return rows.filter((_, i) => i !== at);
}

// ---------------------------------------------------------------- phones, e-mails

/**
 * formatPhone renders a stored phone for reading. Brazilian numbers get their
 * usual shape (+55 11 91234-5678, (11) 1234-5678); anything else is shown as
 * stored, with spaces tidied.
 */
export function formatPhone(raw: string): string {
  const s = raw.trim().replace(/\s+/g, ' ');
  if (!s) return '';
  const plus = s.startsWith('+');
  const d = s.replace(/\D/g, '');
  const local = (n: string) => (n.length === 9 ? `${n.slice(0, 5)}-${n.slice(5)}` : `${n.slice(0, 4)}-${n.slice(4)}`);
  // +55 DD NNNNN-NNNN (mobile) or +55 DD NNNN-NNNN (landline)
  if (d.startsWith('55') && (d.length === 12 || d.length === 13)) return `+55 ${d.slice(2, 4)} ${local(d.slice(4))}`;
  // (DD) NNNNN-NNNN without the country code
  if (!plus && (d.length === 10 || d.length === 11) && d[0] !== '0') return `(${d.slice(0, 2)}) ${local(d.slice(2))}`;
  return s;
}

/** phoneHref is the tel: link of a phone ("+55 11 91234-5678" → "tel:+5511912345678"). */
export function phoneHref(raw: string): string {
  const d = raw.replace(/\D/g, '');
  return d ? `tel:${raw.trim().startsWith('+') ? '+' : ''}${d}` : '';
}

/** validPhone mirrors the server's rule for phones (digits, spaces, + ( ) - . only; at most 32; 8+ digits). */
export function validPhone(raw: string): boolean {
  const s = raw.trim();
  return s.length <= 32 && /^[+0-9 ()\-.]+$/.test(s) && s.replace(/\D/g, '').length >= 8;
}

/** validEmail is a light check (one @ with text on both sides, a dot in the domain, at most 254); the server has the last word. */
export function validEmail(raw: string): boolean {
  const s = raw.trim();
  return s.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);
}

// ---------------------------------------------------------------- phone and e-mail lists

/** A contact has up to this many phones and as many e-mails (ContactInput.phones / emails). */
export const maxHandles = 10;

export type HandleKind = 'phone' | 'email';

/** handleKey is what makes two entries the same, as the server sees it: a phone's digits, an e-mail without case. */
export function handleKey(kind: HandleKind, v: string): string {
  const s = v.trim();
  if (kind === 'email') return s.toLowerCase();
  const d = s.replace(/\D/g, '');
  return d || s;
}

/** normalizeHandles is a list as the server stores it: trimmed (e-mails lower-cased), no empty entries, no repeats (the first kept). */
export function normalizeHandles(kind: HandleKind, list: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of list) {
    const v = kind === 'email' ? raw.trim().toLowerCase() : raw.trim();
    const k = handleKey(kind, v);
    if (!v || seen.has(k)) continue;
    seen.add(k);
    out.push(v);
  }
  return out;
}

/** contactHandles is every phone or e-mail of a contact, the primary first (older answers without the lists give the primary alone). */
export function contactHandles(c: Partial<Pick<Contact, 'phone' | 'email' | 'phones' | 'emails'>>, kind: HandleKind): string[] {
  const list = kind === 'phone' ? c.phones : c.emails;
  if (list) return list;
  const primary = kind === 'phone' ? c.phone : c.email;
  return primary ? [primary] : [];
}

export type HandleError = 'invalid' | 'duplicate' | 'tooMany';

/**
 * validateHandle checks value for index `at` of list (-1: a new entry) with
 * the server's rules. An entry left as it was passes: the server keeps
 * numbers the contact already has even when they predate the rules.
 */
export function validateHandle(kind: HandleKind, list: readonly string[], at: number, value: string): HandleError | null {
  const v = value.trim();
  if (at >= 0 && v === list[at]?.trim()) return null;
  if (at < 0 && list.length >= maxHandles) return 'tooMany';
  if (!(kind === 'phone' ? validPhone(v) : validEmail(v))) return 'invalid';
  const k = handleKey(kind, v);
  if (list.some((x, i) => i !== at && handleKey(kind, x) === k)) return 'duplicate';
  return null;
}

/** setHandle is list with index `at` set to value (at = -1 appends); an empty value removes the entry. */
export function setHandle(list: readonly string[], at: number, value: string): string[] {
  const v = value.trim();
  if (at < 0) return v ? [...list, v] : [...list];
  if (!v) return removeHandle(list, at);
  return list.map((x, i) => (i === at ? v : x));
}

/** removeHandle is list without index `at` (removing the primary makes the next one primary). */
export function removeHandle(list: readonly string[], at: number): string[] {
  return list.filter((_, i) => i !== at);
}

/** makePrimary moves index `at` to the front: the first entry is the primary phone or e-mail. */
export function makePrimary(list: readonly string[], at: number): string[] {
  if (at <= 0 || at >= list.length) return [...list];
  return [list[at], ...list.slice(0, at), ...list.slice(at + 1)];
}

// ---------------------------------------------------------------- PATCH body

/** ContactEdit is what the panel may change (the writable fields of ContactInput). */
export interface ContactEdit {
  name?: string;
  phone?: string;
  email?: string;
  /** every phone, the primary first (replaces the list) */
  phones?: string[];
  /** every e-mail, the primary first (replaces the list) */
  emails?: string[];
  attributes?: Record<string, unknown>;
  notes?: string;
  /** null clears the owner. */
  owner_id?: number | null;
}

export interface ContactPatch {
  name?: string;
  phone?: string;
  email?: string;
  phones?: string[];
  emails?: string[];
  attributes?: Record<string, unknown>;
  notes?: string;
  /** 0 clears the owner (ContactInput). */
  owner_id?: number;
}

/** sameJSON compares two JSON values structurally, ignoring object key order. */
export function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameJSON(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  const bk = Object.keys(bo);
  return ak.length === bk.length && ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && sameJSON(ao[k], bo[k]));
}

type Editable = Pick<Contact, 'name' | 'phone' | 'email' | 'attributes' | 'notes' | 'owner_id'> & Partial<Pick<Contact, 'phones' | 'emails'>>;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * contactPatch is the PATCH body for an edit of contact c: only the fields
 * that really change, normalised as the server stores them (trimmed name and
 * phone, lower-case e-mail, lists without empty entries or repeats, owner 0
 * for "none"). Empty means nothing to send.
 */
export function contactPatch(c: Editable, edit: ContactEdit): ContactPatch {
  const out: ContactPatch = {};
  if (edit.name !== undefined && edit.name.trim() !== c.name) out.name = edit.name.trim();
  if (edit.phone !== undefined && edit.phone.trim() !== c.phone) out.phone = edit.phone.trim();
  if (edit.email !== undefined && edit.email.trim().toLowerCase() !== c.email) out.email = edit.email.trim().toLowerCase();
  if (edit.phones !== undefined) {
    const phones = normalizeHandles('phone', edit.phones);
    if (!sameList(phones, contactHandles(c, 'phone'))) out.phones = phones;
  }
  if (edit.emails !== undefined) {
    const emails = normalizeHandles('email', edit.emails);
    if (!sameList(emails, contactHandles(c, 'email'))) out.emails = emails;
  }
  if (edit.attributes !== undefined && !sameJSON(edit.attributes, c.attributes ?? {})) out.attributes = edit.attributes;
  if (edit.notes !== undefined && edit.notes !== c.notes) out.notes = edit.notes;
  if (edit.owner_id !== undefined && (edit.owner_id ?? null) !== (c.owner_id ?? null)) out.owner_id = edit.owner_id ?? 0;
  return out;
}

/** isEmptyPatch reports a patch with nothing to send. */
export function isEmptyPatch(p: object): boolean {
  return Object.keys(p).length === 0;
}

/** withPrimary is list with its primary replaced by v, as the server does for `phone` / `email` alone (empty: the next one moves up). */
function withPrimary(kind: HandleKind, list: readonly string[], primary: string, v: string): string[] {
  const rest = primary ? list.slice(1) : list;
  return normalizeHandles(kind, [v, ...rest]);
}

/** applyPatch is the contact as it will look after p succeeds (for optimistic display). */
export function applyPatch<C extends Editable>(c: C, p: ContactPatch): C {
  const next = { ...c };
  if (p.name !== undefined) next.name = p.name;
  if (p.phones !== undefined) {
    next.phones = p.phones;
    next.phone = p.phones[0] ?? '';
  } else if (p.phone !== undefined) {
    const phones = withPrimary('phone', contactHandles(c, 'phone'), c.phone, p.phone);
    next.phone = phones[0] ?? '';
    if (c.phones) next.phones = phones;
  }
  if (p.emails !== undefined) {
    next.emails = p.emails;
    next.email = p.emails[0] ?? '';
  } else if (p.email !== undefined) {
    const emails = withPrimary('email', contactHandles(c, 'email'), c.email, p.email);
    next.email = emails[0] ?? '';
    if (c.emails) next.emails = emails;
  }
  if (p.attributes !== undefined) next.attributes = p.attributes;
  if (p.notes !== undefined) next.notes = p.notes;
  if (p.owner_id !== undefined) next.owner_id = p.owner_id === 0 ? null : p.owner_id;
  return next;
}

// ---------------------------------------------------------------- labels

/** toggleLabel is the label list after picking id (add when absent, remove when present). */
export function toggleLabel(ids: number[], id: number): { ids: number[]; on: boolean } {
  return ids.includes(id) ? { ids: ids.filter((x) => x !== id), on: false } : { ids: [...ids, id], on: true };
}

// ---------------------------------------------------------------- previous conversations

type ConvLike = Pick<Conversation, 'id' | 'status' | 'last_message_at'>;

/** previousConversations drops the open one and lists the rest newest first. */
export function previousConversations<C extends ConvLike>(all: C[], openId: number | undefined): C[] {
  return all.filter((c) => c.id !== openId).sort((a, b) => b.last_message_at - a.last_message_at || b.id - a.id);
}

/**
 * conversationPath is where to open conversation c: in the current view when
 * it is a row of it, otherwise in the view of its status (resolved, snoozed)
 * or "all", without the list filters that might hide it.
 */
export function conversationPath(c: Pick<Conversation, 'id' | 'status'>, inCurrentView: boolean, currentSegment: string, query: string): string {
  if (inCurrentView) return `/inbox/${currentSegment}/${c.id}${query ? `?${query}` : ''}`;
  const seg = c.status === 'resolved' ? 'resolved' : c.status === 'snoozed' ? 'snoozed' : 'all';
  return `/inbox/${seg}/${c.id}`;
}

// ---------------------------------------------------------------- sections

/** toggleSection flips one section in the set of collapsed sections. */
export function toggleSection(collapsed: string[], id: string): string[] {
  return collapsed.includes(id) ? collapsed.filter((x) => x !== id) : [...collapsed, id];
}
