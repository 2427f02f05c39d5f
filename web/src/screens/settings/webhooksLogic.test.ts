import { describe, expect, it } from 'vitest';
import {
  checkWebhookUrl,
  codeLabel,
  codeTone,
  deliveriesQuery,
  deliveryTone,
  emptyWebhookForm,
  hasPending,
  isWebhookEvent,
  mergeDeliveries,
  prettyBody,
  sortEvents,
  toggleEvent,
  validateWebhook,
  webhookBody,
  webhookEvents,
  webhookForm,
  type WebhookDelivery,
  type WebhookSubscription,
} from './webhooksLogic';

const sub: WebhookSubscription = {
  id: 7,
  url: 'https://hooks.example.com/atende',
  events: ['message.created', 'conversation.created'],
  active: true,
  description: 'CRM',
  disabled_reason: '',
  created_at: 0,
  updated_at: 0,
};

function delivery(id: number, over: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id,
    subscription_id: 7,
    event_id: `msg_${id}`,
    event_type: 'message.created',
    payload: '{}',
    status: 'delivered',
    attempts: 1,
    last_status_code: 200,
    last_error: '',
    response_snippet: '',
    created_at: 0,
    updated_at: 0,
    delivered_at: 0,
    ...over,
  };
}

describe('events', () => {
  it('lists the four subscribable events', () => {
    expect(webhookEvents).toEqual(['conversation.created', 'conversation.updated', 'conversation.resolved', 'message.created']);
  });

  it('sorts into the form order, dropping unknown and repeated ones', () => {
    expect(sortEvents(['message.created', 'webhook.test', 'conversation.created', 'message.created'])).toEqual(['conversation.created', 'message.created']);
    expect(isWebhookEvent('webhook.test')).toBe(false);
    expect(isWebhookEvent('conversation.resolved')).toBe(true);
  });

  it('toggles one event', () => {
    expect(toggleEvent(['message.created'], 'conversation.created', true)).toEqual(['conversation.created', 'message.created']);
    expect(toggleEvent(['conversation.created', 'message.created'], 'conversation.created', false)).toEqual(['message.created']);
    expect(toggleEvent(['message.created'], 'message.created', true)).toEqual(['message.created']);
  });
});

describe('checkWebhookUrl', () => {
  const cases: [string, ReturnType<typeof checkWebhookUrl>][] = [
    ['https://hooks.example.com/x', { insecure: false }],
    ['  https://hooks.example.com:8443/x?y=1  ', { insecure: false }],
    ['http://hooks.example.com/x', { insecure: true }],
    ['HTTP://hooks.example.com', { insecure: true }],
    ['', { error: 'required', insecure: false }],
    ['   ', { error: 'required', insecure: false }],
    ['hooks.example.com', { error: 'url', insecure: false }],
    ['ftp://hooks.example.com', { error: 'url', insecure: false }],
    ['http:hooks.example.com', { error: 'url', insecure: false }],
    ['https://', { error: 'url', insecure: false }],
    ['https://bad host/', { error: 'url', insecure: false }],
    ['https://hooks.example.com:99999/', { error: 'url', insecure: false }],
    ['https://user:pw@hooks.example.com/', { error: 'urlCredentials', insecure: false }],
    [`https://hooks.example.com/${'a'.repeat(2000)}`, { error: 'urlLong', insecure: false }],
  ];
  it.each(cases)('%j → %j', (v, want) => expect(checkWebhookUrl(v)).toEqual(want));
});

