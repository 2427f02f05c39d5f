// Routing rules (DESIGN M1, admins; everyone may read them through the API):
// an ordered list where the first enabled rule whose conditions all hold
// chooses a new conversation's department. Rules move with up/down buttons,
// switch on and off in place, and open in a dialog of condition rows and
// actions. The server validates again; its message shows as a toast.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AlertTriangle, ArrowDown, ArrowUp, Pencil, Plus, Signpost, Trash2, X } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap } from '../../api/client';
import { useChannels, useDepartments, useLabels, useUsers } from '../../api/queries';
import { Button, EmptyState, Field, IconButton, Input, Select, uiStyles } from '../../ui';
import { useBots } from './BotsSection';
import { ConfirmDialog, FormDialog, Panel, SectionHeader, TableSkeleton } from './parts';
import {
  addableKinds,
  attributeOps,
  channelKinds,
  departmentGone,
  emptyRuleForm,
  moveRule,
  newRow,
  opNeedsValue,
  priorities,
  reorderLocal,
  ruleBody,
  ruleForm,
  routingLimits,
  sortRules,
  summary,
  toggleId,
  type ConditionKind,
  type ConditionRow,
  type Names,
  type RoutingRule,
  type RuleErrors,
  type RuleForm,
} from './routingLogic';
import s from './settings.module.css';

const rulesKey = ['routing-rules'] as const;

function useRules() {
  return useQuery({ queryKey: rulesKey, queryFn: ({ signal }) => unwrap(api.GET('/api/v1/routing-rules', { signal })) });
}

interface Option {
  id: number;
  name: string;
}

/** useOptions is what the rule's ids point at: names for the summary and choices for the form. */
function useOptions() {
  const channels = useChannels().data ?? [];
  const labels = useLabels().data ?? [];
  const users = useUsers().data ?? [];
  const departments = useDepartments().data ?? [];
  const bots = useBots().data ?? [];
  const opts = {
    channels: channels.map((c) => ({ id: c.id, name: c.name })),
    labels: labels.map((l) => ({ id: l.id, name: l.name })),
    users: users.map((u) => ({ id: u.id, name: u.name || u.email })),
    departments: departments.map((d) => ({ id: d.id, name: d.name })),
    bots: bots.map((b) => ({ id: b.id, name: b.name })),
  };
  const toMap = (xs: Option[]) => new Map(xs.map((x) => [x.id, x.name]));
  const names: Names = { channels: toMap(opts.channels), labels: toMap(opts.labels), users: toMap(opts.users), departments: toMap(opts.departments), bots: toMap(opts.bots) };
  return { opts, names };
}

