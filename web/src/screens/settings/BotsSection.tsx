// Bots (DESIGN M6, admins): flow bots and agent bots. A flow bot opens into
// its flow editor — the steps as an ordered list of cards, each with the
// form of its type — beside a test panel that talks to the draft flow
// through the server's engine. The editor checks what the server checks
// (botFlowLogic) and still shows the server's 422 message. An agent bot's
// token and signing secret are shown once, on creation and on rotation.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AlertTriangle, ArrowDown, ArrowLeft, ArrowUp, Bot as BotIcon, Pencil, Plus, RotateCcw, RotateCw, Send, Trash2, X } from 'lucide-react';
import { useEffect, useMemo, useReducer, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, ApiError, unwrap } from '../../api/client';
import { useDepartments, useLabels } from '../../api/queries';
import { Badge, Button, EmptyState, Field, IconButton, Input, Select, Textarea, uiStyles } from '../../ui';
import {
  addStep,
  attributeOps,
  botLimits,
  checkAgentUrl,
  checkBotName,
  draftFromFlow,
  emptyBranch,
  emptyOption,
  flowFromDraft,
  isDirty,
  issuesOf,
  moveStep,
  opNeedsValue,
  removeStep,
  renameStep,
  setStepType,
  sortBots,
  starterFlow,
  stepTitle,
  stepTypes,
  targetsFor,
  updateStep,
  validateDraft,
  validators,
  type Bot,
  type Draft,
  type DraftBranch,
  type DraftStep,
  type Issue,
  type StepType,
} from './botFlowLogic';
import { actionSentence, activeChoices, canSend, initialTest, testReducer, testRequest } from './botTestLogic';
import { toggleId } from './routingLogic';
import { ConfirmDialog, FormDialog, Panel, SecretDialog, SectionHeader, TableSkeleton } from './parts';
import b from './bots.module.css';
import s from './settings.module.css';

export const botsKey = ['bots'] as const;

/** useBots lists the workspace's bots (departments and routing rules pick from it too). */
export function useBots() {
  return useQuery({ queryKey: botsKey, queryFn: ({ signal }) => unwrap(api.GET('/api/v1/bots', { signal })) });
}

type Secret = { title: string; token: string; secret: string };

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

