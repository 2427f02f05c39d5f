// The end-to-end harness: starts the real `atende` binary (built by
// `make build`, UI embedded) on a free port with its own SQLite folder and the
// demo workspace, talks to its API as the tests' "customer" and admin, runs a
// local server that plays the company app receiving callbacks, and drives
// Debian's Chromium through playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const demoPassword = 'atende-demo';
export const demo = {
  admin: 'admin@demo.atende.local',
  supervisor: 'supervisor@demo.atende.local',
  vendas: 'bruno@demo.atende.local', // Bruno Vendas
  financeiro: 'diego@demo.atende.local', // Diego Financeiro
};

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

export interface Atende {
  base: string;
  dataDir: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** startAtende runs `atende serve --demo` and waits until it is ready with its UI embedded. */
export async function startAtende(extraEnv: Record<string, string> = {}): Promise<Atende> {
  const bin = process.env.ATENDE_BIN ?? join(repoRoot, 'bin/atende');
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'atende-e2e-'));
  let out = '';
  const child: ChildProcess = spawn(bin, ['serve', '--demo'], {
    env: { ...process.env, ATENDE_ADDR: `127.0.0.1:${port}`, ATENDE_BASE_URL: `http://127.0.0.1:${port}`, ATENDE_DATA_DIR: dataDir, ATENDE_LOG_LEVEL: 'warn', ATENDE_DATABASE_URL: '', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`atende exited ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${base}/healthz?require=ui`);
      if (r.ok) break;
      if (r.status === 503) throw new Error(`the binary has no UI embedded (run make build): ${await r.text()}`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('the binary')) throw e;
    }
    if (Date.now() > deadline) throw new Error(`atende did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    dataDir,
    log: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** ApiSession is a logged-in API user (cookie + CSRF), for setting the scene. */
export class ApiSession {
  private cookie = '';
  private csrf = '';
  constructor(readonly base: string) {}

  static async login(base: string, email: string, password = demoPassword) {
    const s = new ApiSession(base);
    const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (!r.ok) throw new Error(`login ${email}: ${r.status} ${await r.text()}`);
    s.cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
    s.csrf = ((await r.json()) as { csrf_token: string }).csrf_token;
    return s;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers: { Cookie: this.cookie, 'X-CSRF-Token': this.csrf, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export interface Callback {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: { event: string; message: { id: number; conversation_id: number; text: string; sender_name: string; attachments: { filename: string; content_type: string; data: string }[] } };
  signatureOK: boolean;
}

/** CompanyApp is the company's own app behind the API channel: it receives our replies by callback. */
export class CompanyApp {
  received: Callback[] = [];
  secret = '';
  private server: Server;
  url = '';
  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const ts = String(req.headers['x-atende-timestamp'] ?? '');
        const sig = String(req.headers['x-atende-signature'] ?? '').replace(/^sha256=/, '');
        const want = createHmac('sha256', this.secret).update(`${ts}.`).update(raw).digest('hex');
        const signatureOK = sig.length === want.length && timingSafeEqual(Buffer.from(sig), Buffer.from(want));
        this.received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(raw.toString('utf8')), signatureOK });
        res.writeHead(200).end('{}');
      });
    });
  }
  static async start(): Promise<CompanyApp> {
    const app = new CompanyApp();
    await new Promise<void>((r) => app.server.listen(0, '127.0.0.1', () => r()));
    const a = app.server.address();
    app.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/callback`;
    return app;
  }
  close() {
    return new Promise((r) => this.server.close(r));
  }
}

