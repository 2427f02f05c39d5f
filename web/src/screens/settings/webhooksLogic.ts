// Pure helpers of the outbound webhooks settings: the event list, the
// subscription form and its request bodies, URL checks that mirror the
// server's (internal/webhook/guard.go), and how a delivery's outcome is
// coloured. No React here.
import type { operations } from '../../api/schema';
import type { Schemas } from '../../api/client';

export type WebhookSubscription = Schemas['WebhookSubscription'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookDeliveryPage = Schemas['WebhookDeliveryPage'];
export type WebhookInput = Schemas['WebhookSubscriptionInput'];
export type WebhookEvent = WebhookSubscription['events'][number];
export type DeliveriesQuery = NonNullable<operations['listWebhookDeliveries']['parameters']['query']>;

/** The subscribable events in the order the form lists them. */
export const webhookEvents = ['conversation.created', 'conversation.updated', 'conversation.resolved', 'message.created'] as const satisfies readonly WebhookEvent[];

// When the OpenAPI enum gains an event, `tsc` fails here until the list above names it too.
type Unlisted = Exclude<WebhookEvent, (typeof webhookEvents)[number]>;
const everyEventListed: [Unlisted] extends [never] ? true : never = true;
void everyEventListed;

/** Server limits (internal/httpapi/webhooks.go, internal/webhook/guard.go). */
export const webhookLimits = { url: 2000, description: 500 };

/** Page size of the delivery log. */
export const deliveriesPageSize = 20;

export function isWebhookEvent(v: string): v is WebhookEvent {
  return (webhookEvents as readonly string[]).includes(v);
}

/** sortEvents keeps the known events, once each, in the form's order. */
export function sortEvents(events: readonly string[]): WebhookEvent[] {
  return webhookEvents.filter((e) => events.includes(e));
}

/** toggleEvent adds or removes one event, keeping the form's order. */
export function toggleEvent(events: readonly WebhookEvent[], e: WebhookEvent, on: boolean): WebhookEvent[] {
  const set = new Set(events);
  if (on) set.add(e);
  else set.delete(e);
  return sortEvents([...set]);
}

/* ---------- URL ---------- */

export type UrlError = 'required' | 'url' | 'urlCredentials' | 'urlLong';

/**
 * checkWebhookUrl mirrors the server's syntax checks (absolute http or https,
 * a host, no user:password, a valid port, at most 2000 characters). Whether the
 * host is public only the server can tell (422). `insecure` flags plain http:
 * allowed, but payloads and signatures travel in the clear.
 */
export function checkWebhookUrl(raw: string): { error?: UrlError; insecure: boolean } {
  const v = raw.trim();
  if (!v) return { error: 'required', insecure: false };
  if (v.length > webhookLimits.url) return { error: 'urlLong', insecure: false };
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return { error: 'url', insecure: false };
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return { error: 'url', insecure: false };
  // URL() accepts "http:example.com" and "http:/example.com"; the server's url.Parse leaves those without a host.
  if (!/^https?:\/\//i.test(v)) return { error: 'url', insecure: false };
  if (u.username || u.password) return { error: 'urlCredentials', insecure: false };
  return { insecure: u.protocol === 'http:' };
}

/* ---------- form ---------- */

export interface WebhookForm {
  url: string;
  events: WebhookEvent[];
  description: string;
  active: boolean;
}

export type WebhookFormErrors = Partial<{ url: UrlError; events: 'events'; description: 'descriptionLong' }>;

export const emptyWebhookForm: WebhookForm = { url: 'https://', events: [...webhookEvents], description: '', active: true };

export function webhookForm(sub: WebhookSubscription): WebhookForm {
  return { url: sub.url, events: sortEvents(sub.events), description: sub.description, active: sub.active };
}

/** validateWebhook answers the trimmed values, or the errors per field. */
export function validateWebhook(f: WebhookForm): { values?: WebhookForm; errors: WebhookFormErrors } {
  const errors: WebhookFormErrors = {};
  const url = checkWebhookUrl(f.url);
  if (url.error) errors.url = url.error;
  const events = sortEvents(f.events);
  if (events.length === 0) errors.events = 'events';
  const description = f.description.trim();
  if ([...description].length > webhookLimits.description) errors.description = 'descriptionLong';
  if (Object.keys(errors).length > 0) return { errors };
  return { values: { url: f.url.trim(), events, description, active: f.active }, errors };
}

/**
 * webhookBody is the request body: every field on creation, only what changed
 * on an edit — an unchanged URL is not re-sent, so the server does not resolve
 * its host again.
 */
export function webhookBody(orig: WebhookSubscription | null, v: WebhookForm): WebhookInput {
  if (!orig) return { url: v.url, events: v.events, description: v.description, active: v.active };
  const out: WebhookInput = {};
  if (v.url !== orig.url) out.url = v.url;
  const before = sortEvents(orig.events);
  if (before.length !== v.events.length || before.some((e, i) => e !== v.events[i])) out.events = v.events;
  if (v.description !== orig.description) out.description = v.description;
  if (v.active !== orig.active) out.active = v.active;
  return out;
}

/* ---------- delivery log ---------- */

export function deliveriesQuery(before?: number | null, limit = deliveriesPageSize): DeliveriesQuery {
  const q: DeliveriesQuery = { limit };
  if (before) q.before = before;
  return q;
}

export type Tone = 'success' | 'warning' | 'danger' | 'neutral';

/**
 * codeTone colours an HTTP status code: 2xx went through; 3xx (redirects are
 * not followed), 408 and 429 are worth another try; other 4xx and 5xx failed;
 * 0 means no answer at all (timeout, refused connection, TLS).
 */
export function codeTone(code: number): Tone {
  if (code >= 200 && code < 300) return 'success';
  if (code === 0) return 'danger';
  if ((code >= 300 && code < 400) || code === 408 || code === 429) return 'warning';
  if (code >= 400 && code < 600) return 'danger';
  return 'neutral';
}

/** deliveryTone colours a delivery: waiting for its first try, retrying, delivered or given up. */
export function deliveryTone(d: Pick<WebhookDelivery, 'status' | 'attempts' | 'last_status_code'>): Tone {
  if (d.status === 'delivered') return 'success';
  if (d.status === 'failed') return 'danger';
  return d.attempts === 0 ? 'neutral' : 'warning';
}

/** The label of a delivery's last status code: the number, or none when nothing answered or nothing was tried. */
export function codeLabel(d: Pick<WebhookDelivery, 'attempts' | 'last_status_code'>): string | null {
  if (d.last_status_code > 0) return String(d.last_status_code);
  return d.attempts === 0 ? null : '—';
}

/** hasPending tells whether the log should be polled: some delivery may still change. */
export function hasPending(pages: readonly WebhookDeliveryPage[] | undefined): boolean {
  return !!pages?.some((p) => p.deliveries.some((d) => d.status === 'pending'));
}

/** mergeDeliveries flattens the pages, keeping the first copy of a delivery seen twice (a new one pushed a page boundary). */
export function mergeDeliveries(pages: readonly WebhookDeliveryPage[] | undefined): WebhookDelivery[] {
  const seen = new Set<number>();
  const out: WebhookDelivery[] = [];
  for (const p of pages ?? []) {
    for (const d of p.deliveries) {
      if (seen.has(d.id)) continue;
      seen.add(d.id);
      out.push(d);
    }
  }
  return out;
}

/** prettyBody indents a JSON body for reading; anything else is shown as it came. */
export function prettyBody(body: string): string {
  const t = body.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return body;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return body;
  }
}
