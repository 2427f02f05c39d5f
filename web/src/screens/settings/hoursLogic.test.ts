import { describe, expect, it } from 'vitest';
import {
  addHolidays,
  addInterval,
  brazilianHolidaysOf,
  copyMondayToWeekdays,
  describeNextOpen,
  formatNextOpen,
  hasErrors,
  hoursForm,
  hoursLimits,
  isNightShift,
  localTime,
  messagesForm,
  normalizeClock,
  parseClock,
  removeHoliday,
  removeInterval,
  renderTemplate,
  sampleNextOpen,
  setInterval,
  setMessage,
  validateHours,
  validateMessages,
  type AutomationMessages,
  type BusinessHours,
  type HoursForm,
} from './hoursLogic';

const apiHours: BusinessHours = {
  enabled: true,
  inherited: false,
  open_now: false,
  next_open: '2026-11-23T11:00:00Z',
  schedule: {
    timezone: 'America/Sao_Paulo',
    weekly: { mon: [['08:00', '12:00'], ['13:00', '18:00']], tue: [['08:00', '18:00']], sat: [['22:00', '02:00']] },
    holidays: [{ date: '2026-12-25', name: 'Natal' }, { date: '2026-01-01' }],
  },
};

function form(patch: Partial<HoursForm['week']> = {}): HoursForm {
  return { enabled: true, timezone: 'America/Sao_Paulo', week: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [], ...patch }, holidays: [] };
}

describe('times', () => {
  it.each([
    ['8', '08:00'],
    ['8:30', '08:30'],
    ['0830', '08:30'],
    [' 18:00 ', '18:00'],
    ['24', '24:00'],
    ['abc', 'abc'],
  ])('normalizes %j to %j', (v, want) => expect(normalizeClock(v)).toBe(want));

  it('reads HH:MM like the server', () => {
    expect(parseClock('08:30', false)).toBe(510);
    expect(parseClock('24:00', true)).toBe(1440);
    expect(parseClock('24:00', false)).toBeNull();
    expect(parseClock('24:01', true)).toBeNull();
    expect(parseClock('12:60', false)).toBeNull();
    expect(parseClock('8:00', false)).toBeNull();
    expect(parseClock('', false)).toBeNull();
  });

  it('tells a night shift', () => {
    expect(isNightShift({ from: '22:00', to: '02:00' })).toBe(true);
    expect(isNightShift({ from: '08:00', to: '18:00' })).toBe(false);
    expect(isNightShift({ from: '08:00', to: '24:00' })).toBe(false);
    expect(isNightShift({ from: 'x', to: '02:00' })).toBe(false);
  });
});

describe('API mapping', () => {
  it('reads the schedule into the form, Monday first, days left out closed', () => {
    const f = hoursForm(apiHours, 'UTC');
    expect(f.timezone).toBe('America/Sao_Paulo');
    expect(f.week.mon).toEqual([
      { from: '08:00', to: '12:00' },
      { from: '13:00', to: '18:00' },
    ]);
    expect(f.week.wed).toEqual([]);
    expect(f.week.sat).toEqual([{ from: '22:00', to: '02:00' }]);
    expect(f.holidays).toEqual([
      { date: '2026-12-25', name: 'Natal' },
      { date: '2026-01-01', name: '' },
    ]);
  });

  it('shows an always-open schedule as whole days and takes the workspace zone when none is set', () => {
    const f = hoursForm({ ...apiHours, schedule: { timezone: '' } }, 'America/Manaus');
    expect(f.timezone).toBe('America/Manaus');
    expect(f.week.sun).toEqual([{ from: '00:00', to: '24:00' }]);
    expect(validateHours(f).errors.intervals).toEqual({});
  });

  it('writes the PUT body back in the same shape, tidying times and names', () => {
    const f = hoursForm(apiHours, 'UTC');
    f.week.wed = [{ from: '9', to: '17:30' }];
    f.holidays[1].name = '  ';
    const { input } = validateHours(f);
    expect(input).toEqual({
      enabled: true,
      schedule: {
        timezone: 'America/Sao_Paulo',
        weekly: {
          sun: [],
          mon: [
            ['08:00', '12:00'],
            ['13:00', '18:00'],
          ],
          tue: [['08:00', '18:00']],
          wed: [['09:00', '17:30']],
          thu: [],
          fri: [],
          sat: [['22:00', '02:00']],
        },
        holidays: [{ date: '2026-12-25', name: 'Natal' }, { date: '2026-01-01' }],
      },
    });
  });
});

