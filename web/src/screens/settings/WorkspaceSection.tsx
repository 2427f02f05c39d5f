// Workspace settings (admins): name, time zone, waiting thermometer, reopen
// window and whether resolving needs a closing reason.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap, type Workspace } from '../../api/client';
import { qk, useMe } from '../../api/queries';
import { Button, Checkbox, Field, Input, Select } from '../../ui';
import { diffPatch, formatMinSec, supportedZones, validateWorkspace, workspaceForm, zoneGroups, zoneOffset, type DurationUnit, type WorkspaceForm } from './logic';
import { Panel, SectionHeader } from './parts';
import s from './settings.module.css';

export function WorkspaceSection() {
  const { t } = useTranslation('settings');
  const ws = useMe().data!.workspace;
  // A new key after every save resets the form to what the server stored.
  const key = JSON.stringify(ws);
  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader title={t('workspace.title')} description={t('workspace.description')} />
      <WorkspaceEditor key={key} ws={ws} />
    </section>
  );
}

function MinSec({
  id,
  legend,
  minutes,
  seconds,
  onChange,
  error,
  hint,
}: {
  id: string;
  legend: string;
  minutes: string;
  seconds: string;
  onChange: (minutes: string, seconds: string) => void;
  error?: string;
  hint?: string;
}) {
  const { t } = useTranslation('settings');
  return (
    <fieldset className={s.fieldset} aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}>
      <legend className={s.legend}>{legend}</legend>
      <div className={s.durationRow}>
        <Input
          id={`${id}-min`}
          className={s.numberInput}
          inputMode="numeric"
          value={minutes}
          aria-invalid={!!error}
          onChange={(e) => onChange(e.target.value, seconds)}
          data-testid={`${id}-minutes`}
        />
        <label htmlFor={`${id}-min`} className={s.unit}>
          {t('units.min')}
        </label>
        <Input
          id={`${id}-sec`}
          className={s.numberInput}
          inputMode="numeric"
          value={seconds}
          aria-invalid={!!error}
          onChange={(e) => onChange(minutes, e.target.value)}
          data-testid={`${id}-seconds`}
        />
        <label htmlFor={`${id}-sec`} className={s.unit}>
          {t('units.s')}
        </label>
      </div>
      {error ? (
        <span className={s.error} id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : (
        hint && (
          <span className={s.hint} id={`${id}-hint`}>
            {hint}
          </span>
        )
      )}
    </fieldset>
  );
}

