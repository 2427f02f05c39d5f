// The story, as real users in real Chromium: a customer writes
// through the API channel; Bruno (Vendas) sees it live, takes it, answers
// with a quick reply, writes a private note, trades attachments, and transfers
// it to Financeiro, where Diego sees it arrive, snoozes and resolves it. Diego
// never sees Vendas' conversations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ApiSession, axe, CompanyApp, Customer, demo, formatViolations, launchChromium, newAgent, shot, startAtende, type Atende } from './harness';

let atende: Atende;
let app: CompanyApp;
let admin: ApiSession;
let browser: Browser;
let customer: Customer;
let vendasId = 0;
let financeiroId = 0;

// a 1×1 PNG
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function poll(fn: () => boolean | Promise<boolean>, what: string, timeout = 10_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const row = (page: Page, id: number) => page.getByTestId(`conversation-row-${id}`);
const listLoaded = (page: Page) => page.locator('[data-testid^="conversation-row-"], [data-testid="list-empty"]').first().waitFor();

beforeAll(async () => {
  atende = await startAtende();
  app = await CompanyApp.start();
  admin = await ApiSession.login(atende.base, demo.admin);
  const deps = await admin.call<{ items: { id: number; name: string }[] }>('GET', '/api/v1/departments');
  vendasId = deps.items.find((d) => d.name === 'Vendas')!.id;
  financeiroId = deps.items.find((d) => d.name === 'Financeiro')!.id;
  const ch = await admin.call<{ token: string; secret: string }>('POST', '/api/v1/channels', {
    kind: 'api', name: 'App da Loja', callback_url: app.url, department_id: vendasId,
  });
  app.secret = ch.secret;
  customer = new Customer(atende.base, ch.token, `cliente-${Date.now()}`, 'Maria Clara Souza');
  // thresholds in seconds so the thermometer changes colour during the test
  await admin.call('PATCH', '/api/v1/workspace', { thermometer_yellow_seconds: 2, thermometer_red_seconds: 5 });
  await admin.call('POST', '/api/v1/quick-replies', { shortcut: 'boasvindas', content: 'Olá {{contact.first_name}}, aqui é {{agent.first_name}}! Como posso ajudar?' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await atende?.stop();
});

describe('the agent web app', () => {
  it('speaks pt-BR to a Portuguese browser and English otherwise, and switches', async () => {
    for (const [locale, title] of [['pt-BR', 'Entrar no Atende'], ['en-US', 'Sign in to Atende']] as const) {
      const ctx = await browser.newContext({ baseURL: atende.base, locale });
      const page = await ctx.newPage();
      await page.goto('/login');
      await expect.poll(() => page.locator('h1').textContent()).toBe(title);
      if (locale === 'pt-BR') {
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('pt-BR');
        await shot(page, 'login');
        const v = await axe(page);
        expect(v, formatViolations(v)).toEqual([]);
        await page.getByRole('button', { name: 'English' }).click();
        await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in to Atende');
      }
      await ctx.close();
    }
  });

  it('carries a conversation from the customer through Vendas to Financeiro', async () => {
    const bruno = await newAgent(browser, atende.base, demo.vendas, 'pt-BR');
    const diego = await newAgent(browser, atende.base, demo.financeiro, 'en-US');
    const b = bruno.page;
    const d = diego.page;
    await b.goto('/inbox/unassigned');
    await d.goto('/inbox/all');
    await listLoaded(b);
    await listLoaded(d);

    // the customer writes; Bruno sees it without reloading
    const first = await customer.send('Olá, quero comprar o plano anual');
    const id = first.conversation_id;
    await row(b, id).waitFor({ timeout: 10_000 });

    // the waiting thermometer ticks from green to yellow to red without a reload
    const thermo = row(b, id).getByTestId('thermometer');
    await expect.poll(() => thermo.getAttribute('data-level'), { timeout: 5_000 }).toMatch(/green|yellow/);
    await expect.poll(() => thermo.getAttribute('data-level'), { timeout: 8_000 }).toBe('yellow');
    await expect.poll(() => thermo.getAttribute('data-level'), { timeout: 8_000 }).toBe('red');

    // Financeiro never sees Vendas' conversation, not even by its address
    expect(await row(d, id).count()).toBe(0);

    // Bruno opens it and takes it
    await row(b, id).click();
    await b.getByTestId('conversation-header').waitFor();
    await b.getByTestId('action-assign-me').click();
    await poll(async () => (await row(b, id).count()) === 0, 'the conversation to leave the unassigned list');
    await b.getByTestId('counter-mine').click();
    await row(b, id).waitFor();
    await row(b, id).click();

    // quick reply with variables, sent to the company's callback
    const input = b.getByTestId('composer-input');
    await input.click();
    await input.pressSequentially('/boasvindas');
    await b.getByTestId('quick-reply-boasvindas').waitFor();
    await input.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('Olá Maria, aqui é Bruno! Como posso ajudar?');
    await input.press('Enter');
    await poll(() => app.received.some((c) => c.body.message.text === 'Olá Maria, aqui é Bruno! Como posso ajudar?'), 'the reply at the callback');
    const reply = app.received.find((c) => c.body.message.text.startsWith('Olá Maria'))!;
    expect(reply.signatureOK).toBe(true);
    expect(reply.body.message.sender_name).toBe('Bruno Vendas');

    // a private note stays inside
    await b.getByTestId('composer-tab-note').click();
    await input.fill('Cliente VIP, oferecer desconto');
    await b.getByTestId('composer-send').click();
    await b.locator('[data-kind="note"]', { hasText: 'Cliente VIP' }).waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    expect(app.received.some((c) => c.body.message.text.includes('Cliente VIP'))).toBe(false);
    await b.getByTestId('composer-tab-reply').click();

    // attachments both ways: an image from the customer, a file from Bruno
    await customer.send('Segue o comprovante', { filename: 'comprovante.png', data: png });
    const img = b.getByTestId('timeline').locator('img[src*="/api/v1/attachments/"]').last();
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const orcamento = Buffer.from('Plano anual: R$ 1.200,00\n');
    await b.getByTestId('composer-file').setInputFiles({ name: 'orcamento.txt', mimeType: 'text/plain', buffer: orcamento });
    await b.getByText('orcamento.txt').first().waitFor();
    await input.fill('Segue o orçamento');
    await b.getByTestId('composer-send').click();
    await poll(() => app.received.some((c) => c.body.message.attachments?.some((a) => a.filename === 'orcamento.txt')), 'the attachment at the callback');
    const sent = app.received.find((c) => c.body.message.attachments?.some((a) => a.filename === 'orcamento.txt'))!;
    expect(Buffer.from(sent.body.message.attachments[0].data, 'base64').equals(orcamento)).toBe(true);

    // HTML from a customer is text, and nothing runs
    const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>negrito</b>';
    await customer.send(evil);
    const evilText = b.getByTestId('message-text').filter({ hasText: '<script>' });
    await evilText.waitFor();
    expect(await evilText.textContent()).toContain('<img src=x onerror=');
    expect(await b.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await b.getByTestId('timeline').locator('img[src="x"], script, b').count()).toBe(0);

    await shot(b, 'inbox-conversation');
    const v = await axe(b);
    expect(v, formatViolations(v)).toEqual([]);

    // a new message in one of my conversations while I look elsewhere: unread mark and tab title
    await b.goto('/inbox/mine');
    await listLoaded(b);
    // the demo leaves some of Bruno's other conversations unread: count from there
    const unread = async () => Number(/^\((\d+)\) Atende$/.exec(await b.title())?.[1] ?? 0);
    await expect.poll(() => b.title()).toMatch(/^(\(\d+\) )?Atende$/);
    await new Promise((r) => setTimeout(r, 500));
    const before = await unread();
    await customer.send('Ainda está aí?');
    await expect.poll(() => row(b, id).getAttribute('data-unread')).toBe('true');
    await expect.poll(unread).toBe(before + 1);
    await row(b, id).click();
    await b.getByTestId('conversation-header').waitFor();
    await expect.poll(() => row(b, id).getAttribute('data-unread')).toBe('false');
    await expect.poll(unread).toBe(before);

    // transfer to Financeiro: it leaves Bruno and arrives for Diego, live
    await d.goto('/inbox/unassigned');
    await listLoaded(d);
    await b.getByTestId('action-transfer').click();
    await b.getByRole('option', { name: /^Financeiro/ }).click();
    await poll(async () => (await row(b, id).count()) === 0, "the conversation to leave Bruno's list");
    await row(d, id).waitFor({ timeout: 10_000 });

    // Diego takes it, snoozes it, then resolves it with a reason
    await row(d, id).click();
    await d.getByTestId('action-assign-me').click();
    await d.getByTestId('action-snooze').click();
    await d.getByTestId('snooze-preset-1h').click();
    await d.getByTestId('counter-snoozed').click();
    await row(d, id).waitFor();
    await row(d, id).click();
    await d.getByTestId('action-resolve').click();
    const reason = d.getByTestId('resolve-reason');
    const options = await reason.locator('option').allTextContents();
    await reason.selectOption({ index: options.length > 1 ? 1 : 0 });
    await d.getByTestId('resolve-confirm').click();
    await d.getByTestId('counter-resolved').click();
    await row(d, id).waitFor();
    await row(d, id).click();
    await d.getByTestId('timeline').getByText(/resolved|finalizad/i).first().waitFor();
    await shot(d, 'inbox-resolved-en');

    // Diego (Financeiro) sees none of Vendas' other conversations
    const vendasConversation = await admin.call<{ items: { id: number }[] }>('GET', `/api/v1/conversations?view=all&department_id=${vendasId}&limit=1`);
    if (vendasConversation.items[0]) {
      await d.goto(`/inbox/all/${vendasConversation.items[0].id}`);
      await d.getByTestId('conversation-header').waitFor({ state: 'detached', timeout: 5_000 }).catch(() => {});
      expect(await d.getByTestId('conversation-header').count()).toBe(0);
    }
    void financeiroId;

    await bruno.ctx.close();
    await diego.ctx.close();
  });
});
