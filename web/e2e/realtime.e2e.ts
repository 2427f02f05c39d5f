// Realtime in the browser: presence and typing appear live, and after the
// connection drops the app reconnects and catches up on what it missed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, WebSocketRoute } from 'playwright-core';
import { ApiSession, Customer, demo, launchChromium, logIn, newAgent, startAtende, type Atende } from './harness';

let atende: Atende;
let browser: Browser;
let customer: Customer;

beforeAll(async () => {
  atende = await startAtende();
  const admin = await ApiSession.login(atende.base, demo.admin);
  const deps = await admin.call<{ items: { id: number; name: string }[] }>('GET', '/api/v1/departments');
  const vendas = deps.items.find((d) => d.name === 'Vendas')!.id;
  const ch = await admin.call<{ token: string }>('POST', '/api/v1/channels', { kind: 'api', name: 'Site', department_id: vendas });
  customer = new Customer(atende.base, ch.token, `rt-${Date.now()}`, 'João Pedro');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await atende?.stop();
});

describe('realtime', () => {
  it('reconnects after the network drops and shows what arrived meanwhile', async () => {
    const ctx = await browser.newContext({ baseURL: atende.base, locale: 'pt-BR' });
    // every socket goes through this route, so the test can cut it
    let down = false;
    const sockets: WebSocketRoute[] = [];
    await ctx.routeWebSocket(/\/api\/v1\/ws/, (ws) => {
      if (down) {
        void ws.close({ code: 1006, reason: 'network down' }).catch(() => {});
        return;
      }
      sockets.push(ws);
      ws.connectToServer();
    });
    const page = await logIn(ctx, demo.vendas);
    await page.goto('/inbox/unassigned');
    await page.locator('[data-testid^="conversation-row-"], [data-testid="list-empty"]').first().waitFor();
    const live = await customer.send('primeira mensagem');
    await page.getByTestId(`conversation-row-${live.conversation_id}`).waitFor();

    down = true;
    for (const ws of sockets.splice(0)) await ws.close({ code: 1001, reason: 'network down' }).catch(() => {});
    await page.getByRole('status').filter({ hasText: /Reconectando|Reconnecting/ }).first().waitFor();

    const other = new Customer(atende.base, customer.token, `rt2-${Date.now()}`, 'Lúcia Ramos');
    const missed = await other.send('chegou enquanto a conexão caiu');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await page.getByTestId(`conversation-row-${missed.conversation_id}`).count()).toBe(0);

    down = false;
    await page.getByTestId(`conversation-row-${missed.conversation_id}`).waitFor({ timeout: 20_000 });
    await ctx.close();
  });

  it('shows a colleague typing and a presence change live', async () => {
    const bruno = await newAgent(browser, atende.base, demo.vendas, 'en-US');
    const sergio = await newAgent(browser, atende.base, demo.supervisor, 'en-US');
    const c = await customer.send('alguém aí?');
    await bruno.page.goto(`/inbox/all/${c.conversation_id}`);
    await sergio.page.goto(`/inbox/all/${c.conversation_id}`);
    await bruno.page.getByTestId('conversation-header').waitFor();
    await sergio.page.getByTestId('conversation-header').waitFor();
    await sergio.page.getByTestId('composer-input').pressSequentially('Oi, já vou te ajudar', { delay: 30 });
    await bruno.page.getByTestId('typing-indicator').filter({ hasText: /Sérgio/ }).waitFor({ timeout: 10_000 });

    // Sérgio goes away; Bruno's sidebar shows it without a reload
    const me = await (await sergio.page.request.get('/api/v1/me')).json();
    const agentCounter = bruno.page.getByTestId(`counter-agent-${me.user.id}`);
    await agentCounter.waitFor();
    await sergio.page.getByTestId('presence-switch').click();
    await sergio.page.getByRole('menuitem', { name: /Away/ }).click();
    await expect.poll(() => agentCounter.getAttribute('aria-label').then((l) => l ?? '').then(async (l) => l + (await agentCounter.textContent())), { timeout: 10_000 }).toMatch(/Away/);
    await bruno.ctx.close();
    await sergio.ctx.close();
  });

  it('notifies me of a new customer message in my conversation when I opted in', async () => {
    const ctx = await browser.newContext({ baseURL: atende.base, locale: 'en-US' });
    await ctx.grantPermissions(['notifications']);
    await ctx.addInitScript(() => {
      // the real Notification API, wrapped so the test can see what was shown
      const shown: { title: string; body?: string }[] = [];
      (window as unknown as { __shown: typeof shown }).__shown = shown;
      window.Notification = new Proxy(window.Notification, {
        construct(target, args: [string, NotificationOptions?]) {
          shown.push({ title: args[0], body: args[1]?.body });
          return Reflect.construct(target, args);
        },
      });
      document.hasFocus = () => false; // the agent is in another window
      localStorage.setItem('atende.prefs', JSON.stringify({ state: { theme: 'light', notify: true }, version: 0 }));
    });
    const page = await logIn(ctx, demo.vendas);
    const bruno = await ApiSession.login(atende.base, demo.vendas);
    const me = await bruno.call<{ user: { id: number } }>('GET', '/api/v1/me');
    const c = await customer.send('preciso de ajuda com o boleto');
    await bruno.call('POST', `/api/v1/conversations/${c.conversation_id}/assign`, { assignee_id: me.user.id });
    await page.goto('/inbox/mine');
    await page.getByTestId(`conversation-row-${c.conversation_id}`).waitFor();
    await customer.send('alô? ainda preciso de ajuda');
    const shown = () => page.evaluate(() => (window as unknown as { __shown: { title: string; body?: string }[] }).__shown);
    await expect.poll(async () => (await shown()).map((n) => n.body), { timeout: 10_000 }).toContain('alô? ainda preciso de ajuda');
    expect((await shown()).every((n) => n.body !== 'preciso de ajuda com o boleto')).toBe(true); // before it was mine
    await ctx.close();
  });
});
