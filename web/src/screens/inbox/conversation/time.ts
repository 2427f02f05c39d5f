// Dates of the conversation column: snooze presets, the datetime-local value
// of the custom snooze, and day separators in the workspace's time zone.

interface Wall {
  y: number;
  m: number; // 1-12
  d: number;
  h: number;
  mi: number;
  wd: number; // 0 = Sunday
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** wall is the calendar date and clock time of an instant in a time zone (the browser's when none). */
export function wall(ms: number, timeZone?: string): Wall {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { y: +get('year'), m: +get('month'), d: +get('day'), h: +get('hour') % 24, mi: +get('minute'), wd: weekdays.indexOf(get('weekday')) };
}

/** zoned is the instant when the clock in timeZone shows the given date and time (DST-safe). */
export function zoned(y: number, m: number, d: number, h: number, mi: number, timeZone?: string): number {
  const want = Date.UTC(y, m - 1, d, h, mi);
  let t = want;
  for (let i = 0; i < 3; i++) {
    const w = wall(t, timeZone);
    const diff = want - Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi);
    if (diff === 0) break;
    t += diff;
  }
  return t;
}

/** snoozePresets: in one hour; tomorrow 09:00; next Monday 09:00 — in the workspace's time zone. */
export function snoozePresets(now: number, timeZone?: string): { '1h': Date; tomorrow: Date; nextweek: Date } {
  const w = wall(now, timeZone);
  const toMonday = (8 - w.wd) % 7 || 7; // days until the next Monday, never today
  return {
    '1h': new Date(now + 3_600_000),
    tomorrow: new Date(zoned(w.y, w.m, w.d + 1, 9, 0, timeZone)),
    nextweek: new Date(zoned(w.y, w.m, w.d + toMonday, 9, 0, timeZone)),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** toLocalInput renders an instant as a datetime-local value ("2026-11-21T09:30") in a time zone. */
export function toLocalInput(ms: number, timeZone?: string): string {
  const w = wall(ms, timeZone);
  return `${w.y}-${pad(w.m)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}`;
}

/** fromLocalInput reads a datetime-local value as a time in timeZone; null when invalid. */
export function fromLocalInput(v: string, timeZone?: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(v);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  const t = zoned(y, mo, d, h, mi, timeZone);
  return Number.isNaN(t) ? null : new Date(t);
}

/** dayKey is the calendar day of a time in a time zone, "YYYY-MM-DD". */
export function dayKey(ms: number, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/** dayLabel: "today", "yesterday" or a date for the timeline's day separators. */
export function dayLabel(ms: number, now: number, lang: string, timeZone?: string): { kind: 'today' | 'yesterday' | 'date'; text: string } {
  const k = dayKey(ms, timeZone);
  if (k === dayKey(now, timeZone)) return { kind: 'today', text: '' };
  if (k === dayKey(now - 86_400_000, timeZone)) return { kind: 'yesterday', text: '' };
  const sameYear = k.slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  const text = new Intl.DateTimeFormat(lang, { timeZone, weekday: 'long', day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) }).format(new Date(ms));
  return { kind: 'date', text };
}

/** clockTime is "14:05" in the time zone. */
export function clockTime(ms: number, lang: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(ms));
}

/** duration renders a recording time as m:ss. */
export function mmss(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${pad(s % 60)}`;
}
