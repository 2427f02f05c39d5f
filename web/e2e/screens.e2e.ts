// The main screens as an administrator, in light and dark, on a laptop and a
// phone: screenshots for README.md and an accessibility scan of each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ApiSession, axe, Customer, demo, formatViolations, launchChromium, logIn, newAgent, shot, startAtende, type Atende } from './harness';

let atende: Atende;
let browser: Browser;
let conversationId = 0;

beforeAll(async () => {
  atende = await startAtende();
  const admin = await ApiSession.login(atende.base, demo.admin);
  const deps = await admin.call<{ items: { id: number; name: string }[] }>('GET', '/api/v1/departments');
  const ch = await admin.call<{ token: string }>('POST', '/api/v1/channels', { kind: 'api', name: 'WhatsApp da Loja', department_id: deps.items[0].id });
  const c = new Customer(atende.base, ch.token, `shots-${Date.now()}`, 'Fernanda Lima');
  await c.send('Bom dia! Meu pedido #4521 ainda não chegou, podem verificar?');
  conversationId = (await c.send('O código de rastreio é BR123456789')).conversation_id;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await atende?.stop();
});

async function scan(page: import('playwright-core').Page) {
  const v = await axe(page);
  expect(v, formatViolations(v)).toEqual([]);
}

describe('main screens', () => {
  it('inbox and settings, light and dark, pass the accessibility scan', async () => {
    const { ctx, page } = await newAgent(browser, atende.base, demo.admin, 'pt-BR');
    await page.goto(`/inbox/all/${conversationId}`);
    await page.getByTestId('conversation-header').waitFor();
    await page.getByTestId('contact-panel').waitFor();
    await page.waitForTimeout(500);
    await shot(page, 'inbox');
    await scan(page);

    for (const section of ['workspace', 'agents', 'labels', 'quick-replies', 'channels', 'help-centre', 'business-hours', 'webhooks', 'routing-rules']) {
      await page.goto(`/settings/${section}`);
      await page.getByTestId(`settings-nav-${section}`).waitFor();
      await page.waitForTimeout(300);
      if (['agents', 'channels', 'help-centre', 'business-hours'].includes(section)) await shot(page, `settings-${section}`);
      await scan(page);
    }

    await page.evaluate(() => localStorage.setItem('atende.prefs', JSON.stringify({ state: { theme: 'dark', notify: false }, version: 0 })));
    await page.goto(`/inbox/all/${conversationId}`);
    await page.getByTestId('conversation-header').waitFor();
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await shot(page, 'inbox-dark');
    await scan(page);
    await ctx.close();
  });

  it('is usable on a phone: list, then conversation, then back', async () => {
    const ctx = await browser.newContext({ baseURL: atende.base, locale: 'pt-BR', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await logIn(ctx, demo.admin);
    await page.goto('/inbox/all');
    const row = page.getByTestId(`conversation-row-${conversationId}`);
    await row.waitFor();
    await shot(page, 'phone-list');
    await row.click();
    await page.getByTestId('composer-input').waitFor();
    expect(await page.getByTestId('conversation-list').isVisible()).toBe(false);
    await shot(page, 'phone-conversation');
    await scan(page);
    await ctx.close();
  });
});
