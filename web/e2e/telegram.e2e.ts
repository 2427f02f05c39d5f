// A Telegram bot connected from the settings screen and used from the inbox:
// the admin pastes the bot token, Atende checks it and registers its webhook
// with the (fake, local) Bot API; a customer's message arrives through that
// webhook, an agent sees it live and answers, and the answer reaches the Bot
// API as sendMessage to the customer's chat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { demo, FakeTelegram, launchChromium, newAgent, startAtende, type Atende } from './harness';

let atende: Atende;
let telegram: FakeTelegram;
let browser: Browser;

beforeAll(async () => {
  telegram = await FakeTelegram.start();
  atende = await startAtende({ ATENDE_TELEGRAM_API_URL: telegram.url });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await atende?.stop();
  await telegram?.close();
});

describe('telegram', () => {
  it('connects a bot in settings and answers its customer from the inbox', async () => {
    const token = '123456789:AAExampleExampleExampleExample0';
    const admin = await newAgent(browser, atende.base, demo.admin, 'pt-BR');
    const a = admin.page;
    await a.goto('/settings/channels');
    await a.getByTestId('channel-new').click();
    await a.getByTestId('channel-kind').selectOption('telegram');
    await a.getByTestId('channel-bot-token').fill(token);
    await a.getByTestId('channel-name').fill('Telegram da Loja');
    await a.getByTestId('channel-save').click();
    await a.getByText('@loja_atende_bot').first().waitFor();
    expect(telegram.calls.map((c) => c.method)).toEqual(expect.arrayContaining(['getMe', 'setWebhook']));
    expect(telegram.calls.every((c) => c.token === token)).toBe(true);
    expect(telegram.webhook.url).toMatch(new RegExp(`^${atende.base}/api/v1/webhooks/telegram/`));
    expect(telegram.webhook.secret.length).toBeGreaterThan(20);
    // the token never comes back to the browser
    expect(await a.content()).not.toContain(token);
    expect(JSON.stringify(await (await a.request.get('/api/v1/channels')).json())).not.toContain(token);

    await a.goto('/inbox/unassigned');
    await a.locator('[data-testid^="conversation-row-"], [data-testid="list-empty"]').first().waitFor();
    const update = {
      update_id: 900001,
      message: {
        message_id: 77,
        date: Math.floor(Date.now() / 1000),
        from: { id: 555001, is_bot: false, first_name: 'Tainá', last_name: 'Rocha', username: 'tainarocha' },
        chat: { id: 555001, type: 'private', first_name: 'Tainá', last_name: 'Rocha', username: 'tainarocha' },
        text: 'Oi! Vocês entregam em Recife?',
      },
    };
    expect((await telegram.sendUpdate(update, 'wrong-secret')).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await telegram.sendUpdate(update)).status).toBe(200);
    const row = a.locator('[data-testid^="conversation-row-"]', { hasText: 'Tainá Rocha' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.count()).toBe(1);
    await row.click();
    await a.getByTestId('timeline').getByText('Oi! Vocês entregam em Recife?').waitFor();
    expect(await a.getByTestId('timeline').getByText('Oi! Vocês entregam em Recife?').count()).toBe(1);
    // an admin outside Vendas may answer without taking it (writing does not assign: DESIGN M2)
    const input = a.getByTestId('composer-input');
    await input.fill('Entregamos sim! Qual o seu CEP?');
    await input.press('Enter');
    await expect
      .poll(() => telegram.calls.find((c) => c.method === 'sendMessage')?.body, { timeout: 10_000 })
      .toMatchObject({ chat_id: 555001, text: 'Entregamos sim! Qual o seu CEP?' });
    await a.locator('[data-kind="text"][data-direction="out"][data-status="sent"]').first().waitFor({ timeout: 10_000 });
    await admin.ctx.close();
  });
});
