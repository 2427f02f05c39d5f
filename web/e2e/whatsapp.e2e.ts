// The WhatsApp story in the browser: a customer writes through the
// (local, fake) Cloud API webhook, an agent answers, the fake Graph API
// receives the send, a `read` status turns the ticks blue, and once the
// customer's message is more than 24 hours old (the browser clock moved
// forward) the composer offers only approved templates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ApiSession, demo, FakeGraph, launchChromium, newAgent, shot, startAtende, type Atende } from './harness';

let atende: Atende;
let graph: FakeGraph;
let browser: Browser;
const appSecret = 'e2e-app-secret-0123456789';

beforeAll(async () => {
  graph = await FakeGraph.start();
  atende = await startAtende({ ATENDE_WHATSAPP_API_URL: `${graph.url}/v21.0` });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await atende?.stop();
  await graph?.close();
});

function envelope(value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: FakeGraph.wabaID,
        changes: [
          {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '551140001234', phone_number_id: FakeGraph.phoneNumberID }, ...value },
          },
        ],
      },
    ],
  };
}

describe('whatsapp', () => {
  it('answers a WhatsApp customer, shows the read ticks and switches to templates after 24 h', async () => {
    const admin = await ApiSession.login(atende.base, demo.admin);
    const deps = await admin.call<{ items: { id: number; name: string }[] }>('GET', '/api/v1/departments');
    const ch = await admin.call<{ webhook_url: string; verify_token: string }>('POST', '/api/v1/channels', {
      kind: 'whatsapp', name: 'WhatsApp da Loja', department_id: deps.items.find((d) => d.name === 'Vendas')!.id,
      phone_number_id: FakeGraph.phoneNumberID, waba_id: FakeGraph.wabaID, access_token: 'EAAG-e2e-token', app_secret: appSecret,
    });
    // Meta's handshake
    const challenge = await fetch(`${ch.webhook_url}?hub.mode=subscribe&hub.verify_token=${ch.verify_token}&hub.challenge=1158201444`);
    expect(await challenge.text()).toBe('1158201444');

    const { ctx, page } = await newAgent(browser, atende.base, demo.vendas, 'pt-BR');
    await page.goto('/inbox/unassigned');
    await page.locator('[data-testid^="conversation-row-"], [data-testid="list-empty"]').first().waitFor();

    const inbound = envelope({
      contacts: [{ profile: { name: 'Joana Prado' }, wa_id: '5511987650000' }],
      messages: [{ from: '5511987650000', id: 'wamid.E2E.IN1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'Meu pedido já saiu?' } }],
    });
    const forged = await fetch(ch.webhook_url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': 'sha256=00' }, body: JSON.stringify(inbound) });
    expect(forged.status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await FakeGraph.signedPost(ch.webhook_url, appSecret, inbound)).status).toBe(200);

    const row = page.locator('[data-testid^="conversation-row-"]', { hasText: 'Joana Prado' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.count()).toBe(1);
    await row.click();
    await page.getByTestId('action-assign-me').click();
    const input = page.getByTestId('composer-input');
    await input.fill('Saiu sim, chega amanhã!');
    await input.press('Enter');
    await expect.poll(() => graph.sends.at(-1), { timeout: 10_000 }).toMatchObject({ messaging_product: 'whatsapp', to: '5511987650000', type: 'text', text: { body: 'Saiu sim, chega amanhã!' } });

    // Meta reports the message read: the ticks turn blue without a reload
    const out = page.locator('[data-direction="out"]', { hasText: 'Saiu sim, chega amanhã!' });
    await expect.poll(() => out.getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');
    const read = envelope({ statuses: [{ id: 'wamid.OUT1', status: 'read', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '5511987650000' }] });
    expect((await FakeGraph.signedPost(ch.webhook_url, appSecret, read)).status).toBe(200);
    await expect.poll(() => out.getAttribute('data-status'), { timeout: 10_000 }).toBe('read');

    // the customer quote-replies to the agent's message: the timeline shows what they answer
    const quoteReply = envelope({
      contacts: [{ profile: { name: 'Joana Prado' }, wa_id: '5511987650000' }],
      messages: [
        {
          from: '5511987650000', id: 'wamid.E2E.IN2', timestamp: String(Math.floor(Date.now() / 1000)), type: 'text',
          context: { from: '551140001234', id: 'wamid.OUT1' }, text: { body: 'Amanhã de manhã ou à tarde?' },
        },
      ],
    });
    expect((await FakeGraph.signedPost(ch.webhook_url, appSecret, quoteReply)).status).toBe(200);
    const answer = page.locator('[data-direction="in"]', { hasText: 'Amanhã de manhã ou à tarde?' });
    await answer.getByTestId('message-quote').getByText('Saiu sim, chega amanhã!').waitFor({ timeout: 10_000 });

    // the agent answers that message: it goes out quoting it (context.message_id)
    await answer.hover();
    await answer.getByTestId('message-reply').click();
    await page.getByTestId('composer-replying').getByText('Amanhã de manhã ou à tarde?').waitFor();
    await input.fill('De manhã, até as 12h.');
    await input.press('Enter');
    await expect
      .poll(() => graph.sends.at(-1), { timeout: 10_000 })
      .toMatchObject({ to: '5511987650000', type: 'text', text: { body: 'De manhã, até as 12h.' }, context: { message_id: 'wamid.E2E.IN2' } });
    await expect.poll(() => page.getByTestId('composer-replying').count()).toBe(0);
    await page
      .locator('[data-direction="out"]', { hasText: 'De manhã, até as 12h.' })
      .getByTestId('message-quote')
      .getByText('Amanhã de manhã ou à tarde?')
      .waitFor();
    await shot(page, 'whatsapp-reply-quote');

    // 25 hours later the customer-service window is closed: only templates
    await page.clock.setFixedTime(new Date(Date.now() + 25 * 3600 * 1000));
    await page.reload();
    await page.getByTestId('composer-templates').waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('composer-input').count()).toBe(0);
    await page.getByTestId('template-option-order_update').click();
    await page.getByTestId('template-param-0').fill('Joana');
    await page.getByTestId('template-param-1').fill('#4521');
    await page.getByTestId('template-send').click();
    await expect
      .poll(() => graph.sends.at(-1), { timeout: 10_000 })
      .toMatchObject({ to: '5511987650000', type: 'template', template: { name: 'order_update', language: { code: 'pt_BR' } } });
    await page.getByTestId('timeline').getByText('Olá Joana, seu pedido #4521 saiu para entrega.').waitFor();
    await ctx.close();
  });
});
