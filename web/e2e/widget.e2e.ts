// The website chat widget in a stranger's page: a shop on another origin
// pastes the snippet; a visitor searches the help centre, then opens a chat;
// an agent (second browser context) sees it live and answers; the visitor
// sees the answer, reloads and keeps the history; the agent resolves and the
// visitor rates. Neither page's CSS reaches the other.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { ApiSession, axe, demo, formatViolations, launchChromium, newAgent, shot, startAtende, type Atende } from './harness';

let atende: Atende;
let browser: Browser;
let shop: Server;
let shopURL = '';
let snippet = '';

// The shop's page: hostile CSS that would wreck any widget injected into the
// page's own DOM, and an element whose style the widget must not change.
function shopPage() {
  return `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Loja Exemplo</title>
<style>
  * { font-family: "Comic Sans MS", cursive !important; color: rgb(255, 0, 0) !important; letter-spacing: 3px !important; }
  button, input, textarea { font-size: 31px !important; background: rgb(0, 255, 0) !important; }
  iframe { opacity: 0.1 !important; transform: scale(0.5) !important; border: 9px solid blue !important; }
  #produto { font-size: 22px; margin: 17px; color: rgb(0, 0, 128); }
</style></head>
<body><h1>Loja Exemplo</h1><p id="produto">Tênis de corrida — R$ 299,90</p><button id="comprar">Comprar</button>
${snippet}
</body></html>`;
}

beforeAll(async () => {
  atende = await startAtende();
  browser = await launchChromium();
  shop = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(shopPage());
  });
  await new Promise<void>((r) => shop.listen(0, '127.0.0.1', () => r()));
  const a = shop.address();
  // "localhost" is another origin than Atende's 127.0.0.1: the widget runs cross-origin
  shopURL = `http://localhost:${typeof a === 'object' && a ? a.port : 0}/`;
});

afterAll(async () => {
  await browser?.close();
  await atende?.stop();
  await new Promise((r) => shop?.close(r));
});

async function widgetFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('#atende-widget-frame', { state: 'attached' });
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('no widget frame');
  await frame.waitForSelector('[data-testid="widget-launcher"]');
  return frame;
}

