// Business hours and automatic messages: the pure part of the settings
// section. Validation mirrors internal/automation/hours (Schedule.Validate)
// and internal/httpapi/hours.go, so the admin sees the problem next to the
// interval instead of a 422 after pressing Save.
import type { Schemas } from '../../api/client';

export type BusinessHours = Schemas['BusinessHours'];
export type BusinessHoursInput = Schemas['BusinessHoursInput'];
export type AutomationMessages = Schemas['AutomationMessages'];
export type AutomationMessagesInput = Schemas['AutomationMessagesInput'];

/** The week as the grid shows it: Monday first, the Brazilian way. */
export const weekDays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type DayKey = (typeof weekDays)[number];

// The server counts the week from Sunday (time.Weekday); the wrap of a
// Saturday night shift into Sunday morning depends on it.
const sundayFirst: DayKey[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export const hoursLimits = { intervalsPerDay: 12, holidays: 500, holidayName: 200, message: 2000 };
const dayMinutes = 24 * 60;

export interface IntervalForm {
  from: string;
  to: string;
}
export interface HolidayForm {
  date: string;
  name: string;
}
export interface HoursForm {
  enabled: boolean;
  timezone: string;
  week: Record<DayKey, IntervalForm[]>;
  holidays: HolidayForm[];
}

/* ---------- times ---------- */

/** normalizeClock tidies what was typed: "8" → "08:00", "8:30" → "08:30", "0830" → "08:30"; anything else stays as typed. */
export function normalizeClock(v: string): string {
  const m = /^(\d{1,2})(?::?(\d{2}))?$/.exec(v.trim());
  if (!m) return v.trim();
  return `${m[1].padStart(2, '0')}:${m[2] ?? '00'}`;
}

/** parseClock reads "HH:MM" as minutes since midnight, like the server: "24:00" only as an end. */
export function parseClock(v: string, end: boolean): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(v);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && (min !== 0 || !end))) return null;
  return h * 60 + min;
}

