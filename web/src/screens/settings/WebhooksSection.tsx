// Outbound webhooks (admins, like the server's routes): URLs of the
// company's systems that receive conversation and message events, signed the
// Standard Webhooks way. The signing secret is answered once, on creation and
// on rotation. A subscription opens into its delivery log, where each
// delivery shows what the receiver answered and can be sent again.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AlertTriangle, ArrowLeft, KeyRound, Pencil, Plus, RefreshCw, RotateCw, Send, Trash2, Webhook } from 'lucide-react';
import { useState, type CSSProperties, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap } from '../../api/client';
import { useMe } from '../../api/queries';
import { dateTime } from '../../lib/format';
import { Badge, Button, Checkbox, EmptyState, Field, IconButton, Input, Textarea, uiStyles } from '../../ui';
import {
  checkWebhookUrl,
  codeLabel,
  codeTone,
  deliveriesQuery,
  deliveryTone,
  emptyWebhookForm,
  hasPending,
  mergeDeliveries,
  prettyBody,
  sortEvents,
  toggleEvent,
  validateWebhook,
  webhookBody,
  webhookEvents,
  webhookForm,
  webhookLimits,
  type Tone,
  type WebhookDelivery,
  type WebhookForm,
  type WebhookFormErrors,
  type WebhookSubscription,
} from './webhooksLogic';
import { ConfirmDialog, FormDialog, Panel, SecretDialog, SectionHeader, TableSkeleton } from './parts';
import s from './settings.module.css';

const whKeys = {
  all: ['webhooks'] as const,
  list: ['webhooks', 'list'] as const,
  last: (id: number) => ['webhooks', id, 'last'] as const,
  deliveries: (id: number) => ['webhooks', id, 'deliveries'] as const,
};

// Pending deliveries change on the server's retry schedule; nothing pushes them, so the log polls.
const pollMs = 4000;

function useWebhooks() {
  return useQuery({ queryKey: whKeys.list, queryFn: () => unwrap(api.GET('/api/v1/webhook-subscriptions')) });
}

const toneStyle: Record<Tone, CSSProperties> = {
  success: { background: 'var(--success-soft)', color: 'var(--success)' },
  warning: { background: 'var(--warning-soft)', color: 'var(--warning)' },
  danger: { background: 'var(--danger-soft)', color: 'var(--danger)' },
  neutral: {},
};

function ToneBadge({ tone, children, title, testid }: { tone: Tone; children: React.ReactNode; title?: string; testid?: string }) {
  return (
    <span className={uiStyles.badge} style={toneStyle[tone]} title={title} data-testid={testid} data-tone={tone}>
      {children}
    </span>
  );
}

/** DeliveryOutcome is a delivery's state and, when something answered, the status code in its own colour. */
function DeliveryOutcome({ d }: { d: WebhookDelivery }) {
  const { t } = useTranslation('settings');
  const label = codeLabel(d);
  return (
    <span className={s.badges}>
      <ToneBadge tone={deliveryTone(d)}>{t(`webhooks.statuses.${d.status}`)}</ToneBadge>
      {label !== null && (
        <ToneBadge tone={codeTone(d.last_status_code)} title={t('webhooks.statusCode')} testid={`webhook-code-${d.id}`}>
          {d.last_status_code > 0 ? `HTTP ${label}` : t('webhooks.noAnswer')}
        </ToneBadge>
      )}
    </span>
  );
}

function useWhen() {
  const { i18n } = useTranslation();
  const tz = useMe().data?.workspace.timezone;
  return (ms: number) => dateTime(ms, i18n.language, tz);
}

