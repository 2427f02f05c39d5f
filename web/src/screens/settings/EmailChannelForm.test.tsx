// Server-renders the e-mail channel's form, its read-only settings and the
// channel list row in both languages: catches runtime errors, translation
// keys that do not exist (i18next would print the key itself) and missing
// test ids.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import i18n from 'i18next';
import { renderToString } from 'react-dom/server';
import { initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../api/client';
import { qk } from '../../api/queries';
import { en } from '../../i18n/en';
import { ptBR } from '../../i18n/pt-BR';
import { ChannelsSection } from './ChannelsSection';
import { EmailDetails, EmailFields, EmailPollStatus } from './EmailChannelForm';
import { applyPreset, defaultEmailForm, validateEmail, withTls, type EmailView } from './emailLogic';

const rawKey = /\bchannels\.(?:email|kinds)\.[A-Za-z]/;

beforeAll(async () => {
  (globalThis as { location?: { origin: string } }).location ??= { origin: 'https://app.example.com' };
  await i18n.use(initReactI18next).init({ resources: { en, 'pt-BR': ptBR }, lng: 'en', fallbackLng: false, defaultNS: 'common', interpolation: { escapeValue: false } });
});

const polled = Date.UTC(2026, 10, 20, 14, 30);
const view: EmailView = {
  address: 'suporte@acme.com.br',
  from_name: 'Suporte Acme',
  imap: { host: 'mail.acme.com.br', port: 993, tls: 'tls', username: 'suporte@acme.com.br', mailbox: 'INBOX' },
  smtp: { host: 'smtp.acme.com.br', port: 587, tls: 'starttls', username: 'relay-user' },
  poll: { uidvalidity: 1, last_uid: 12, polled_at: polled, error: 'AUTHENTICATIONFAILED login refused' },
};

it('spots a raw key', () => {
  expect('<p>channels.email.imap</p>').toMatch(rawKey);
  expect('<p>Caixa de entrada (IMAP)</p>').not.toMatch(rawKey);
});

describe.each(['en', 'pt-BR'])('renders in %s', (lng) => {
  beforeAll(() => i18n.changeLanguage(lng));

  it('the empty form after a save attempt, every field and error shown', () => {
    const form = withTls(defaultEmailForm(), 'smtp', 'none');
    const v = validateEmail(form);
    const html = renderToString(<EmailFields form={form} onChange={() => {}} errors={v.errors} tried />);
    expect(html).not.toMatch(rawKey);
    for (const id of ['email-address', 'email-from-name', 'email-preset', 'email-imap-host', 'email-imap-port', 'email-imap-tls', 'email-imap-username', 'email-imap-password', 'email-imap-mailbox', 'email-smtp-host', 'email-smtp-port', 'email-smtp-tls', 'email-smtp-password']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toContain(i18n.t('settings:channels.email.errors.required'));
    expect(html).toContain(i18n.t('settings:channels.email.noTlsWarning'));
    expect(html).toContain(i18n.t('settings:channels.email.imap'));
    expect(html).toContain(i18n.t('settings:channels.email.smtp'));
    // passwords are never offered to the browser's password manager
    expect(html.match(/type="password" autoComplete="off"|autoComplete="off"[^>]*type="password"|type="password"[^>]*autoComplete="off"/gi)?.length).toBe(2);
  });

  it('a missing field stays quiet before the first save attempt; a malformed one does not', () => {
    const form = { ...defaultEmailForm(), address: 'suporte' };
    const html = renderToString(<EmailFields form={form} onChange={() => {}} errors={validateEmail(form).errors} tried={false} />);
    expect(html).not.toContain(i18n.t('settings:channels.email.errors.required'));
    expect(html).toContain(i18n.t('settings:channels.email.errors.address'));
  });

  it('a provider preset asks for an app password and shows the address as the username', () => {
    const form = applyPreset({ ...defaultEmailForm(), address: 'suporte@acme.com.br' }, 'gmail');
    const html = renderToString(<EmailFields form={form} onChange={() => {}} errors={{}} tried={false} />);
    expect(html).toContain(i18n.t('settings:channels.email.appPassword'));
    expect(html).toContain('placeholder="suporte@acme.com.br"');
    expect(html).toContain('value="imap.gmail.com"');
    expect(html).toContain(i18n.t('settings:channels.email.appPasswordHint'));
  });

  it('the read-only settings: servers without credentials, the poll error and why it cannot be edited', () => {
    const html = renderToString(<EmailDetails email={view} timeZone="America/Sao_Paulo" />);
    expect(html).not.toMatch(rawKey);
    expect(html).toContain('Suporte Acme &lt;suporte@acme.com.br&gt;');
    expect(html).toContain('mail.acme.com.br:993');
    expect(html).toContain('smtp.acme.com.br:587');
    expect(html).toContain('relay-user');
    expect(html).toContain('AUTHENTICATIONFAILED login refused');
    expect(html).toContain('data-testid="email-readonly"');
    expect(html).toContain('11:30'); // the poll time in the workspace's zone
    expect(html).not.toContain('<input'); // nothing to edit
  });

  it('unreadable settings say so', () => {
    expect(renderToString(<EmailDetails email={undefined} />)).toContain(i18n.t('settings:channels.email.unreadable'));
  });

  it('the poll states', () => {
    const now = polled + 5 * 60_000;
    expect(renderToString(<EmailPollStatus email={{ ...view, poll: null }} now={now} />)).toContain(i18n.t('settings:channels.email.pollWaiting'));
    const ok = renderToString(<EmailPollStatus email={{ ...view, poll: { ...view.poll!, error: '' } }} now={now} />);
    expect(ok).toContain(i18n.t('settings:channels.email.pollOk', { when: '5 min' }));
    const failed = renderToString(<EmailPollStatus email={view} now={now} />);
    expect(failed).toContain('AUTHENTICATIONFAILED');
    expect(renderToString(<EmailPollStatus email={{ ...view, imap: null }} now={now} />)).toContain(i18n.t('settings:channels.email.forwarding'));
  });

  it('the channel list shows the address and the last poll', () => {
    const qc = new QueryClient();
    const channel: Channel = { id: 4, kind: 'email', name: 'Suporte', callback_url: '', department_id: null, account: view.address, email: view };
    qc.setQueryData(qk.me, { user: { id: 1, role: 'admin', name: 'Ana' }, workspace: { slug: 'acme', name: 'Acme', timezone: 'America/Sao_Paulo' } });
    qc.setQueryData(qk.channels, [channel]);
    qc.setQueryData(qk.departments, []);
    const html = renderToString(
      <QueryClientProvider client={qc}>
        <ChannelsSection />
      </QueryClientProvider>,
    );
    expect(html).not.toMatch(rawKey);
    expect(html).toContain('data-testid="channel-row-4"');
    expect(html).toContain('suporte@acme.com.br');
    expect(html).toContain('data-testid="email-poll"');
    expect(html).toContain(i18n.t('settings:channels.kinds.email'));
  });
});