export function clock(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

/** isNightShift: the interval ends before it starts, so it runs past midnight into the next day. */
export function isNightShift(iv: IntervalForm): boolean {
  const from = parseClock(normalizeClock(iv.from), false);
  const to = parseClock(normalizeClock(iv.to), true);
  return from !== null && to !== null && to < from;
}

/* ---------- API mapping ---------- */

function emptyWeek(): Record<DayKey, IntervalForm[]> {
  return { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
}

/**
 * hoursForm turns the API's setting into the editor's form. A schedule
 * without a weekly part is always open: shown as 00:00–24:00 every day,
 * which means the same and can be edited.
 */
export function hoursForm(bh: BusinessHours, fallbackZone: string): HoursForm {
  const week = emptyWeek();
  const weekly = bh.schedule.weekly;
  for (const d of weekDays) {
    week[d] = weekly ? (weekly[d] ?? []).map((p) => ({ from: p[0] ?? '', to: p[1] ?? '' })) : [{ from: '00:00', to: '24:00' }];
  }
  return {
    enabled: bh.enabled,
    timezone: bh.schedule.timezone || fallbackZone,
    week,
    holidays: (bh.schedule.holidays ?? []).map((h) => ({ date: h.date, name: h.name ?? '' })),
  };
}

/* ---------- editing ---------- */

/** addInterval appends an interval after the day's last one (08:00–18:00 on an empty day). */
export function addInterval(form: HoursForm, day: DayKey): HoursForm {
  const list = form.week[day];
  if (list.length >= hoursLimits.intervalsPerDay) return form;
  let next: IntervalForm = { from: '08:00', to: '18:00' };
  if (list.length > 0) {
    const lastEnd = parseClock(normalizeClock(list[list.length - 1].to), true);
    const lastStart = parseClock(normalizeClock(list[list.length - 1].from), false);
    if (lastEnd !== null && lastStart !== null && lastEnd > lastStart && lastEnd + 60 < dayMinutes) {
      const from = lastEnd + 60;
      next = { from: clock(from), to: clock(Math.min(from + 4 * 60, dayMinutes)) };
    } else {
      next = { from: '', to: '' };
    }
  }
  return { ...form, week: { ...form.week, [day]: [...list, next] } };
}

export function removeInterval(form: HoursForm, day: DayKey, i: number): HoursForm {
  return { ...form, week: { ...form.week, [day]: form.week[day].filter((_, j) => j !== i) } };
}

export function setInterval(form: HoursForm, day: DayKey, i: number, patch: Partial<IntervalForm>): HoursForm {
  return { ...form, week: { ...form.week, [day]: form.week[day].map((iv, j) => (j === i ? { ...iv, ...patch } : iv)) } };
}

/** copyMondayToWeekdays gives Tuesday to Friday Monday's intervals; the weekend keeps its own. */
export function copyMondayToWeekdays(form: HoursForm): HoursForm {
  const week = { ...form.week };
  for (const d of ['tue', 'wed', 'thu', 'fri'] as const) week[d] = form.week.mon.map((iv) => ({ ...iv }));
  return { ...form, week };
}

/* ---------- holidays ---------- */

const byDate = (a: HolidayForm, b: HolidayForm) => a.date.localeCompare(b.date);

/** addHolidays adds holidays whose dates are not listed yet, keeping the list by date; added counts the new ones. */
export function addHolidays(list: HolidayForm[], more: HolidayForm[]): { list: HolidayForm[]; added: number } {
  const seen = new Set(list.map((h) => h.date));
  const fresh: HolidayForm[] = [];
  for (const h of more) {
    if (!h.date || seen.has(h.date)) continue;
    seen.add(h.date);
    fresh.push(h);
  }
  if (fresh.length === 0) return { list, added: 0 };
  return { list: [...list, ...fresh].sort(byDate), added: fresh.length };
}

export function removeHoliday(list: HolidayForm[], i: number): HolidayForm[] {
  return list.filter((_, j) => j !== i);
}

/** The fixed-date national holidays of Brazil (Easter-based ones move and are left to the admin). */
export const brazilianHolidays = [
  { id: 'newYear', md: '01-01' },
  { id: 'tiradentes', md: '04-21' },
  { id: 'labour', md: '05-01' },
  { id: 'independence', md: '09-07' },
  { id: 'aparecida', md: '10-12' },
  { id: 'allSouls', md: '11-02' },
  { id: 'republic', md: '11-15' },
  { id: 'blackConsciousness', md: '11-20' },
  { id: 'christmas', md: '12-25' },
] as const;
export type BrazilianHoliday = (typeof brazilianHolidays)[number]['id'];

/** brazilianHolidaysOf lists the fixed national holidays of a year, named by name(id). */
export function brazilianHolidaysOf(year: number, name: (id: BrazilianHoliday) => string): HolidayForm[] {
  return brazilianHolidays.map((h) => ({ date: `${String(year).padStart(4, '0')}-${h.md}`, name: name(h.id) }));
}

function validDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/* ---------- validation ---------- */

export type IntervalError = 'time' | 'empty' | 'overlap';
export type HolidayError = 'date' | 'duplicate' | 'name';
export interface HoursErrors {
  timezone?: 'required';
  /** per day, per interval index */
  intervals: Partial<Record<DayKey, Record<number, IntervalError>>>;
  tooMany: DayKey[];
  holidays: Record<number, HolidayError>;
  tooManyHolidays?: boolean;
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/**
 * validateHours checks the form like the server does (times, empty
 * intervals, overlaps within a day, across midnight and from Saturday
 * night into Sunday, holiday dates and duplicates) and builds the PUT body
 * when all is well.
 */
export function validateHours(form: HoursForm): { input?: BusinessHoursInput; errors: HoursErrors } {
  const errors: HoursErrors = { intervals: {}, tooMany: [], holidays: {} };
  const mark = (d: DayKey, i: number, e: IntervalError) => {
    const day = (errors.intervals[d] ??= {});
    if (!day[i] || e !== 'overlap') day[i] = e;
  };
  if (!form.timezone.trim()) errors.timezone = 'required';

  type Span = { from: number; to: number; day: DayKey; i: number };
  const spans: Span[] = [];
  const weekly: Record<DayKey, string[][]> = emptyWeek() as unknown as Record<DayKey, string[][]>;
  sundayFirst.forEach((d, di) => {
    const list = form.week[d];
    if (list.length > hoursLimits.intervalsPerDay) errors.tooMany.push(d);
    list.forEach((iv, i) => {
      const fromS = normalizeClock(iv.from);
      const toS = normalizeClock(iv.to);
      const from = parseClock(fromS, false);
      const to = parseClock(toS, true);
      if (from === null || to === null) return mark(d, i, 'time');
      if (from === to) return mark(d, i, 'empty');
      weekly[d].push([fromS, toS]);
      const a = di * dayMinutes + from;
      const b = di * dayMinutes + to + (to < from ? dayMinutes : 0);
      if (b > 7 * dayMinutes) spans.push({ from: a, to: 7 * dayMinutes, day: d, i }, { from: 0, to: b - 7 * dayMinutes, day: d, i });
      else spans.push({ from: a, to: b, day: d, i });
    });
  });
  spans.sort((x, y) => x.from - y.from);
  // unlike the server, keep the furthest end so that every interval caught inside a long one is marked
  let reach: Span | null = null;
  for (const sp of spans) {
    if (reach && sp.from < reach.to) {
      mark(sp.day, sp.i, 'overlap');
      mark(reach.day, reach.i, 'overlap');
    }
    if (!reach || sp.to > reach.to) reach = sp;
  }

  if (form.holidays.length > hoursLimits.holidays) errors.tooManyHolidays = true;
  const seen = new Set<string>();
  form.holidays.forEach((h, i) => {
    if (!validDate(h.date)) errors.holidays[i] = 'date';
    else if (seen.has(h.date)) errors.holidays[i] = 'duplicate';
    else if (utf8Length(h.name.trim()) > hoursLimits.holidayName) errors.holidays[i] = 'name';
    seen.add(h.date);
  });

  const ok =
    !errors.timezone &&
    Object.keys(errors.intervals).length === 0 &&
    errors.tooMany.length === 0 &&
    !errors.tooManyHolidays &&
    Object.keys(errors.holidays).length === 0;
  if (!ok) return { errors };
  return {
    errors,
    input: {
      enabled: form.enabled,
      schedule: {
        timezone: form.timezone.trim(),
        weekly,
        holidays: form.holidays.map((h) => (h.name.trim() ? { date: h.date, name: h.name.trim() } : { date: h.date })),
      },
    },
  };
}

export function hasErrors(e: HoursErrors): boolean {
  return !!e.timezone || Object.keys(e.intervals).length > 0 || e.tooMany.length > 0 || !!e.tooManyHolidays || Object.keys(e.holidays).length > 0;
}

/* ---------- next opening, as the server words it ---------- */

export type MessageLanguage = AutomationMessages['language'];

const ptWeekdays = ['domingo', 'segunda-feira', 'terça-feira', 'quarta-feira', 'quinta-feira', 'sexta-feira', 'sábado'];
const enWeekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const enMonths = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A local moment: calendar date, weekday (0 = Sunday) and wall-clock time. */
export interface LocalTime {
  year: number;
  month: number; // 1..12
  day: number;
  weekday: number;
  hour: number;
  minute: number;
}

/** localTime reads a moment's wall clock in a zone (UTC when the zone is unknown). */
export function localTime(at: Date, zone: string): LocalTime {
  let parts: Intl.DateTimeFormatPart[];
  const opts: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' };
  try {
    parts = new Intl.DateTimeFormat('en-US', { ...opts, timeZone: zone }).formatToParts(at);
  } catch {
    parts = new Intl.DateTimeFormat('en-US', { ...opts, timeZone: 'UTC' }).formatToParts(at);
  }
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const year = get('year');
  const month = get('month');
  const day = get('day');
  return { year, month, day, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(), hour: get('hour') % 24, minute: get('minute') };
}

function dayNumber(t: Pick<LocalTime, 'year' | 'month' | 'day'>): number {
  return Math.floor(Date.UTC(t.year, t.month - 1, t.day) / 86_400_000);
}

/**
 * describeNextOpen words "when we open" to follow "Retornaremos …" / "We'll
 * be back …", exactly like the server's hours.FormatNextOpen: "hoje às 14h",
 * "amanhã às 8h30", "segunda-feira às 8h", "em 26/12 às 8h"; "today at 2:00 PM",
 * "tomorrow at 8:30 AM", "on Monday at 8:00 AM", "on Dec 26 at 8:00 AM".
 */
export function describeNextOpen(next: LocalTime | null, now: LocalTime, lang: MessageLanguage): string {
  if (!next) return lang === 'en' ? 'soon' : 'em breve';
  const days = dayNumber(next) - dayNumber(now);
  if (lang === 'en') {
    const h12 = next.hour % 12 === 0 ? 12 : next.hour % 12;
    const at = `at ${h12}:${String(next.minute).padStart(2, '0')} ${next.hour < 12 ? 'AM' : 'PM'}`;
    if (days <= 0) return `today ${at}`;
    if (days === 1) return `tomorrow ${at}`;
    if (days < 7) return `on ${enWeekdays[next.weekday]} ${at}`;
    return `on ${enMonths[next.month - 1]} ${next.day} ${at}`;
  }
  const at = `às ${next.hour}h${next.minute ? String(next.minute).padStart(2, '0') : ''}`;
  if (days <= 0) return `hoje ${at}`;
  if (days === 1) return `amanhã ${at}`;
  if (days < 7) return `${ptWeekdays[next.weekday]} ${at}`;
  return `em ${String(next.day).padStart(2, '0')}/${String(next.month).padStart(2, '0')} ${at}`;
}

/** formatNextOpen words the API's next_open (RFC 3339) as seen now in the schedule's zone. */
export function formatNextOpen(nextOpen: string | null, now: Date, zone: string, lang: MessageLanguage): string {
  const t = nextOpen ? new Date(nextOpen) : null;
  return describeNextOpen(t && !Number.isNaN(t.getTime()) ? localTime(t, zone) : null, localTime(now, zone), lang);
}

/**
 * sampleNextOpen is an example opening for the preview when the API has none
 * (open now, or hours off): the first opening of a later day in the form's
 * week, holidays aside. null when the week has no opening.
 */
export function sampleNextOpen(form: HoursForm, now: LocalTime): LocalTime | null {
  for (let k = 1; k <= 7; k++) {
    const base = new Date(Date.UTC(now.year, now.month - 1, now.day + k));
    const day = sundayFirst[base.getUTCDay()];
    const starts = form.week[day].map((iv) => parseClock(normalizeClock(iv.from), false)).filter((m): m is number => m !== null);
    if (starts.length === 0) continue;
    const first = Math.min(...starts);
    return { year: base.getUTCFullYear(), month: base.getUTCMonth() + 1, day: base.getUTCDate(), weekday: base.getUTCDay(), hour: Math.floor(first / 60), minute: first % 60 };
  }
  return null;
}

/* ---------- automatic messages ---------- */

const placeholder = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** renderTemplate replaces {{name}} like the server's hours.Render; unknown placeholders stay as written. */
export function renderTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(placeholder, (m, name: string) => (Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : m));
}

export const messageKinds = ['greeting', 'out_of_hours', 'closing', 'csat'] as const;
export type MessageKind = (typeof messageKinds)[number];
export type MessagesForm = Omit<AutomationMessages, never>;
export type MessageError = 'required' | 'tooLong';

export function messagesForm(m: AutomationMessages): MessagesForm {
  return { ...m };
}

export function messageEnabled(f: MessagesForm, k: MessageKind): boolean {
  return f[`${k}_enabled`];
}

export function setMessage(f: MessagesForm, k: MessageKind, patch: { enabled?: boolean; text?: string }): MessagesForm {
  const out = { ...f };
  if (patch.enabled !== undefined) out[`${k}_enabled`] = patch.enabled;
  if (patch.text !== undefined) out[k] = patch.text;
  return out;
}

/** validateMessages mirrors the server: at most 2000 characters, and no message enabled without a text. */
export function validateMessages(f: MessagesForm): { input?: AutomationMessagesInput; errors: Partial<Record<MessageKind, MessageError>> } {
  const errors: Partial<Record<MessageKind, MessageError>> = {};
  for (const k of messageKinds) {
    const v = f[k].trim();
    if ([...v].length > hoursLimits.message) errors[k] = 'tooLong';
    else if (f[`${k}_enabled`] && v === '') errors[k] = 'required';
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    input: {
      language: f.language,
      greeting_enabled: f.greeting_enabled,
      greeting: f.greeting.trim(),
      out_of_hours_enabled: f.out_of_hours_enabled,
      out_of_hours: f.out_of_hours.trim(),
      closing_enabled: f.closing_enabled,
      closing: f.closing.trim(),
      csat_enabled: f.csat_enabled,
      csat: f.csat.trim(),
    },
  };
}

/** usesPlaceholder: whether a text mentions {{next_open}}; only the out-of-hours reply fills it. */
export function usesNextOpen(text: string): boolean {
  return /\{\{\s*next_open\s*\}\}/.test(text);
}
