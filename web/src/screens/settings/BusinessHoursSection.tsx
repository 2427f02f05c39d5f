// Business hours (horário de atendimento; admins, like the server's write
// routes — everyone may read them through the API): the workspace's weekly
// schedule, time zone and holidays, a department's own hours or "follows
// the workspace", and the automatic messages the bot sends around them.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CalendarPlus, Copy, Plus, Trash2 } from 'lucide-react';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap } from '../../api/client';
import { useDepartments, useMe } from '../../api/queries';
import { Button, Field, IconButton, Input, Select, Textarea } from '../../ui';
import h from './hours.module.css';
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
  messageKinds,
  messagesForm,
  normalizeClock,
  removeHoliday,
  removeInterval,
  renderTemplate,
  sampleNextOpen,
  setInterval,
  setMessage,
  validateHours,
  validateMessages,
  weekDays,
  type AutomationMessages,
  type BusinessHours,
  type DayKey,
  type HoursErrors,
  type HoursForm,
  type MessageLanguage,
  type MessagesForm,
} from './hoursLogic';
import { supportedZones, zoneGroups, zoneOffset } from './logic';
import { Panel, SectionHeader, TableSkeleton } from './parts';
import s from './settings.module.css';

const hoursKeys = {
  all: ['business-hours'] as const,
  /** 0: the workspace */
  of: (dept: number) => ['business-hours', dept] as const,
  /** 0: the workspace's texts */
  messages: (dept: number) => ['automation-messages', dept] as const,
};

function fetchMessages(dept: number): Promise<AutomationMessages> {
  return dept
    ? unwrap(api.GET('/api/v1/departments/{id}/automation-messages', { params: { path: { id: dept } } }))
    : unwrap(api.GET('/api/v1/automation/messages'));
}

function fetchHours(dept: number): Promise<BusinessHours> {
  return dept ? unwrap(api.GET('/api/v1/departments/{id}/business-hours', { params: { path: { id: dept } } })) : unwrap(api.GET('/api/v1/business-hours'));
}

function useHours(dept: number) {
  return useQuery({ queryKey: hoursKeys.of(dept), queryFn: () => fetchHours(dept) });
}

function useUiLanguage(): MessageLanguage {
  const { i18n } = useTranslation();
  return i18n.language?.startsWith('pt') ? 'pt-BR' : 'en';
}