export function BotsSection() {
  const { t } = useTranslation('bots');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const bots = useBots();
  const departments = useDepartments().data ?? [];
  const [openId, setOpenId] = useState<number | null>(null);
  const [creating, setCreating] = useState<'flow' | 'agent' | null>(null);
  const [agent, setAgent] = useState<Bot | null>(null);
  const [deleting, setDeleting] = useState<Bot | null>(null);
  const [secret, setSecret] = useState<Secret | null>(null);
  const list = sortBots(bots.data ?? []);
  const open = openId === null ? undefined : list.find((x) => x.id === openId);

  const toggle = useMutation({
    mutationFn: (x: Bot) => unwrap(api.PATCH('/api/v1/bots/{id}', { params: { path: { id: x.id } }, body: { enabled: !x.enabled } })),
    onMutate: async (x) => {
      await qc.cancelQueries({ queryKey: botsKey });
      const before = qc.getQueryData<Bot[]>(botsKey);
      qc.setQueryData<Bot[]>(botsKey, (cur) => cur?.map((y) => (y.id === x.id ? { ...y, enabled: !x.enabled } : y)));
      return { before };
    },
    onError: (_e, _x, ctx) => ctx?.before && qc.setQueryData(botsKey, ctx.before),
    onSuccess: (x) => toast.success(x.enabled ? t('enabledNow') : t('disabledNow')),
    onSettled: () => void qc.invalidateQueries({ queryKey: botsKey }),
  });
  const remove = useMutation({
    mutationFn: (x: Bot) => unwrap(api.DELETE('/api/v1/bots/{id}', { params: { path: { id: x.id } } })),
    onSuccess: (_r, x) => {
      void qc.invalidateQueries({ queryKey: botsKey });
      void qc.invalidateQueries({ queryKey: ['departments'] });
      setDeleting(null);
      if (openId === x.id) setOpenId(null);
      toast.success(tc('deleted', { ns: 'settings' }));
    },
  });
  const usedBy = (id: number) =>
    departments
      .filter((d) => d.bot_id === id)
      .map((d) => d.name)
      .join(', ');

  const dialogs = (
    <>
      {creating && (
        <CreateDialog
          kind={creating}
          onClose={() => setCreating(null)}
          onCreated={(x) => {
            setCreating(null);
            if (x.kind === 'flow') setOpenId(x.id);
            else if (x.token && x.secret) setSecret({ title: t('agentCreatedTitle'), token: x.token, secret: x.secret });
          }}
        />
      )}
      {agent && <AgentDialog bot={agent} onClose={() => setAgent(null)} onRotated={(token, sec) => setSecret({ title: t('rotatedTitle'), token, secret: sec })} />}
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('deleteTitle', { name: deleting?.name ?? '' })}
        body={t('deleteBody')}
        confirmLabel={tc('delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
      <SecretDialog
        open={!!secret}
        onOpenChange={(o) => !o && setSecret(null)}
        title={secret?.title ?? ''}
        items={
          secret
            ? [
                { label: t('token'), value: secret.token, testid: 'bot-token' },
                { label: t('secret'), value: secret.secret, testid: 'bot-secret' },
              ]
            : []
        }
      />
    </>
  );

  if (open && open.kind === 'flow') {
    return (
      <section aria-labelledby="settings-section-title">
        <FlowEditor key={open.id} bot={open} onBack={() => setOpenId(null)} onDelete={() => setDeleting(open)} />
        {dialogs}
      </section>
    );
  }

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader
        title={t('title')}
        description={t('description')}
        actions={
          <>
            <Button onClick={() => setCreating('agent')} data-testid="bot-new-agent">
              <Plus size={16} aria-hidden /> {t('newAgent')}
            </Button>
            <Button variant="primary" onClick={() => setCreating('flow')} data-testid="bot-new-flow">
              <Plus size={16} aria-hidden /> {t('newFlow')}
            </Button>
          </>
        }
      />
      <Panel>
        {bots.isPending ? (
          <TableSkeleton rows={3} />
        ) : list.length === 0 ? (
          <EmptyState
            icon={<BotIcon size={28} aria-hidden />}
            title={t('emptyTitle')}
            body={t('emptyBody')}
            action={
              <Button onClick={() => setCreating('flow')}>
                <Plus size={16} aria-hidden /> {t('newFlow')}
              </Button>
            }
          />
        ) : (
          <table className={s.table} aria-label={t('list')} data-testid="bot-list">
            <thead>
              <tr>
                <th scope="col">{t('name')}</th>
                <th scope="col">{t('kind')}</th>
                <th scope="col" className={s.hideSm}>
                  {t('departments')}
                </th>
                <th scope="col">{t('enabled')}</th>
                <th scope="col" className={s.actionsCol}>
                  <span className="sr-only">{tc('actions', { ns: 'settings' })}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((x) => {
                const openIt = () => (x.kind === 'flow' ? setOpenId(x.id) : setAgent(x));
                return (
                  <tr key={x.id} data-testid={`bot-row-${x.id}`} className={x.enabled ? undefined : s.inactiveRow}>
                    <td>
                      <button type="button" className={s.linkLike} onClick={openIt} aria-label={x.kind === 'flow' ? t('openEditor', { name: x.name }) : t('edit', { name: x.name })} data-testid={`bot-open-${x.id}`}>
                        <span className={s.cellTitle}>{x.name}</span>
                      </button>
                      {x.kind === 'agent' && x.url && <span className={`${s.cellSub} ${s.mono}`}>{x.url}</span>}
                    </td>
                    <td>
                      <Badge>{t(`kinds.${x.kind}`)}</Badge>
                    </td>
                    <td className={s.hideSm}>
                      <span className={s.muted}>{usedBy(x.id) || t('noDepartments')}</span>
                    </td>
                    <td>
                      <span className={s.toggleCell}>
                        <label className={uiStyles.checkbox}>
                          <input type="checkbox" checked={x.enabled} onChange={() => toggle.mutate(x)} aria-label={t('enabledOf', { name: x.name })} data-testid={`bot-enabled-${x.id}`} />
                          <span aria-hidden>{t('enabled')}</span>
                        </label>
                      </span>
                    </td>
                    <td className={s.actionsCol}>
                      <span className={s.rowButtons}>
                        <IconButton size="sm" label={t('edit', { name: x.name })} icon={<Pencil size={14} aria-hidden />} onClick={openIt} data-testid={`bot-edit-${x.id}`} />
                        <IconButton size="sm" label={tc('deleteItem', { ns: 'settings', name: x.name })} icon={<Trash2 size={14} aria-hidden />} onClick={() => setDeleting(x)} data-testid={`bot-delete-${x.id}`} />
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Panel>
      {list.length > 0 && <p className={s.footnote}>{t('footnote')}</p>}
      {dialogs}
    </section>
  );
}

/* ---------- create, agent ---------- */

function CreateDialog({ kind, onClose, onCreated }: { kind: 'flow' | 'agent'; onClose: () => void; onCreated: (x: Bot & { token?: string; secret?: string }) => void }) {
  const { t } = useTranslation('bots');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const departments = useDepartments().data ?? [];
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [tried, setTried] = useState(false);
  const nameError = checkBotName(name);
  const urlError = kind === 'agent' ? checkAgentUrl(url) : undefined;
  const create = useMutation({
    mutationFn: () => {
      if (kind === 'agent') return unwrap(api.POST('/api/v1/bots', { body: { name: name.trim(), kind, url: url.trim() } }));
      const v = { contact: { first_name: '{{contact.first_name}}', name: '{{contact.name}}' }, department: '{{department}}' };
      const texts = {
        greeting: t('starter.greeting', v),
        prompt: t('starter.prompt', v),
        invalid: t('starter.invalid', v),
        sales: t('starter.sales'),
        finance: t('starter.finance'),
        support: t('starter.support'),
        handoff: t('starter.handoff', v),
      };
      return unwrap(api.POST('/api/v1/bots', { body: { name: name.trim(), kind, enabled: true, flow: starterFlow(texts, departments) } }));
    },
    onSuccess: (x) => {
      qc.setQueryData<Bot[]>(botsKey, (cur) => (cur ? [...cur.filter((y) => y.id !== x.id), x] : [x]));
      void qc.invalidateQueries({ queryKey: botsKey });
      toast.success(t('created'));
      onCreated(x);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!nameError && !urlError) create.mutate();
  };
  return (
    <FormDialog
      title={kind === 'flow' ? t('newFlow') : t('newAgent')}
      description={kind === 'flow' ? t('flowCreateHint') : t('urlHint')}
      formId="bot-form"
      onClose={onClose}
      onSubmit={submit}
      busy={create.isPending}
      submitLabel={tc('create')}
      submitTestId="bot-save"
    >
      <Field label={t('name')} htmlFor="bot-name" error={tried && nameError ? t(`errors.${nameError}`) : undefined}>
        <Input id="bot-name" value={name} autoFocus maxLength={botLimits.name} onChange={(e) => setName(e.target.value)} placeholder={t('namePlaceholder')} data-testid="bot-name" />
      </Field>
      {kind === 'agent' && (
        <Field label={t('url')} htmlFor="bot-url" error={tried && urlError ? t(`errors.${urlError}`) : undefined}>
          <Input id="bot-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder={t('urlPlaceholder')} className={s.mono} data-testid="bot-url" />
        </Field>
      )}
    </FormDialog>
  );
}

function AgentDialog({ bot, onClose, onRotated }: { bot: Bot; onClose: () => void; onRotated: (token: string, secret: string) => void }) {
  const { t } = useTranslation('bots');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(bot.name);
  const [url, setUrl] = useState(bot.url ?? '');
  const [tried, setTried] = useState(false);
  const [rotating, setRotating] = useState(false);
  const nameError = checkBotName(name);
  const urlError = checkAgentUrl(url);
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/v1/bots/{id}', { params: { path: { id: bot.id } }, body: { name: name.trim(), url: url.trim() } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: botsKey });
      toast.success(tc('saved'));
      onClose();
    },
  });
  const rotate = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/v1/bots/{id}', { params: { path: { id: bot.id } }, body: { rotate_token: true } })),
    onSuccess: (x) => {
      void qc.invalidateQueries({ queryKey: botsKey });
      setRotating(false);
      onClose();
      if (x.token && x.secret) onRotated(x.token, x.secret);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!nameError && !urlError) save.mutate();
  };
  return (
    <>
      <FormDialog title={t('agentTitle')} description={t('urlHint')} formId="bot-agent-form" onClose={onClose} onSubmit={submit} busy={save.isPending} submitLabel={tc('save')} submitTestId="bot-save">
        <Field label={t('name')} htmlFor="bot-name" error={tried && nameError ? t(`errors.${nameError}`) : undefined}>
          <Input id="bot-name" value={name} maxLength={botLimits.name} onChange={(e) => setName(e.target.value)} data-testid="bot-name" />
        </Field>
        <Field label={t('url')} htmlFor="bot-url" error={tried && urlError ? t(`errors.${urlError}`) : undefined}>
          <Input id="bot-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} className={s.mono} data-testid="bot-url" />
        </Field>
        {bot.token_prefix && (
          <p className={s.hint}>
            {t('tokenPrefix')} <code className={s.inlineCode}>{bot.token_prefix}…</code>
          </p>
        )}
        <div>
          <Button onClick={() => setRotating(true)} data-testid="bot-rotate">
            <RotateCw size={14} aria-hidden /> {t('rotate')}
          </Button>
        </div>
      </FormDialog>
      <ConfirmDialog open={rotating} onOpenChange={setRotating} title={t('rotateTitle')} body={t('rotateBody')} confirmLabel={t('rotate')} busy={rotate.isPending} onConfirm={() => rotate.mutate()} />
    </>
  );
}

/* ---------- the flow editor ---------- */

interface Names {
  departments: { id: number; name: string }[];
  labels: { id: number; name: string }[];
}

export function FlowEditor({ bot, onBack, onDelete }: { bot: Bot; onBack: () => void; onDelete: () => void }) {
  const { t } = useTranslation('bots');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const departments = (useDepartments().data ?? []).map((d) => ({ id: d.id, name: d.name }));
  const labels = (useLabels().data ?? []).map((l) => ({ id: l.id, name: l.name }));
  const names: Names = { departments, labels };
  const [draft, setDraft] = useState<Draft>(() => draftFromFlow(bot.flow));
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [adding, setAdding] = useState<StepType | ''>('');
  const depKey = departments.map((d) => d.id).join(',');
  const labKey = labels.map((l) => l.id).join(',');
  const loaded = depKey !== '' || labKey !== '';
  // deleted departments and labels are only flagged once the lists arrived
  const issues = useMemo(
    () => validateDraft(draft, loaded ? { departments: new Set(depKey.split(',').filter(Boolean).map(Number)), labels: new Set(labKey.split(',').filter(Boolean).map(Number)) } : undefined),
    [draft, loaded, depKey, labKey],
  );
  const dirty = isDirty(draft, bot.flow);
  // issues show as soon as there is something to fix after a save was tried, or at once for references that point nowhere
  const shown = tried ? issues : issues.filter((x) => x.code === 'refMissing' || x.code === 'startMissing' || x.code === 'menuNoOptions' || x.code === 'idDuplicate' || x.code === 'loop' || x.code === 'labelGone' || x.code === 'departmentGone');

  const save = useMutation({
    mutationFn: (flow: ReturnType<typeof flowFromDraft>) => unwrap(api.PATCH('/api/v1/bots/{id}', { params: { path: { id: bot.id } }, body: { flow } })),
    meta: { silent: true },
    onSuccess: (x) => {
      qc.setQueryData<Bot[]>(botsKey, (cur) => cur?.map((y) => (y.id === x.id ? x : y)));
      void qc.invalidateQueries({ queryKey: botsKey });
      setServerError(null);
      setTried(false);
      setDraft(draftFromFlow(x.flow));
      toast.success(t('editor.saved'));
    },
    onError: (e) => setServerError(errorText(e)),
  });
  const submit = () => {
    setTried(true);
    setServerError(null);
    if (issues.length === 0) save.mutate(flowFromDraft(draft));
  };

  const add = () => {
    if (!adding) return;
    const r = addStep(draft, adding);
    setDraft(r.draft);
    setAdding('');
    // the new card is at the end: bring it into view
    requestAnimationFrame(() => document.querySelector(`[data-testid="bot-step-${r.index}"]`)?.scrollIntoView({ block: 'nearest' }));
  };

  const flowIssues = issuesOf(shown, null);
  return (
    <>
      <button type="button" className={s.back} onClick={onBack} data-testid="bot-back">
        <ArrowLeft size={16} aria-hidden /> {t('back')}
      </button>
      <SectionHeader
        title={bot.name}
        description={t('editor.title')}
        actions={
          <>
            {dirty && (
              <Button
                onClick={() => {
                  setDraft(draftFromFlow(bot.flow));
                  setTried(false);
                  setServerError(null);
                }}
                data-testid="bot-discard"
              >
                <RotateCcw size={14} aria-hidden /> {t('editor.discard')}
              </Button>
            )}
            <IconButton label={tc('delete')} icon={<Trash2 size={16} aria-hidden />} onClick={onDelete} className={s.dangerText} data-testid="bot-delete" />
            <Button variant="primary" onClick={submit} busy={save.isPending} disabled={!dirty && !tried} data-testid="bot-save-flow">
              {t('editor.save')}
            </Button>
          </>
        }
      />
      <div className={b.editorLayout}>
        <div className={s.stack}>
          {serverError && (
            <div className={s.warning} role="alert" data-testid="bot-flow-error">
              <AlertTriangle size={16} aria-hidden />
              <span>{t('editor.serverError', { message: serverError })}</span>
            </div>
          )}
          {tried && issues.length > 0 && (
            <div className={s.warning} role="alert" data-testid="bot-flow-issues">
              <AlertTriangle size={16} aria-hidden />
              <span>{t('editor.fixFirst')}</span>
            </div>
          )}
          <div className={b.toolbar}>
            <Field label={t('editor.start')} htmlFor="bot-start">
              <Select id="bot-start" value={draft.start} onChange={(e) => setDraft({ ...draft, start: e.target.value })} data-testid="bot-start">
                {!draft.start && <option value="">—</option>}
                {draft.start && !draft.steps.some((x) => x.id === draft.start) && <option value={draft.start}>{t('editor.missing', { id: draft.start })}</option>}
                {draft.steps.map((x, i) => (
                  <option key={i} value={x.id}>
                    {stepTitle(x)}
                  </option>
                ))}
              </Select>
            </Field>
            {dirty && <span className={s.warningText}>{t('editor.unsaved')}</span>}
          </div>
          <IssueList issues={flowIssues} testid="bot-issues-flow" />
          <ol className={b.steps} aria-label={t('editor.steps')}>
            {draft.steps.map((step, i) => (
              <StepCard
                key={i}
                index={i}
                step={step}
                draft={draft}
                names={names}
                issues={issuesOf(shown, i)}
                onDraft={setDraft}
                last={i === draft.steps.length - 1}
              />
            ))}
          </ol>
          <div className={b.addRow}>
            <Select aria-label={t('editor.addStep')} value={adding} onChange={(e) => setAdding(e.target.value as StepType | '')} data-testid="bot-add-type">
              <option value="">{t('editor.chooseType')}</option>
              {stepTypes.map((x) => (
                <option key={x} value={x}>
                  {t(`editor.types.${x}`)}
                </option>
              ))}
            </Select>
            <Button size="sm" disabled={!adding || draft.steps.length >= botLimits.steps} onClick={add} data-testid="bot-add-step">
              <Plus size={14} aria-hidden /> {t('editor.addStep')}
            </Button>
          </div>
        </div>
        <TestPanel botId={bot.id} draft={draft} names={names} />
      </div>
    </>
  );
}

function IssueList({ issues, testid }: { issues: Issue[]; testid: string }) {
  const { t } = useTranslation('bots');
  if (issues.length === 0) return null;
  return (
    <ul className={b.issues} data-testid={testid} role="alert">
      {issues.map((x, i) => (
        <li key={i} data-field={x.field} data-code={x.code}>
          {t(`issues.${x.code}`, x.code === 'unknownVariable' ? { name: `{{${String(x.params?.name)}}}` } : x.params)}
        </li>
      ))}
    </ul>
  );
}

/** StepSelect picks another step; a reference to a step that no longer exists stays visible as such. */
function StepSelect({
  draft,
  index,
  value,
  onChange,
  label,
  empty,
  testid,
}: {
  draft: Draft;
  index: number;
  value: string;
  onChange: (id: string) => void;
  label: string;
  /** The label of "no step"; undefined when a step is required. */
  empty?: string;
  testid: string;
}) {
  const { t } = useTranslation('bots');
  const targets = targetsFor(draft, index);
  const missing = value !== '' && !draft.steps.some((x) => x.id === value);
  return (
    <Select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testid}>
      {empty !== undefined ? <option value="">{empty}</option> : <option value="">—</option>}
      {missing && <option value={value}>{t('editor.missing', { id: value })}</option>}
      {targets.map((x) => (
        <option key={x.id} value={x.id}>
          {stepTitle(x)}
        </option>
      ))}
    </Select>
  );
}

function StepCard({ index, step, draft, names, issues, onDraft, last }: { index: number; step: DraftStep; draft: Draft; names: Names; issues: Issue[]; onDraft: (d: Draft) => void; last: boolean }) {
  const { t } = useTranslation('bots');
  const [id, setId] = useState(step.id);
  const [idError, setIdError] = useState<string | null>(null);
  const idRef = useRef(step.id);
  // the id changes from outside (discard, save, reorder): show it
  useEffect(() => {
    if (idRef.current !== step.id) {
      idRef.current = step.id;
      setId(step.id);
      setIdError(null);
    }
  }, [step.id]);
  const commitId = () => {
    if (id === step.id) return setIdError(null);
    const r = renameStep(draft, index, id);
    if (r.error) return setIdError(r.error);
    setIdError(null);
    idRef.current = id;
    onDraft(r.draft);
  };
  const set = (patch: Partial<Omit<DraftStep, 'id' | 'type'>>) => onDraft(updateStep(draft, index, patch));
  const tid = `bot-step-${index}`;
  const isStart = draft.start === step.id;
  return (
    <li className={`${b.card} ${issues.length > 0 ? b.cardBad : ''} ${isStart ? b.cardStart : ''}`} data-testid={tid} data-step-id={step.id} data-type={step.type}>
      <div className={b.cardHead}>
        <span className={b.cardNum}>{index + 1}</span>
        <Input
          className={b.idInput}
          aria-label={t('editor.id')}
          title={t('editor.idHint')}
          value={id}
          maxLength={botLimits.id}
          onChange={(e) => setId(e.target.value)}
          onBlur={commitId}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              commitId();
            }
          }}
          data-testid={`${tid}-id`}
        />
        <Select className={b.typeSelect} aria-label={t('editor.type')} value={step.type} onChange={(e) => onDraft(setStepType(draft, index, e.target.value as StepType))} data-testid={`${tid}-type`}>
          {stepTypes.map((x) => (
            <option key={x} value={x}>
              {t(`editor.types.${x}`)}
            </option>
          ))}
        </Select>
        {isStart && <span className={b.startBadge}>{t('editor.isStart')}</span>}
        <span className={b.grow} />
        <IconButton size="sm" label={t('editor.moveUp', { id: step.id })} icon={<ArrowUp size={14} aria-hidden />} disabled={index === 0} onClick={() => onDraft(moveStep(draft, index, -1))} data-testid={`${tid}-up`} />
        <IconButton size="sm" label={t('editor.moveDown', { id: step.id })} icon={<ArrowDown size={14} aria-hidden />} disabled={last} onClick={() => onDraft(moveStep(draft, index, 1))} data-testid={`${tid}-down`} />
        <IconButton size="sm" label={t('editor.remove', { id: step.id })} icon={<Trash2 size={14} aria-hidden />} onClick={() => onDraft(removeStep(draft, index))} data-testid={`${tid}-remove`} />
      </div>
      {idError && (
        <span className={s.error} role="alert">
          {t(`issues.${idError}`, { max: botLimits.id })}
        </span>
      )}
      <StepBody index={index} step={step} draft={draft} names={names} set={set} tid={tid} />
      <IssueList issues={issues} testid={`${tid}-issues`} />
    </li>
  );
}

