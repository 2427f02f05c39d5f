// Server-renders the webhooks section (list, details with the delivery log,
// form fields) in both languages: catches runtime errors, translation keys
// that do not exist (i18next would print the key itself) and lost test ids.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import i18n from 'i18next';
import type { ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { qk } from '../../api/queries';
import { en } from '../../i18n/en';
import { ptBR } from '../../i18n/pt-BR';
import { WebhookDetails, WebhookFields, WebhooksSection } from './WebhooksSection';
import { emptyWebhookForm, type WebhookDelivery, type WebhookSubscription } from './webhooksLogic';

const rawKey = /\bwebhooks\.[A-Za-z]/;

beforeAll(async () => {
  await i18n.use(initReactI18next).init({ resources: { en, 'pt-BR': ptBR }, lng: 'en', fallbackLng: false, defaultNS: 'common', interpolation: { escapeValue: false } });
});

const sub: WebhookSubscription = {
  id: 4,
  url: 'https://hooks.example.com/atende',
  events: ['message.created', 'conversation.created'],
  active: false,
  description: 'CRM',
  disabled_reason: 'the receiver answered 410 Gone',
  created_at: 0,
  updated_at: 0,
};

const failed: WebhookDelivery = {
  id: 31,
  subscription_id: 4,
  event_id: 'msg_2abc',
  event_type: 'message.created',
  payload: '{"type":"message.created"}',
  status: 'failed',
  attempts: 8,
  last_status_code: 503,
  last_error: 'HTTP 503',
  response_snippet: '<h1>Service Unavailable</h1>',
  created_at: 1_700_000_000_000,
  updated_at: 1_700_000_000_000,
  delivered_at: null,
};
const ok: WebhookDelivery = { ...failed, id: 30, event_id: 'msg_1abc', status: 'delivered', attempts: 1, last_status_code: 200, last_error: '', response_snippet: 'ok', delivered_at: 1 };

function withData(node: ReactNode) {
  const qc = new QueryClient();
  qc.setQueryData(qk.me, { user: { id: 1, role: 'admin', name: 'Ana' }, workspace: { slug: 'acme', name: 'Acme', timezone: 'America/Sao_Paulo' } });
  qc.setQueryData(['webhooks', 'list'], [sub]);
  qc.setQueryData(['webhooks', 4, 'last'], { deliveries: [failed], next_before: 31 });
  qc.setQueryData(['webhooks', 4, 'deliveries'], { pages: [{ deliveries: [failed, ok], next_before: 30 }], pageParams: [null] });
  return <QueryClientProvider client={qc}>{node}</QueryClientProvider>;
}

it('spots a raw key', () => {
  expect('<p>webhooks.sendTest</p>').toMatch(rawKey);
  expect('<td>https://hooks.example.com/webhooks/atende</td>').not.toMatch(rawKey);
});

describe.each(['en', 'pt-BR'])('renders in %s', (lng) => {
  beforeAll(() => i18n.changeLanguage(lng));

  it('the list', () => {
    const html = renderToString(withData(<WebhooksSection />));
    expect(html).not.toMatch(rawKey);
    for (const id of ['webhook-new', 'webhook-row-4', 'webhook-last-4', 'webhook-code-31']) expect(html).toContain(`data-testid="${id}"`);
    expect(html).toContain('HTTP 503');
    expect(html).toContain('conversation.created');
    expect(html).toContain('410 Gone');
    expect(html).toContain('webhook-signature');
  });

  it('the details and delivery log', () => {
    const html = renderToString(withData(<WebhookDetails sub={sub} onBack={() => {}} onEdit={() => {}} onDelete={() => {}} onRotated={() => {}} />));
    expect(html).not.toMatch(rawKey);
    for (const id of ['webhook-test', 'webhook-rotate', 'webhook-deliveries', 'webhook-resend-31', 'webhook-resend-30', 'webhook-deliveries-more', 'webhook-response-31']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toContain('msg_2abc');
    expect(html).toContain('&lt;h1&gt;Service Unavailable&lt;/h1&gt;'); // the receiver's answer is text, not markup
    expect(html).toMatch(/data-tone="danger"[^>]*>HTTP 503/);
    expect(html).toMatch(/data-tone="success"[^>]*>HTTP 200/);
    expect(html).toContain(i18n.t('settings:webhooks.resend'));
  });

  it('the form, with errors and the plain-http warning', () => {
    const html = renderToString(
      withData(
        <WebhookFields form={{ ...emptyWebhookForm, url: 'http://hooks.example.com', events: [] }} onChange={() => {}} errors={{ events: 'events', description: 'descriptionLong' }} />,
      ),
    );
    expect(html).not.toMatch(rawKey);
    for (const id of ['webhook-url', 'webhook-event-conversation.created', 'webhook-event-message.created', 'webhook-description']) expect(html).toContain(`data-testid="${id}"`);
    expect(html).toContain(i18n.t('settings:webhooks.urlInsecure'));
    expect(html).toContain(i18n.t('settings:webhooks.errors.events'));
  });
});
