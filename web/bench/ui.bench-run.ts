// UI figures for BENCHMARKS.md, measured in Debian's Chromium:
//   1. gzip size of the JavaScript the first page load needs;
//   2. time to first inbox render on loopback (navigation → first row painted), median of N;
//   3. scrolling a 10,000-conversation list: frames over budget while scrolling top → bottom.
// Usage: make bench-ui (builds the binary with the UI, then runs this file with Vitest).
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { it } from 'vitest';
import { ApiSession, Customer, demo, launchChromium, logIn, startAtende } from '../e2e/harness';

const dist = new URL('../dist/app/', import.meta.url).pathname;
const runs = Number(process.env.RUNS ?? 15);
const rows = Number(process.env.ROWS ?? 10_000);

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

it('measures the web app in Chromium', async () => {
  // 1. initial JS: the entry script and what index.html preloads
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  let raw = 0;
  let gz = 0;
  for (const f of initial) {
    const b = readFileSync(join(dist, f));
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
  }
  const lazy = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js') && !initial.includes(`assets/${f}`));
  console.log(`initial JS: ${initial.length} file(s), ${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzip; ${lazy.length} lazy chunk(s)`);

  const atende = await startAtende();
  const browser = await launchChromium();
  try {
    const admin = await ApiSession.login(atende.base, demo.admin);
    const deps = await admin.call<{ items: { id: number }[] }>('GET', '/api/v1/departments');
    const ch = await admin.call<{ token: string }>('POST', '/api/v1/channels', { kind: 'api', name: 'Bench', department_id: deps.items[0].id });

    // 3's data first: `rows` conversations, one customer each, 8 at a time
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < rows) {
          const i = next++;
          await new Customer(atende.base, ch.token, `bench-${i}`, `Cliente ${String(i).padStart(5, '0')}`).send(`mensagem ${i}`);
        }
      }),
    );
    console.log(`seeded ${rows} conversations in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // 2. first inbox render: a logged-in user opens /inbox/all in a fresh page (cold cache each run)
    const firstRender: number[] = [];
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext({ baseURL: atende.base, viewport: { width: 1440, height: 900 } });
      const page = await logIn(ctx, demo.admin);
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
      await page.goto('about:blank');
      await page.goto('/inbox/all', { waitUntil: 'commit' });
      await page.locator('[data-testid^="conversation-row-"]').first().waitFor();
      const ms = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
      firstRender.push(ms);
      await ctx.close();
    }
    console.log(`first inbox render (navigation start → first row painted), ${runs} runs: median ${median(firstRender).toFixed(0)} ms, p90 ${pct(firstRender, 90).toFixed(0)} ms`);

    // 3. scroll the whole list: load every page, then scroll top → bottom at a steady speed
    const ctx = await browser.newContext({ baseURL: atende.base, viewport: { width: 1440, height: 900 } });
    const page = await logIn(ctx, demo.admin);
    await page.goto('/inbox/all');
    const list = page.getByTestId('conversation-list');
    await list.locator('[data-testid^="conversation-row-"]').first().waitFor();
    const tLoad = Date.now();
    for (let i = 0; i < 2000; i++) {
      const done = await list.evaluate((el, want) => {
        el.scrollTop = el.scrollHeight;
        return el.querySelectorAll('[data-testid^="conversation-row-"]').length > 0 && el.scrollHeight >= want * 60;
      }, rows);
      if (done) break;
      await page.waitForTimeout(50);
    }
    const domRows = await list.locator('[data-testid^="conversation-row-"]').count();
    console.log(`list fully paged in ${((Date.now() - tLoad) / 1000).toFixed(1)} s; ${domRows} row elements in the DOM (virtualised)`);
    // two speeds: reading down the list (3,000 px/s) and flinging through all of it in 10 s
    for (const speed of [3_000, 0]) {
      const result = await list.evaluate(
        (el, { seconds, speed }) =>
          new Promise<{ frames: number[]; distance: number }>((resolve) => {
            el.scrollTop = 0;
            const frames: number[] = [];
            const start = performance.now();
            let last = start;
            const total = speed > 0 ? Math.min(speed * seconds, el.scrollHeight - el.clientHeight) : el.scrollHeight - el.clientHeight;
            const step = (now: number) => {
              frames.push(now - last);
              last = now;
              const t = (now - start) / (seconds * 1000);
              el.scrollTop = Math.min(1, t) * total;
              if (t < 1) requestAnimationFrame(step);
              else resolve({ frames: frames.slice(1), distance: total });
            };
            requestAnimationFrame(step);
          }),
        { seconds: 10, speed },
      );
      const frames = result.frames;
      const budget = 1000 / 60;
      const dropped = frames.reduce((n: number, f: number) => n + Math.max(0, Math.round(f / budget) - 1), 0);
      const over = frames.filter((f: number) => f > budget * 1.5).length;
      console.log(
        `scroll ${speed > 0 ? `${speed} px/s` : `all ${rows} rows`} (${(result.distance / 1000).toFixed(0)}k px in 10 s): ${frames.length} frames, median ${median(frames).toFixed(1)} ms, ` +
          `p99 ${pct(frames, 99).toFixed(1)} ms, ${over} frames over 25 ms, ${dropped} frames dropped (${((dropped / (frames.length + dropped)) * 100).toFixed(1)} %)`,
      );
    }
    await ctx.close();
  } finally {
    await browser.close();
    await atende.stop();
  }
}, 900_000);