describe('schedule editing', () => {
  it('adds an interval: 08–18 on an empty day, after the last one otherwise', () => {
    let f = addInterval(form(), 'wed');
    expect(f.week.wed).toEqual([{ from: '08:00', to: '18:00' }]);
    f = addInterval(form({ mon: [{ from: '08:00', to: '12:00' }] }), 'mon');
    expect(f.week.mon[1]).toEqual({ from: '13:00', to: '17:00' });
    f = addInterval(form({ mon: [{ from: '18:00', to: '22:00' }] }), 'mon');
    expect(f.week.mon[1]).toEqual({ from: '23:00', to: '24:00' });
    f = addInterval(form({ mon: [{ from: '22:00', to: '02:00' }] }), 'mon');
    expect(f.week.mon[1]).toEqual({ from: '', to: '' });
  });

  it('stops at the per-day limit', () => {
    const full = form({ mon: Array.from({ length: hoursLimits.intervalsPerDay }, () => ({ from: '', to: '' })) });
    expect(addInterval(full, 'mon')).toBe(full);
  });

  it('edits and removes one interval without touching the others', () => {
    const f0 = form({ mon: [{ from: '08:00', to: '12:00' }, { from: '13:00', to: '18:00' }], tue: [{ from: '08:00', to: '18:00' }] });
    const f1 = setInterval(f0, 'mon', 1, { to: '19:00' });
    expect(f1.week.mon).toEqual([{ from: '08:00', to: '12:00' }, { from: '13:00', to: '19:00' }]);
    expect(f0.week.mon[1].to).toBe('18:00');
    const f2 = removeInterval(f1, 'mon', 0);
    expect(f2.week.mon).toEqual([{ from: '13:00', to: '19:00' }]);
    expect(f2.week.tue).toBe(f0.week.tue);
  });

  it('copies Monday to Tuesday–Friday, not the weekend, as copies', () => {
    const f = copyMondayToWeekdays(form({ mon: [{ from: '09:00', to: '17:00' }], sat: [{ from: '09:00', to: '12:00' }], wed: [{ from: '01:00', to: '02:00' }] }));
    for (const d of ['tue', 'wed', 'thu', 'fri'] as const) expect(f.week[d]).toEqual([{ from: '09:00', to: '17:00' }]);
    expect(f.week.sat).toEqual([{ from: '09:00', to: '12:00' }]);
    expect(f.week.sun).toEqual([]);
    f.week.tue[0].to = '18:00';
    expect(f.week.mon[0].to).toBe('17:00');
  });
});

