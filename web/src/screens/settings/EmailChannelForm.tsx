// The e-mail channel (DESIGN M5): the settings fields of the new-channel
// dialog, the read-only settings view (no credentials: the server never
// answers them, and refuses changes, so the admin deletes and reconnects),
// and the IMAP poller's last state for the channel list. See emailLogic.ts.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { listTime, dateTime } from '../../lib/format';
import { Field, Input, Select } from '../../ui';
import {
  applyPreset,
  emailPresets,
  emailTlsModes,
  pollState,
  presetOf,
  withTls,
  type EmailErrorField,
  type EmailErrors,
  type EmailForm,
  type EmailProto,
  type EmailTls,
  type EmailView,
} from './emailLogic';
import s from './settings.module.css';

function Group({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className={s.fieldset}>
      <legend className={s.panelTitle}>{title}</legend>
      <div className={s.stack}>{children}</div>
    </fieldset>
  );
}

export function EmailFields({ form, onChange, errors, tried }: { form: EmailForm; onChange: (f: EmailForm) => void; errors: EmailErrors; tried: boolean }) {
  const { t } = useTranslation('settings');
  const set = <K extends keyof EmailForm>(k: K, v: EmailForm[K]) => {
    const next = { ...form, [k]: v };
    // a host or port typed by hand may no longer be the provider's
    onChange(k === 'address' || k === 'fromName' || k.endsWith('Username') || k.endsWith('Password') || k === 'imapMailbox' ? next : { ...next, preset: presetOf(next) });
  };
  const err = (k: EmailErrorField) => {
    const e = errors[k];
    // a malformed value shows while typing; a missing one only after a save attempt
    if (!e || (!tried && e === 'required')) return undefined;
    return t(`channels.email.errors.${e}`);
  };
  const provider = form.preset !== 'custom';
  const address = form.address.trim().toLowerCase();

  const server = (proto: EmailProto) => {
    const p = proto === 'imap' ? ({ host: 'imapHost', port: 'imapPort', tls: 'imapTls', user: 'imapUsername', pw: 'imapPassword' } as const) : ({ host: 'smtpHost', port: 'smtpPort', tls: 'smtpTls', user: 'smtpUsername', pw: 'smtpPassword' } as const);
    return (
      <Group title={t(`channels.email.${proto}`)}>
        <div className={s.formGrid3}>
          <Field label={t('channels.email.host')} htmlFor={`email-${proto}-host`} error={err(p.host)}>
            <Input
              id={`email-${proto}-host`}
              value={form[p.host]}
              onChange={(e) => set(p.host, e.target.value)}
              placeholder={proto === 'imap' ? 'imap.example.com' : 'smtp.example.com'}
              autoComplete="off"
              spellCheck={false}
              className={s.mono}
              data-testid={`email-${proto}-host`}
            />
          </Field>
          <Field label={t('channels.email.tls')} htmlFor={`email-${proto}-tls`}>
            <Select id={`email-${proto}-tls`} value={form[p.tls]} onChange={(e) => {
                const next = withTls(form, proto, e.target.value as EmailTls);
                onChange({ ...next, preset: presetOf(next) });
              }} data-testid={`email-${proto}-tls`}>
              {emailTlsModes.map((m) => (
                <option key={m} value={m}>
                  {t(`channels.email.tlsModes.${m}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('channels.email.port')} htmlFor={`email-${proto}-port`} error={err(p.port)}>
            <Input id={`email-${proto}-port`} inputMode="numeric" value={form[p.port]} onChange={(e) => set(p.port, e.target.value)} className={s.mono} data-testid={`email-${proto}-port`} />
          </Field>
        </div>
        {form[p.tls] === 'none' && <p className={s.warningText}>{t('channels.email.noTlsWarning')}</p>}
        <div className={s.formGrid}>
          <Field label={t('channels.email.username')} htmlFor={`email-${proto}-username`} hint={t('channels.email.usernameHint')} error={err(p.user)}>
            <Input
              id={`email-${proto}-username`}
              value={form[p.user]}
              onChange={(e) => set(p.user, e.target.value)}
              placeholder={address || undefined}
              autoComplete="off"
              spellCheck={false}
              className={s.mono}
              data-testid={`email-${proto}-username`}
            />
          </Field>
          <Field label={t(provider ? 'channels.email.appPassword' : 'channels.email.password')} htmlFor={`email-${proto}-password`} error={err(p.pw)}>
            <Input id={`email-${proto}-password`} type="password" autoComplete="off" value={form[p.pw]} onChange={(e) => set(p.pw, e.target.value)} data-testid={`email-${proto}-password`} />
          </Field>
        </div>
        {proto === 'imap' && (
          <Field label={t('channels.email.mailbox')} htmlFor="email-imap-mailbox" hint={t('channels.email.mailboxHint')} error={err('imapMailbox')}>
            <Input id="email-imap-mailbox" value={form.imapMailbox} onChange={(e) => set('imapMailbox', e.target.value)} placeholder="INBOX" className={s.mono} data-testid="email-imap-mailbox" />
          </Field>
        )}
      </Group>
    );
  };

  return (
    <>
      <div className={s.formGrid}>
        <Field label={t('channels.email.address')} htmlFor="email-address" hint={t('channels.email.addressHint')} error={err('address')}>
          <Input
            id="email-address"
            type="email"
            inputMode="email"
            autoComplete="off"
            spellCheck={false}
            value={form.address}
            onChange={(e) => set('address', e.target.value)}
            placeholder="atendimento@example.com"
            data-testid="email-address"
          />
        </Field>
        <Field label={t('channels.email.fromName')} htmlFor="email-from-name" hint={t('channels.email.fromNameHint')} error={err('fromName')}>
          <Input id="email-from-name" value={form.fromName} onChange={(e) => set('fromName', e.target.value)} data-testid="email-from-name" />
        </Field>
      </div>
      <Field label={t('channels.email.provider')} htmlFor="email-preset" hint={t('channels.email.appPasswordHint')}>
        <Select id="email-preset" value={form.preset} onChange={(e) => onChange(applyPreset(form, e.target.value as EmailForm['preset']))} data-testid="email-preset">
          {emailPresets.map((p) => (
            <option key={p} value={p}>
              {t(`channels.email.presets.${p}`)}
            </option>
          ))}
        </Select>
      </Field>
      {server('imap')}
      {server('smtp')}
      <p className={s.hint}>{t('channels.email.testAfter')}</p>
    </>
  );
}

/** EmailPollStatus is the poller's last state in one line, for the channel list and details. */
export function EmailPollStatus({ email, timeZone, now = Date.now(), full }: { email: EmailView; timeZone?: string; now?: number; full?: boolean }) {
  const { t, i18n } = useTranslation('settings');
  const p = pollState(email);
  const when = (at: number) => (full ? dateTime(at, i18n.language, timeZone) : listTime(at, now, i18n.language, timeZone));
  switch (p.state) {
    case 'forwarding':
      return <span className={`${s.small} ${s.muted}`}>{t('channels.email.forwarding')}</span>;
    case 'waiting':
      return (
        <span className={`${s.small} ${s.muted}`} data-testid="email-poll">
          {t('channels.email.pollWaiting')}
        </span>
      );
    case 'ok':
      return (
        <span className={`${s.small} ${s.muted}`} title={dateTime(p.at, i18n.language, timeZone)} data-testid="email-poll">
          {t('channels.email.pollOk', { when: when(p.at) })}
        </span>
      );
    case 'error':
      return (
        <span className={`${s.small} ${s.dangerText}`} title={p.error} data-testid="email-poll">
          {t('channels.email.pollError', { when: when(p.at), error: full ? p.error : truncate(p.error, 80) })}
        </span>
      );
  }
}

function truncate(v: string, n: number) {
  return [...v].length > n ? [...v].slice(0, n).join('') + '…' : v;
}

/** EmailDetails is the channel's e-mail setup, read-only, with the poll state and why it cannot be edited. */
export function EmailDetails({ email, timeZone }: { email: EmailView | undefined; timeZone?: string }) {
  const { t } = useTranslation('settings');
  if (!email) return <p className={s.warningText}>{t('channels.email.unreadable')}</p>;
  const server = (proto: EmailProto, v: EmailView['smtp'] | null) =>
    v && (
      <div className={s.stackSm} data-testid={`email-details-${proto}`}>
        <span className={s.legend}>{t(`channels.email.${proto}`)}</span>
        <span className={s.mono}>
          {`${v.host}:${v.port} · ${t(`channels.email.tlsModes.${v.tls}`)}`}
        </span>
        <span className={s.small}>
          {t('channels.email.account', { username: v.username || email.address })}
          {v.mailbox ? ` · ${t('channels.email.folder', { mailbox: v.mailbox })}` : ''}
        </span>
      </div>
    );
  return (
    <div className={s.stack}>
      <div className={s.stackSm}>
        <span className={s.legend}>{t('channels.email.address')}</span>
        <span className={s.mono} data-testid="email-details-address">
          {email.from_name ? `${email.from_name} <${email.address}>` : email.address}
        </span>
      </div>
      {email.imap ? server('imap', email.imap) : <span className={s.muted}>{t('channels.email.forwarding')}</span>}
      {server('smtp', email.smtp)}
      {email.imap && (
        <div className={s.stackSm}>
          <span className={s.legend}>{t('channels.email.lastPoll')}</span>
          <EmailPollStatus email={email} timeZone={timeZone} full />
        </div>
      )}
      <p className={s.hint} data-testid="email-readonly">
        {t('channels.email.readOnly')}
      </p>
    </div>
  );
}
