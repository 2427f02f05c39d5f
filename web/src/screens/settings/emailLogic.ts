// Pure helpers of the e-mail channel form: presets, the default port of each
// TLS mode, validation mirroring the server's (internal/channel/email/mailbox
// Config.Validate) so mistakes show before the round trip, the
// EmailSettingsInput body of POST /api/v1/channels, and the poll state shown
// on the channel. The settings are sent once, at creation: the server
// refuses changes (the admin deletes and reconnects). No React here.
import type { Schemas } from '../../api/client';

export type EmailSettings = Schemas['EmailSettingsInput'];
export type EmailView = Schemas['EmailChannel'];
export type EmailTls = NonNullable<Schemas['EmailServerInput']['tls']>;
export type EmailProto = 'imap' | 'smtp';
export type EmailPreset = 'gmail' | 'outlook' | 'custom';

export const emailTlsModes: readonly EmailTls[] = ['tls', 'starttls', 'none'];
export const emailPresets: readonly EmailPreset[] = ['gmail', 'outlook', 'custom'];

/** Server limits (mailbox.Config.Validate). */
export const emailLimits = { fromName: 100, host: 253, username: 256, password: 1024, mailbox: 200, address: 254 };

const ports: Record<EmailProto, Record<EmailTls, number>> = {
  imap: { tls: 993, starttls: 143, none: 143 },
  smtp: { tls: 465, starttls: 587, none: 25 },
};

/** defaultPort is the usual port of a protocol in a TLS mode. */
export function defaultPort(proto: EmailProto, tls: EmailTls): number {
  return ports[proto][tls];
}

export interface EmailForm {
  preset: EmailPreset;
  address: string;
  fromName: string;
  imapHost: string;
  /** Ports as typed. */
  imapPort: string;
  imapTls: EmailTls;
  /** Empty: the address (what most providers log in with). */
  imapUsername: string;
  imapPassword: string;
  imapMailbox: string;
  smtpHost: string;
  smtpPort: string;
  smtpTls: EmailTls;
  smtpUsername: string;
  smtpPassword: string;
}

/** defaultEmailForm is a new custom mailbox: implicit TLS on both servers, INBOX. */
export function defaultEmailForm(): EmailForm {
  return {
    preset: 'custom',
    address: '',
    fromName: '',
    imapHost: '',
    imapPort: String(defaultPort('imap', 'tls')),
    imapTls: 'tls',
    imapUsername: '',
    imapPassword: '',
    imapMailbox: 'INBOX',
    smtpHost: '',
    smtpPort: String(defaultPort('smtp', 'tls')),
    smtpTls: 'tls',
    smtpUsername: '',
    smtpPassword: '',
  };
}

type ServerPreset = { host: string; port: number; tls: EmailTls };

/**
 * The providers' published server settings: host names only, used to fill
 * the form (nothing is contacted from the browser). Both need an app
 * password (or an admin-enabled basic login) when the account has 2-step
 * verification.
 */
export const presetServers: Record<Exclude<EmailPreset, 'custom'>, { imap: ServerPreset; smtp: ServerPreset }> = {
  gmail: { imap: { host: 'imap.gmail.com', port: 993, tls: 'tls' }, smtp: { host: 'smtp.gmail.com', port: 465, tls: 'tls' } },
  outlook: { imap: { host: 'outlook.office365.com', port: 993, tls: 'tls' }, smtp: { host: 'smtp.office365.com', port: 587, tls: 'starttls' } },
};

/** applyPreset fills the servers of a provider; "custom" keeps what is typed so nothing is lost. */
export function applyPreset(f: EmailForm, preset: EmailPreset): EmailForm {
  if (preset === 'custom') return { ...f, preset };
  const p = presetServers[preset];
  return {
    ...f,
    preset,
    imapHost: p.imap.host,
    imapPort: String(p.imap.port),
    imapTls: p.imap.tls,
    smtpHost: p.smtp.host,
    smtpPort: String(p.smtp.port),
    smtpTls: p.smtp.tls,
  };
}

/**
 * withTls changes a server's TLS mode and moves its port to the new mode's
 * default when the port was empty or the old mode's default (a port the
 * admin typed on purpose stays).
 */
export function withTls(f: EmailForm, proto: EmailProto, tls: EmailTls): EmailForm {
  const portKey = proto === 'imap' ? 'imapPort' : 'smtpPort';
  const tlsKey = proto === 'imap' ? 'imapTls' : 'smtpTls';
  const port = f[portKey].trim();
  const keep = port !== '' && port !== String(defaultPort(proto, f[tlsKey]));
  return { ...f, [tlsKey]: tls, [portKey]: keep ? f[portKey] : String(defaultPort(proto, tls)) };
}

/** presetOf names the preset whose servers the form holds, so editing a host by hand shows "custom". */
export function presetOf(f: EmailForm): EmailPreset {
  for (const name of ['gmail', 'outlook'] as const) {
    const p = presetServers[name];
    if (
      f.imapHost.trim().toLowerCase() === p.imap.host &&
      f.smtpHost.trim().toLowerCase() === p.smtp.host &&
      f.imapPort.trim() === String(p.imap.port) &&
      f.smtpPort.trim() === String(p.smtp.port) &&
      f.imapTls === p.imap.tls &&
      f.smtpTls === p.smtp.tls
    )
      return name;
  }
  return 'custom';
}

