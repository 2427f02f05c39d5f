// The composer beyond plain text: emoji at the caret, a draft that survives
// switching conversations, and a voice note recorded with MediaRecorder (from
// Chromium's synthetic microphone) that reaches the company's app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ApiSession, CompanyApp, Customer, demo, launchChromium, newAgent, startAtende, type Atende } from './harness';

let atende: Atende;
let app: CompanyApp;
let browser: Browser;
let token = '';

beforeAll(async () => {
  atende = await startAtende();
  app = await CompanyApp.start();
  const admin = await ApiSession.login(atende.base, demo.admin);
  const deps = await admin.call<{ items: { id: number; name: string }[] }>('GET', '/api/v1/departments');
  const ch = await admin.call<{ token: string; secret: string }>('POST', '/api/v1/channels', {
    kind: 'api', name: 'App', callback_url: app.url, department_id: deps.items.find((d) => d.name === 'Vendas')!.id,
  });
  token = ch.token;
  app.secret = ch.secret;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await atende?.stop();
});

describe('composer', () => {
  it('inserts emoji, keeps drafts per conversation and sends a voice note', async () => {
    const first = await new Customer(atende.base, token, `comp-a-${Date.now()}`, 'Paula Dias').send('Oi, tudo bem?');
    const second = await new Customer(atende.base, token, `comp-b-${Date.now()}`, 'Rui Castro').send('Bom dia');
    const { ctx, page } = await newAgent(browser, atende.base, demo.vendas, 'pt-BR');
    await ctx.grantPermissions(['microphone']);
    await page.goto(`/inbox/unassigned/${first.conversation_id}`);
    await page.getByTestId('action-assign-me').click();
    const input = page.getByTestId('composer-input');

    await input.fill('Tudo ótimo ');
    await page.getByTestId('composer-emoji').click();
    await page.getByRole('button', { name: 'joy', exact: true }).click();
    await expect.poll(() => input.inputValue()).toBe('Tudo ótimo 😂');

    // the draft stays with its conversation
    await page.goto(`/inbox/unassigned/${second.conversation_id}`);
    await page.getByTestId('conversation-header').waitFor();
    await expect.poll(() => page.getByTestId('composer-input').inputValue()).toBe('');
    await page.goto(`/inbox/mine/${first.conversation_id}`);
    await page.getByTestId('conversation-header').waitFor();
    await expect.poll(() => input.inputValue()).toBe('Tudo ótimo 😂');
    await input.press('Enter');
    await expect.poll(() => app.received.some((c) => c.body.message.text === 'Tudo ótimo 😂'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => input.inputValue()).toBe('');

    // a voice note
    await page.getByTestId('composer-voice').click();
    await page.getByTestId('voice-stop').waitFor();
    await page.waitForTimeout(1500);
    await page.getByTestId('voice-stop').click();
    await page.getByText(/^voice-.*\.webm$/).first().waitFor();
    await page.getByTestId('composer-send').click();
    await expect
      .poll(() => app.received.find((c) => c.body.message.attachments?.some((a) => a.filename.startsWith('voice-'))), { timeout: 10_000 })
      .toBeTruthy();
    const voice = app.received.find((c) => c.body.message.attachments?.some((a) => a.filename.startsWith('voice-')))!.body.message.attachments[0];
    expect(voice.content_type).toMatch(/^(audio|video)\/webm/);
    expect(Buffer.from(voice.data, 'base64').length).toBeGreaterThan(1000);
    await page.getByTestId('timeline').locator('audio').last().waitFor();
    await ctx.close();
  });
});