describe('overlap validation', () => {
  it('accepts back-to-back intervals and a night shift that ends when the next day opens', () => {
    const f = form({ mon: [{ from: '08:00', to: '12:00' }, { from: '12:00', to: '18:00' }, { from: '22:00', to: '08:00' }], tue: [{ from: '08:00', to: '12:00' }] });
    const { input, errors } = validateHours(f);
    expect(hasErrors(errors)).toBe(false);
    expect(input).toBeDefined();
  });

  it('marks both intervals of an overlap within a day', () => {
    const { input, errors } = validateHours(form({ mon: [{ from: '08:00', to: '12:00' }, { from: '11:00', to: '14:00' }] }));
    expect(input).toBeUndefined();
    expect(errors.intervals).toEqual({ mon: { 0: 'overlap', 1: 'overlap' } });
  });

  it('marks every interval caught inside a long one', () => {
    const { errors } = validateHours(form({ tue: [{ from: '08:00', to: '20:00' }, { from: '09:00', to: '10:00' }, { from: '11:00', to: '12:00' }] }));
    expect(errors.intervals).toEqual({ tue: { 0: 'overlap', 1: 'overlap', 2: 'overlap' } });
  });

  it('catches a night shift running into the next morning', () => {
    const { errors } = validateHours(form({ mon: [{ from: '22:00', to: '09:00' }], tue: [{ from: '08:00', to: '12:00' }] }));
    expect(errors.intervals).toEqual({ mon: { 0: 'overlap' }, tue: { 0: 'overlap' } });
  });

  it('wraps Saturday night into Sunday morning', () => {
    expect(validateHours(form({ sat: [{ from: '22:00', to: '03:00' }], sun: [{ from: '02:00', to: '06:00' }] })).errors.intervals).toEqual({
      sat: { 0: 'overlap' },
      sun: { 0: 'overlap' },
    });
    expect(hasErrors(validateHours(form({ sat: [{ from: '22:00', to: '03:00' }], sun: [{ from: '03:00', to: '06:00' }] })).errors)).toBe(false);
  });

  it('rejects bad and empty times before looking for overlaps', () => {
    const { errors } = validateHours(form({ wed: [{ from: '25:00', to: '26:00' }, { from: '10:00', to: '10:00' }, { from: '', to: '12:00' }, { from: '24:00', to: '02:00' }] }));
    expect(errors.intervals).toEqual({ wed: { 0: 'time', 1: 'empty', 2: 'time', 3: 'time' } });
  });

  it('requires a zone and limits intervals per day', () => {
    const f = form({ fri: Array.from({ length: 13 }, (_, i) => ({ from: clockOf(i * 60), to: clockOf(i * 60 + 30) })) });
    f.timezone = ' ';
    const { errors } = validateHours(f);
    expect(errors.timezone).toBe('required');
    expect(errors.tooMany).toEqual(['fri']);
    expect(errors.intervals).toEqual({});
  });
});

function clockOf(m: number) {
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

describe('holidays', () => {
  it('adds in date order, skipping dates already there', () => {
    const r1 = addHolidays([{ date: '2026-12-25', name: 'Natal' }], [{ date: '2026-06-11', name: 'Corpus Christi' }, { date: '2026-12-25', name: 'Outro' }, { date: '', name: 'x' }]);
    expect(r1.added).toBe(1);
    expect(r1.list.map((h) => h.date)).toEqual(['2026-06-11', '2026-12-25']);
    expect(r1.list[1].name).toBe('Natal');
    const list = r1.list;
    expect(addHolidays(list, [{ date: '2026-06-11', name: '' }])).toEqual({ list, added: 0 });
    expect(removeHoliday(list, 0)).toEqual([{ date: '2026-12-25', name: 'Natal' }]);
  });

  it('lists the nine fixed national holidays of Brazil for a year', () => {
    const list = brazilianHolidaysOf(2027, (id) => `#${id}`);
    expect(list.map((h) => h.date)).toEqual(['2027-01-01', '2027-04-21', '2027-05-01', '2027-09-07', '2027-10-12', '2027-11-02', '2027-11-15', '2027-11-20', '2027-12-25']);
    expect(list[1].name).toBe('#tiradentes');
    const f = { ...form(), holidays: list };
    expect(hasErrors(validateHours(f).errors)).toBe(false);
  });

  it('validates dates, duplicates and name length like the server', () => {
    const f = {
      ...form(),
      holidays: [
        { date: '2026-02-30', name: '' },
        { date: '2026-05-01', name: '' },
        { date: '2026-05-01', name: '' },
        { date: '2026-05-02', name: 'é'.repeat(101) },
        { date: '1/5/2026', name: '' },
      ],
    };
    expect(validateHours(f).errors.holidays).toEqual({ 0: 'date', 2: 'duplicate', 3: 'name', 4: 'date' });
    f.holidays = Array.from({ length: 501 }, (_, i) => ({ date: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10), name: '' }));
    expect(validateHours(f).errors.tooManyHolidays).toBe(true);
  });
});

