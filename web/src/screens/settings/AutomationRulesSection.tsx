// Automation rules (issue 6 part 5, admins; everyone may read them through
// the API): event → conditions → actions. Rules switch on and off in place
// and open in a dialog with the event, condition rows and action rows. The
// server validates again; its message shows as a toast.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Pencil, Plus, Trash2, Workflow, X } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap } from '../../api/client';
import { useChannels, useDepartments, useLabels, useUsers } from '../../api/queries';
import { Button, EmptyState, Field, IconButton, Input, Select, Textarea, uiStyles } from '../../ui';
import {
  actionNeed,
  actionTypes,
  addableKinds,
  attributeOps,
  automationLimits,
  channelKinds,
  emptyRuleForm,
  eventKey,
  events,
  isTimed,
  newAction,
  newRow,
  opNeedsValue,
  priorities,
  ruleBody,
  ruleForm,
  senders,
  statuses,
  summary,
  toggleValue,
  type ActionRow,
  type ActionType,
  type AutomationEvent,
  type AutomationRule,
  type ConditionKind,
  type ConditionRow,
  type Names,
  type RuleErrors,
  type RuleForm,
} from './automationLogic';
import { ConfirmDialog, FormDialog, Panel, SectionHeader, TableSkeleton } from './parts';
import s from './settings.module.css';

const rulesKey = ['automation-rules'] as const;
const hooksKey = ['webhooks', 'list'] as const; // shared with the webhooks section

function useRules() {
  return useQuery({ queryKey: rulesKey, queryFn: ({ signal }) => unwrap(api.GET('/api/v1/automation-rules', { signal })) });
}

interface Option {
  id: number;
  name: string;
}

function useOptions() {
  const channels = useChannels().data ?? [];
  const labels = useLabels().data ?? [];
  const users = useUsers().data ?? [];
  const departments = useDepartments().data ?? [];
  const hooks = useQuery({ queryKey: hooksKey, queryFn: () => unwrap(api.GET('/api/v1/webhook-subscriptions')) }).data ?? [];
  const opts = {
    channels: channels.map((c) => ({ id: c.id, name: c.name })),
    labels: labels.map((l) => ({ id: l.id, name: l.name })),
    users: users.map((u) => ({ id: u.id, name: u.name || u.email })),
    departments: departments.map((d) => ({ id: d.id, name: d.name })),
    webhooks: hooks.map((h) => ({ id: h.id, name: h.description || h.url })),
  };
  const toMap = (xs: Option[]) => new Map(xs.map((x) => [x.id, x.name]));
  const names: Names = { channels: toMap(opts.channels), labels: toMap(opts.labels), users: toMap(opts.users), departments: toMap(opts.departments), webhooks: toMap(opts.webhooks) };
  return { opts, names };
}

type Opts = ReturnType<typeof useOptions>['opts'];