describe('form', () => {
  it('starts with https and every event', () => {
    expect(emptyWebhookForm.url).toBe('https://');
    expect(emptyWebhookForm.events).toEqual([...webhookEvents]);
    expect(validateWebhook(emptyWebhookForm).errors.url).toBe('url');
  });

  it('reads a subscription in form order', () => {
    expect(webhookForm(sub)).toEqual({ url: sub.url, events: ['conversation.created', 'message.created'], description: 'CRM', active: true });
  });

  it('validates every field', () => {
    expect(validateWebhook({ url: '', events: [], description: 'x'.repeat(501), active: true }).errors).toEqual({ url: 'required', events: 'events', description: 'descriptionLong' });
    // 500 characters counted as characters, not UTF-16 units
    expect(validateWebhook({ ...webhookForm(sub), description: '😀'.repeat(500) }).errors).toEqual({});
  });

  it('answers trimmed values', () => {
    const { values } = validateWebhook({ url: ' https://a.example.com/h ', events: ['message.created', 'conversation.updated'], description: '  note ', active: false });
    expect(values).toEqual({ url: 'https://a.example.com/h', events: ['conversation.updated', 'message.created'], description: 'note', active: false });
  });

  it('sends every field on creation', () => {
    const v = validateWebhook({ ...emptyWebhookForm, url: 'https://a.example.com' }).values!;
    expect(webhookBody(null, v)).toEqual({ url: 'https://a.example.com', events: [...webhookEvents], description: '', active: true });
  });

  it('sends only changes on an edit', () => {
    expect(webhookBody(sub, webhookForm(sub))).toEqual({});
    expect(webhookBody(sub, { ...webhookForm(sub), active: false, description: 'ERP' })).toEqual({ active: false, description: 'ERP' });
    expect(webhookBody(sub, { ...webhookForm(sub), events: ['conversation.created'] })).toEqual({ events: ['conversation.created'] });
    expect(webhookBody(sub, { ...webhookForm(sub), url: 'https://other.example.com' })).toEqual({ url: 'https://other.example.com' });
  });
});

describe('delivery colours', () => {
  const codes: [number, string][] = [
    [200, 'success'],
    [204, 'success'],
    [0, 'danger'],
    [301, 'warning'],
    [408, 'warning'],
    [429, 'warning'],
    [400, 'danger'],
    [410, 'danger'],
    [500, 'danger'],
    [503, 'danger'],
    [102, 'neutral'],
  ];
  it.each(codes)('code %i is %s', (code, tone) => expect(codeTone(code)).toBe(tone));

  it('colours a delivery by its state', () => {
    expect(deliveryTone(delivery(1))).toBe('success');
    expect(deliveryTone(delivery(1, { status: 'pending', attempts: 0, last_status_code: 0 }))).toBe('neutral');
    expect(deliveryTone(delivery(1, { status: 'pending', attempts: 2, last_status_code: 503 }))).toBe('warning');
    expect(deliveryTone(delivery(1, { status: 'failed', attempts: 8, last_status_code: 500 }))).toBe('danger');
  });

  it('labels the code', () => {
    expect(codeLabel(delivery(1))).toBe('200');
    expect(codeLabel(delivery(1, { attempts: 0, last_status_code: 0 }))).toBeNull();
    expect(codeLabel(delivery(1, { attempts: 3, last_status_code: 0 }))).toBe('—');
  });
});

describe('delivery log', () => {
  it('pages with before', () => {
    expect(deliveriesQuery()).toEqual({ limit: 20 });
    expect(deliveriesQuery(null)).toEqual({ limit: 20 });
    expect(deliveriesQuery(41, 1)).toEqual({ before: 41, limit: 1 });
  });

  it('polls while a delivery is pending', () => {
    expect(hasPending(undefined)).toBe(false);
    expect(hasPending([{ deliveries: [delivery(1)], next_before: null }])).toBe(false);
    expect(hasPending([{ deliveries: [delivery(2)], next_before: 2 }, { deliveries: [delivery(1, { status: 'pending' })], next_before: null }])).toBe(true);
  });

  it('merges pages without repeats', () => {
    const pages = [
      { deliveries: [delivery(5), delivery(4)], next_before: 4 },
      { deliveries: [delivery(4), delivery(3)], next_before: null },
    ];
    expect(mergeDeliveries(pages).map((d) => d.id)).toEqual([5, 4, 3]);
    expect(mergeDeliveries(undefined)).toEqual([]);
  });

  it('indents JSON bodies only', () => {
    expect(prettyBody('{"ok":true}')).toBe('{\n  "ok": true\n}');
    expect(prettyBody('{"ok":')).toBe('{"ok":');
    expect(prettyBody('OK')).toBe('OK');
  });
});