/** validAddress is the server's mailbox.ValidAddress: a plain addr-spec with a dotted domain. */
export function validAddress(a: string): boolean {
  if (a.length > emailLimits.address) return false;
  const i = a.lastIndexOf('@');
  if (i <= 0 || i === a.length - 1 || i > 64) return false;
  for (const ch of a) {
    const c = ch.charCodeAt(0);
    if (c <= 0x20 || c >= 0x7f || ',;()[]\\<>":'.includes(ch)) return false;
  }
  const domain = a.slice(i + 1);
  return domain.includes('.') && !domain.startsWith('.') && !domain.endsWith('.') && !domain.includes('..') && a.split('@').length === 2;
}

/**
 * validHost accepts a host name or an IP address, as the server does (it
 * refuses spaces, "/", ":" and "@" outside IP addresses). IPv6 is checked
 * loosely here: the server parses it.
 */
export function validHost(h: string): boolean {
  if (!h || h.length > emailLimits.host) return false;
  if (h.includes(':')) return /^[0-9a-f:.]+$/i.test(h) && (h.match(/:/g) ?? []).length >= 2;
  return /^[a-z0-9_.-]+$/i.test(h) && !h.startsWith('.') && !h.includes('..');
}

/** parsePort reads a typed port: 1–65535, digits only. */
export function parsePort(v: string): number | null {
  const t = v.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : null;
}

export type EmailErrorKey = 'required' | 'address' | 'plusTag' | 'fromName' | 'host' | 'port' | 'tooLong' | 'lineBreak' | 'mailbox';
export type EmailErrorField =
  | 'address'
  | 'fromName'
  | 'imapHost'
  | 'imapPort'
  | 'imapUsername'
  | 'imapPassword'
  | 'imapMailbox'
  | 'smtpHost'
  | 'smtpPort'
  | 'smtpUsername'
  | 'smtpPassword';
export type EmailErrors = Partial<Record<EmailErrorField, EmailErrorKey>>;

const lineBreak = /[\r\n\0]/;

/** validateEmail checks the form and answers the `email` body of the create request, or the errors per field. */
export function validateEmail(f: EmailForm): { settings?: EmailSettings; errors: EmailErrors } {
  const errors: EmailErrors = {};
  const address = f.address.trim().toLowerCase();
  if (!address) errors.address = 'required';
  else if (!validAddress(address)) errors.address = 'address';
  else if (address.slice(0, address.lastIndexOf('@')).includes('+')) errors.address = 'plusTag';
  const fromName = f.fromName.trim();
  if ([...fromName].length > emailLimits.fromName || lineBreak.test(fromName)) errors.fromName = 'fromName';

  const server = (proto: EmailProto) => {
    const host = (proto === 'imap' ? f.imapHost : f.smtpHost).trim();
    const hostKey = `${proto}Host` as const;
    if (!host) errors[hostKey] = 'required';
    else if (!validHost(host)) errors[hostKey] = 'host';
    const port = parsePort(proto === 'imap' ? f.imapPort : f.smtpPort);
    if (port === null) errors[`${proto}Port`] = 'port';
    // a username left empty logs in with the address
    const username = (proto === 'imap' ? f.imapUsername : f.smtpUsername).trim() || address;
    if (username.length > emailLimits.username) errors[`${proto}Username`] = 'tooLong';
    else if (lineBreak.test(username)) errors[`${proto}Username`] = 'lineBreak';
    // passwords are sent as typed: spaces can be part of them (app passwords are shown in groups)
    const password = proto === 'imap' ? f.imapPassword : f.smtpPassword;
    if (!password) errors[`${proto}Password`] = 'required';
    else if (password.length > emailLimits.password) errors[`${proto}Password`] = 'tooLong';
    else if (lineBreak.test(password)) errors[`${proto}Password`] = 'lineBreak';
    return { host: host.toLowerCase(), port: port ?? 0, tls: proto === 'imap' ? f.imapTls : f.smtpTls, username, password };
  };
  const imap = server('imap');
  const smtp = server('smtp');
  const mailbox = f.imapMailbox.trim() || 'INBOX';
  if (mailbox.length > emailLimits.mailbox || /[\r\n\0*%]/.test(mailbox)) errors.imapMailbox = 'mailbox';

  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    settings: {
      address,
      ...(fromName ? { from_name: fromName } : {}),
      imap: { ...imap, mailbox },
      smtp,
    },
  };
}

export type PollState = { state: 'waiting' } | { state: 'ok'; at: number } | { state: 'error'; at: number; error: string } | { state: 'forwarding' };

/** pollState is what the channel says about its IMAP poller: not yet polled, the last good poll, or the last failure. */
export function pollState(v: EmailView): PollState {
  if (!v.imap) return { state: 'forwarding' };
  if (!v.poll || !v.poll.polled_at) return { state: 'waiting' };
  if (v.poll.error) return { state: 'error', at: v.poll.polled_at, error: v.poll.error };
  return { state: 'ok', at: v.poll.polled_at };
}
