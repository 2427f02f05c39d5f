import { describe, expect, it } from 'vitest';
import {
  applyPreset,
  defaultEmailForm,
  defaultPort,
  parsePort,
  pollState,
  presetOf,
  presetServers,
  validAddress,
  validateEmail,
  validHost,
  withTls,
  type EmailForm,
  type EmailView,
} from './emailLogic';

function filled(over: Partial<EmailForm> = {}): EmailForm {
  return {
    ...defaultEmailForm(),
    address: ' Suporte@Acme.com.br ',
    fromName: ' Suporte Acme ',
    imapHost: 'mail.acme.com.br',
    imapPassword: 'imap-secret',
    smtpHost: 'mail.acme.com.br',
    smtpPassword: 'smtp secret ',
    ...over,
  };
}

describe('defaults', () => {
  it('a new form is custom, implicit TLS on the usual ports, INBOX', () => {
    const f = defaultEmailForm();
    expect(f).toMatchObject({ preset: 'custom', imapPort: '993', imapTls: 'tls', smtpPort: '465', smtpTls: 'tls', imapMailbox: 'INBOX', imapUsername: '', smtpUsername: '' });
  });
  it.each([
    ['imap', 'tls', 993],
    ['imap', 'starttls', 143],
    ['smtp', 'tls', 465],
    ['smtp', 'starttls', 587],
    ['smtp', 'none', 25],
  ] as const)('%s %s → %i', (proto, tls, port) => expect(defaultPort(proto, tls)).toBe(port));
});

describe('withTls', () => {
  it('moves a default port to the new mode’s default', () => {
    const f = withTls(defaultEmailForm(), 'imap', 'starttls');
    expect(f).toMatchObject({ imapTls: 'starttls', imapPort: '143', smtpPort: '465', smtpTls: 'tls' });
    expect(withTls(f, 'imap', 'tls')).toMatchObject({ imapTls: 'tls', imapPort: '993' });
    expect(withTls(defaultEmailForm(), 'smtp', 'starttls')).toMatchObject({ smtpTls: 'starttls', smtpPort: '587', imapPort: '993' });
  });
  it('fills an empty port', () => expect(withTls({ ...defaultEmailForm(), smtpPort: ' ' }, 'smtp', 'starttls').smtpPort).toBe('587'));
  it('keeps a port typed on purpose', () => {
    expect(withTls({ ...defaultEmailForm(), smtpPort: '2525' }, 'smtp', 'starttls')).toMatchObject({ smtpTls: 'starttls', smtpPort: '2525' });
  });
});

describe('presets', () => {
  it('gmail fills both servers', () => {
    const f = applyPreset(filled({ imapHost: '', smtpHost: '' }), 'gmail');
    expect(f).toMatchObject({ preset: 'gmail', imapHost: 'imap.gmail.com', imapPort: '993', imapTls: 'tls', smtpHost: 'smtp.gmail.com', smtpPort: '465', smtpTls: 'tls' });
    expect(f.imapPassword).toBe('imap-secret'); // credentials are not touched
    expect(f.address).toBe(' Suporte@Acme.com.br ');
  });
  it('outlook sends with STARTTLS on 587', () => {
    expect(applyPreset(defaultEmailForm(), 'outlook')).toMatchObject({ imapHost: 'outlook.office365.com', imapPort: '993', smtpHost: 'smtp.office365.com', smtpPort: '587', smtpTls: 'starttls' });
  });
  it('custom keeps what is typed', () => {
    const g = applyPreset(defaultEmailForm(), 'gmail');
    expect(applyPreset(g, 'custom')).toEqual({ ...g, preset: 'custom' });
  });
  it('presetOf recognises a provider’s servers and not an edited one', () => {
    for (const p of ['gmail', 'outlook'] as const) expect(presetOf(applyPreset(defaultEmailForm(), p))).toBe(p);
    expect(presetOf({ ...applyPreset(defaultEmailForm(), 'gmail'), smtpPort: '587' })).toBe('custom');
    expect(presetOf({ ...applyPreset(defaultEmailForm(), 'gmail'), imapHost: 'imap.example.com' })).toBe('custom');
    expect(presetOf({ ...applyPreset(defaultEmailForm(), 'outlook'), imapHost: ' Outlook.Office365.com ' })).toBe('outlook');
    expect(presetOf(defaultEmailForm())).toBe('custom');
  });
  it('every preset is valid for the server', () => {
    for (const p of Object.values(presetServers)) for (const s of [p.imap, p.smtp]) expect(validHost(s.host)).toBe(true);
  });
});

describe('validAddress', () => {
  const cases: [string, boolean][] = [
    ['suporte@acme.com.br', true],
    ['a@b.co', true],
    ['first.last@sub.example.com', true],
    ['suporte', false],
    ['@acme.com', false],
    ['suporte@', false],
    ['suporte@acme', false],
    ['suporte@.acme.com', false],
    ['suporte@acme.com.', false],
    ['suporte@acme..com', false],
    ['a@b@acme.com', false],
    ['su porte@acme.com', false],
    ['"x"@acme.com', false],
    ['suporte@acme.com;x', false],
    ['joão@acme.com', false],
    [`${'a'.repeat(65)}@acme.com`, false],
    [`a@${'b'.repeat(250)}.com`, false],
  ];
  it.each(cases)('%j → %j', (a, want) => expect(validAddress(a)).toBe(want));
});

