// Channels (admins). The API channel: the company's own app posts customer
// messages to Atende with the channel token and receives agent replies on its
// callback URL, signed with the channel's secret (token and secret are
// answered once, at creation and rotation). Telegram: a bot token, checked
// and registered by the server. WhatsApp Cloud API: the number's ids, access
// token and app secret, checked by the server; the admin pastes the webhook
// URL and verify token into Meta's dashboard. Credentials never come back.
// Website widget: settings edited whole (WidgetChannelForm.tsx), the snippet
// always shown, the identity-verification secret only at creation.
// E-mail: a mailbox's IMAP and SMTP logins (EmailChannelForm.tsx), set once:
// the server refuses changes, so the settings are shown read-only.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Plug, Plus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap, type Channel, type Department, type Schemas } from '../../api/client';
import { qk, useChannels, useDepartments, useMe } from '../../api/queries';
import { Badge, Button, Dialog, EmptyState, Field, Input, Select } from '../../ui';
import { inboundUrl, limits, statusesUrl, validHttpUrl } from './logic';
import { ConfirmDialog, CopyButton, CopyField, Panel, RowMenu, SecretDialog, SectionHeader, TableSkeleton, FormDialog } from './parts';
import { IdentityHelp, WidgetFields, WidgetSnippet } from './WidgetChannelForm';
import { defaultWidgetForm, validateWidget, widgetForm, type WidgetForm } from './widgetLogic';
import { EmailDetails, EmailFields, EmailPollStatus } from './EmailChannelForm';
import { defaultEmailForm, validateEmail, type EmailForm } from './emailLogic';
import s from './settings.module.css';

type WithSecrets = Schemas['ChannelWithSecrets'];
type NewKind = 'api' | 'telegram' | 'whatsapp' | 'sms' | 'messenger' | 'instagram' | 'widget' | 'email';