function WorkspaceEditor({ ws }: { ws: Workspace }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const initial = useMemo(() => workspaceForm(ws), [ws]);
  const [form, setForm] = useState<WorkspaceForm>(initial);
  const set = (patch: Partial<WorkspaceForm>) => setForm((f) => ({ ...f, ...patch }));
  const { values, errors } = validateWorkspace(form);
  const patch = values ? diffPatch(ws, values) : {};
  const dirty = JSON.stringify(form) !== JSON.stringify(initial);
  const zones = useMemo(() => {
    const now = new Date();
    return zoneGroups(supportedZones(), ws.timezone).map((g) => ({
      ...g,
      zones: g.zones.map((z) => ({ zone: z, label: `${z.replace(/_/g, ' ')}${zoneOffset(z, now) ? ` (${zoneOffset(z, now)})` : ''}` })),
    }));
  }, [ws.timezone]);

  const save = useMutation({
    mutationFn: (body: typeof patch) => unwrap(api.PATCH('/api/v1/workspace', { body })),
    onSuccess: (saved) => {
      qc.setQueryData(qk.me, (old: unknown) => (old && typeof old === 'object' ? { ...old, workspace: saved } : old));
      void qc.invalidateQueries({ queryKey: qk.me });
      toast.success(tc('saved'));
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!values || Object.keys(patch).length === 0) return;
    save.mutate(patch);
  };

  const err = (k?: string) => (k ? t(`errors.${k}`) : undefined);
  const yellowS = values?.thermometer_yellow_seconds ?? ws.thermometer_yellow_seconds;
  const redS = values?.thermometer_red_seconds ?? ws.thermometer_red_seconds;

  return (
    <form onSubmit={submit} noValidate className={s.stack}>
      <Panel className={s.formPanel}>
        <h2 className={s.panelTitle}>{t('workspace.general')}</h2>
        <div className={s.formGrid}>
          <Field label={t('workspace.name')} htmlFor="ws-name" error={err(errors.name)}>
            <Input id="ws-name" value={form.name} maxLength={120} onChange={(e) => set({ name: e.target.value })} aria-invalid={!!errors.name} data-testid="workspace-name" />
          </Field>
          <Field label={t('workspace.timezone')} htmlFor="ws-tz" hint={t('workspace.timezoneHint')}>
            <Select id="ws-tz" value={form.timezone} onChange={(e) => set({ timezone: e.target.value })} data-testid="workspace-timezone">
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
        </div>
      </Panel>

      <Panel className={s.formPanel}>
        <h2 className={s.panelTitle}>{t('workspace.thermometer')}</h2>
        <p className={s.panelText}>{t('workspace.thermometerHelp')}</p>
        <div className={s.formGrid}>
          <MinSec
            id="thermo-yellow"
            legend={t('workspace.yellowAfter')}
            minutes={form.yellowMin}
            seconds={form.yellowSec}
            onChange={(m, sec) => set({ yellowMin: m, yellowSec: sec })}
            error={err(errors.yellow)}
          />
          <MinSec
            id="thermo-red"
            legend={t('workspace.redAfter')}
            minutes={form.redMin}
            seconds={form.redSec}
            onChange={(m, sec) => set({ redMin: m, redSec: sec })}
            error={err(errors.red)}
          />
        </div>
        {!errors.yellow && !errors.red && (
          <div className={s.thermoScale} aria-label={t('workspace.preview')} role="group">
            <span className={s.thermoGreen}>{t('workspace.scaleGreen', { to: formatMinSec(yellowS) })}</span>
            <span className={s.thermoYellow}>{t('workspace.scaleYellow', { from: formatMinSec(yellowS), to: formatMinSec(redS) })}</span>
            <span className={s.thermoRed}>{t('workspace.scaleRed', { from: formatMinSec(redS) })}</span>
          </div>
        )}
      </Panel>

      <Panel className={s.formPanel}>
        <h2 className={s.panelTitle}>{t('workspace.resolving')}</h2>
        <div className={s.stackSm}>
          <Checkbox label={t('workspace.closingReasonRequired')} checked={form.closingReasonRequired} onChange={(v) => set({ closingReasonRequired: v })} />
          <span className={s.hint}>{t('workspace.closingReasonRequiredHint')}</span>
        </div>
        <div className={s.stackSm}>
          <Checkbox label={t('workspace.reopen')} checked={form.reopenOn} onChange={(v) => set({ reopenOn: v })} />
          {form.reopenOn ? (
            <div className={s.durationRow}>
              <label htmlFor="ws-reopen" className={s.unit}>
                {t('workspace.reopenWithin')}
              </label>
              <Input
                id="ws-reopen"
                className={s.numberInput}
                inputMode="numeric"
                value={form.reopenValue}
                aria-invalid={!!errors.reopen}
                onChange={(e) => set({ reopenValue: e.target.value })}
              />
              <Select className={s.unitSelect} aria-label={t('workspace.reopenUnit')} value={form.reopenUnit} onChange={(e) => set({ reopenUnit: e.target.value as DurationUnit })}>
                {(['minutes', 'hours', 'days'] as const).map((u) => (
                  <option key={u} value={u}>
                    {t(`units.${u}`)}
                  </option>
                ))}
              </Select>
            </div>
          ) : null}
          {errors.reopen ? (
            <span className={s.error} role="alert">
              {err(errors.reopen)}
            </span>
          ) : (
            <span className={s.hint}>{t(form.reopenOn ? 'workspace.reopenHintOn' : 'workspace.reopenHintOff')}</span>
          )}
        </div>
      </Panel>

      <div className={s.formFooter}>
        {dirty && (
          <Button variant="ghost" onClick={() => setForm(initial)}>
            {t('discard')}
          </Button>
        )}
        <Button type="submit" variant="primary" busy={save.isPending} disabled={!dirty || !values || Object.keys(patch).length === 0} data-testid="workspace-save">
          {tc('save')}
        </Button>
      </div>
    </form>
  );
}