describe('validHost', () => {
  const cases: [string, boolean][] = [
    ['mail.acme.com.br', true],
    ['localhost', true],
    ['192.168.0.10', true],
    ['::1', true],
    ['fe80::1', true],
    ['mail_1.acme.com', true],
    ['', false],
    ['mail acme.com', false],
    ['mail.acme.com:993', false],
    ['imaps://mail.acme.com', false],
    ['user@mail.acme.com', false],
    ['mail.acme.com/x', false],
    ['.acme.com', false],
    ['mail..acme.com', false],
    ['h'.repeat(254), false],
  ];
  it.each(cases)('%j → %j', (h, want) => expect(validHost(h)).toBe(want));
});

describe('parsePort', () => {
  const cases: [string, number | null][] = [
    ['993', 993],
    [' 587 ', 587],
    ['1', 1],
    ['65535', 65535],
    ['0', null],
    ['65536', null],
    ['-1', null],
    ['99.3', null],
    ['1e3', null],
    ['', null],
    ['abc', null],
  ];
  it.each(cases)('%j → %j', (v, want) => expect(parsePort(v)).toBe(want));
});

describe('validateEmail', () => {
  it('maps the form to the create body: trimmed, lower-cased address, usernames defaulting to it', () => {
    const v = validateEmail(filled({ imapHost: ' Mail.Acme.com.br ' }));
    expect(v.errors).toEqual({});
    expect(v.settings).toEqual({
      address: 'suporte@acme.com.br',
      from_name: 'Suporte Acme',
      imap: { host: 'mail.acme.com.br', port: 993, tls: 'tls', username: 'suporte@acme.com.br', password: 'imap-secret', mailbox: 'INBOX' },
      smtp: { host: 'mail.acme.com.br', port: 465, tls: 'tls', username: 'suporte@acme.com.br', password: 'smtp secret ' },
    });
  });
  it('keeps typed usernames, the mailbox and TLS modes; leaves out an empty sender name', () => {
    const v = validateEmail(filled({ fromName: '  ', imapUsername: ' imapuser ', smtpUsername: 'relay', imapMailbox: ' Suporte ', imapTls: 'starttls', imapPort: '143', smtpTls: 'none', smtpPort: '25' }));
    expect(v.settings).toBeDefined();
    expect(v.settings).not.toHaveProperty('from_name');
    expect(v.settings!.imap).toEqual({ host: 'mail.acme.com.br', port: 143, tls: 'starttls', username: 'imapuser', password: 'imap-secret', mailbox: 'Suporte' });
    expect(v.settings!.smtp).toMatchObject({ port: 25, tls: 'none', username: 'relay' });
  });
  it('an empty mailbox is INBOX', () => expect(validateEmail(filled({ imapMailbox: ' ' })).settings?.imap?.mailbox).toBe('INBOX'));
  it('a new empty form names every missing field', () => {
    const v = validateEmail(defaultEmailForm());
    expect(v.settings).toBeUndefined();
    expect(v.errors).toEqual({ address: 'required', imapHost: 'required', imapPassword: 'required', smtpHost: 'required', smtpPassword: 'required' });
  });
  const bad: [string, Partial<EmailForm>, Record<string, string>][] = [
    ['not an address', { address: 'suporte' }, { address: 'address' }],
    ['a +tag', { address: 'suporte+x@acme.com' }, { address: 'plusTag' }],
    ['a long sender name', { fromName: 'x'.repeat(101) }, { fromName: 'fromName' }],
    ['a sender name with a line break', { fromName: 'a\nb' }, { fromName: 'fromName' }],
    ['a URL as host', { imapHost: 'imaps://mail.acme.com' }, { imapHost: 'host' }],
    ['host:port', { smtpHost: 'mail.acme.com:587' }, { smtpHost: 'host' }],
    ['port 0', { imapPort: '0' }, { imapPort: 'port' }],
    ['an empty port', { smtpPort: '' }, { smtpPort: 'port' }],
    ['a long username', { smtpUsername: 'u'.repeat(257) }, { smtpUsername: 'tooLong' }],
    ['a password with a line break', { imapPassword: 'a\r\nb' }, { imapPassword: 'lineBreak' }],
    ['a long password', { smtpPassword: 'p'.repeat(1025) }, { smtpPassword: 'tooLong' }],
    ['a wildcard mailbox', { imapMailbox: 'INBOX*' }, { imapMailbox: 'mailbox' }],
  ];
  it.each(bad)('refuses %s', (_, over, errors) => {
    const v = validateEmail(filled(over));
    expect(v.settings).toBeUndefined();
    expect(v.errors).toEqual(errors);
  });
  it('a sender name of 100 characters (not bytes) passes', () => expect(validateEmail(filled({ fromName: 'ç'.repeat(100) })).settings).toBeDefined());
});

describe('pollState', () => {
  const base: EmailView = {
    address: 'suporte@acme.com.br',
    from_name: '',
    imap: { host: 'mail.acme.com.br', port: 993, tls: 'tls', username: 'suporte@acme.com.br', mailbox: 'INBOX' },
    smtp: { host: 'mail.acme.com.br', port: 465, tls: 'tls', username: 'suporte@acme.com.br' },
    poll: null,
  };
  it('not polled yet', () => expect(pollState(base)).toEqual({ state: 'waiting' }));
  it('a good poll', () => expect(pollState({ ...base, poll: { uidvalidity: 1, last_uid: 7, polled_at: 1700000000000, error: '' } })).toEqual({ state: 'ok', at: 1700000000000 }));
  it('a failed poll', () =>
    expect(pollState({ ...base, poll: { uidvalidity: 1, last_uid: 7, polled_at: 1700000000000, error: 'login refused' } })).toEqual({ state: 'error', at: 1700000000000, error: 'login refused' }));
  it('forwarding only', () => expect(pollState({ ...base, imap: null })).toEqual({ state: 'forwarding' }));
});