describe('website widget', () => {
  it('lets a visitor search help, chat with an agent, keep the history and rate', async () => {
    const admin = await ApiSession.login(atende.base, demo.admin);
    const deps = await admin.call<{ items: { id: number; name: string }[] }>('GET', '/api/v1/departments');
    const vendas = deps.items.find((d) => d.name === 'Vendas')!.id;
    const ch = await admin.call<{ widget: { key: string; snippet: string } }>('POST', '/api/v1/channels', {
      kind: 'widget', name: 'Site da Loja', department_id: vendas,
      widget: { color: '#0a7a5a', position: 'right', language: 'auto', prechat_enabled: true,
        prechat_fields: [{ name: 'name', required: true }, { name: 'email', required: false }] },
    });
    snippet = ch.widget.snippet;
    expect(snippet).toContain(`${atende.base}/widget.js`);
    // an article the visitor finds before chatting
    await admin.call('POST', '/api/v1/help/articles', {
      title: 'Entrega expressa em Campinas', language: 'pt-BR', status: 'published',
      body_markdown: 'Em Campinas entregamos em **até 2 dias úteis**.',
    });

    // the agent of Vendas is online and watching the queue
    const { ctx: agentCtx, page: agent } = await newAgent(browser, atende.base, demo.vendas, 'pt-BR');
    await agent.goto('/inbox/unassigned');
    await agent.locator('[data-testid^="conversation-row-"], [data-testid="list-empty"]').first().waitFor();

    const visitorCtx = await browser.newContext({ locale: 'pt-BR', viewport: { width: 1280, height: 800 } });
    const page = await visitorCtx.newPage();
    page.on('pageerror', (e) => console.error('[shop] page error:', e.message));
    await page.goto(shopURL);
    const productBefore = await page.locator('#produto').evaluate((el) => {
      const s = getComputedStyle(el);
      return [s.fontSize, s.margin, s.color, s.fontFamily].join('|');
    });
    let frame = await widgetFrame(page);

    // the widget leaves the page alone: one iframe, one global, no style of its own in the page
    expect(await page.evaluate(() => document.querySelectorAll('style, link[rel=stylesheet]').length)).toBe(1);
    expect(await page.evaluate(() => typeof (window as unknown as { AtendeWidget?: unknown }).AtendeWidget)).toBe('object');
    expect(
      await page.locator('#produto').evaluate((el) => {
        const s = getComputedStyle(el);
        return [s.fontSize, s.margin, s.color, s.fontFamily].join('|');
      }),
    ).toBe(productBefore);

    // and the page's CSS does not reach the widget: not its frame…
    const frameStyle = await page.locator('#atende-widget-frame').evaluate((el) => {
      const s = getComputedStyle(el);
      return [s.opacity, s.transform, s.borderTopWidth].join('|');
    });
    expect(frameStyle).toBe('1|none|0px');
    // …nor what is inside it
    await frame.getByTestId('widget-launcher').click();
    await frame.getByTestId('widget-panel').waitFor();
    const search = frame.getByTestId('widget-help-search');
    await search.waitFor();
    const inside = await search.evaluate((el) => {
      const s = getComputedStyle(el);
      return { size: s.fontSize, bg: s.backgroundColor, color: s.color, spacing: s.letterSpacing, font: s.fontFamily };
    });
    expect(inside.size).not.toBe('31px');
    expect(inside.bg).not.toBe('rgb(0, 255, 0)');
    expect(inside.color).not.toBe('rgb(255, 0, 0)');
    expect(inside.font).not.toContain('Comic Sans');

    // the help centre first
    await search.fill('campinas');
    const hit = frame.getByTestId('widget-help-result').first();
    await hit.waitFor({ timeout: 10_000 });
    expect(await hit.textContent()).toContain('Entrega expressa em Campinas');
    await shot(page, 'widget-help-search');
    // the panel passes the accessibility scan (serious and critical rules)
    const violations = await axe(frame);
    expect(violations, formatViolations(violations)).toEqual([]);
    await frame.getByTestId('widget-help-no').click();

    // the pre-chat form, then the message
    await frame.getByTestId('widget-prechat-name').fill('Marina Costa');
    await frame.getByTestId('widget-prechat-email').fill('marina@example.com');
    await frame.getByTestId('widget-prechat-submit').click();
    const input = frame.getByTestId('widget-input');
    await input.fill('Vocês entregam em Campinas?');
    await frame.getByTestId('widget-send').click();
    await frame.locator('[data-testid="widget-message"][data-direction="in"]', { hasText: 'Vocês entregam em Campinas?' }).waitFor();

    // the agent sees it live, takes it and answers
    const row = agent.locator('[data-testid^="conversation-row-"]', { hasText: 'Marina Costa' });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await agent.getByTestId('timeline').getByText('Vocês entregam em Campinas?').waitFor();
    await agent.getByTestId('action-assign-me').click();
    const box = agent.getByTestId('composer-input');
    await box.fill('Entregamos sim! Chega em 2 dias úteis.');
    await box.press('Enter');

    // the visitor sees the answer, with the agent's first name
    const answer = frame.locator('[data-testid="widget-message"][data-direction="out"]', { hasText: 'Entregamos sim! Chega em 2 dias úteis.' });
    await answer.waitFor({ timeout: 10_000 });
    await frame.getByText('Bruno').first().waitFor();
    // the agent's reply is read once the open widget shows it
    const sent = agent.locator('[data-direction="out"]', { hasText: 'Entregamos sim!' });
    await expect.poll(() => sent.getAttribute('data-status'), { timeout: 10_000 }).toBe('read');
    await shot(page, 'widget-chat');
    const chatViolations = await axe(frame);
    expect(chatViolations, formatViolations(chatViolations)).toEqual([]);

    // the agent points the visitor to the article from the composer
    await agent.getByTestId('composer-help-article').click();
    await agent.getByTestId('help-article-search').fill('campinas');
    await agent.locator('[data-testid^="help-article-option-"]').first().click();
    await expect.poll(() => box.inputValue()).toContain(`/help/`);
    expect(await box.inputValue()).toContain('Entrega expressa em Campinas: ');
    await box.press('Enter');
    const link = frame.locator('[data-testid="widget-message"][data-direction="out"]', { hasText: 'Entrega expressa em Campinas' }).locator('a[href*="/help/"]');
    await link.waitFor({ timeout: 10_000 });
    const article = await fetch((await link.getAttribute('href'))!);
    expect(article.status).toBe(200);
    expect(await article.text()).toContain('até 2 dias úteis');

    // a reload keeps the history
    await page.reload();
    frame = await widgetFrame(page);
    if (!(await frame.getByTestId('widget-panel').isVisible())) await frame.getByTestId('widget-launcher').click();
    await frame.locator('[data-testid="widget-message"][data-direction="in"]', { hasText: 'Vocês entregam em Campinas?' }).waitFor({ timeout: 10_000 });
    await frame.locator('[data-testid="widget-message"][data-direction="out"]', { hasText: 'Entregamos sim!' }).waitFor();

    // resolve: the visitor rates the conversation
    await agent.getByTestId('action-resolve').click();
    await agent.getByTestId('resolve-confirm').click();
    const rating = frame.getByTestId('widget-rating');
    await rating.waitFor({ timeout: 10_000 });
    await frame.getByTestId('widget-rating-star-5').check();
    await frame.getByTestId('widget-rating-comment').fill('Atendimento rápido, obrigada!');
    await frame.getByTestId('widget-rating-submit').click();
    await frame.getByTestId('widget-rating-thanks').waitFor();
    await agent.getByTestId('timeline').getByText(/avaliou o atendimento com ★★★★★/).waitFor({ timeout: 10_000 });

    // the page is still the shop's
    expect(
      await page.locator('#produto').evaluate((el) => {
        const s = getComputedStyle(el);
        return [s.fontSize, s.margin, s.color, s.fontFamily].join('|');
      }),
    ).toBe(productBefore);
    await visitorCtx.close();
    await agentCtx.close();
  });
});