export function AutomationRulesSection() {
  const { t } = useTranslation('automation');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const rules = useRules();
  const { names } = useOptions();
  const [editing, setEditing] = useState<AutomationRule | 'new' | null>(null);
  const [deleting, setDeleting] = useState<AutomationRule | null>(null);
  const list = [...(rules.data ?? [])].sort((a, b) => a.id - b.id);

  const toggle = useMutation({
    mutationFn: (r: AutomationRule) => unwrap(api.PATCH('/api/v1/automation-rules/{id}', { params: { path: { id: r.id } }, body: { enabled: !r.enabled } })),
    onMutate: async (r) => {
      await qc.cancelQueries({ queryKey: rulesKey });
      const before = qc.getQueryData<AutomationRule[]>(rulesKey);
      qc.setQueryData<AutomationRule[]>(rulesKey, (cur) => cur?.map((x) => (x.id === r.id ? { ...x, enabled: !r.enabled } : x)));
      return { before };
    },
    onError: (_e, _r, ctx) => ctx?.before && qc.setQueryData(rulesKey, ctx.before),
    onSuccess: (r) => toast.success(r.enabled ? t('enabledNow') : t('disabledNow')),
    onSettled: () => void qc.invalidateQueries({ queryKey: rulesKey }),
  });
  const remove = useMutation({
    mutationFn: (r: AutomationRule) => unwrap(api.DELETE('/api/v1/automation-rules/{id}', { params: { path: { id: r.id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: rulesKey });
      setDeleting(null);
      toast.success(t('settings:deleted'));
    },
  });

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader
        title={t('title')}
        description={t('description')}
        actions={
          <Button variant="primary" onClick={() => setEditing('new')} data-testid="automation-new">
            <Plus size={16} aria-hidden /> {t('new')}
          </Button>
        }
      />
      <Panel>
        {rules.isPending ? (
          <TableSkeleton rows={3} />
        ) : list.length === 0 ? (
          <EmptyState
            icon={<Workflow size={28} aria-hidden />}
            title={t('emptyTitle')}
            body={t('emptyBody')}
            action={
              <Button onClick={() => setEditing('new')}>
                <Plus size={16} aria-hidden /> {t('new')}
              </Button>
            }
          />
        ) : (
          <ul className={s.rows} aria-label={t('list')} data-testid="automation-list" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
            {list.map((r) => (
              <li key={r.id} className={`${s.row} ${r.enabled ? '' : s.inactiveRow}`} data-testid={`automation-row-${r.id}`}>
                <div className={s.stackSm} style={{ flex: 1, minWidth: 0 }}>
                  <span className={s.cellTitle}>{r.name}</span>
                  <span className={s.cellSub} title={summary(r, names, t)} data-testid={`automation-summary-${r.id}`}>
                    {summary(r, names, t)}
                  </span>
                </div>
                <span className={s.toggleCell}>
                  <label className={uiStyles.checkbox}>
                    <input type="checkbox" checked={r.enabled} onChange={() => toggle.mutate(r)} aria-label={t('enabledOf', { name: r.name })} data-testid={`automation-enabled-${r.id}`} />
                    <span aria-hidden>{t('enabled')}</span>
                  </label>
                </span>
                <span className={s.rowButtons}>
                  <IconButton size="sm" label={t('settings:editItem', { name: r.name })} icon={<Pencil size={14} aria-hidden />} onClick={() => setEditing(r)} data-testid={`automation-edit-${r.id}`} />
                  <IconButton size="sm" label={t('settings:deleteItem', { name: r.name })} icon={<Trash2 size={14} aria-hidden />} onClick={() => setDeleting(r)} data-testid={`automation-delete-${r.id}`} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </Panel>
      {list.length > 0 && <p className={s.footnote}>{t('footnote')}</p>}

      {editing && <RuleDialog rule={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('deleteTitle', { name: deleting?.name ?? '' })}
        body={t('deleteBody')}
        confirmLabel={tc('delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
    </section>
  );
}

function RuleDialog({ rule, onClose }: { rule: AutomationRule | null; onClose: () => void }) {
  const { t } = useTranslation('automation');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const { opts } = useOptions();
  const [form, setForm] = useState<RuleForm>(() => (rule ? ruleForm(rule) : emptyRuleForm));
  const [tried, setTried] = useState(false);
  const { body, errors } = ruleBody(form);
  const save = useMutation({
    mutationFn: (b: NonNullable<typeof body>) =>
      rule ? unwrap(api.PATCH('/api/v1/automation-rules/{id}', { params: { path: { id: rule.id } }, body: b })) : unwrap(api.POST('/api/v1/automation-rules', { body: b })),
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
      title={rule ? t('editTitle') : t('new')}
      formId="automation-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={rule ? tc('save') : tc('create')}
      submitTestId="automation-save"
    >
      <AutomationFields form={form} onChange={set} errors={tried ? errors : { rows: [], actionRows: [] }} opts={opts} />
    </FormDialog>
  );
}

/** AutomationFields is the body of the rule form. */
export function AutomationFields({ form, onChange: set, errors, opts }: { form: RuleForm; onChange: <K extends keyof RuleForm>(k: K, v: RuleForm[K]) => void; errors: RuleErrors; opts: Opts }) {
  const { t } = useTranslation('automation');
  const [adding, setAdding] = useState<ConditionKind | ''>('');
  const [addingAction, setAddingAction] = useState<ActionType | ''>('');
  const addable = addableKinds(form.rows, form.event);
  const setRow = (i: number, r: ConditionRow) => set('rows', form.rows.map((x, j) => (j === i ? r : x)));
  const setAction = (i: number, a: ActionRow) => set('actions', form.actions.map((x, j) => (j === i ? a : x)));
  return (
    <>
      <Field label={t('name')} htmlFor="automation-name" error={errors.name ? t(`settings:errors.${errors.name}`) : undefined}>
        <Input id="automation-name" value={form.name} autoFocus maxLength={automationLimits.name} onChange={(e) => set('name', e.target.value)} placeholder={t('namePlaceholder')} data-testid="automation-name" />
      </Field>
      <label className={uiStyles.checkbox}>
        <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} data-testid="automation-form-enabled" />
        {t('enabled')}
      </label>
      <Field label={t('event')} htmlFor="automation-event">
        <Select id="automation-event" value={form.event} onChange={(e) => set('event', e.target.value as AutomationEvent)} data-testid="automation-event">
          {events.map((ev) => (
            <option key={ev} value={ev}>
              {t(`events.${eventKey(ev)}`)}
            </option>
          ))}
        </Select>
      </Field>
      {isTimed(form.event) && (
        <Field label={t('minutes')} htmlFor="automation-minutes" hint={t('minutesHint')} error={errors.minutes ? t('errors.minutes') : undefined}>
          <Input id="automation-minutes" type="number" min={1} max={automationLimits.minutes} value={form.minutes} onChange={(e) => set('minutes', e.target.value)} data-testid="automation-minutes" />
        </Field>
      )}

      <fieldset className={s.fieldset}>
        <legend className={s.legend}>{t('conditions')}</legend>
        <span className={s.hint}>{form.rows.length === 0 ? t('noConditions') : t('allMustHold')}</span>
        {form.rows.map((r, i) => (
          <RowBox key={i} title={t(`cond.${r.kind}`)} removeLabel={t('removeCondition')} onRemove={() => set('rows', form.rows.filter((_, j) => j !== i))} error={errors.rows[i] && t(`errors.${errors.rows[i]}`)} testid={`automation-cond-${i}`}>
            <ConditionEditor index={i} row={r} onChange={(x) => setRow(i, x)} opts={opts} />
          </RowBox>
        ))}
        <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <Select aria-label={t('addCondition')} value={adding} onChange={(e) => setAdding(e.target.value as ConditionKind | '')} data-testid="automation-add-kind">
            <option value="">{t('chooseCondition')}</option>
            {addable.map((k) => (
              <option key={k} value={k}>
                {t(`cond.${k}`)}
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
            data-testid="automation-add-condition"
          >
            <Plus size={14} aria-hidden /> {t('addCondition')}
          </Button>
        </div>
      </fieldset>

      <fieldset className={s.fieldset}>
        <legend className={s.legend}>{t('actions')}</legend>
        {form.actions.map((a, i) => (
          <RowBox key={i} title={t(`act.${a.type}`)} removeLabel={t('removeAction')} onRemove={() => set('actions', form.actions.filter((_, j) => j !== i))} error={errors.actionRows[i] && t(`errors.${errors.actionRows[i]}`)} testid={`automation-act-${i}`}>
            <ActionEditor index={i} row={a} onChange={(x) => setAction(i, x)} opts={opts} />
          </RowBox>
        ))}
        {errors.actions && (
          <span className={s.error} role="alert">
            {t(`errors.${errors.actions}`)}
          </span>
        )}
        <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <Select aria-label={t('addAction')} value={addingAction} onChange={(e) => setAddingAction(e.target.value as ActionType | '')} data-testid="automation-add-action-type">
            <option value="">{t('chooseAction')}</option>
            {actionTypes.map((k) => (
              <option key={k} value={k}>
                {t(`act.${k}`)}
              </option>
            ))}
          </Select>
          <Button
            size="sm"
            disabled={!addingAction || form.actions.length >= automationLimits.actions}
            onClick={() => {
              if (!addingAction) return;
              set('actions', [...form.actions, newAction(addingAction)]);
              setAddingAction('');
            }}
            data-testid="automation-add-action"
          >
            <Plus size={14} aria-hidden /> {t('addAction')}
          </Button>
        </div>
      </fieldset>
    </>
  );
}

function RowBox({ title, removeLabel, onRemove, error, testid, children }: { title: string; removeLabel: string; onRemove: () => void; error?: string | false; testid: string; children: ReactNode }) {
  return (
    <div className={s.formPanel} style={{ padding: 'var(--space-3)', border: '1px solid var(--border)', borderRadius: 'var(--radius-md)' }} data-testid={testid}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <span className={s.legend} style={{ flex: 1, margin: 0 }}>
          {title}
        </span>
        <IconButton size="sm" label={removeLabel} icon={<X size={14} aria-hidden />} onClick={onRemove} data-testid={`${testid}-remove`} />
      </div>
      {children}
      {error && (
        <span className={s.error} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function Choices<T extends number | string>({ options, ids, onChange, testid }: { options: { id: T; name: string }[]; ids: T[]; onChange: (ids: T[]) => void; testid: string }) {
  const { t } = useTranslation('automation');
  if (options.length === 0) return <span className={s.hint}>{t('nothingToPick')}</span>;
  return (
    <div className={s.checkGrid} data-testid={testid}>
      {options.map((o) => (
        <label key={String(o.id)} className={uiStyles.checkbox}>
          <input type="checkbox" checked={ids.includes(o.id)} onChange={(e) => onChange(toggleValue(ids, o.id, e.target.checked))} />
          {o.name}
        </label>
      ))}
    </div>
  );
}

function ConditionEditor({ index, row, onChange, opts }: { index: number; row: ConditionRow; onChange: (r: ConditionRow) => void; opts: Opts }) {
  const { t } = useTranslation('automation');
  const id = `automation-cond-${index}-choices`;
  switch (row.kind) {
    case 'status':
      return <Choices options={statuses.map((v) => ({ id: v, name: t(`statuses.${v}`) }))} ids={row.values} onChange={(values) => onChange({ ...row, values })} testid={id} />;
    case 'priority':
      return <Choices options={priorities.map((v) => ({ id: v, name: t(`priorities.${v}`) }))} ids={row.values} onChange={(values) => onChange({ ...row, values })} testid={id} />;
    case 'channel_kind':
      return <Choices options={channelKinds.map((v) => ({ id: v, name: t(`kinds.${v}`) }))} ids={row.values} onChange={(values) => onChange({ ...row, values })} testid={id} />;
    case 'department':
      return <Choices options={opts.departments} ids={row.ids} onChange={(ids) => onChange({ ...row, ids })} testid={id} />;
    case 'assignee':
      return <Choices options={opts.users} ids={row.ids} onChange={(ids) => onChange({ ...row, ids })} testid={id} />;
    case 'channel':
      return <Choices options={opts.channels} ids={row.ids} onChange={(ids) => onChange({ ...row, ids })} testid={id} />;
    case 'has_labels':
    case 'lacks_labels':
      return <Choices options={opts.labels} ids={row.ids} onChange={(ids) => onChange({ ...row, ids })} testid={id} />;
    case 'assignee_state':
      return (
        <Select aria-label={t('cond.assignee_state')} value={row.value} onChange={(e) => onChange({ ...row, value: e.target.value === 'any' ? 'any' : 'none' })} data-testid={`automation-cond-${index}-assignee`}>
          <option value="none">{t('assigneeNone')}</option>
          <option value="any">{t('assigneeAny')}</option>
        </Select>
      );
    case 'attribute':
      return (
        <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
          <Input aria-label={t('attrKey')} placeholder={t('attrKey')} value={row.key} maxLength={automationLimits.key} onChange={(e) => onChange({ ...row, key: e.target.value })} style={{ flex: '1 1 120px' }} data-testid={`automation-cond-${index}-key`} />
          <Select aria-label={t('attrOp')} value={row.op} onChange={(e) => onChange({ ...row, op: e.target.value as typeof row.op })} style={{ flex: '0 1 160px' }} data-testid={`automation-cond-${index}-op`}>
            {attributeOps.map((op) => (
              <option key={op} value={op}>
                {t(`ops.${op}`)}
              </option>
            ))}
          </Select>
          {opNeedsValue(row.op) && (
            <Input aria-label={t('attrValue')} placeholder={t('attrValue')} value={row.value} maxLength={automationLimits.value} onChange={(e) => onChange({ ...row, value: e.target.value })} style={{ flex: '1 1 120px' }} data-testid={`automation-cond-${index}-value`} />
          )}
        </div>
      );
    case 'message_from':
      return (
        <Select aria-label={t('cond.message_from')} value={row.value} onChange={(e) => onChange({ ...row, value: e.target.value as typeof row.value })} data-testid={`automation-cond-${index}-from`}>
          {senders.map((v) => (
            <option key={v} value={v}>
              {t(`from.${v}`)}
            </option>
          ))}
        </Select>
      );
    case 'message_contains':
      return (
        <>
          <Input aria-label={t('cond.message_contains')} placeholder={t('wordsPlaceholder')} value={row.words} onChange={(e) => onChange({ ...row, words: e.target.value })} data-testid={`automation-cond-${index}-words`} />
          <span className={s.hint}>{t('wordsHint')}</span>
        </>
      );
    case 'business_hours':
      return (
        <Select aria-label={t('cond.business_hours')} value={row.value} onChange={(e) => onChange({ ...row, value: e.target.value === 'closed' ? 'closed' : 'open' })} data-testid={`automation-cond-${index}-hours`}>
          <option value="open">{t('hoursOpen')}</option>
          <option value="closed">{t('hoursClosed')}</option>
        </Select>
      );
  }
}

function ActionEditor({ index, row, onChange, opts }: { index: number; row: ActionRow; onChange: (a: ActionRow) => void; opts: Opts }) {
  const { t } = useTranslation('automation');
  const need = actionNeed(row.type);
  const pick = (options: Option[]) => (
    <Select aria-label={t(`act.${row.type}`)} value={row.ref} onChange={(e) => onChange({ ...row, ref: e.target.value })} data-testid={`automation-act-${index}-ref`}>
      <option value="">{t('choose')}</option>
      {options.map((o) => (
        <option key={o.id} value={String(o.id)}>
          {o.name}
        </option>
      ))}
    </Select>
  );
  switch (need) {
    case 'user':
      return pick(opts.users);
    case 'department':
      return pick(opts.departments);
    case 'label':
      return pick(opts.labels);
    case 'webhook':
      return pick(opts.webhooks);
    case 'text':
      return (
        <>
          <Textarea aria-label={t(`act.${row.type}`)} placeholder={t('textPlaceholder')} value={row.text} maxLength={automationLimits.text} rows={3} onChange={(e) => onChange({ ...row, text: e.target.value })} data-testid={`automation-act-${index}-text`} />
          {row.type === 'send_message' && <span className={s.hint}>{t('botNote')}</span>}
        </>
      );
    case 'priority':
      return (
        <Select aria-label={t('act.set_priority')} value={row.priority} onChange={(e) => onChange({ ...row, priority: e.target.value as ActionRow['priority'] })} data-testid={`automation-act-${index}-priority`}>
          {priorities.map((p) => (
            <option key={p} value={p}>
              {t(`priorities.${p}`)}
            </option>
          ))}
        </Select>
      );
    case 'minutes':
      return (
        <Input aria-label={t('minutes')} type="number" min={1} max={automationLimits.minutes} value={row.minutes} onChange={(e) => onChange({ ...row, minutes: e.target.value })} data-testid={`automation-act-${index}-minutes`} />
      );
    case null:
      return null;
  }
}