export function ChannelsSection() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const channels = useChannels();
  const departments = useDepartments();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [rotating, setRotating] = useState<Channel | null>(null);
  const [deleting, setDeleting] = useState<Channel | null>(null);
  const [secrets, setSecrets] = useState<{ channel: WithSecrets; rotated: boolean } | null>(null);
  const [webhook, setWebhook] = useState<Channel | null>(null);
  const [widgetCreated, setWidgetCreated] = useState<Channel | null>(null);
  const [snippetOf, setSnippetOf] = useState<Channel | null>(null);
  const [emailOf, setEmailOf] = useState<Channel | null>(null);
  const tz = useMe().data?.workspace.timezone;
  const invalidate = () => void qc.invalidateQueries({ queryKey: qk.channels });

  const rotate = useMutation({
    mutationFn: (c: Channel) => unwrap(api.POST('/api/v1/channels/{id}/rotate-token', { params: { path: { id: c.id } } })),
    onSuccess: (c) => {
      invalidate();
      setRotating(null);
      setSecrets({ channel: c, rotated: true });
    },
  });
  const test = useMutation({
    mutationFn: (c: Channel) => unwrap(api.POST('/api/v1/channels/{id}/test', { params: { path: { id: c.id } } })),
    onSuccess: (r, c) => {
      if (r.ok) toast.success(t('channels.testOk', { name: c.name, account: r.account ?? '' }));
      else toast.error(t('channels.testFailed', { name: c.name, error: r.error ?? '' }));
    },
  });
  const remove = useMutation({
    mutationFn: (c: Channel) => unwrap(api.DELETE('/api/v1/channels/{id}', { params: { path: { id: c.id } } })),
    onSuccess: () => {
      invalidate();
      void qc.invalidateQueries({ queryKey: qk.conversationLists });
      void qc.invalidateQueries({ queryKey: qk.counters });
      setDeleting(null);
      toast.success(t('deleted'));
    },
  });

  const deptName = new Map((departments.data ?? []).map((d) => [d.id, d.name]));
  const defaultDept = departments.data?.find((d) => d.is_default)?.name;
  // admins get the full Channel (this screen is admin-only); others a ChannelSummary
  const list = [...((channels.data ?? []) as Channel[])].sort((a, b) => a.name.localeCompare(b.name));
  const origin = location.origin;

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader
        title={t('channels.title')}
        description={t('channels.description')}
        actions={
          <Button variant="primary" onClick={() => setEditing('new')} data-testid="channel-new">
            <Plus size={16} aria-hidden /> {t('channels.newChannel')}
          </Button>
        }
      />
      <Panel>
        {channels.isPending ? (
          <TableSkeleton rows={3} />
        ) : list.length === 0 ? (
          <EmptyState
            icon={<Plug size={28} aria-hidden />}
            title={t('channels.emptyTitle')}
            body={t('channels.emptyBody')}
            action={
              <Button onClick={() => setEditing('new')}>
                <Plus size={16} aria-hidden /> {t('channels.newChannel')}
              </Button>
            }
          />
        ) : (
          <table className={s.table}>
            <thead>
              <tr>
                <th scope="col">{t('channels.name')}</th>
                <th scope="col" className={s.hideSm}>
                  {t('channels.department')}
                </th>
                <th scope="col" className={s.hideMd}>
                  {t('channels.callbackUrl')}
                </th>
                <th scope="col" className={s.actionsCol}>
                  <span className="sr-only">{t('actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id} data-testid={`channel-row-${c.id}`}>
                  <td>
                    <span className={s.cellTitle}>{c.name}</span> <Badge>{t(`channels.kinds.${c.kind}`)}</Badge>
                  </td>
                  <td className={s.hideSm}>
                    {c.department_id ? deptName.get(c.department_id) ?? `#${c.department_id}` : <span className={s.muted}>{t('channels.defaultDepartment', { name: defaultDept ?? '—' })}</span>}
                  </td>
                  <td className={`${s.hideMd} ${s.urlCell}`}>
                    {c.widget ? (
                      <span className={s.mono} title={c.widget.allowed_origins.join(' ')}>
                        {c.widget.allowed_origins.join(', ') || t('channels.widget.anySite')}
                      </span>
                    ) : c.kind === 'email' ? (
                      <span className={s.stackSm}>
                        <span className={s.mono}>{c.email?.address ?? c.account}</span>
                        {c.email && <EmailPollStatus email={c.email} timeZone={tz} />}
                      </span>
                    ) : c.kind !== 'api' ? (
                      <span className={s.mono} title={c.webhook_url}>
                        {c.account || c.webhook_url}
                      </span>
                    ) : c.callback_url ? (
                      <span className={s.mono} title={c.callback_url}>
                        {c.callback_url}
                      </span>
                    ) : (
                      <span className={s.warningText}>{t('channels.noCallback')}</span>
                    )}
                  </td>
                  <td className={s.actionsCol}>
                    <RowMenu
                      label={t('rowActions', { name: c.name })}
                      items={[
                        { label: tc('edit'), onSelect: () => setEditing(c) },
                        ...(c.kind === 'widget' ? [{ label: t('channels.widget.install'), onSelect: () => setSnippetOf(c) }] : [{ label: t('channels.test'), onSelect: () => test.mutate(c) }]),
                        ...(c.kind !== 'api' && c.kind !== 'telegram' && c.kind !== 'widget' && c.kind !== 'email' ? [{ label: t('channels.webhookDetails'), onSelect: () => setWebhook(c) }] : []),
                        ...(c.kind === 'email' ? [{ label: t('channels.email.details'), onSelect: () => setEmailOf(c) }] : []),
                        ...(c.kind === 'api' ? [{ label: t('channels.rotate'), onSelect: () => setRotating(c) }] : []),
                        { label: '', separator: true },
                        { label: tc('delete'), onSelect: () => setDeleting(c) },
                      ]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>

      <Panel className={s.formPanel}>
        <h2 className={s.panelTitle}>{t('channels.howTitle')}</h2>
        <CopyField label={t('channels.inboundUrl')} value={inboundUrl(origin)} testid="channel-inbound-url" />
        <ol className={s.steps}>
          <li>{t('channels.step1')}</li>
          <li>
            {t('channels.step2')}
            <CodeBlock code={curlExample(inboundUrl(origin))} label={t('channels.example')} />
          </li>
          <li>{t('channels.step3')}</li>
          <li>
            {t('channels.step4')} <code className={s.inlineCode}>{statusesUrl(origin)}</code>
          </li>
        </ol>
      </Panel>

      {editing && (
        <ChannelDialog
          channel={editing === 'new' ? null : editing}
          departments={departments.data ?? []}
          onClose={() => setEditing(null)}
          onCreated={(c) => setSecrets({ channel: c, rotated: false })}
          onWidgetCreated={setWidgetCreated}
          onWebhook={setWebhook}
          onEmailCreated={(c) => test.mutate(c)}
        />
      )}
      {emailOf && (
        <Dialog
          open
          onOpenChange={(o) => !o && setEmailOf(null)}
          title={t('channels.email.detailsTitle', { name: emailOf.name })}
          footer={
            <>
              <Button onClick={() => test.mutate(emailOf)} disabled={test.isPending} data-testid="email-test">
                {t('channels.test')}
              </Button>
              <Button variant="primary" onClick={() => setEmailOf(null)}>
                {tc('close')}
              </Button>
            </>
          }
        >
          <EmailDetails email={list.find((c) => c.id === emailOf.id)?.email ?? emailOf.email} timeZone={tz} />
        </Dialog>
      )}
      {snippetOf?.widget && (
        <Dialog
          open
          onOpenChange={(o) => !o && setSnippetOf(null)}
          title={t('channels.widget.installTitle', { name: snippetOf.name })}
          footer={<Button onClick={() => setSnippetOf(null)}>{tc('close')}</Button>}
        >
          <WidgetSnippet snippet={snippetOf.widget.snippet} />
          <IdentityHelp snippet={snippetOf.widget.snippet} />
        </Dialog>
      )}
      <SecretDialog
        open={!!widgetCreated}
        onOpenChange={(o) => !o && setWidgetCreated(null)}
        title={t('channels.createdTitle', { name: widgetCreated?.name ?? '' })}
        items={widgetCreated?.widget?.identity_secret ? [{ label: t('channels.widget.identitySecret'), value: widgetCreated.widget.identity_secret, testid: 'widget-secret' }] : []}
      >
        {widgetCreated?.widget && (
          <>
            <WidgetSnippet snippet={widgetCreated.widget.snippet} />
            <IdentityHelp snippet={widgetCreated.widget.snippet} />
          </>
        )}
      </SecretDialog>
      {webhook && (
        <Dialog open onOpenChange={(o) => !o && setWebhook(null)} title={t('channels.webhookTitle', { name: webhook.name })} description={webhook.kind === 'sms' ? t('channels.smsWebhookHelp') : t('channels.webhookHelp')} footer={<Button onClick={() => setWebhook(null)}>{tc('close')}</Button>}>
          <CopyField label={t('channels.webhookUrl')} value={webhook.webhook_url ?? ''} testid="channel-webhook-url" />
          {webhook.kind !== 'sms' ? (
            <CopyField label={t('channels.verifyToken')} value={webhook.verify_token ?? ''} testid="channel-verify-token" />
          ) : (
            <CopyField label={t('channels.statusCallbackUrl')} value={webhook.status_callback_url ?? ''} testid="channel-status-url" />
          )}
        </Dialog>
      )}
      <ConfirmDialog
        open={!!rotating}
        onOpenChange={(o) => !o && setRotating(null)}
        title={t('channels.rotateTitle', { name: rotating?.name ?? '' })}
        body={t('channels.rotateBody')}
        confirmLabel={t('channels.rotate')}
        busy={rotate.isPending}
        onConfirm={() => rotating && rotate.mutate(rotating)}
      />
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('channels.deleteTitle', { name: deleting?.name ?? '' })}
        body={t('channels.deleteBody')}
        confirmLabel={tc('delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
      <SecretDialog
        open={!!secrets}
        onOpenChange={(o) => !o && setSecrets(null)}
        title={secrets?.rotated ? t('channels.rotatedTitle', { name: secrets.channel.name }) : t('channels.createdTitle', { name: secrets?.channel.name ?? '' })}
        items={
          secrets
            ? [
                { label: t('channels.token'), value: secrets.channel.token, testid: 'channel-token' },
                ...(secrets.channel.secret ? [{ label: t('channels.secret'), value: secrets.channel.secret, testid: 'channel-secret' }] : []),
              ]
            : []
        }
      >
        <p className={s.panelText}>{t('channels.secretsHelp')}</p>
      </SecretDialog>
    </section>
  );
}

function curlExample(url: string) {
  return [
    `curl -X POST ${url} \\`,
    `  -H "Authorization: Bearer atc_…" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"message_id":"msg-1","contact":{"id":"42","name":"Ana Souza","phone":"+5511912345678"},"text":"Olá!"}'`,
  ].join('\n');
}

function CodeBlock({ code, label }: { code: string; label: string }) {
  return (
    <div className={s.codeBlock}>
      <pre tabIndex={0} aria-label={label}>
        <code>{code}</code>
      </pre>
      <span className={s.codeCopy}>
        <CopyButton value={code} />
      </span>
    </div>
  );
}

function ChannelDialog({
  channel,
  departments,
  onClose,
  onCreated,
  onWidgetCreated,
  onWebhook,
  onEmailCreated,
}: {
  channel: Channel | null;
  departments: Department[];
  onClose: () => void;
  onCreated: (c: WithSecrets) => void;
  onWidgetCreated: (c: Channel) => void;
  onWebhook: (c: Channel) => void;
  onEmailCreated: (c: Channel) => void;
}) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const [kind, setKind] = useState<NewKind>(channel && channel.kind !== 'api' ? (channel.kind as NewKind) : 'api');
  const [botToken, setBotToken] = useState('');
  const [wa, setWa] = useState({ phone_number_id: '', waba_id: '', access_token: '', app_secret: '' });
  const setWaField = (k: keyof typeof wa) => (e: React.ChangeEvent<HTMLInputElement>) => setWa({ ...wa, [k]: e.target.value });
  const [sms, setSms] = useState({ account_sid: '', auth_token: '', from: '' });
  const [meta, setMeta] = useState({ account: '', page_access_token: '', app_secret: '', page_id: '' });
  const setMetaField = (k: keyof typeof meta) => (e: React.ChangeEvent<HTMLInputElement>) => setMeta({ ...meta, [k]: e.target.value });
  const metaFields = (kind === 'instagram' ? ['account', 'page_id', 'page_access_token', 'app_secret'] : ['account', 'page_access_token', 'app_secret']) as (keyof typeof meta)[];
  const setSmsField = (k: keyof typeof sms) => (e: React.ChangeEvent<HTMLInputElement>) => setSms({ ...sms, [k]: e.target.value });
  const [name, setName] = useState(channel?.name ?? '');
  const [callback, setCallback] = useState(channel?.callback_url ?? '');
  const [dept, setDept] = useState(String(channel?.department_id ?? 0));
  const [wf, setWf] = useState<WidgetForm>(() => (channel?.widget ? widgetForm(channel.widget) : defaultWidgetForm()));
  const widgetCheck = validateWidget(wf);
  const widgetEditable = kind === 'widget' && (!channel || !!channel.widget);
  const widgetError = widgetEditable && !widgetCheck.settings;
  const [ef, setEf] = useState<EmailForm>(defaultEmailForm);
  const emailCheck = validateEmail(ef);
  const emailError = kind === 'email' && !channel && !emailCheck.settings;
  const [tried, setTried] = useState(false);
  const trimmed = name.trim();
  const url = callback.trim();
  const nameError = !trimmed ? 'required' : [...trimmed].length > limits.name ? 'tooLong' : undefined;
  const urlError = kind === 'api' && url && !validHttpUrl(url) ? 'url' : undefined;
  const tokenError =
    kind === 'telegram' && !channel && !/^\d+:[\w-]{20,}$/.test(botToken.trim())
      ? 'botToken'
      : kind === 'whatsapp' && !channel && Object.values(wa).some((v) => !v.trim())
        ? 'whatsappFields'
        : kind === 'sms' && !channel && Object.values(sms).some((v) => !v.trim())
          ? 'whatsappFields'
          : (kind === 'messenger' || kind === 'instagram') && !channel && ['account', 'page_access_token', 'app_secret'].some((k) => !meta[k as keyof typeof meta].trim())
            ? 'whatsappFields'
            : undefined;
  const defaultName = departments.find((d) => d.is_default)?.name ?? '—';

  const save = useMutation({
    mutationFn: async () => {
      const body = kind === 'api' ? { name: trimmed, callback_url: url, department_id: Number(dept) } : { name: trimmed, department_id: Number(dept) };
      if (channel) {
        // a widget whose settings could not be read keeps them: PATCH would replace them with the defaults
        const widget = kind === 'widget' && channel.widget ? widgetCheck.settings : undefined;
        await unwrap(api.PATCH('/api/v1/channels/{id}', { params: { path: { id: channel.id } }, body: widget ? { ...body, widget } : body }));
        return null;
      }
      if (kind === 'widget') return unwrap(api.POST('/api/v1/channels', { body: { kind, ...body, widget: widgetCheck.settings } }));
      if (kind === 'email') return unwrap(api.POST('/api/v1/channels', { body: { kind, ...body, email: emailCheck.settings } }));
      if (kind === 'telegram') return unwrap(api.POST('/api/v1/channels', { body: { kind, ...body, bot_token: botToken.trim() } }));
      if (kind === 'messenger' || kind === 'instagram') {
        const ids = kind === 'messenger' ? { page_id: meta.account.trim() } : { instagram_account_id: meta.account.trim(), ...(meta.page_id.trim() ? { page_id: meta.page_id.trim() } : {}) };
        return unwrap(api.POST('/api/v1/channels', { body: { kind, ...body, ...ids, page_access_token: meta.page_access_token.trim(), app_secret: meta.app_secret.trim() } }));
      }
      if (kind === 'sms') {
        const from = sms.from.trim();
        const sender = /^MG/.test(from) ? { messaging_service_sid: from } : { from };
        return unwrap(api.POST('/api/v1/channels', { body: { kind, ...body, account_sid: sms.account_sid.trim(), auth_token: sms.auth_token.trim(), ...sender } }));
      }
      if (kind === 'whatsapp') {
        const creds = Object.fromEntries(Object.entries(wa).map(([k, v]) => [k, v.trim()])) as typeof wa;
        return unwrap(api.POST('/api/v1/channels', { body: { kind, ...body, ...creds } }));
      }
      return unwrap(api.POST('/api/v1/channels', { body: { kind, ...body } }));
    },
    onSuccess: (created) => {
      void qc.invalidateQueries({ queryKey: qk.channels });
      onClose();
      if (created && 'token' in created) onCreated(created);
      else if (created?.kind === 'widget') onWidgetCreated(created);
      else if (created) {
        toast.success(t('channels.connected', { name: created.name, account: created.account ?? '' }));
        // nothing is contacted on creation: the login is tested now
        if (created.kind === 'email') onEmailCreated(created);
        else if (created.kind !== 'api' && created.kind !== 'telegram') onWebhook(created);
      }
      else toast.success(tc('saved'));
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!nameError && !urlError && !tokenError && !widgetError && !emailError) save.mutate();
  };
  return (
    <FormDialog
      title={channel ? t('channels.editTitle') : t('channels.newChannel')}
      description={channel ? undefined : kind === 'api' ? t('channels.newHelp') : kind === 'widget' ? t('channels.widget.help') : kind === 'email' ? t('channels.email.help') : t('channels.telegramHelp')}
      formId="channel-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={channel ? tc('save') : tc('create')}
      submitTestId={kind === 'email' && !channel ? 'email-save' : 'channel-save'}
    >
      {!channel && (
        <Field label={t('channels.kind')} htmlFor="channel-kind">
          <Select id="channel-kind" value={kind} onChange={(e) => setKind(e.target.value as NewKind)} data-testid="channel-kind">
            <option value="api">{t('channels.kinds.api')}</option>
            <option value="whatsapp">{t('channels.kinds.whatsapp')}</option>
            <option value="telegram">{t('channels.kinds.telegram')}</option>
            <option value="messenger">{t('channels.kinds.messenger')}</option>
            <option value="instagram">{t('channels.kinds.instagram')}</option>
            <option value="sms">{t('channels.kinds.sms')}</option>
            <option value="widget" data-testid="channel-kind-widget">
              {t('channels.kinds.widget')}
            </option>
            <option value="email" data-testid="channel-kind-email">
              {t('channels.kinds.email')}
            </option>
          </Select>
        </Field>
      )}
      {kind === 'telegram' && !channel && (
        <Field label={t('channels.botToken')} htmlFor="channel-bot-token" hint={t('channels.botTokenHint')} error={tried && tokenError === 'botToken' ? t('errors.botToken') : undefined}>
          <Input
            id="channel-bot-token"
            type="password"
            autoComplete="off"
            value={botToken}
            onChange={(e) => setBotToken(e.target.value)}
            placeholder="123456789:AA…"
            className={s.mono}
            data-testid="channel-bot-token"
          />
        </Field>
      )}
      {(kind === 'messenger' || kind === 'instagram') && !channel && (
        <>
          {metaFields.map((k) => (
            <Field
              key={k}
              label={t(`channels.meta.${k === 'account' ? kind : k}`)}
              htmlFor={`channel-meta-${k}`}
              hint={t(`channels.meta.${k === 'account' ? kind : k}Hint`)}
              error={tried && k !== 'page_id' && !meta[k].trim() ? t('errors.required') : undefined}
            >
              <Input
                id={`channel-meta-${k}`}
                type={k === 'page_access_token' || k === 'app_secret' ? 'password' : 'text'}
                autoComplete="off"
                value={meta[k]}
                onChange={setMetaField(k)}
                className={s.mono}
                data-testid={`channel-meta-${k}`}
              />
            </Field>
          ))}
        </>
      )}
      {kind === 'sms' && !channel && (
        <>
          {(['account_sid', 'auth_token', 'from'] as const).map((k) => (
            <Field key={k} label={t(`channels.sms.${k}`)} htmlFor={`channel-sms-${k}`} hint={t(`channels.sms.${k}Hint`)} error={tried && !sms[k].trim() ? t('errors.required') : undefined}>
              <Input
                id={`channel-sms-${k}`}
                type={k === 'auth_token' ? 'password' : 'text'}
                autoComplete="off"
                value={sms[k]}
                onChange={setSmsField(k)}
                className={s.mono}
                data-testid={`channel-sms-${k}`}
              />
            </Field>
          ))}
        </>
      )}
      {kind === 'whatsapp' && !channel && (
        <>
          {(['phone_number_id', 'waba_id', 'access_token', 'app_secret'] as const).map((k) => (
            <Field key={k} label={t(`channels.wa.${k}`)} htmlFor={`channel-wa-${k}`} hint={t(`channels.wa.${k}Hint`)} error={tried && !wa[k].trim() ? t('errors.required') : undefined}>
              <Input
                id={`channel-wa-${k}`}
                type={k === 'access_token' || k === 'app_secret' ? 'password' : 'text'}
                autoComplete="off"
                value={wa[k]}
                onChange={setWaField(k)}
                className={s.mono}
                data-testid={`channel-wa-${k}`}
              />
            </Field>
          ))}
        </>
      )}
      {kind === 'email' && !channel && <EmailFields form={ef} onChange={setEf} errors={emailCheck.errors} tried={tried} />}
      <Field label={t('channels.name')} htmlFor="channel-name" error={tried && nameError ? t(`errors.${nameError}`) : undefined}>
        <Input id="channel-name" value={name} autoFocus onChange={(e) => setName(e.target.value)} placeholder={t('channels.namePlaceholder')} data-testid="channel-name" />
      </Field>
      {kind === 'api' && (
        <Field label={t('channels.callbackUrl')} htmlFor="channel-callback" hint={t('channels.callbackHint')} error={urlError && (tried || url.length > 8) ? t(`errors.${urlError}`) : undefined}>
          <Input
            id="channel-callback"
            type="url"
            inputMode="url"
            value={callback}
            onChange={(e) => setCallback(e.target.value)}
            placeholder="https://app.example.com/atende/webhook"
            className={s.mono}
            data-testid="channel-callback"
          />
        </Field>
      )}
      <Field label={t('channels.department')} htmlFor="channel-dept" hint={t('channels.departmentHint')}>
        <Select id="channel-dept" value={dept} onChange={(e) => setDept(e.target.value)} data-testid="channel-department">
          <option value="0">{t('channels.defaultDepartment', { name: defaultName })}</option>
          {departments.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </Select>
      </Field>
      {kind === 'email' && channel && (
        <p className={s.hint} data-testid="email-readonly">
          {t('channels.email.readOnly')}
        </p>
      )}
      {widgetEditable && (
        <>
          {channel?.widget && <WidgetSnippet snippet={channel.widget.snippet} />}
          <WidgetFields form={wf} onChange={setWf} departments={departments} errors={widgetCheck.errors} invalidOrigins={widgetCheck.invalidOrigins} tried={tried} />
        </>
      )}
    </FormDialog>
  );
}
