// Department bots (seeds 000/001): an admin tries the reception bot in the
// flow test panel, gives Vendas and Financeiro their bots, and a customer
// writing through the API channel passes from the reception's menu to
// Financeiro's bot and on to its queue without a person; the agent sees the
// bot's menus (with their options) and the story in the timeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ApiSession, demo, launchChromium, newAgent, shot, startAtende, type Atende } from './harness';

let atende: Atende;
let browser: Browser;

beforeAll(async () => {
  atende = await startAtende();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await atende?.stop();
});

describe('bots', () => {
  it('runs a customer through two departments’ bots to a queue', async () => {
    const admin = await ApiSession.login(atende.base, demo.admin);
    const deps = await admin.call<{ items: { id: number; name: string }[] }>('GET', '/api/v1/departments');
    const dept = (name: string) => deps.items.find((d) => d.name === name)!.id;
    const bots = await admin.call<{ id: number; name: string }[]>('GET', '/api/v1/bots');
    const bot = (name: string) => bots.find((b) => b.name === name)!.id;
    const { ctx, page } = await newAgent(browser, atende.base, demo.admin, 'pt-BR');

    // the reception bot in the flow editor, tried in the test panel
    await page.goto('/settings/bots');
    await page.getByTestId(`bot-edit-${bot('Recepção')}`).click();
    await page.getByTestId('bot-test-restart').click();
    await expect.poll(() => page.getByTestId('bot-test-bot').count()).toBe(2);
    await page.locator('[data-testid="bot-test-choice"][data-choice="Financeiro"]').click();
    await page.locator('[data-testid="bot-test-action"][data-kind="transfer"]').waitFor();
    await shot(page, 'settings-bots');

    // a new flow bot from the starter flow, saved through the editor
    await page.getByTestId('bot-back').click();
    await page.getByTestId('bot-new-flow').click();
    await page.getByTestId('bot-name').fill('Plantão');
    await page.getByTestId('bot-save').click();
    await page.getByTestId('bot-save-flow').waitFor();
    await expect
      .poll(async () => (await admin.call<{ name: string; flow?: { steps: unknown[] } }[]>('GET', '/api/v1/bots')).find((b) => b.name === 'Plantão')?.flow?.steps.length ?? 0)
      .toBeGreaterThan(1);

    // Vendas (the default department) and Financeiro get their bots
    await page.goto('/settings/departments');
    await page.getByTestId(`department-bot-${dept('Vendas')}`).selectOption(String(bot('Recepção')));
    await page.getByTestId(`department-bot-${dept('Financeiro')}`).selectOption(String(bot('Financeiro')));
    await expect
      .poll(async () => (await admin.call<{ items: { name: string; bot_id: number | null }[] }>('GET', '/api/v1/departments')).items.map((d) => [d.name, d.bot_id]))
      .toEqual(expect.arrayContaining([['Vendas', bot('Recepção')], ['Financeiro', bot('Financeiro')]]));

    // a customer writes through the API channel, answering in words and numbers
    const channels = await admin.call<{ items: { id: number; kind: string }[] }>('GET', '/api/v1/channels');
    const api = channels.items.find((c) => c.kind === 'api')!;
    const { token } = await admin.call<{ token: string }>('POST', `/api/v1/channels/${api.id}/rotate-token`);
    let n = 0;
    const say = async (text: string) => {
      const r = await fetch(`${atende.base}/api/v1/channels/api/messages`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ message_id: `bot-e2e-${++n}`, contact: { id: 'cliente-bot-e2e', name: 'Paula Reis' }, text }),
      });
      expect(r.status).toBe(201);
      return ((await r.json()) as { conversation_id: number }).conversation_id;
    };
    const id = await say('oi');
    const conv = () => admin.call<{ status: string; department_id: number; assignee_id: number | null }>('GET', `/api/v1/conversations/${id}`);
    expect((await conv()).status).toBe('bot');

    await page.goto(`/inbox/all/${id}`);
    const timeline = page.getByTestId('timeline');
    await timeline.getByText('Olá, Paula! Bem-vindo à loja.').waitFor();
    await timeline.getByText('Robô Recepção assumiu').waitFor();
    for (const choice of ['Vendas', 'Financeiro', 'Suporte']) await timeline.getByText(choice, { exact: true }).first().waitFor();

    await say('é sobre um boleto');
    await timeline.getByText('Robô Recepção transferiu para Financeiro').waitFor();
    await timeline.getByText('Para o financeiro, qual é o seu CPF ou CNPJ?').waitFor();
    await say('529.982.247-25');
    await timeline.getByText('O que você precisa?', { exact: false }).waitFor();
    await say('2');
    await timeline.getByText('Um atendente do financeiro já vai falar com você.').waitFor();
    await timeline.getByText('Robô Financeiro passou para a fila').waitFor();
    await expect.poll(async () => (await conv())).toMatchObject({ status: 'queued', department_id: dept('Financeiro') });
    await shot(page, 'inbox-bot-conversation');

    // the answer was saved on the contact
    const c = await admin.call<{ contact_id: number }>('GET', `/api/v1/conversations/${id}`);
    const contact = await admin.call<{ attributes: Record<string, unknown> }>('GET', `/api/v1/contacts/${c.contact_id}`);
    expect(contact.attributes.documento).toBe('52998224725');
    await ctx.close();
  });
});