function TextField({ label, value, onChange, testid, rows = 2, required }: { label: string; value: string; onChange: (v: string) => void; testid: string; rows?: number; required?: boolean }) {
  const { t } = useTranslation('bots');
  return (
    <label className={s.fieldset}>
      <span className={s.legend}>{label}</span>
      <Textarea value={value} rows={rows} maxLength={botLimits.text} onChange={(e) => onChange(e.target.value)} required={required} data-testid={testid} />
      <span className={s.hint}>
        {t('editor.variables')} <code className={s.inlineCode}>{'{{contact.name}}'}</code> <code className={s.inlineCode}>{'{{contact.first_name}}'}</code> <code className={s.inlineCode}>{'{{attributes.…}}'}</code>
      </span>
    </label>
  );
}

function Labeled({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className={s.fieldset}>
      <span className={s.legend}>{label}</span>
      {children}
    </label>
  );
}

function Retries({ step, set, tid, index, draft }: { step: DraftStep; set: (p: Partial<DraftStep>) => void; tid: string; index: number; draft: Draft }) {
  const { t } = useTranslation('bots');
  return (
    <div className={b.line}>
      <Labeled label={t('editor.invalidText')}>
        <Input value={step.invalidText} placeholder={t('editor.invalidPlaceholder')} onChange={(e) => set({ invalidText: e.target.value })} data-testid={`${tid}-invalid`} />
      </Labeled>
      <Labeled label={t('editor.maxRetries')}>
        <Input
          type="number"
          min={0}
          max={botLimits.retries}
          title={t('editor.maxRetriesHint')}
          // 0 stands for the engine's default (bot.DefaultRetries)
          value={step.maxRetries ? String(step.maxRetries) : ''}
          placeholder="2"
          onChange={(e) => set({ maxRetries: e.target.value === '' ? 0 : Number(e.target.value) })}
          data-testid={`${tid}-retries`}
        />
      </Labeled>
      <Labeled label={t('editor.onFail')}>
        <StepSelect draft={draft} index={index} value={step.onFail} onChange={(v) => set({ onFail: v })} label={t('editor.onFail')} empty={t('editor.endsFlow')} testid={`${tid}-onfail`} />
      </Labeled>
    </div>
  );
}