export function WebhooksSection() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const subs = useWebhooks();
  const qc = useQueryClient();
  const [openId, setOpenId] = useState<number | null>(null);
  const [editing, setEditing] = useState<WebhookSubscription | 'new' | null>(null);
  const [deleting, setDeleting] = useState<WebhookSubscription | null>(null);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  // The switch flips at once; a failure puts it back (and the server's message shows as a toast).
  const toggle = useMutation({
    mutationFn: (w: WebhookSubscription) => unwrap(api.PATCH('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: w.id } }, body: { active: !w.active } })),
    onMutate: async (w) => {
      await qc.cancelQueries({ queryKey: whKeys.list });
      const before = qc.getQueryData<WebhookSubscription[]>(whKeys.list);
      qc.setQueryData<WebhookSubscription[]>(whKeys.list, (list) => list?.map((x) => (x.id === w.id ? { ...x, active: !w.active } : x)));
      return { before };
    },
    onError: (_e, _w, ctx) => ctx?.before && qc.setQueryData(whKeys.list, ctx.before),
    onSuccess: (w) => toast.success(w.active ? t('webhooks.activated') : t('webhooks.deactivated')),
    onSettled: () => void qc.invalidateQueries({ queryKey: whKeys.list }),
  });
  const remove = useMutation({
    mutationFn: (w: WebhookSubscription) => unwrap(api.DELETE('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: w.id } } })),
    onSuccess: (_r, w) => {
      void qc.invalidateQueries({ queryKey: whKeys.all });
      setDeleting(null);
      if (openId === w.id) setOpenId(null);
      toast.success(t('deleted'));
    },
  });
  const list = subs.data ?? [];
  const open = openId === null ? undefined : list.find((w) => w.id === openId);

  const dialogs = (
    <>
      {editing && (
        <WebhookDialog
          sub={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onCreated={(w) => {
            setSecret({ title: t('webhooks.createdTitle'), value: w.secret });
            setOpenId(w.id);
          }}
        />
      )}
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('webhooks.deleteTitle')}
        body={t('webhooks.deleteBody')}
        confirmLabel={tc('delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
      <SecretDialog
        open={!!secret}
        onOpenChange={(o) => !o && setSecret(null)}
        title={secret?.title ?? ''}
        items={secret ? [{ label: t('webhooks.secret'), value: secret.value, testid: 'webhook-secret' }] : []}
      >
        <VerifyHelp />
      </SecretDialog>
    </>
  );

  return (
    <section aria-labelledby="settings-section-title">
      {open ? (
        <WebhookDetails
          sub={open}
          onBack={() => setOpenId(null)}
          onEdit={() => setEditing(open)}
          onDelete={() => setDeleting(open)}
          onRotated={(value) => setSecret({ title: t('webhooks.rotatedTitle'), value })}
        />
      ) : (
        <WebhookList list={list} pending={subs.isPending} onOpen={setOpenId} onNew={() => setEditing('new')} onEdit={setEditing} onDelete={setDeleting} onToggle={(w) => toggle.mutate(w)} />
      )}
      {dialogs}
    </section>
  );
}

function WebhookList({
  list,
  pending,
  onOpen,
  onNew,
  onEdit,
  onDelete,
  onToggle,
}: {
  list: WebhookSubscription[];
  pending: boolean;
  onOpen: (id: number) => void;
  onNew: () => void;
  onEdit: (w: WebhookSubscription) => void;
  onDelete: (w: WebhookSubscription) => void;
  onToggle: (w: WebhookSubscription) => void;
}) {
  const { t } = useTranslation('settings');
  return (
    <>
      <SectionHeader
        title={t('webhooks.title')}
        description={t('webhooks.description')}
        actions={
          <Button variant="primary" onClick={onNew} data-testid="webhook-new">
            <Plus size={16} aria-hidden /> {t('webhooks.new')}
          </Button>
        }
      />
      <Panel>
        {pending ? (
          <TableSkeleton rows={3} />
        ) : list.length === 0 ? (
          <EmptyState
            icon={<Webhook size={28} aria-hidden />}
            title={t('webhooks.emptyTitle')}
            body={t('webhooks.emptyBody')}
            action={
              <Button onClick={onNew}>
                <Plus size={16} aria-hidden /> {t('webhooks.new')}
              </Button>
            }
          />
        ) : (
          <table className={s.table} aria-label={t('webhooks.list')}>
            <thead>
              <tr>
                <th scope="col">{t('webhooks.url')}</th>
                <th scope="col" className={s.hideMd}>
                  {t('webhooks.events')}
                </th>
                <th scope="col">{t('webhooks.active')}</th>
                <th scope="col" className={s.hideSm}>
                  {t('webhooks.lastDelivery')}
                </th>
                <th scope="col" className={s.actionsCol}>
                  <span className="sr-only">{t('actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((w) => (
                <tr key={w.id} data-testid={`webhook-row-${w.id}`} className={w.active ? undefined : s.inactiveRow}>
                  <td className={s.urlCell}>
                    <button type="button" className={s.linkLike} onClick={() => onOpen(w.id)} aria-label={t('webhooks.detailsOf', { name: w.url })} title={w.url}>
                      <span className={`${s.cellTitle} ${s.mono}`}>{w.url}</span>
                    </button>
                    {w.description && <span className={s.cellSub}>{w.description}</span>}
                    {w.disabled_reason && <span className={`${s.cellSub} ${s.warningText}`}>{w.disabled_reason}</span>}
                  </td>
                  <td className={s.hideMd}>
                    <EventChips events={w.events} />
                  </td>
                  <td>
                    <span className={s.toggleCell}>
                      <Checkbox label={t('webhooks.active')} checked={w.active} onChange={() => onToggle(w)} />
                    </span>
                  </td>
                  <td className={s.hideSm}>
                    <LastDelivery id={w.id} />
                  </td>
                  <td className={s.actionsCol}>
                    <span className={s.rowButtons}>
                      <IconButton size="sm" label={t('webhooks.details')} icon={<KeyRound size={14} aria-hidden />} onClick={() => onOpen(w.id)} />
                      <IconButton size="sm" label={t('editItem', { name: w.url })} icon={<Pencil size={14} aria-hidden />} onClick={() => onEdit(w)} />
                      <IconButton size="sm" label={t('deleteItem', { name: w.url })} icon={<Trash2 size={14} aria-hidden />} onClick={() => onDelete(w)} />
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <Panel className={s.formPanel}>
        <VerifyHelp />
      </Panel>
    </>
  );
}

function EventChips({ events }: { events: readonly string[] }) {
  return (
    <span className={s.badges}>
      {sortEvents(events).map((e) => (
        <Badge key={e} className={s.mono}>
          {e}
        </Badge>
      ))}
    </span>
  );
}

/** LastDelivery reads the newest delivery of a subscription (the list does not carry it). */
function LastDelivery({ id }: { id: number }) {
  const { t } = useTranslation('settings');
  const when = useWhen();
  const last = useQuery({
    queryKey: whKeys.last(id),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/webhook-subscriptions/{id}/deliveries', { params: { path: { id }, query: deliveriesQuery(null, 1) }, signal })),
    refetchInterval: (q) => (hasPending(q.state.data ? [q.state.data] : undefined) ? pollMs : false),
  });
  const d = last.data?.deliveries[0];
  if (last.isPending) return <span className={s.muted}>…</span>;
  if (!d) return <span className={s.muted}>{t('webhooks.noDeliveriesYet')}</span>;
  return (
    <span className={s.stackSm} data-testid={`webhook-last-${id}`}>
      <DeliveryOutcome d={d} />
      <span className={s.cellSub}>{when(d.updated_at)}</span>
    </span>
  );
}

function VerifyHelp() {
  const { t } = useTranslation('settings');
  return (
    <div className={s.stackSm}>
      <h2 className={s.panelTitle}>{t('webhooks.verifyTitle')}</h2>
      <p className={s.panelText}>{t('webhooks.verifyBody')}</p>
    </div>
  );
}

/* ---------- details and delivery log ---------- */

export function WebhookDetails({
  sub,
  onBack,
  onEdit,
  onDelete,
  onRotated,
}: {
  sub: WebhookSubscription;
  onBack: () => void;
  onEdit: () => void;
  onDelete: () => void;
  onRotated: (secret: string) => void;
}) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const [rotating, setRotating] = useState(false);
  const refreshLog = () => {
    void qc.invalidateQueries({ queryKey: whKeys.deliveries(sub.id) });
    void qc.invalidateQueries({ queryKey: whKeys.last(sub.id) });
  };
  const test = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/webhook-subscriptions/{id}/test', { params: { path: { id: sub.id } } })),
    onSuccess: () => {
      refreshLog();
      toast.success(t('webhooks.testQueued'));
    },
  });
  const rotate = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/webhook-subscriptions/{id}/rotate-secret', { params: { path: { id: sub.id } } })),
    onSuccess: (w) => {
      setRotating(false);
      onRotated(w.secret);
    },
  });

  return (
    <>
      <button type="button" className={s.back} onClick={onBack} data-testid="webhook-back">
        <ArrowLeft size={16} aria-hidden /> {t('webhooks.back')}
      </button>
      {/* not SectionHeader: a long URL must wrap instead of pushing the buttons off screen */}
      <header className={s.sectionHeader}>
        <div className={s.sectionHeading}>
          <h1 id="settings-section-title" style={{ overflowWrap: 'anywhere' }}>
            {sub.url}
          </h1>
          {sub.description && <p className={s.sectionDescription}>{sub.description}</p>}
        </div>
        <div className={s.sectionActions}>
          <Button onClick={() => test.mutate()} busy={test.isPending} data-testid="webhook-test">
            <Send size={14} aria-hidden /> {t('webhooks.sendTest')}
          </Button>
          <Button onClick={() => setRotating(true)} data-testid="webhook-rotate">
            <RotateCw size={14} aria-hidden /> {t('webhooks.rotate')}
          </Button>
          <IconButton label={tc('edit')} icon={<Pencil size={16} aria-hidden />} onClick={onEdit} data-testid="webhook-edit" />
          <IconButton label={tc('delete')} icon={<Trash2 size={16} aria-hidden />} onClick={onDelete} className={s.dangerText} />
        </div>
      </header>
      <div className={s.stack}>
        {sub.disabled_reason && (
          <div className={s.warning} role="note">
            <AlertTriangle size={16} aria-hidden />
            <span>{t('webhooks.disabledBy', { reason: sub.disabled_reason })}</span>
          </div>
        )}
        <dl className={s.facts}>
          <dt>{t('webhooks.events')}</dt>
          <dd>
            <EventChips events={sub.events} />
          </dd>
          <dt>{t('webhooks.active')}</dt>
          <dd>{sub.active ? t('webhooks.active') : t('webhooks.inactive')}</dd>
        </dl>
        <DeliveryLog subId={sub.id} onRefresh={refreshLog} />
        <Panel className={s.formPanel}>
          <VerifyHelp />
        </Panel>
      </div>
      <ConfirmDialog
        open={rotating}
        onOpenChange={setRotating}
        title={t('webhooks.rotateTitle')}
        body={t('webhooks.rotateBody')}
        confirmLabel={t('webhooks.rotate')}
        busy={rotate.isPending}
        onConfirm={() => rotate.mutate()}
      />
    </>
  );
}

function DeliveryLog({ subId, onRefresh }: { subId: number; onRefresh: () => void }) {
  const { t } = useTranslation('settings');
  const when = useWhen();
  const log = useInfiniteQuery({
    queryKey: whKeys.deliveries(subId),
    initialPageParam: null as number | null,
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.GET('/api/v1/webhook-subscriptions/{id}/deliveries', { params: { path: { id: subId }, query: deliveriesQuery(pageParam) }, signal })),
    getNextPageParam: (last) => last.next_before,
    refetchInterval: (q) => (hasPending(q.state.data?.pages) ? pollMs : false),
  });
  const resend = useMutation({
    mutationFn: (d: WebhookDelivery) =>
      unwrap(api.POST('/api/v1/webhook-subscriptions/{id}/deliveries/{deliveryID}/resend', { params: { path: { id: subId, deliveryID: d.id } } })),
    onSuccess: () => {
      onRefresh();
      toast.success(t('webhooks.resent'));
    },
  });
  const list = mergeDeliveries(log.data?.pages);

  return (
    <div>
      <div className={s.sectionHeader}>
        <div className={s.sectionHeading}>
          <h2 className={s.panelTitle}>{t('webhooks.deliveries')}</h2>
        </div>
        <div className={s.sectionActions}>
          <IconButton label={t('webhooks.refresh')} icon={<RefreshCw size={14} aria-hidden />} onClick={onRefresh} busy={log.isRefetching && !log.isFetchingNextPage} />
        </div>
      </div>
      <Panel>
        {log.isPending ? (
          <TableSkeleton rows={3} />
        ) : list.length === 0 ? (
          <div data-testid="webhook-deliveries">
            <EmptyState icon={<Send size={28} aria-hidden />} title={t('webhooks.deliveriesEmpty')} body={t('webhooks.deliveriesEmptyBody')} />
          </div>
        ) : (
          <ul className={s.rows} aria-label={t('webhooks.deliveries')} data-testid="webhook-deliveries">
            {list.map((d) => (
              <li key={d.id} className={`${s.row} ${s.rowTop}`} data-testid={`webhook-delivery-${d.id}`}>
                <div className={s.stackSm} style={{ flex: 1, minWidth: 0 }}>
                  <span className={s.badges}>
                    <span className={`${s.cellTitle} ${s.mono}`}>{d.event_type}</span>
                    <DeliveryOutcome d={d} />
                  </span>
                  <span className={s.cellSub}>
                    {when(d.created_at)} · {t('webhooks.attempts')}: {d.attempts} · {t('webhooks.webhookId')}: <span className={s.mono}>{d.event_id}</span>
                  </span>
                  {d.last_error && (
                    <span className={`${s.small} ${s.dangerText}`} style={{ overflowWrap: 'anywhere' }}>
                      {t('webhooks.lastError')}: {d.last_error}
                    </span>
                  )}
                  {d.response_snippet && (
                    <div className={`${s.codeBlock} ${s.wrapCode}`}>
                      <span className={s.copyLabel}>{t('webhooks.response')}</span>
                      <pre style={{ maxHeight: 160, paddingRight: 12 }} data-testid={`webhook-response-${d.id}`}>
                        {d.response_snippet}
                      </pre>
                    </div>
                  )}
                  <details className={s.small}>
                    <summary>{t('webhooks.payload')}</summary>
                    <div className={`${s.codeBlock} ${s.wrapCode}`}>
                      <pre style={{ maxHeight: 240, paddingRight: 12 }}>{prettyBody(d.payload)}</pre>
                    </div>
                  </details>
                </div>
                <Button
                  size="sm"
                  onClick={() => resend.mutate(d)}
                  busy={resend.isPending && resend.variables?.id === d.id}
                  aria-label={t('webhooks.resendItem', { id: d.event_id })}
                  data-testid={`webhook-resend-${d.id}`}
                >
                  <RotateCw size={14} aria-hidden /> {t('webhooks.resend')}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </Panel>
      {log.hasNextPage && (
        <div className={s.loadMore}>
          <Button onClick={() => void log.fetchNextPage()} busy={log.isFetchingNextPage} data-testid="webhook-deliveries-more">
            {t('webhooks.loadMore')}
          </Button>
        </div>
      )}
    </div>
  );
}

/* ---------- create / edit ---------- */

function WebhookDialog({
  sub,
  onClose,
  onCreated,
}: {
  sub: WebhookSubscription | null;
  onClose: () => void;
  onCreated: (w: { id: number; secret: string }) => void;
}) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const [form, setForm] = useState<WebhookForm>(() => (sub ? webhookForm(sub) : emptyWebhookForm));
  const [tried, setTried] = useState(false);
  const { values, errors } = validateWebhook(form);
  const save = useMutation({
    mutationFn: (v: WebhookForm) =>
      sub
        ? unwrap(api.PATCH('/api/v1/webhook-subscriptions/{id}', { params: { path: { id: sub.id } }, body: webhookBody(sub, v) })).then(() => null)
        : unwrap(api.POST('/api/v1/webhook-subscriptions', { body: webhookBody(null, v) })),
    onSuccess: (created) => {
      void qc.invalidateQueries({ queryKey: whKeys.list });
      onClose();
      if (created) onCreated(created);
      else toast.success(tc('saved'));
    },
  });
  const set = <K extends keyof WebhookForm>(k: K, v: WebhookForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!values) return;
    if (sub && Object.keys(webhookBody(sub, values)).length === 0) return onClose();
    save.mutate(values);
  };
  return (
    <FormDialog
      title={sub ? t('webhooks.editTitle') : t('webhooks.new')}
      formId="webhook-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={sub ? tc('save') : tc('create')}
      submitTestId="webhook-save"
    >
      <WebhookFields form={form} onChange={set} errors={tried ? errors : {}} />
    </FormDialog>
  );
}

/** WebhookFields is the body of the create/edit form. */
export function WebhookFields({ form, onChange: set, errors }: { form: WebhookForm; onChange: <K extends keyof WebhookForm>(k: K, v: WebhookForm[K]) => void; errors: WebhookFormErrors }) {
  const { t } = useTranslation('settings');
  const insecure = checkWebhookUrl(form.url).insecure;
  const err = (k: keyof WebhookFormErrors) => (errors[k] ? t(`webhooks.errors.${errors[k]}`) : undefined);
  return (
    <>
      <Field label={t('webhooks.url')} htmlFor="webhook-url" hint={t('webhooks.urlHint')} error={err('url')}>
        <Input
          id="webhook-url"
          type="url"
          inputMode="url"
          value={form.url}
          autoFocus
          spellCheck={false}
          maxLength={webhookLimits.url}
          onChange={(e) => set('url', e.target.value)}
          placeholder="https://example.com/webhooks/atende"
          className={s.mono}
          data-testid="webhook-url"
        />
      </Field>
      {insecure && !errors.url && (
        <div className={s.warning} role="note">
          <AlertTriangle size={16} aria-hidden />
          <span>{t('webhooks.urlInsecure')}</span>
        </div>
      )}
      <fieldset className={s.fieldset}>
        <legend className={s.legend}>{t('webhooks.events')}</legend>
        <div className={s.checkGrid}>
          {webhookEvents.map((ev) => (
            <label key={ev} className={uiStyles.checkbox}>
              <input
                type="checkbox"
                checked={form.events.includes(ev)}
                onChange={(e) => set('events', toggleEvent(form.events, ev, e.target.checked))}
                data-testid={`webhook-event-${ev}`}
              />
              <span className={s.mono}>{ev}</span>
            </label>
          ))}
        </div>
        {err('events') && (
          <span className={s.error} role="alert">
            {err('events')}
          </span>
        )}
      </fieldset>
      <Field label={t('webhooks.note')} htmlFor="webhook-description" error={err('description')}>
        <Textarea id="webhook-description" rows={2} value={form.description} onChange={(e) => set('description', e.target.value)} placeholder={t('webhooks.notePlaceholder')} data-testid="webhook-description" />
      </Field>
      <div className={s.stackSm}>
        <Checkbox label={t('webhooks.active')} checked={form.active} onChange={(v) => set('active', v)} />
        <span className={s.hint}>{t('webhooks.activeHint')}</span>
      </div>
    </>
  );
}