describe('next opening wording', () => {
  const now = { year: 2026, month: 11, day: 21, weekday: 6, hour: 23, minute: 15 }; // a Saturday
  const at = (day: number, weekday: number, hour: number, minute = 0, month = 11) => ({ year: 2026, month, day, weekday, hour, minute });

  it.each([
    [at(21, 6, 23, 45), 'pt-BR', 'hoje às 23h45'],
    [at(22, 0, 8), 'pt-BR', 'amanhã às 8h'],
    [at(23, 1, 8, 30), 'pt-BR', 'segunda-feira às 8h30'],
    [at(26, 4, 14), 'pt-BR', 'quinta-feira às 14h'],
    [at(1, 2, 8, 0, 12), 'pt-BR', 'em 01/12 às 8h'],
    [at(21, 6, 23, 45), 'en', 'today at 11:45 PM'],
    [at(22, 0, 0, 5), 'en', 'tomorrow at 12:05 AM'],
    [at(23, 1, 8), 'en', 'on Monday at 8:00 AM'],
    [at(26, 4, 12), 'en', 'on Thursday at 12:00 PM'],
    [at(1, 2, 8, 0, 12), 'en', 'on Dec 1 at 8:00 AM'],
  ] as const)('%j in %s', (next, lang, want) => expect(describeNextOpen(next, now, lang)).toBe(want));

  it('says soon when it never opens', () => {
    expect(describeNextOpen(null, now, 'pt-BR')).toBe('em breve');
    expect(describeNextOpen(null, now, 'en')).toBe('soon');
  });

  it('reads the API time in the schedule zone', () => {
    // Saturday 21 Nov 2026 22:00 in São Paulo (UTC-3), next open Monday 08:00 local
    const nowUtc = new Date('2026-11-22T01:00:00Z');
    expect(localTime(nowUtc, 'America/Sao_Paulo')).toEqual({ year: 2026, month: 11, day: 21, weekday: 6, hour: 22, minute: 0 });
    expect(formatNextOpen('2026-11-23T11:00:00Z', nowUtc, 'America/Sao_Paulo', 'pt-BR')).toBe('segunda-feira às 8h');
    expect(formatNextOpen('2026-11-23T11:00:00Z', nowUtc, 'America/Sao_Paulo', 'en')).toBe('on Monday at 8:00 AM');
    expect(formatNextOpen(null, nowUtc, 'America/Sao_Paulo', 'pt-BR')).toBe('em breve');
    expect(localTime(nowUtc, 'Not/AZone').hour).toBe(1);
  });

  it('samples the first opening of a later day for the preview', () => {
    const f = form({ mon: [{ from: '13:00', to: '18:00' }, { from: '08:30', to: '12:00' }], sun: [] });
    expect(sampleNextOpen(f, now)).toEqual({ year: 2026, month: 11, day: 23, weekday: 1, hour: 8, minute: 30 });
    expect(sampleNextOpen(form(), now)).toBeNull();
  });
});

describe('automatic messages', () => {
  const msgs: AutomationMessages = {
    language: 'pt-BR',
    greeting_enabled: true,
    greeting: 'Olá! ',
    out_of_hours_enabled: true,
    out_of_hours: 'Estamos fora do horário. Retornaremos {{next_open}}.',
    closing_enabled: false,
    closing: '',
    csat_enabled: false,
    csat: 'Avalie',
  };

  it('renders placeholders like the server and keeps unknown ones', () => {
    expect(renderTemplate(msgs.out_of_hours, { next_open: 'segunda-feira às 8h' })).toBe('Estamos fora do horário. Retornaremos segunda-feira às 8h.');
    expect(renderTemplate('A {{ next_open }} B {{nome}} {{Next_Open}}', { next_open: 'x' })).toBe('A x B {{nome}} {{Next_Open}}');
    expect(renderTemplate('{{toString}}', {})).toBe('{{toString}}');
  });

  it('builds the PUT body with trimmed texts', () => {
    const { input, errors } = validateMessages(messagesForm(msgs));
    expect(errors).toEqual({});
    expect(input?.greeting).toBe('Olá!');
    expect(input?.language).toBe('pt-BR');
    expect(input?.closing_enabled).toBe(false);
  });

  it('refuses a message enabled without a text, or too long', () => {
    let f = setMessage(messagesForm(msgs), 'closing', { enabled: true, text: '   ' });
    expect(f.closing_enabled).toBe(true);
    expect(validateMessages(f)).toEqual({ errors: { closing: 'required' } });
    f = setMessage(f, 'closing', { enabled: false });
    f = setMessage(f, 'csat', { text: '😀'.repeat(2001) });
    expect(validateMessages(f).errors).toEqual({ csat: 'tooLong' });
    f = setMessage(f, 'csat', { text: '😀'.repeat(2000) });
    expect(validateMessages(f).input).toBeDefined();
  });
});