function StepBody({ index, step, draft, names, set, tid }: { index: number; step: DraftStep; draft: Draft; names: Names; set: (p: Partial<DraftStep>) => void; tid: string }) {
  const { t } = useTranslation('bots');
  const next = (
    <Labeled label={t('editor.next')}>
      <StepSelect draft={draft} index={index} value={step.next} onChange={(v) => set({ next: v })} label={t('editor.next')} empty={t('editor.endsFlow')} testid={`${tid}-next`} />
    </Labeled>
  );
  const departmentSelect = (required: boolean) => (
    <Labeled label={t('editor.department')}>
      <Select value={step.departmentId ? String(step.departmentId) : ''} onChange={(e) => set({ departmentId: Number(e.target.value) || 0 })} data-testid={`${tid}-department`}>
        <option value="">{required ? t('editor.chooseDepartment') : t('editor.currentDepartment')}</option>
        {step.departmentId > 0 && !names.departments.some((d) => d.id === step.departmentId) && <option value={String(step.departmentId)}>#{step.departmentId}</option>}
        {names.departments.map((d) => (
          <option key={d.id} value={String(d.id)}>
            {d.name}
          </option>
        ))}
      </Select>
    </Labeled>
  );
  switch (step.type) {
    case 'message':
      return (
        <>
          <TextField label={t('editor.text')} value={step.text} onChange={(v) => set({ text: v })} testid={`${tid}-text`} rows={3} />
          {next}
        </>
      );
    case 'menu':
      return (
        <>
          <TextField label={t('editor.prompt')} value={step.text} onChange={(v) => set({ text: v })} testid={`${tid}-text`} />
          <div className={s.fieldset}>
            <span className={s.legend}>{t('editor.options')}</span>
            <span className={s.hint}>{t('editor.menuHint')}</span>
            {step.options.map((o, j) => {
              const setOpt = (patch: Partial<typeof o>) => set({ options: step.options.map((x, k) => (k === j ? { ...x, ...patch } : x)) });
              const n = j + 1;
              return (
                <div key={j} className={b.line} data-testid={`${tid}-option-${j}`}>
                  <span className={`${b.cardNum} ${b.fixed}`}>{n} –</span>
                  <Input aria-label={t('editor.optionLabel', { n })} value={o.label} maxLength={botLimits.label} onChange={(e) => setOpt({ label: e.target.value })} placeholder={t('editor.option', { n })} data-testid={`${tid}-option-${j}-label`} />
                  <Input aria-label={t('editor.keywordsOf', { n })} title={t('editor.keywords')} placeholder={t('editor.keywords')} value={o.keywords} onChange={(e) => setOpt({ keywords: e.target.value })} data-testid={`${tid}-option-${j}-keywords`} />
                  <StepSelect draft={draft} index={index} value={o.next} onChange={(v) => setOpt({ next: v })} label={t('editor.optionNext', { n })} testid={`${tid}-option-${j}-next`} />
                  <IconButton
                    className={b.fixed}
                    size="sm"
                    label={t('editor.removeOption', { n })}
                    icon={<X size={14} aria-hidden />}
                    onClick={() => set({ options: step.options.filter((_, k) => k !== j) })}
                    data-testid={`${tid}-option-${j}-remove`}
                  />
                </div>
              );
            })}
            <div>
              <Button size="sm" disabled={step.options.length >= botLimits.options} onClick={() => set({ options: [...step.options, emptyOption()] })} data-testid={`${tid}-add-option`}>
                <Plus size={14} aria-hidden /> {t('editor.addOption')}
              </Button>
            </div>
          </div>
          <Retries step={step} set={set} tid={tid} index={index} draft={draft} />
        </>
      );
    case 'ask':
      return (
        <>
          <TextField label={t('editor.question')} value={step.text} onChange={(v) => set({ text: v })} testid={`${tid}-text`} />
          <div className={b.line}>
            <Labeled label={t('editor.attribute')}>
              <Input className={b.mono} value={step.attribute} maxLength={botLimits.attrKey} placeholder={t('editor.attributePlaceholder')} onChange={(e) => set({ attribute: e.target.value })} data-testid={`${tid}-attribute`} />
            </Labeled>
            <Labeled label={t('editor.validate')}>
              <Select value={step.validate} onChange={(e) => set({ validate: e.target.value as DraftStep['validate'] })} data-testid={`${tid}-validate`}>
                {validators.map((v) => (
                  <option key={v} value={v}>
                    {t(`editor.validators.${v}`)}
                  </option>
                ))}
              </Select>
            </Labeled>
            {next}
          </div>
          <Retries step={step} set={set} tid={tid} index={index} draft={draft} />
        </>
      );
    case 'condition':
      return (
        <>
          <span className={s.legend}>{t('editor.branches')}</span>
          {step.branches.map((br, j) => (
            <BranchEditor
              key={j}
              n={j + 1}
              branch={br}
              names={names}
              tid={`${tid}-branch-${j}`}
              onChange={(x) => set({ branches: step.branches.map((y, k) => (k === j ? x : y)) })}
              onRemove={() => set({ branches: step.branches.filter((_, k) => k !== j) })}
              target={<StepSelect draft={draft} index={index} value={br.next} onChange={(v) => set({ branches: step.branches.map((y, k) => (k === j ? { ...y, next: v } : y)) })} label={t('editor.branchNext')} testid={`${tid}-branch-${j}-next`} />}
            />
          ))}
          <div>
            <Button size="sm" disabled={step.branches.length >= botLimits.branches} onClick={() => set({ branches: [...step.branches, emptyBranch()] })} data-testid={`${tid}-add-branch`}>
              <Plus size={14} aria-hidden /> {t('editor.addBranch')}
            </Button>
          </div>
          <Labeled label={t('editor.else')}>
            <StepSelect draft={draft} index={index} value={step.else} onChange={(v) => set({ else: v })} label={t('editor.else')} empty={t('editor.endsCondition')} testid={`${tid}-else`} />
          </Labeled>
        </>
      );
    case 'label':
      return (
        <>
          <span className={s.legend}>{t('editor.labels')}</span>
          <LabelChoices options={names.labels} ids={step.labelIds} onChange={(ids) => set({ labelIds: ids })} testid={`${tid}-labels`} />
          {next}
        </>
      );
    case 'transfer':
      return (
        <>
          {departmentSelect(true)}
          <span className={s.hint}>{t('editor.transferHint')}</span>
          <TextField label={t('editor.farewell')} value={step.text} onChange={(v) => set({ text: v })} testid={`${tid}-text`} />
        </>
      );
    case 'handoff':
      return (
        <>
          {departmentSelect(false)}
          <TextField label={t('editor.farewell')} value={step.text} onChange={(v) => set({ text: v })} testid={`${tid}-text`} />
        </>
      );
    case 'resolve':
      return <TextField label={t('editor.farewell')} value={step.text} onChange={(v) => set({ text: v })} testid={`${tid}-text`} />;
  }
}

function LabelChoices({ options, ids, onChange, testid }: { options: { id: number; name: string }[]; ids: number[]; onChange: (ids: number[]) => void; testid: string }) {
  const { t } = useTranslation('bots');
  // a chosen label deleted since stays listed, so it can be unticked
  const gone = ids.filter((id) => !options.some((o) => o.id === id)).map((id) => ({ id, name: t('editor.labelGone', { id }) }));
  if (options.length === 0 && gone.length === 0) return <span className={s.hint}>{t('editor.noLabels')}</span>;
  return (
    <div className={s.checkGrid} data-testid={testid}>
      {[...options, ...gone].map((o) => (
        <label key={o.id} className={uiStyles.checkbox}>
          <input type="checkbox" checked={ids.includes(o.id)} onChange={(e) => onChange(toggleId(ids, o.id, e.target.checked))} />
          {o.name}
        </label>
      ))}
    </div>
  );
}

function BranchEditor({ n, branch, names, tid, onChange, onRemove, target }: { n: number; branch: DraftBranch; names: Names; tid: string; onChange: (b: DraftBranch) => void; onRemove: () => void; target: ReactNode }) {
  const { t } = useTranslation('bots');
  const empty = branch.attributes.length === 0 && branch.hasLabelIds.length === 0 && branch.lacksLabelIds.length === 0 && !branch.hours;
  return (
    <div className={b.sub} data-testid={tid}>
      <div className={b.cardHead}>
        <span className={s.legend} style={{ margin: 0, flex: 1 }}>
          {t('editor.branch', { n })}
        </span>
        <IconButton size="sm" label={t('editor.removeBranch', { n })} icon={<X size={14} aria-hidden />} onClick={onRemove} data-testid={`${tid}-remove`} />
      </div>
      {empty && <span className={s.hint}>{t('editor.always')}</span>}
      {branch.attributes.map((a, k) => {
        const setA = (patch: Partial<typeof a>) => onChange({ ...branch, attributes: branch.attributes.map((x, m) => (m === k ? { ...x, ...patch } : x)) });
        return (
          <div key={k} className={b.line} data-testid={`${tid}-attr-${k}`}>
            <Input aria-label={t('editor.attrKey')} placeholder={t('editor.attrKey')} value={a.key} maxLength={botLimits.attrKey} onChange={(e) => setA({ key: e.target.value })} data-testid={`${tid}-attr-${k}-key`} />
            <Select aria-label={t('editor.attrOp')} value={a.op} onChange={(e) => setA({ op: e.target.value as typeof a.op })} data-testid={`${tid}-attr-${k}-op`}>
              {attributeOps.map((op) => (
                <option key={op} value={op}>
                  {t(`editor.ops.${op}`)}
                </option>
              ))}
            </Select>
            {opNeedsValue(a.op) && <Input aria-label={t('editor.attrValue')} placeholder={t('editor.attrValue')} value={a.value} maxLength={botLimits.value} onChange={(e) => setA({ value: e.target.value })} data-testid={`${tid}-attr-${k}-value`} />}
            <IconButton className={b.fixed} size="sm" label={t('editor.removeAttrCondition')} icon={<X size={14} aria-hidden />} onClick={() => onChange({ ...branch, attributes: branch.attributes.filter((_, m) => m !== k) })} />
          </div>
        );
      })}
      <div>
        <Button size="sm" onClick={() => onChange({ ...branch, attributes: [...branch.attributes, { key: '', op: 'equals', value: '' }] })} data-testid={`${tid}-add-attr`}>
          <Plus size={14} aria-hidden /> {t('editor.addAttrCondition')}
        </Button>
      </div>
      <span className={s.legend}>{t('editor.hasLabels')}</span>
      <LabelChoices options={names.labels} ids={branch.hasLabelIds} onChange={(ids) => onChange({ ...branch, hasLabelIds: ids })} testid={`${tid}-has`} />
      <span className={s.legend}>{t('editor.lacksLabels')}</span>
      <LabelChoices options={names.labels} ids={branch.lacksLabelIds} onChange={(ids) => onChange({ ...branch, lacksLabelIds: ids })} testid={`${tid}-lacks`} />
      <div className={b.line}>
        <Labeled label={t('editor.hours')}>
          <Select value={branch.hours} onChange={(e) => onChange({ ...branch, hours: e.target.value as DraftBranch['hours'] })} data-testid={`${tid}-hours`}>
            <option value="">{t('editor.hoursAny')}</option>
            <option value="open">{t('editor.hoursOpen')}</option>
            <option value="closed">{t('editor.hoursClosed')}</option>
          </Select>
        </Labeled>
        <Labeled label={t('editor.branchNext')}>{target}</Labeled>
      </div>
    </div>
  );
}

/* ---------- the test panel ---------- */

function TestPanel({ botId, draft, names }: { botId: number; draft: Draft; names: Names }) {
  const { t } = useTranslation('bots');
  const [st, dispatch] = useReducer(testReducer, initialTest);
  const [input, setInput] = useState('');
  const bodyRef = useRef<HTMLDivElement>(null);
  const turn = useMutation({
    mutationFn: (body: ReturnType<typeof testRequest>) => unwrap(api.POST('/api/v1/bots/{id}/test', { params: { path: { id: botId } }, body })),
    meta: { silent: true },
    onSuccess: (result) => dispatch({ type: 'result', result }),
    onError: (e) => dispatch({ type: 'failed', message: errorText(e) }),
  });
  useEffect(() => {
    bodyRef.current?.scrollTo({ top: bodyRef.current.scrollHeight });
  }, [st.entries.length]);
  // the request is built here, from the state this click sees: a restart starts from a fresh one
  const restart = () => {
    dispatch({ type: 'restart' });
    dispatch({ type: 'start' });
    turn.mutate(testRequest({ ...initialTest, open: st.open }, flowFromDraft(draft), undefined, t('test.contactName')));
  };
  const send = (text: string) => {
    const v = text.trim();
    if (!v || !canSend(st)) return;
    dispatch({ type: 'send', input: v });
    setInput('');
    turn.mutate(testRequest(st, flowFromDraft(draft), v, t('test.contactName')));
  };
  const look = {
    department: (id: number) => names.departments.find((d) => d.id === id)?.name,
    label: (id: number) => names.labels.find((l) => l.id === id)?.name,
  };
  const active = activeChoices(st);
  const started = st.entries.length > 0 || st.state !== null;
  return (
    <aside className={b.test} aria-label={t('test.title')} data-testid="bot-test">
      <div className={b.testHead}>
        <h2>{t('test.title')}</h2>
        <Button
          size="sm"
          onClick={restart}
          disabled={st.busy}
          data-testid="bot-test-restart"
        >
          <RotateCcw size={14} aria-hidden /> {started ? t('test.restart') : t('test.start')}
        </Button>
      </div>
      <div className={b.testBody} ref={bodyRef} aria-live="polite" data-testid="bot-test-log">
        {!started && <span className={s.hint}>{t('test.hint')}</span>}
        {!started && <span className={s.hint}>{t('test.empty')}</span>}
        {st.entries.map((e) => {
          switch (e.kind) {
            case 'customer':
              return (
                <div key={e.id} className={b.bubbleMe} data-testid="bot-test-customer">
                  {e.text}
                </div>
              );
            case 'bot':
              return (
                <div key={e.id} style={{ display: 'contents' }}>
                  <div className={b.bubbleBot} data-testid="bot-test-bot" data-step={e.step}>
                    {e.text}
                  </div>
                  {e.choices && (
                    <div className={b.choices} role="group" aria-label={t('test.choices')}>
                      {e.choices.map((c) => (
                        <button key={c} type="button" className={b.choice} disabled={active !== e.id} onClick={() => send(c)} aria-label={t('test.choose', { choice: c })} data-testid="bot-test-choice" data-choice={c}>
                          {c}
                        </button>
                      ))}
                    </div>
                  )}
                </div>
              );
            case 'action': {
              const sentence = actionSentence(e.action, look);
              return (
                <div key={e.id} className={b.system} data-testid="bot-test-action" data-kind={e.action.kind}>
                  {t(`test.act.${sentence.key}`, sentence.values)}
                </div>
              );
            }
            case 'error':
              return (
                <div key={e.id} className={b.testError} role="alert" data-testid="bot-test-error">
                  {t('test.failed', { message: e.text })}
                </div>
              );
          }
        })}
        {st.done && <div className={b.system}>{t('test.ended')}</div>}
      </div>
      <div className={b.testFoot}>
        <form
          className={b.testForm}
          onSubmit={(e) => {
            e.preventDefault();
            send(input);
          }}
        >
          <Input aria-label={t('test.input')} placeholder={t('test.input')} value={input} onChange={(e) => setInput(e.target.value)} disabled={!canSend(st)} data-testid="bot-test-input" />
          <IconButton type="submit" variant="primary" label={t('test.send')} icon={<Send size={14} aria-hidden />} disabled={!canSend(st) || !input.trim()} data-testid="bot-test-send" />
        </form>
        <label className={uiStyles.checkbox}>
          <input type="checkbox" checked={st.open} onChange={(e) => dispatch({ type: 'setOpen', open: e.target.checked })} data-testid="bot-test-open" />
          {t('test.open')}
        </label>
        {Object.keys(st.attributes).length > 0 && (
          <span className={s.hint} data-testid="bot-test-attributes">
            {t('test.attributes')}: {Object.entries(st.attributes).map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ')}
          </span>
        )}
      </div>
    </aside>
  );
}