export function RoutingRulesSection() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const rules = useRules();
  const { names } = useOptions();
  const [editing, setEditing] = useState<RoutingRule | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RoutingRule | null>(null);
  const list = sortRules(rules.data ?? []);

  // Moves and switches show at once; a failure puts the list back (the server's message shows as a toast).
  const reorder = useMutation({
    mutationFn: (ids: number[]) => unwrap(api.PUT('/api/v1/routing-rules/order', { body: { ids } })),
    onMutate: async (ids) => {
      await qc.cancelQueries({ queryKey: rulesKey });
      const before = qc.getQueryData<RoutingRule[]>(rulesKey);
      qc.setQueryData<RoutingRule[]>(rulesKey, (cur) => cur && reorderLocal(cur, ids));
      return { before };
    },
    onError: (_e, _ids, ctx) => ctx?.before && qc.setQueryData(rulesKey, ctx.before),
    onSuccess: (fresh) => qc.setQueryData(rulesKey, fresh),
    onSettled: () => void qc.invalidateQueries({ queryKey: rulesKey }),
  });
  const toggle = useMutation({
    mutationFn: (r: RoutingRule) => unwrap(api.PATCH('/api/v1/routing-rules/{id}', { params: { path: { id: r.id } }, body: { enabled: !r.enabled } })),
    onMutate: async (r) => {
      await qc.cancelQueries({ queryKey: rulesKey });
      const before = qc.getQueryData<RoutingRule[]>(rulesKey);
      qc.setQueryData<RoutingRule[]>(rulesKey, (cur) => cur?.map((x) => (x.id === r.id ? { ...x, enabled: !r.enabled } : x)));
      return { before };
    },
    onError: (_e, _r, ctx) => ctx?.before && qc.setQueryData(rulesKey, ctx.before),
    onSuccess: (r) => toast.success(r.enabled ? t('routing.enabledNow') : t('routing.disabledNow')),
    onSettled: () => void qc.invalidateQueries({ queryKey: rulesKey }),
  });
  const remove = useMutation({
    mutationFn: (r: RoutingRule) => unwrap(api.DELETE('/api/v1/routing-rules/{id}', { params: { path: { id: r.id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: rulesKey });
      setDeleting(null);
      toast.success(t('deleted'));
    },
  });
  const move = (index: number, dir: -1 | 1) => {
    const ids = moveRule(
      list.map((r) => r.id),
      index,
      dir,
    );
    if (ids) reorder.mutate(ids);
  };

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader
        title={t('routing.title')}
        description={t('routing.description')}
        actions={
          <Button variant="primary" onClick={() => setEditing('new')} data-testid="routing-new">
            <Plus size={16} aria-hidden /> {t('routing.new')}
          </Button>
        }
      />
      <Panel>
        {rules.isPending ? (
          <TableSkeleton rows={3} />
        ) : list.length === 0 ? (
          <EmptyState
            icon={<Signpost size={28} aria-hidden />}
            title={t('routing.emptyTitle')}
            body={t('routing.emptyBody')}
            action={
              <Button onClick={() => setEditing('new')}>
                <Plus size={16} aria-hidden /> {t('routing.new')}
              </Button>
            }
          />
        ) : (
          <ol className={s.rows} aria-label={t('routing.list')} data-testid="routing-list" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
            {list.map((r, i) => (
              <li key={r.id} className={`${s.row} ${r.enabled ? '' : s.inactiveRow}`} data-testid={`routing-row-${r.id}`}>
                <span className={s.muted} style={{ minWidth: 24, fontVariantNumeric: 'tabular-nums' }} aria-label={t('routing.position', { n: r.position })}>
                  {r.position}
                </span>
                <div className={s.stackSm} style={{ flex: 1, minWidth: 0 }}>
                  <span className={s.cellTitle}>{r.name}</span>
                  <span className={s.cellSub} title={summary(r, names, t)} data-testid={`routing-summary-${r.id}`}>
                    {summary(r, names, t)}
                  </span>
                  {departmentGone(r, names.departments) && names.departments.size > 0 && (
                    <span className={`${s.small} ${s.warningText}`}>
                      <AlertTriangle size={12} aria-hidden /> {t('routing.departmentGone')}
                    </span>
                  )}
                </div>
                <span className={s.toggleCell}>
                  <label className={uiStyles.checkbox}>
                    <input type="checkbox" checked={r.enabled} onChange={() => toggle.mutate(r)} aria-label={t('routing.enabledOf', { name: r.name })} data-testid={`routing-enabled-${r.id}`} />
                    <span aria-hidden>{t('routing.enabled')}</span>
                  </label>
                </span>
                <span className={s.rowButtons}>
                  <IconButton size="sm" label={t('routing.moveUp', { name: r.name })} icon={<ArrowUp size={14} aria-hidden />} disabled={i === 0 || reorder.isPending} onClick={() => move(i, -1)} data-testid={`routing-up-${r.id}`} />
                  <IconButton size="sm" label={t('routing.moveDown', { name: r.name })} icon={<ArrowDown size={14} aria-hidden />} disabled={i === list.length - 1 || reorder.isPending} onClick={() => move(i, 1)} data-testid={`routing-down-${r.id}`} />
                  <IconButton size="sm" label={t('editItem', { name: r.name })} icon={<Pencil size={14} aria-hidden />} onClick={() => setEditing(r)} data-testid={`routing-edit-${r.id}`} />
                  <IconButton size="sm" label={t('deleteItem', { name: r.name })} icon={<Trash2 size={14} aria-hidden />} onClick={() => setDeleting(r)} data-testid={`routing-delete-${r.id}`} />
                </span>
              </li>
            ))}
          </ol>
        )}
      </Panel>
      {list.length > 0 && <p className={s.footnote}>{t('routing.footnote')}</p>}

      {editing && <RuleDialog rule={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('routing.deleteTitle', { name: deleting?.name ?? '' })}
        body={t('routing.deleteBody')}
        confirmLabel={tc('delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
    </section>
  );
}

/* ---------- create / edit ---------- */

function RuleDialog({ rule, onClose }: { rule: RoutingRule | null; onClose: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const { opts } = useOptions();
  const [form, setForm] = useState<RuleForm>(() => (rule ? ruleForm(rule) : emptyRuleForm));
  const [tried, setTried] = useState(false);
  const { body, errors } = ruleBody(form);
  const save = useMutation({
    mutationFn: (b: NonNullable<typeof body>) =>
      rule ? unwrap(api.PATCH('/api/v1/routing-rules/{id}', { params: { path: { id: rule.id } }, body: b })) : unwrap(api.POST('/api/v1/routing-rules', { body: b })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: rulesKey });
      toast.success(tc('saved'));
      onClose();
    },
  });
  const set = <K extends keyof RuleForm>(k: K, v: RuleForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (body) save.mutate(body);
  };
  return (
    <FormDialog
      title={rule ? t('routing.editTitle') : t('routing.new')}
      formId="routing-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={rule ? tc('save') : tc('create')}
      submitTestId="routing-save"
    >
      <RuleFields form={form} onChange={set} errors={tried ? errors : { rows: [] }} opts={opts} />
    </FormDialog>
  );
}

type Opts = ReturnType<typeof useOptions>['opts'];

/** RuleFields is the body of the rule form. */
export function RuleFields({ form, onChange: set, errors, opts }: { form: RuleForm; onChange: <K extends keyof RuleForm>(k: K, v: RuleForm[K]) => void; errors: RuleErrors; opts: Opts }) {
  const { t } = useTranslation('settings');
  const [adding, setAdding] = useState<ConditionKind | ''>('');
  const addable = addableKinds(form.rows);
  const setRow = (i: number, r: ConditionRow) => set('rows', form.rows.map((x, j) => (j === i ? r : x)));
  const removeRow = (i: number) => set('rows', form.rows.filter((_, j) => j !== i));
  return (
    <>
      <Field label={t('routing.name')} htmlFor="routing-name" error={errors.name ? t(`errors.${errors.name}`) : undefined}>
        <Input id="routing-name" value={form.name} autoFocus maxLength={routingLimits.name} onChange={(e) => set('name', e.target.value)} placeholder={t('routing.namePlaceholder')} data-testid="routing-name" />
      </Field>
      <label className={uiStyles.checkbox}>
        <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} data-testid="routing-form-enabled" />
        {t('routing.enabled')}
      </label>

      <fieldset className={s.fieldset}>
        <legend className={s.legend}>{t('routing.conditions')}</legend>
        <span className={s.hint}>{form.rows.length === 0 ? t('routing.noConditions') : t('routing.allMustHold')}</span>
        {form.rows.map((r, i) => (
          <ConditionEditor key={i} index={i} row={r} onChange={(x) => setRow(i, x)} onRemove={() => removeRow(i)} error={errors.rows[i]} opts={opts} />
        ))}
        <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <Select aria-label={t('routing.addCondition')} value={adding} onChange={(e) => setAdding(e.target.value as ConditionKind | '')} data-testid="routing-add-kind">
            <option value="">{t('routing.chooseCondition')}</option>
            {addable.map((k) => (
              <option key={k} value={k}>
                {t(`routing.cond.${k}`)}
              </option>
            ))}
          </Select>
          <Button
            size="sm"
            disabled={!adding}
            onClick={() => {
              if (!adding) return;
              set('rows', [...form.rows, newRow(adding)]);
              setAdding('');
            }}
            data-testid="routing-add-condition"
          >
            <Plus size={14} aria-hidden /> {t('routing.addCondition')}
          </Button>
        </div>
      </fieldset>

      <fieldset className={s.fieldset}>
        <legend className={s.legend}>{t('routing.actions')}</legend>
        <Field label={t('routing.sendTo')} htmlFor="routing-target" error={errors.department ? t('routing.errors.department') : undefined}>
          <Select
            id="routing-target"
            value={form.target === 'last' ? 'last' : form.departmentId}
            onChange={(e) => {
              if (e.target.value === 'last') set('target', 'last');
              else {
                set('target', 'department');
                set('departmentId', e.target.value);
              }
            }}
            data-testid="routing-target"
          >
            <option value="">{t('routing.chooseDepartment')}</option>
            <option value="last">{t('routing.lastDepartment')}</option>
            {opts.departments.map((d) => (
              <option key={d.id} value={String(d.id)}>
                {d.name}
              </option>
            ))}
          </Select>
        </Field>
        {form.target === 'last' && <span className={s.hint}>{t('routing.lastDepartmentHint')}</span>}
        <Field label={t('routing.priority')} htmlFor="routing-priority">
          <Select id="routing-priority" value={form.priority} onChange={(e) => set('priority', e.target.value as RuleForm['priority'])} data-testid="routing-priority">
            <option value="">{t('routing.keepPriority')}</option>
            {priorities.map((p) => (
              <option key={p} value={p}>
                {t(`routing.priorities.${p}`)}
              </option>
            ))}
          </Select>
        </Field>
        <span className={s.legend}>{t('routing.addLabels')}</span>
        <Choices options={opts.labels} ids={form.labelIds} onChange={(ids) => set('labelIds', ids)} testid="routing-labels" />
        <Field label={t('routing.bot')} htmlFor="routing-bot">
          <Select id="routing-bot" value={form.botId} onChange={(e) => set('botId', e.target.value)} data-testid="routing-bot">
            <option value="">{t('routing.departmentBot')}</option>
            {form.botId && !opts.bots.some((b) => String(b.id) === form.botId) && <option value={form.botId}>{t('routing.unknown', { id: form.botId })}</option>}
            {opts.bots.map((b) => (
              <option key={b.id} value={String(b.id)}>
                {b.name}
              </option>
            ))}
          </Select>
        </Field>
        <span className={s.hint}>{t('routing.botHint')}</span>
      </fieldset>
    </>
  );
}

function Choices({ options, ids, onChange, testid }: { options: Option[]; ids: number[]; onChange: (ids: number[]) => void; testid: string }) {
  const { t } = useTranslation('settings');
  if (options.length === 0) return <span className={s.hint}>{t('routing.nothingToPick')}</span>;
  return (
    <div className={s.checkGrid} data-testid={testid}>
      {options.map((o) => (
        <label key={o.id} className={uiStyles.checkbox}>
          <input type="checkbox" checked={ids.includes(o.id)} onChange={(e) => onChange(toggleId(ids, o.id, e.target.checked))} />
          {o.name}
        </label>
      ))}
    </div>
  );
}

function ConditionEditor({ index, row, onChange, onRemove, error, opts }: { index: number; row: ConditionRow; onChange: (r: ConditionRow) => void; onRemove: () => void; error?: string; opts: Opts }) {
  const { t } = useTranslation('settings');
  let body: ReactNode;
  switch (row.kind) {
    case 'channel':
      body = <Choices options={opts.channels} ids={row.ids} onChange={(ids) => onChange({ ...row, ids })} testid={`routing-cond-${index}-choices`} />;
      break;
    case 'has_labels':
    case 'lacks_labels':
      body = <Choices options={opts.labels} ids={row.ids} onChange={(ids) => onChange({ ...row, ids })} testid={`routing-cond-${index}-choices`} />;
      break;
    case 'owner':
      body = <Choices options={opts.users} ids={row.ids} onChange={(ids) => onChange({ ...row, ids })} testid={`routing-cond-${index}-choices`} />;
      break;
    case 'last_department':
      body = <Choices options={opts.departments} ids={row.ids} onChange={(ids) => onChange({ ...row, ids })} testid={`routing-cond-${index}-choices`} />;
      break;
    case 'channel_kind':
      body = (
        <div className={s.checkGrid} data-testid={`routing-cond-${index}-choices`}>
          {channelKinds.map((k) => (
            <label key={k} className={uiStyles.checkbox}>
              <input type="checkbox" checked={row.kinds.includes(k)} onChange={(e) => onChange({ ...row, kinds: toggleId(row.kinds, k, e.target.checked) })} />
              {t(`routing.kinds.${k}`)}
            </label>
          ))}
        </div>
      );
      break;
    case 'attribute':
      body = (
        <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
          <Input aria-label={t('routing.attrKey')} placeholder={t('routing.attrKey')} value={row.key} maxLength={routingLimits.key} onChange={(e) => onChange({ ...row, key: e.target.value })} style={{ flex: '1 1 120px' }} data-testid={`routing-cond-${index}-key`} />
          <Select aria-label={t('routing.attrOp')} value={row.op} onChange={(e) => onChange({ ...row, op: e.target.value as typeof row.op })} style={{ flex: '0 1 160px' }} data-testid={`routing-cond-${index}-op`}>
            {attributeOps.map((op) => (
              <option key={op} value={op}>
                {t(`routing.ops.${op}`)}
              </option>
            ))}
          </Select>
          {opNeedsValue(row.op) && (
            <Input aria-label={t('routing.attrValue')} placeholder={t('routing.attrValue')} value={row.value} maxLength={routingLimits.value} onChange={(e) => onChange({ ...row, value: e.target.value })} style={{ flex: '1 1 120px' }} data-testid={`routing-cond-${index}-value`} />
          )}
        </div>
      );
      break;
    case 'has_owner':
    case 'served_before':
      body = (
        <Select aria-label={t(`routing.cond.${row.kind}`)} value={row.value ? 'yes' : 'no'} onChange={(e) => onChange({ ...row, value: e.target.value === 'yes' })} data-testid={`routing-cond-${index}-bool`}>
          <option value="yes">{t('routing.yes')}</option>
          <option value="no">{t('routing.no')}</option>
        </Select>
      );
      break;
    case 'business_hours':
      body = (
        <Select aria-label={t('routing.cond.business_hours')} value={row.value} onChange={(e) => onChange({ ...row, value: e.target.value === 'closed' ? 'closed' : 'open' })} data-testid={`routing-cond-${index}-hours`}>
          <option value="open">{t('routing.hoursOpen')}</option>
          <option value="closed">{t('routing.hoursClosed')}</option>
        </Select>
      );
      break;
  }
  return (
    <div className={s.formPanel} style={{ padding: 'var(--space-3)', border: '1px solid var(--border)', borderRadius: 'var(--radius-md)' }} data-testid={`routing-cond-${index}`}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <span className={s.legend} style={{ flex: 1, margin: 0 }}>
          {t(`routing.cond.${row.kind}`)}
        </span>
        <IconButton size="sm" label={t('routing.removeCondition')} icon={<X size={14} aria-hidden />} onClick={onRemove} data-testid={`routing-cond-${index}-remove`} />
      </div>
      {body}
      {error && (
        <span className={s.error} role="alert">
          {t(`routing.errors.${error}`)}
        </span>
      )}
    </div>
  );
}
