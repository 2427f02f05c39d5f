// Routing rules and automatic assignment, set up in Settings by an admin
// and seen working: a new customer is routed by the rule (the timeline says
// so) and handed to the online agent of the department by round-robin.
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

describe('automation', () => {
  it('routes a new customer by a rule and assigns them round-robin', async () => {
    const admin = await ApiSession.login(atende.base, demo.admin);
    const deps = await admin.call<{ items: { id: number; name: string }[] }>('GET', '/api/v1/departments');
    const financeiro = deps.items.find((d) => d.name === 'Financeiro')!.id;
    const { ctx, page } = await newAgent(browser, atende.base, demo.admin, 'pt-BR');

    // the rule: customers never served before go to Financeiro
    await page.goto('/settings/routing-rules');
    await page.getByTestId('routing-new').click();
    await page.getByTestId('routing-name').fill('Primeiro contato');
    await page.getByTestId('routing-add-kind').selectOption('served_before');
    await page.getByTestId('routing-add-condition').click();
    await page.getByTestId('routing-cond-0-bool').selectOption('no');
    await page.getByTestId('routing-target').selectOption(String(financeiro));
    await page.getByTestId('routing-save').click();
    await page.locator('[data-testid^="routing-row-"]', { hasText: 'Primeiro contato' }).waitFor();
    await shot(page, 'settings-routing-rules');

    // Financeiro assigns round-robin among its online agents
    await page.goto('/settings/departments');
    await page.getByRole('button', { name: 'Ações de Financeiro' }).click();
    await page.getByRole('menuitem', { name: /Distribuição automática/ }).click();
    await page.getByTestId('dept-assign-mode').selectOption('round_robin');
    await page.getByTestId('dept-assign-save').click();
    await expect
      .poll(async () => (await admin.call<{ mode: string }>('GET', `/api/v1/departments/${financeiro}/assignment`)).mode, { timeout: 10_000 })
      .toBe('round_robin');

    // Diego (Financeiro) is online; a new customer writes through the API channel
    const diego = await ApiSession.login(atende.base, demo.financeiro);
    await diego.call('PUT', '/api/v1/me/presence', { presence: 'online' });
    const channels = await admin.call<{ items: { id: number; kind: string }[] }>('GET', '/api/v1/channels');
    const api = channels.items.find((c) => c.kind === 'api')!;
    const { token } = await admin.call<{ token: string }>('POST', `/api/v1/channels/${api.id}/rotate-token`);
    const r = await fetch(`${atende.base}/api/v1/channels/api/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ message_id: 'auto-e2e-1', contact: { id: 'cliente-novo-e2e', name: 'Renata Lima' }, text: 'Quero negociar uma fatura' }),
    });
    expect(r.status).toBe(201);
    const { conversation_id: id } = (await r.json()) as { conversation_id: number };
    await expect
      .poll(async () => (await admin.call<{ department_id: number; assignee_id: number | null; status: string }>('GET', `/api/v1/conversations/${id}`)), { timeout: 10_000 })
      .toMatchObject({ department_id: financeiro, status: 'open' });

    // the timeline explains both
    await page.goto(`/inbox/all/${id}`);
    const timeline = page.getByTestId('timeline');
    await timeline.getByText(/Encaminhado para Financeiro pela regra 1/).waitFor();
    await timeline.getByText(/Diego/).first().waitFor();
    await ctx.close();
  });
});