export function BusinessHoursSection() {
  const { t } = useTranslation('settings');
  const departments = useDepartments();
  const [dept, setDept] = useState(0);
  const list = [...(departments.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader title={t('hours.title')} description={t('hours.description')} />
      <div className={s.stack}>
        <Panel className={s.formPanel}>
          <Field label={t('hours.scope')} htmlFor="hours-scope">
            <Select id="hours-scope" value={String(dept)} onChange={(e) => setDept(Number(e.target.value))} data-testid="hours-dept-select">
              <option value="0">{t('hours.scopeWorkspace')}</option>
              {list.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </Select>
          </Field>
        </Panel>
        <HoursLoader key={dept} dept={dept} />
        <MessagesLoader key={`m${dept}`} dept={dept} />
      </div>
    </section>
  );
}

function HoursLoader({ dept }: { dept: number }) {
  const q = useHours(dept);
  if (!q.data)
    return (
      <Panel>
        <TableSkeleton rows={7} />
      </Panel>
    );
  // a new key after every save resets the form to what the server stored
  return <HoursEditor key={JSON.stringify(q.data)} dept={dept} data={q.data} />;
}

/* ---------- switch ---------- */

export function Switch({ checked, onChange, label, testid, disabled }: { checked: boolean; onChange: (v: boolean) => void; label: string; testid?: string; disabled?: boolean }) {
  return (
    <label className={h.switchLabel}>
      <button type="button" role="switch" aria-checked={checked} className={h.switch} disabled={disabled} onClick={() => onChange(!checked)} data-testid={testid}>
        <span className={h.knob} />
      </button>
      <span>{label}</span>
    </label>
  );
}

/* ---------- hours ---------- */

type Mode = 'follow' | 'own';

export function StatusPill({ data }: { data: BusinessHours }) {
  const { t } = useTranslation('settings');
  const lang = useUiLanguage();
  if (!data.enabled)
    return (
      <span className={`${h.status} ${h.off}`} data-testid="hours-status">
        {t('hours.alwaysOpen')}
      </span>
    );
  if (data.open_now)
    return (
      <span className={`${h.status} ${h.open}`} data-testid="hours-status">
        {t('hours.openNow')}
      </span>
    );
  return (
    <span className={`${h.status} ${h.closed}`} data-testid="hours-status">
      {t('hours.closedNext', { next_open: formatNextOpen(data.next_open, new Date(), data.schedule.timezone, lang) })}
    </span>
  );
}

export function HoursEditor({ dept, data }: { dept: number; data: BusinessHours }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const wsZone = useMe().data?.workspace.timezone ?? 'America/Sao_Paulo';
  const initial = useMemo(() => hoursForm(data, wsZone), [data, wsZone]);
  const initialMode: Mode = data.inherited ? 'follow' : 'own';
  const [form, setForm] = useState<HoursForm>(initial);
  const [mode, setMode] = useState<Mode>(initialMode);
  const [tried, setTried] = useState(false);
  const following = dept !== 0 && mode === 'follow';
  const { input, errors } = validateHours(form);
  const dirty = mode !== initialMode || (!following && JSON.stringify(form) !== JSON.stringify(initial));

  const save = useMutation({
    mutationFn: async (): Promise<BusinessHours> => {
      if (following) {
        await unwrap(api.DELETE('/api/v1/departments/{id}/business-hours', { params: { path: { id: dept } } }));
        return fetchHours(dept);
      }
      const body = input!;
      return dept
        ? unwrap(api.PUT('/api/v1/departments/{id}/business-hours', { params: { path: { id: dept } }, body }))
        : unwrap(api.PUT('/api/v1/business-hours', { body }));
    },
    onSuccess: (saved) => {
      qc.setQueryData(hoursKeys.of(dept), saved);
      // departments that follow the workspace show its hours
      if (dept === 0) void qc.invalidateQueries({ queryKey: hoursKeys.all, predicate: (q) => q.queryKey[1] !== 0 });
      toast.success(tc('saved'));
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!dirty) return;
    if (!following && !input) return;
    save.mutate();
  };

  return (
    <form onSubmit={submit} noValidate className={s.stack} data-testid="hours-form">
      <Panel className={s.formPanel}>
        {dept !== 0 && (
          <div className={s.stackSm}>
            <div className={s.segmented} role="radiogroup" aria-label={t('hours.scope')}>
              {(['follow', 'own'] as const).map((m) => (
                <button key={m} type="button" role="radio" aria-checked={mode === m} className={s.segment} onClick={() => setMode(m)} data-testid={`hours-mode-${m}`}>
                  {t(`hours.${m}`)}
                </button>
              ))}
            </div>
            <span className={s.hint}>{t(mode === 'follow' ? 'hours.followHint' : 'hours.ownHint')}</span>
          </div>
        )}
        <div className={h.statusRow}>
          <Switch checked={form.enabled} onChange={(v) => setForm({ ...form, enabled: v })} label={t('hours.enabled')} testid="hours-enabled" disabled={following} />
          <StatusPill data={data} />
        </div>
        <span className={s.hint}>{t('hours.enabledHint')}</span>
      </Panel>
      {following && !data.inherited ? null : (
        <ScheduleFields form={following ? initial : form} onChange={setForm} errors={tried ? errors : undefined} readOnly={following} />
      )}
      <div className={s.formFooter}>
        {tried && !following && hasErrors(errors) && (
          <span className={`${s.footerNote} ${s.dangerText}`} role="alert">
            {t('hours.fix')}
          </span>
        )}
        {dirty && (
          <Button
            variant="ghost"
            onClick={() => {
              setForm(initial);
              setMode(initialMode);
              setTried(false);
            }}
          >
            {t('discard')}
          </Button>
        )}
        <Button type="submit" variant="primary" busy={save.isPending} disabled={!dirty} data-testid="hours-save">
          {tc('save')}
        </Button>
      </div>
    </form>
  );
}

function ScheduleFields({ form, onChange, errors, readOnly }: { form: HoursForm; onChange: (f: HoursForm) => void; errors?: HoursErrors; readOnly: boolean }) {
  const { t } = useTranslation('settings');
  const zones = useMemo(() => {
    const now = new Date();
    return zoneGroups(supportedZones(), form.timezone).map((g) => ({
      ...g,
      zones: g.zones.map((z) => ({ zone: z, label: `${z.replace(/_/g, ' ')}${zoneOffset(z, now) ? ` (${zoneOffset(z, now)})` : ''}` })),
    }));
  }, [form.timezone]);
  const year = localTime(new Date(), form.timezone).year;

  const addBrazil = () => {
    const r = addHolidays(
      form.holidays,
      brazilianHolidaysOf(year, (id) => t(`hours.brHolidays.${id}`)),
    );
    onChange({ ...form, holidays: r.list });
    if (r.added) toast.success(t('hours.brazilAdded', { n: r.added }));
    else toast(t('hours.brazilNone', { year }));
  };

  return (
    <fieldset disabled={readOnly} className={`${s.fieldset} ${s.stack} ${readOnly ? h.readOnly : ''}`}>
      <Panel className={s.formPanel}>
        <Field label={t('hours.timezone')} htmlFor="hours-tz" hint={t('hours.timezoneHint')} error={errors?.timezone ? t('hours.errors.timezone') : undefined}>
          <Select id="hours-tz" value={form.timezone} onChange={(e) => onChange({ ...form, timezone: e.target.value })} data-testid="hours-timezone">
            {zones.map((g) => (
              <optgroup key={g.region} label={g.region}>
                {g.zones.map((z) => (
                  <option key={z.zone} value={z.zone}>
                    {z.label}
                  </option>
                ))}
              </optgroup>
            ))}
          </Select>
        </Field>
      </Panel>

      <Panel className={s.formPanel}>
        <div className={s.sectionHeader}>
          <div className={s.sectionHeading}>
            <h2 className={s.panelTitle}>{t('hours.week')}</h2>
            <p className={s.panelText}>{t('hours.weekHelp')}</p>
          </div>
          {!readOnly && (
            <Button
              size="sm"
              onClick={() => {
                onChange(copyMondayToWeekdays(form));
                toast.success(t('hours.copied'));
              }}
              data-testid="hours-copy-monday"
            >
              <Copy size={14} aria-hidden /> {t('hours.copyMonday')}
            </Button>
          )}
        </div>
        <div className={h.days}>
          {weekDays.map((d) => (
            <DayRow key={d} day={d} form={form} onChange={onChange} errors={errors} readOnly={readOnly} />
          ))}
        </div>
      </Panel>

      <Panel className={s.formPanel}>
        <div className={s.sectionHeader}>
          <div className={s.sectionHeading}>
            <h2 className={s.panelTitle}>{t('hours.holidays')}</h2>
            <p className={s.panelText}>{t('hours.holidaysHelp')}</p>
          </div>
        </div>
        {form.holidays.length === 0 ? (
          <p className={s.hint}>{t('hours.noHolidays')}</p>
        ) : (
          <ul className={`${s.rows} ${h.holidayList}`} aria-label={t('hours.holidays')}>
            {form.holidays.map((hd, i) => {
              const err = errors?.holidays[i];
              return (
                <li key={i} className={s.stackSm} data-testid={`hours-holiday-${i}`}>
                  <div className={h.holiday}>
                    <Input
                      type="date"
                      value={hd.date}
                      aria-label={t('hours.holidayDate')}
                      aria-invalid={err === 'date' || err === 'duplicate'}
                      onChange={(e) => onChange({ ...form, holidays: form.holidays.map((x, j) => (j === i ? { ...x, date: e.target.value } : x)) })}
                    />
                    <Input
                      value={hd.name}
                      placeholder={t('hours.holidayName')}
                      aria-label={t('hours.holidayName')}
                      aria-invalid={err === 'name'}
                      maxLength={hoursLimits.holidayName}
                      onChange={(e) => onChange({ ...form, holidays: form.holidays.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })}
                    />
                    {!readOnly && (
                      <IconButton
                        size="sm"
                        label={t('hours.removeHoliday', { date: hd.date })}
                        icon={<Trash2 size={14} aria-hidden />}
                        onClick={() => onChange({ ...form, holidays: removeHoliday(form.holidays, i) })}
                      />
                    )}
                  </div>
                  {err && (
                    <span className={s.error} role="alert">
                      {t(`hours.errors.${err}`)}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {errors?.tooManyHolidays && (
          <span className={s.error} role="alert">
            {t('hours.errors.tooManyHolidays')}
          </span>
        )}
        {!readOnly && (
          <div className={s.stackSm}>
            <div className={h.actionsRow}>
              <Button size="sm" onClick={() => onChange({ ...form, holidays: [...form.holidays, { date: '', name: '' }] })} data-testid="hours-holiday-add">
                <Plus size={14} aria-hidden /> {t('hours.addHoliday')}
              </Button>
              <Button size="sm" variant="ghost" onClick={addBrazil} data-testid="hours-holiday-brazil">
                <CalendarPlus size={14} aria-hidden /> {t('hours.addBrazil', { year })}
              </Button>
            </div>
            <span className={s.hint}>{t('hours.addBrazilHint')}</span>
          </div>
        )}
      </Panel>
    </fieldset>
  );
}

function DayRow({ day, form, onChange, errors, readOnly }: { day: DayKey; form: HoursForm; onChange: (f: HoursForm) => void; errors?: HoursErrors; readOnly: boolean }) {
  const { t } = useTranslation('settings');
  const name = t(`hours.days.${day}`);
  const list = form.week[day];
  const errs = errors?.intervals[day] ?? {};
  return (
    <div className={h.day} data-testid={`hours-day-${day}`} role="group" aria-label={name}>
      <span className={h.dayName}>{name}</span>
      <div className={h.intervals}>
        {list.length === 0 && <span className={h.closedText}>{t('hours.closed')}</span>}
        {list.map((iv, i) => {
          const err = errs[i];
          const label = t('hours.intervalOf', { day: name, n: i + 1 });
          return (
            <div key={i} className={s.stackSm}>
              <div className={h.interval} role="group" aria-label={label}>
                <Input
                  className={h.timeInput}
                  value={iv.from}
                  inputMode="numeric"
                  placeholder="08:00"
                  maxLength={5}
                  aria-label={`${label}: ${t('hours.from')}`}
                  aria-invalid={!!err}
                  onChange={(e) => onChange(setInterval(form, day, i, { from: e.target.value }))}
                  onBlur={(e) => onChange(setInterval(form, day, i, { from: normalizeClock(e.target.value) }))}
                  data-testid={`hours-from-${day}-${i}`}
                />
                <span aria-hidden>–</span>
                <Input
                  className={h.timeInput}
                  value={iv.to}
                  inputMode="numeric"
                  placeholder="18:00"
                  maxLength={5}
                  aria-label={`${label}: ${t('hours.to')}`}
                  aria-invalid={!!err}
                  onChange={(e) => onChange(setInterval(form, day, i, { to: e.target.value }))}
                  onBlur={(e) => onChange(setInterval(form, day, i, { to: normalizeClock(e.target.value) }))}
                  data-testid={`hours-to-${day}-${i}`}
                />
                {!readOnly && (
                  <IconButton
                    size="sm"
                    label={t('hours.removeInterval', { from: iv.from, to: iv.to })}
                    icon={<Trash2 size={14} aria-hidden />}
                    onClick={() => onChange(removeInterval(form, day, i))}
                    data-testid={`hours-remove-${day}-${i}`}
                  />
                )}
              </div>
              {err ? (
                <span className={s.error} role="alert">
                  {t(`hours.errors.${err}`)}
                </span>
              ) : (
                isNightShift(iv) && <span className={s.hint}>{t('hours.nightShift', { to: normalizeClock(iv.to) })}</span>
              )}
            </div>
          );
        })}
        {errors?.tooMany.includes(day) && (
          <span className={s.error} role="alert">
            {t('hours.errors.tooMany')}
          </span>
        )}
      </div>
      {!readOnly && (
        <Button size="sm" variant="ghost" onClick={() => onChange(addInterval(form, day))} disabled={list.length >= hoursLimits.intervalsPerDay} aria-label={t('hours.addInterval', { day: name })} data-testid={`hours-add-interval-${day}`}>
          <Plus size={14} aria-hidden /> {t('hours.add')}
        </Button>
      )}
    </div>
  );
}

/* ---------- automatic messages ---------- */

function MessagesLoader({ dept }: { dept: number }) {
  const q = useQuery({ queryKey: hoursKeys.messages(dept), queryFn: () => fetchMessages(dept) });
  if (!q.data)
    return (
      <Panel>
        <TableSkeleton rows={4} />
      </Panel>
    );
  return <MessagesEditor key={JSON.stringify(q.data)} dept={dept} data={q.data} />;
}

export function MessagesEditor({ dept = 0, data }: { dept?: number; data: AutomationMessages }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const ws = useHours(0).data;
  const wsZone = useMe().data?.workspace.timezone ?? 'America/Sao_Paulo';
  const initial = useMemo(() => messagesForm(data), [data]);
  const [form, setForm] = useState<MessagesForm>(initial);
  const initialMode: Mode = data.inherited ? 'follow' : 'own';
  const [mode, setMode] = useState<Mode>(initialMode);
  const [tried, setTried] = useState(false);
  const following = dept !== 0 && mode === 'follow';
  const { input, errors } = validateMessages(form);
  const dirty = mode !== initialMode || (!following && JSON.stringify(form) !== JSON.stringify(initial));

  const save = useMutation({
    mutationFn: async (): Promise<AutomationMessages> => {
      if (following) {
        await unwrap(api.DELETE('/api/v1/departments/{id}/automation-messages', { params: { path: { id: dept } } }));
        return fetchMessages(dept);
      }
      return dept
        ? unwrap(api.PUT('/api/v1/departments/{id}/automation-messages', { params: { path: { id: dept } }, body: input! }))
        : unwrap(api.PUT('/api/v1/automation/messages', { body: input! }));
    },
    onSuccess: (saved) => {
      qc.setQueryData(hoursKeys.messages(dept), saved);
      // departments that follow the workspace show its texts
      if (dept === 0) void qc.invalidateQueries({ queryKey: ['automation-messages'], predicate: (q) => q.queryKey[1] !== 0 });
      toast.success(tc('saved'));
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (dirty && (following || input)) save.mutate();
  };
  const shown = following ? initial : form;

  // the preview says what the server would say now; while open (or with hours off) the API has no next opening, so take the next day's first one
  const zone = ws?.schedule.timezone || wsZone;
  const now = new Date();
  const sample = !ws?.next_open;
  const nextOpen = ws?.next_open
    ? formatNextOpen(ws.next_open, now, zone, form.language)
    : describeNextOpen(ws ? sampleNextOpen(hoursForm(ws, wsZone), localTime(now, zone)) : null, localTime(now, zone), form.language);

  return (
    <form onSubmit={submit} noValidate className={s.stack} data-testid="hours-messages-form">
      <Panel className={s.formPanel}>
        <div className={s.sectionHeading}>
          <h2 className={s.panelTitle}>{t('hours.messages.title')}</h2>
          <p className={s.panelText}>{t('hours.messages.description')}</p>
        </div>
        {dept !== 0 && (
          <div className={s.stackSm}>
            <div className={s.segmented} role="radiogroup" aria-label={t('hours.messages.title')}>
              {(['follow', 'own'] as const).map((m) => (
                <button key={m} type="button" role="radio" aria-checked={mode === m} className={s.segment} onClick={() => setMode(m)} data-testid={`hours-msg-mode-${m}`}>
                  {t(`hours.messages.${m}`)}
                </button>
              ))}
            </div>
            <span className={s.hint}>{t(mode === 'follow' ? 'hours.messages.followHint' : 'hours.messages.ownHint')}</span>
          </div>
        )}
        <Field label={t('hours.messages.language')} htmlFor="hours-msg-language" hint={t('hours.messages.languageHint')}>
          <Select id="hours-msg-language" value={shown.language} disabled={following} onChange={(e) => setForm({ ...form, language: e.target.value as MessageLanguage })} data-testid="hours-msg-language">
            {(['pt-BR', 'en'] as const).map((l) => (
              <option key={l} value={l}>
                {t(`hours.messages.languages.${l}`)}
              </option>
            ))}
          </Select>
        </Field>
        {messageKinds.map((k) => {
          const err = tried || form[k].length > hoursLimits.message ? errors[k] : undefined;
          return (
            <div key={k} className={h.message}>
              <Switch checked={shown[`${k}_enabled`]} disabled={following} onChange={(v) => setForm(setMessage(form, k, { enabled: v }))} label={t(`hours.messages.kinds.${k}.label`)} testid={`hours-msg-${k}-enabled`} />
              <span className={s.hint}>{t(`hours.messages.kinds.${k}.hint`)}</span>
              <Textarea
                rows={3}
                value={shown[k]}
                readOnly={following}
                aria-label={t(`hours.messages.kinds.${k}.label`)}
                aria-invalid={!!err}
                onChange={(e) => setForm(setMessage(form, k, { text: e.target.value }))}
                data-testid={`hours-msg-${k}`}
              />
              {err && (
                <span className={s.error} role="alert">
                  {t(`hours.errors.${err}`)}
                </span>
              )}
              {k === 'out_of_hours' && (
                <>
                  <span className={s.hint}>{t('hours.messages.placeholderHint', { code: '{{next_open}}', example: nextOpen, interpolation: { escapeValue: false } })}</span>
                  {form.out_of_hours.trim() && (
                    <div className={s.previewBox} data-testid="hours-msg-preview">
                      <span className={s.copyLabel}>{t('hours.messages.preview')}</span>
                      <div className={s.previewText}>{renderTemplate(form.out_of_hours, { next_open: nextOpen })}</div>
                      {sample && <span className={s.hint}>{t('hours.messages.previewSample')}</span>}
                    </div>
                  )}
                </>
              )}
            </div>
          );
        })}
      </Panel>
      <div className={s.formFooter}>
        {dirty && (
          <Button
            variant="ghost"
            onClick={() => {
              setForm(initial);
              setTried(false);
            }}
          >
            {t('discard')}
          </Button>
        )}
        <Button type="submit" variant="primary" busy={save.isPending} disabled={!dirty} data-testid="hours-msg-save">
          {t('hours.messages.save')}
        </Button>
      </div>
    </form>
  );
}