/** Customer writes through the API channel, as the company's app would on the customer's behalf. */
export class Customer {
  private n = 0;
  constructor(
    readonly base: string,
    readonly token: string,
    readonly id: string,
    readonly name: string,
  ) {}
  async send(text: string, attachment?: { filename: string; data: Buffer }) {
    const r = await fetch(`${this.base}/api/v1/channels/api/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        message_id: `${this.id}-${Date.now()}-${++this.n}`,
        contact: { id: this.id, name: this.name, phone: '+55 11 91234-5678' },
        text,
        ...(attachment ? { attachment: { filename: attachment.filename, data: attachment.data.toString('base64') } } : {}),
      }),
    });
    if (!r.ok) throw new Error(`inbound: ${r.status} ${await r.text()}`);
    return (await r.json()) as { conversation_id: number; message_id: number };
  }
}

export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync',
      // a synthetic microphone for the voice-note test; no real device is touched
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    ],
  });
}

/** newAgent opens a browser context with a language and logs in through the login screen. */
export async function newAgent(browser: Browser, base: string, email: string, locale = 'pt-BR'): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ baseURL: base, locale, viewport: { width: 1440, height: 900 } });
  return { ctx, page: await logIn(ctx, email) };
}

/** logIn opens a page in ctx and signs in through the login screen. */
export async function logIn(ctx: BrowserContext, email: string, password = demoPassword): Promise<Page> {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error(`[${email}] page error:`, e.message));
  await page.goto('/login');
  await page.locator('#login-email').fill(email);
  await page.locator('#login-password').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(/\/inbox\//);
  return page;
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/** axe runs axe-core in the page (or a frame of it) and returns the serious and critical violations. */
export async function axe(page: Page | Frame): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // @ts-expect-error injected by axeSource
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations as AxeViolation[];
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function formatViolations(vs: AxeViolation[]): string {
  return vs.map((v) => `${v.impact} ${v.id}: ${v.help}\n` + v.nodes.slice(0, 5).map((n) => `   ${n.target.join(' ')}  ${n.html.slice(0, 160)}\n     ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 300)}`).join('\n')).join('\n');
}

const shotsDir = join(repoRoot, 'docs/screenshots');

/** shot saves a screenshot for README.md. */
export async function shot(page: Page, name: string) {
  mkdirSync(shotsDir, { recursive: true });
  await page.screenshot({ path: join(shotsDir, `${name}.png`) });
}

/**
 * FakeTelegram answers the Bot API methods Atende calls (getMe, setWebhook,
 * deleteWebhook, sendMessage…) and records them, as a local stand-in for the
 * provider; ATENDE_TELEGRAM_API_URL points the binary at it.
 */
export class FakeTelegram {
  calls: { method: string; token: string; body: Record<string, unknown> }[] = [];
  webhook = { url: '', secret: '' };
  url = '';
  private server: Server;
  private nextId = 1000;
  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          body = raw && (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(raw) : {};
        } catch {
          body = {};
        }
        if (!m) return void res.writeHead(404).end('{"ok":false,"error_code":404,"description":"Not Found"}');
        const [, token, method] = m;
        this.calls.push({ method, token, body });
        const ok = (result: unknown) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
        switch (method) {
          case 'getMe':
            return ok({ id: 4242, is_bot: true, first_name: 'Loja', username: 'loja_atende_bot' });
          case 'setWebhook':
            this.webhook = { url: String(body.url ?? ''), secret: String(body.secret_token ?? '') };
            return ok(true);
          case 'deleteWebhook':
            return ok(true);
          default:
            return ok({ message_id: this.nextId++, date: Math.floor(Date.now() / 1000), chat: { id: Number(body.chat_id ?? 0), type: 'private' }, text: body.text });
        }
      });
    });
  }
  static async start(): Promise<FakeTelegram> {
    const t = new FakeTelegram();
    await new Promise<void>((r) => t.server.listen(0, '127.0.0.1', () => r()));
    const a = t.server.address();
    t.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    return t;
  }
  /** sendUpdate posts an update to the webhook Atende registered, with its secret. */
  async sendUpdate(update: unknown, secret = this.webhook.secret) {
    return fetch(this.webhook.url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': secret }, body: JSON.stringify(update) });
  }
  close() {
    return new Promise((r) => this.server.close(r));
  }
}

/**
 * FakeGraph plays the WhatsApp Cloud API's Graph endpoints Atende calls (the
 * phone number, message templates, sends) under /v21.0, recording every call;
 * ATENDE_WHATSAPP_API_URL points the binary at it. signedPost delivers a
 * webhook to Atende signed as Meta signs it.
 */
export class FakeGraph {
  static phoneNumberID = '106540352242922';
  static wabaID = '102290129340398';
  sends: Record<string, unknown>[] = [];
  url = '';
  private server: Server;
  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const node = (req.url ?? '').split('?')[0].replace(/^\/v21\.0\//, '');
        const json = (code: number, body: unknown) => res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
        if (req.method === 'GET' && node === FakeGraph.phoneNumberID) {
          return json(200, { verified_name: 'Loja Atende', display_phone_number: '+55 11 4000-1234', id: FakeGraph.phoneNumberID });
        }
        if (req.method === 'GET' && node === `${FakeGraph.wabaID}/message_templates`) {
          return json(200, {
            data: [
              { id: '1', name: 'order_update', language: 'pt_BR', status: 'APPROVED', category: 'UTILITY', parameter_format: 'POSITIONAL', components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} saiu para entrega.' }] },
            ],
          });
        }
        if (req.method === 'POST' && node === `${FakeGraph.phoneNumberID}/messages`) {
          this.sends.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          return json(200, { messaging_product: 'whatsapp', contacts: [{ input: 'x', wa_id: 'x' }], messages: [{ id: `wamid.OUT${this.sends.length}` }] });
        }
        json(400, { error: { message: 'Unsupported request', type: 'GraphMethodException', code: 100 } });
      });
    });
  }
  static async start(): Promise<FakeGraph> {
    const g = new FakeGraph();
    await new Promise<void>((r) => g.server.listen(0, '127.0.0.1', () => r()));
    const a = g.server.address();
    g.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    return g;
  }
  static async signedPost(webhookURL: string, appSecret: string, payload: unknown) {
    const body = JSON.stringify(payload);
    const sig = 'sha256=' + createHmac('sha256', appSecret).update(body).digest('hex');
    return fetch(webhookURL, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sig }, body });
  }
  close() {
    return new Promise((r) => this.server.close(r));
  }
}
