// The frame app: everything the visitor sees. It lives in an iframe served
// by Atende, so its CSS and globals cannot leak into the company's page, and
// it talks to the loader only through the checked messages of origin.ts.
import './widget.css';
import { Api, ApiError, type Agent, type Config, type Conversation, type HelpItem, type Identity } from './api';
import { type Key, type Lang, pickLang, translate } from './i18n';
import { clear, h, icon, initials, linkify, replace } from './dom';
import { addLocal, confirmLocal, failLocal, markReadUpTo, type Msg, replaceAll, upsert } from './messages';
import { connect, type Event as RtEvent } from './realtime';
import { shouldSendTyping } from './timing';
import { contrastRatio, normalizeColor, readableText } from './color';
import { type Errors, type Values, validateOffline, validatePrechat } from './validate';
import { isTrusted, isVisitorToken, parseToFrame, type ToHost } from './origin';
import { EMOJI } from './emoji';

const MAX_UPLOAD = 10 << 20;
const TYPING_SHOWN_MS = 6000;

// The fragment carries what the loader knows; it never reaches server logs.
const params = new URLSearchParams(location.hash.slice(1));
const KEY = params.get('key') ?? new URLSearchParams(location.search).get('key') ?? '';
const HOST = params.get('host') ?? '';
const opt = (k: string) => params.get(k) || undefined;
let identity: Identity = { user_id: opt('uid'), user_hash: opt('uh'), name: opt('name'), email: opt('email') };

const api = new Api(location.origin, KEY);
const storeKey = 'atende.widget.' + KEY;

// localStorage can be blocked in third-party frames: keep going in memory,
// starting from the session the loader kept in the host page's storage.
const mem = new Map<string, string>();
if (isVisitorToken(params.get('vt'))) mem.set(storeKey, params.get('vt')!);
function load(k: string): string | null {
  try {
    return localStorage.getItem(k);
  } catch {
    return mem.get(k) ?? null;
  }
}
function save(k: string, v: string): void {
  if (k === storeKey && isVisitorToken(v)) post({ type: 'atende:token', token: v });
  try {
    localStorage.setItem(k, v);
  } catch {
    mem.set(k, v);
  }
}

type View = 'home' | 'prechat' | 'chat' | 'offline' | 'offlineDone';

let lang: Lang = pickLang(navigator.language, params.get('hl'));
let cfg: Config;
let isOpen = false;
let view: View = 'home';
let msgs: Msg[] = [];
let conv: Conversation | null = null;
let agent: Agent | null = null;
let typingName: string | null = null;
let typingTimer = 0;
let unread = 0;
let lastRead = 0;
let lastTyping = 0;
let localSeq = 0;
let prechat: Values | null = null;
let prechatDone = false;
let rating: 'hidden' | 'ask' | 'thanks' = 'hidden';
let sessionP: Promise<void> | null = null;
let rt: { close(): void } | null = null;

const t = (k: Key, vars?: Record<string, string | number>) => translate(lang, k, vars);

function post(msg: ToHost): void {
  if (HOST && window.parent !== window) window.parent.postMessage(msg, HOST);
}

function errText(e: unknown): string {
  return e instanceof ApiError && e.status === 429 ? t('errRate') : t('errGeneric');
}

// ---- session --------------------------------------------------------------

// Sessions are created lazily (first message, upload, form) so that page
// views without a chat do not each create a visitor; a stored token or an
// identified customer restores the session at load.
function ensureSession(): Promise<void> {
  sessionP ??= createSession().catch((e) => {
    sessionP = null;
    throw e;
  });
  return sessionP;
}

async function createSession(): Promise<void> {
  const token = load(storeKey) ?? undefined;
  let s;
  try {
    s = await api.session({ token, ...identity });
  } catch (e) {
    // A wrong hash must not leave the visitor without a chat: go anonymous.
    if (!(e instanceof ApiError && e.code === 'identity_invalid')) throw e;
    identity = {};
    s = await api.session({ token });
  }
  api.token = s.token;
  save(storeKey, s.token);
  // What the visitor already typed in the pre-chat form wins over what the server knows.
  const typed = Object.fromEntries(Object.entries(prechat ?? {}).filter(([, v]) => v));
  prechat = { name: s.visitor.name || identity.name || '', email: s.visitor.email || identity.email || '', phone: s.visitor.phone || '', ...typed };
  rt?.close();
  rt = connect(() => api.wsUrl(), {
    onEvent,
    onOpen(again) {
      banner.hidden = true;
      if (again) void loadConversation();
    },
    onDown() {
      banner.hidden = false;
    },
  });
}

async function loadConversation(): Promise<void> {
  try {
    const r = await api.conversation();
    agent = r.agent;
    msgs = replaceAll(msgs, r.messages ?? []);
    setConv(r.conversation);
    if (msgs.length && view !== 'chat' && view !== 'offlineDone') setView('chat');
    renderHeader();
    renderMessages(true);
  } catch {
    // The history is a nicety; the chat still works without it.
  }
}

function setConv(c: Conversation | null): void {
  const changed = c?.id !== conv?.id;
  conv = c;
  if (changed && rating === 'thanks') rating = 'hidden';
  if (rating !== 'thanks') {
    const ask = !!c && c.status === 'resolved' && !c.rated && !load(storeKey + '.rated.' + c.id);
    rating = ask ? 'ask' : 'hidden';
  }
  renderRating();
}

function onEvent(e: RtEvent): void {
  switch (e.type) {
    case 'message.created':
    case 'message.updated': {
      const m = e.message;
      const isNew = !msgs.some((x) => !x.local && x.id === m.id);
      const bottom = nearBottom();
      msgs = upsert(msgs, m);
      if (isNew && m.sender !== 'visitor') {
        typingName = null;
        renderTyping();
        if (!isOpen || document.hidden) {
          unread++;
          renderLauncher();
        }
      }
      if (isNew && (view === 'home' || view === 'offlineDone')) setView('chat');
      renderMessages(bottom);
      break;
    }
    case 'typing':
      typingName = e.agent?.name || t('someone');
      clearTimeout(typingTimer);
      typingTimer = window.setTimeout(() => {
        typingName = null;
        renderTyping();
      }, TYPING_SHOWN_MS);
      renderTyping();
      break;
    case 'conversation.updated':
      setConv(e.conversation);
      if (e.agent !== undefined) {
        agent = e.agent;
        renderHeader();
      }
      break;
    case 'agent':
      agent = e.agent;
      renderHeader();
      break;
    case 'read':
      msgs = markReadUpTo(msgs, e.up_to);
      renderMessages();
      break;
  }
}

// ---- skeleton ------------------------------------------------------------

const root = h('div', { class: 'aw' });
const badge = h('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
const launcher = h(
  'button',
  { type: 'button', class: 'launcher', 'data-testid': 'widget-launcher', 'aria-expanded': 'false', 'aria-controls': 'aw-panel', onclick: () => setOpen(!isOpen) },
  icon('chat'),
  badge,
);
const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' });
const title = h('h1', { class: 'title' });
const dot = h('span', { class: 'dot', 'aria-hidden': 'true' });
const sub = h('span');
const closeBtn = h('button', { type: 'button', class: 'icon-btn', 'data-testid': 'widget-close', onclick: () => setOpen(false) }, icon('close'));
const banner = h('div', { class: 'banner', role: 'status', hidden: true });
const body = h('div', { class: 'body' });
const panel = h(
  'div',
  { class: 'panel', id: 'aw-panel', role: 'dialog', 'data-testid': 'widget-panel', tabindex: '-1', hidden: true },
  h('div', { class: 'head' }, avatar, h('div', { class: 'who' }, title, h('p', { class: 'sub' }, dot, sub)), closeBtn),
  banner,
  body,
);

// Chat section: built once and kept, so that message elements persist and
// the live region announces only what is new.
const list = h('div', { class: 'list', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: '0' });
const greetingEl = h('div', { class: 'msg them greet' }, h('div', { class: 'bubble' }));
const typingEl = h('div', { class: 'typing', 'data-testid': 'widget-typing', role: 'status', hidden: true });
const pill = h('button', { type: 'button', class: 'pill', hidden: true, onclick: () => scrollBottom() }, icon('down'));
const pillText = h('span');
pill.appendChild(pillText);
const ratingBox = h('div', { class: 'rating-box' });
const chips = h('div', { class: 'chips' });
const input = h('textarea', { class: 'input', id: 'aw-input', rows: 1, 'data-testid': 'widget-input' });
const inputLabel = h('label', { class: 'vh', for: 'aw-input' });
const fileInput = h('input', { type: 'file', multiple: true, hidden: true, tabindex: '-1', accept: 'image/*,application/pdf,.doc,.docx,.xls,.xlsx,.odt,.ods,.txt,.csv' });
const attachBtn = h('button', { type: 'button', class: 'icon-btn', onclick: () => fileInput.click() }, icon('clip'));
const emojiPop = h('div', { class: 'emoji-pop', id: 'aw-emoji', role: 'group', hidden: true });
const emojiBtn = h('button', { type: 'button', class: 'icon-btn', 'aria-expanded': 'false', 'aria-controls': 'aw-emoji', onclick: () => toggleEmoji() }, icon('smile'));
const sendBtn = h('button', { type: 'button', class: 'send', 'data-testid': 'widget-send', onclick: () => void submit() }, icon('send'));
const composerErr = h('p', { class: 'err', role: 'alert' });
const chatSection = h(
  'section',
  { class: 'chat', hidden: true },
  h('div', { class: 'list-wrap' }, list, pill),
  typingEl,
  ratingBox,
  h('div', { class: 'composer' }, composerErr, chips, emojiPop, h('div', { class: 'row' }, attachBtn, emojiBtn, inputLabel, input, sendBtn), fileInput),
);
const viewBox = h('div', { class: 'view' });
body.append(viewBox, chatSection);
list.appendChild(greetingEl);
for (const e of EMOJI) emojiPop.appendChild(h('button', { type: 'button', class: 'emoji', onclick: () => insertEmoji(e) }, e));

// ---- open / close --------------------------------------------------------

function setOpen(open: boolean): void {
  if (open === isOpen) return;
  isOpen = open;
  if (!open) root.classList.remove('full');
  launcher.setAttribute('aria-expanded', String(open));
  root.classList.toggle('open', open);
  if (open) {
    post({ type: 'atende:resize', open, position: cfg.position });
    panel.hidden = false;
    unread = 0;
    renderLauncher();
    renderView();
    focusView();
    scrollBottom();
    markRead();
  } else {
    // Focus goes back to the launcher only if the visitor was in the frame:
    // close() may come from the host page, whose focus must stay put.
    const inside = document.hasFocus();
    toggleEmoji(false);
    panel.hidden = true;
    post({ type: 'atende:resize', open, position: cfg.position });
    if (inside) launcher.focus();
  }
}

// On phones, focusing a field would pop the keyboard over the conversation
// the visitor just opened: there the dialog itself takes focus.
const coarse = matchMedia('(pointer: coarse)');

function focusView(): void {
  const target = coarse.matches
    ? null
    : view === 'chat'
      ? input
      : viewBox.querySelector<HTMLElement>('input:not([type=hidden]),select,textarea,button');
  (target ?? panel).focus();
}

function setView(v: View): void {
  view = v;
  if (isOpen) renderView();
}

// startChat is where "Talk to us" leads: the offline form when nobody can
// answer, the pre-chat form when configured, else straight to the chat.
function startChat(): void {
  setView(nextView());
  focusView();
}

function nextView(): View {
  const history = msgs.length > 0;
  if (!history && !cfg.online) return 'offline';
  if (!history && cfg.prechat.enabled && !prechatDone && !prechatSatisfied()) return 'prechat';
  return 'chat';
}

function prechatSatisfied(): boolean {
  const v: Values = { ...prechat, name: prechat?.name || identity.name || '', email: prechat?.email || identity.email || '' };
  const needDept = cfg.prechat.departments.length > 0;
  return Object.keys(validatePrechat(cfg.prechat.fields, v, needDept)).length === 0 && cfg.prechat.fields.some((f) => v[f.name]);
}

// ---- rendering -----------------------------------------------------------

function renderLauncher(): void {
  launcher.setAttribute('aria-label', (isOpen ? t('closeChat') : t('openChat')) + (unread ? ' — ' + t('unread', { n: unread }) : ''));
  badge.textContent = String(unread > 9 ? '9+' : unread);
  badge.hidden = unread === 0;
}

function renderHeader(): void {
  const online = cfg.online || !!agent;
  avatar.textContent = agent ? agent.initials || initials(agent.name) : initials(cfg.name);
  title.textContent = cfg.name;
  dot.className = 'dot ' + (online ? 'on' : 'off');
  sub.textContent = agent ? t('helping', { name: agent.name }) : online ? t('online') : t('offline');
  panel.setAttribute('aria-label', t('dialog', { name: cfg.name }));
  closeBtn.setAttribute('aria-label', t('close'));
}

// shown is the view whose DOM is in place: reopening the panel must not
// wipe a half-typed search or form.
let shown: View | null = null;

function renderView(): void {
  chatSection.hidden = view !== 'chat';
  viewBox.hidden = view === 'chat';
  if (shown === view) return;
  shown = view;
  if (view === 'home') replace(viewBox, homeView());
  else if (view === 'prechat') replace(viewBox, prechatView());
  else if (view === 'offline') replace(viewBox, offlineView());
  else if (view === 'offlineDone') replace(viewBox, h('p', { class: 'thanks', role: 'status', 'data-testid': 'widget-offline-thanks' }, t('offlineThanks')));
  else clear(viewBox);
}

function greeting(): string {
  return cfg.greeting || t('greeting');
}

function homeView(): HTMLElement {
  const box = h('div', { class: 'home' }, h('p', { class: 'greeting' }, greeting()));
  if (cfg.help.enabled) box.appendChild(helpSearch());
  box.appendChild(h('button', { type: 'button', class: 'primary', onclick: startChat }, t('talkToUs')));
  return box;
}

function helpSearch(): HTMLElement {
  const results = h('ul', { class: 'results' });
  const status = h('p', { class: 'hint', role: 'status' });
  const ask = h('div', { class: 'ask', hidden: true });
  const field = h('input', {
    type: 'search',
    id: 'aw-help',
    class: 'field',
    autocomplete: 'off',
    placeholder: t('searchPlaceholder'),
    'data-testid': 'widget-help-search',
  });
  let timer = 0;
  let seq = 0;
  const run = async () => {
    const q = field.value.trim();
    const mine = ++seq;
    if (!q) {
      clear(results);
      status.textContent = '';
      ask.hidden = true;
      return;
    }
    status.textContent = t('searching');
    let items: HelpItem[] = [];
    try {
      items = await api.help(cfg.help.workspace, q, lang);
    } catch {
      items = [];
    }
    if (mine !== seq) return; // a newer query is on its way
    replace(
      results,
      ...items.map((it) =>
        h(
          'li',
          null,
          h('a', { href: safeUrl(it.url), target: '_blank', rel: 'noopener', 'data-testid': 'widget-help-result' }, h('strong', null, it.title), h('span', null, it.snippet)),
        ),
      ),
    );
    status.textContent = items.length ? '' : t('noResults');
    ask.hidden = false;
  };
  field.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => void run(), 300);
  });
  field.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(timer);
      void run();
    }
  });
  replace(
    ask,
    h('p', null, t('helpAsk')),
    h('div', { class: 'ask-row' },
      h('button', { type: 'button', class: 'secondary', onclick: () => replace(ask, h('p', { role: 'status' }, t('helpThanks'))) }, t('yes')),
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'widget-help-no', onclick: startChat }, t('noTalk')),
    ),
  );
  return h('div', { class: 'help' }, h('label', { for: 'aw-help', class: 'label' }, t('searchLabel')), field, status, results, ask);
}

function safeUrl(u: string): string {
  try {
    const url = new URL(u, location.origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : '#';
  } catch {
    return '#';
  }
}

// field builds a labelled control with its error slot wired for screen readers.
function field(name: string, label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, required: boolean) {
  const id = 'aw-f-' + name;
  control.id = id;
  control.name = name;
  if (required) control.required = true;
  const err = h('p', { class: 'err', id: id + '-err' });
  control.setAttribute('aria-describedby', err.id);
  const wrap = h('div', { class: 'f' }, h('label', { for: id, class: 'label' }, label, required ? ' *' : ' ' + t('optional')), control, err);
  return { wrap, control, err };
}

type Fields = Record<string, ReturnType<typeof field>>;

function showErrors(fs: Fields, errs: Errors): boolean {
  let first: HTMLElement | null = null;
  for (const k in fs) {
    const e = errs[k as keyof Errors];
    fs[k].err.textContent = e ? t(e) : '';
    if (e) {
      fs[k].control.setAttribute('aria-invalid', 'true');
      first ??= fs[k].control;
    } else fs[k].control.removeAttribute('aria-invalid');
  }
  first?.focus();
  return !first;
}

function values(fs: Fields): Values {
  const v: Values = {};
  for (const k in fs) v[k as keyof Values] = fs[k].control.value.trim();
  return v;
}

function prechatView(): HTMLElement {
  const fs: Fields = {};
  const pre = prechat ?? {};
  for (const f of cfg.prechat.fields) {
    const c = h('input', {
      type: f.name === 'email' ? 'email' : f.name === 'phone' ? 'tel' : 'text',
      class: 'field',
      autocomplete: f.name === 'email' ? 'email' : f.name === 'phone' ? 'tel' : 'name',
      'data-testid': 'widget-prechat-' + f.name,
      value: pre[f.name] || (f.name === 'name' ? identity.name : f.name === 'email' ? identity.email : '') || '',
    });
    fs[f.name] = field(f.name, t(f.name), c, f.required);
  }
  const depts = cfg.prechat.departments;
  if (depts.length) {
    const sel = h('select', { class: 'field', 'data-testid': 'widget-prechat-department' }, h('option', { value: '' }, t('choose')));
    for (const d of depts) sel.appendChild(h('option', { value: String(d.id) }, d.name));
    fs.department_id = field('department_id', t('department'), sel, true);
  }
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'data-testid': 'widget-prechat' },
    h('p', null, t('prechatTitle')),
    ...Object.values(fs).map((f) => f.wrap),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'widget-prechat-submit' }, t('startChat')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = values(fs);
    if (!showErrors(fs, validatePrechat(cfg.prechat.fields, v, depts.length > 0))) return;
    prechat = { ...prechat, ...v };
    prechatDone = true;
    setView('chat');
    input.focus();
  });
  return form;
}

function offlineView(): HTMLElement {
  const fs: Fields = {
    name: field('name', t('name'), h('input', { type: 'text', class: 'field', autocomplete: 'name', 'data-testid': 'widget-offline-name', value: prechat?.name || identity.name || '' }), true),
    email: field('email', t('email'), h('input', { type: 'email', class: 'field', autocomplete: 'email', 'data-testid': 'widget-offline-email', value: prechat?.email || identity.email || '' }), false),
    phone: field('phone', t('phone'), h('input', { type: 'tel', class: 'field', autocomplete: 'tel', 'data-testid': 'widget-offline-phone' }), false),
    message: field('message', t('messageLabel'), h('textarea', { class: 'field', rows: 4, 'data-testid': 'widget-offline-message' }), true),
  };
  const formErr = h('p', { class: 'err', role: 'alert' });
  const submitBtn = h('button', { type: 'submit', class: 'primary', 'data-testid': 'widget-offline-submit' }, t('offlineSend'));
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'data-testid': 'widget-offline-form' },
    h('p', null, cfg.offline_message || t('offlineTitle')),
    ...Object.values(fs).map((f) => f.wrap),
    formErr,
    submitBtn,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const v = values(fs);
    if (!showErrors(fs, validateOffline(v))) return;
    submitBtn.disabled = true;
    formErr.textContent = '';
    try {
      await ensureSession();
      await api.offline({ name: v.name ?? '', email: v.email || undefined, phone: v.phone || undefined, message: v.message ?? '' });
      setView('offlineDone');
      panel.focus();
    } catch (err) {
      formErr.textContent = errText(err);
      submitBtn.disabled = false;
    }
  });
  return form;
}

// ---- messages --------------------------------------------------------------

interface Row {
  el: HTMLElement;
  sig: string;
  meta: HTMLElement;
}
const rows = new Map<string, Row>();
const blobs = new Map<number, Promise<string>>();

function nearBottom(): boolean {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 60;
}

function scrollBottom(): void {
  list.scrollTop = list.scrollHeight;
  pill.hidden = true;
}

function time(ms: number): string {
  return new Date(ms).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
}

function blobUrl(id: number, url: string): Promise<string> {
  let p = blobs.get(id);
  if (!p) {
    p = api.file(url).then((b) => URL.createObjectURL(b));
    p.catch(() => blobs.delete(id));
    blobs.set(id, p);
  }
  return p;
}

function attachmentEl(a: Msg['attachments'][number]): HTMLElement {
  const local = a.url.startsWith('blob:');
  if (a.content_type.startsWith('image/') && (local || a.url)) {
    const img = h('img', { class: 'att-img', alt: a.filename, loading: 'lazy' });
    if (local) img.src = a.url;
    else blobUrl(a.id, a.url).then((u) => (img.src = u), () => img.replaceWith(fileChip(a)));
    return img;
  }
  return fileChip(a);
}

function fileChip(a: Msg['attachments'][number]): HTMLElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'file',
      'aria-label': t('download', { name: a.filename }),
      disabled: !a.url,
      onclick: async () => {
        const u = a.url.startsWith('blob:') ? a.url : await blobUrl(a.id, a.url).catch(() => '');
        if (!u) return;
        const link = h('a', { href: u, download: a.filename });
        link.click();
      },
    },
    icon('file'),
    h('span', null, a.filename),
  );
}

function ticks(m: Msg): HTMLElement {
  const meta = h('div', { class: 'meta' }, time(m.created_at));
  if (m.sender === 'visitor') {
    const mark = { none: '', pending: '◷', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' }[m.status];
    if (mark) meta.append(' ', h('span', { class: 'tick ' + m.status, 'aria-hidden': 'true' }, mark), h('span', { class: 'vh' }, t(m.status as Key)));
    if (m.status === 'failed' && m.local)
      meta.append(' ', h('button', { type: 'button', class: 'link', onclick: () => void deliver(m.key) }, t('retry')));
  }
  return meta;
}

// choicesEl offers a bot menu's options as buttons: a tap sends the
// option as the visitor's answer, as if typed.
function choicesEl(choices: string[]): HTMLElement {
  return h(
    'div',
    { class: 'choices', role: 'group', 'aria-label': t('choices') },
    ...choices.map((c) =>
      h('button', {
        type: 'button',
        class: 'choice',
        'data-testid': 'widget-choice',
        onclick: () => {
          input.value = c;
          void submit();
        },
      }, c),
    ),
  );
}

function messageEl(m: Msg, latest = false): Row {
  const mine = m.sender === 'visitor';
  const who = mine ? t('you') : m.sender === 'bot' ? t('bot') : m.agent_name || agent?.name || t('agent');
  const bubble = h('div', { class: 'bubble' });
  if (m.content) bubble.append(...linkify(m.content));
  const atts = m.attachments.map(attachmentEl);
  const meta = ticks(m);
  const offer = latest && !mine && !!m.choices?.length;
  const el = h(
    'div',
    { class: 'msg ' + (mine ? 'me' : 'them'), 'data-testid': 'widget-message', 'data-direction': m.direction, 'data-sender': m.sender, 'data-status': m.status },
    h('div', { class: mine ? 'vh' : 'name' }, who),
    m.content ? bubble : null,
    atts.length ? h('div', { class: 'atts' }, ...atts) : null,
    offer ? choicesEl(m.choices ?? []) : null,
    meta,
  );
  return { el, meta, sig: m.content + '|' + m.attachments.map((a) => a.id + a.url).join() + '|' + who + (offer ? '|choices' : '') };
}

// renderMessages updates the list by key: new messages are inserted, a
// status change only rewrites the ticks, so the log announces each message once.
function renderMessages(stick = false): void {
  const keep = new Set<string>();
  let prev: Element = greetingEl;
  let added = false;
  const latest = msgs[msgs.length - 1];
  for (const m of msgs) {
    keep.add(m.key);
    let row = rows.get(m.key);
    const next = messageEl(m, m === latest);
    if (!row || row.sig !== next.sig) {
      if (row) row.el.replaceWith(next.el);
      else added = true;
      row = next;
      rows.set(m.key, row);
    } else if (row.el.getAttribute('data-status') !== m.status) {
      row.el.setAttribute('data-status', m.status);
      row.meta.replaceWith(next.meta);
      row.meta = next.meta;
    }
    if (prev.nextElementSibling !== row.el) prev.after(row.el);
    prev = row.el;
  }
  for (const [k, row] of rows)
    if (!keep.has(k)) {
      row.el.remove();
      rows.delete(k);
    }
  if (stick) scrollBottom();
  else if (added && !nearBottom()) pill.hidden = false;
  markRead();
}

function renderTyping(): void {
  typingEl.hidden = !typingName;
  typingEl.textContent = typingName ? t('typing', { name: typingName }) : '';
}

// markRead acknowledges the newest team message the visitor can actually see.
function markRead(): void {
  if (!isOpen || document.hidden || view !== 'chat' || !api.token) return;
  const bottom = list.scrollTop + list.clientHeight;
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i];
    if (m.local || m.sender === 'visitor') continue;
    const el = rows.get(m.key)?.el;
    if (!el || el.offsetTop > bottom) continue;
    if (m.id > lastRead) {
      lastRead = m.id;
      api.read(m.id).catch(() => (lastRead = 0));
    }
    return;
  }
}

// ---- composer ---------------------------------------------------------------

// One client id per local message, reused by its retries.
const clientIds = new Map<string, string>();
function newClientId(key: string): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  const id = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  clientIds.set(key, id);
  return id;
}

interface Pending {
  file: File;
  preview: string;
  id?: number;
  progress: number;
  failed?: boolean;
  abort?: () => void;
  el: HTMLElement;
}
let pending: Pending[] = [];

function autogrow(): void {
  input.style.height = 'auto';
  input.style.height = Math.min(input.scrollHeight, 140) + 'px';
}

function updateSend(): void {
  const busy = pending.some((p) => p.id === undefined && !p.failed);
  const empty = !input.value.trim() && !pending.some((p) => p.id !== undefined);
  sendBtn.disabled = busy || empty;
}

function toggleEmoji(show = emojiPop.hidden): void {
  emojiPop.hidden = !show;
  emojiBtn.setAttribute('aria-expanded', String(show));
  if (show) emojiPop.querySelector('button')?.focus();
}

function insertEmoji(e: string): void {
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  input.setRangeText(e, start, end, 'end');
  toggleEmoji(false);
  input.focus();
  autogrow();
  updateSend();
}

function renderChip(p: Pending): void {
  const label =
    p.failed ? t('uploadFailed', { name: p.file.name }) : p.id === undefined ? t('uploading', { pct: Math.round(p.progress * 100) }) : p.file.name;
  replace(
    p.el,
    p.preview ? h('img', { src: p.preview, alt: '' }) : icon('file'),
    h('span', { class: 'chip-name' }, p.file.name),
    p.id === undefined && !p.failed ? h('progress', { max: 100, value: Math.round(p.progress * 100), 'aria-label': label }) : null,
    p.failed ? h('span', { class: 'err' }, label) : null,
    h('button', { type: 'button', class: 'icon-btn sm', 'aria-label': t('remove', { name: p.file.name }), onclick: () => removeChip(p) }, icon('close')),
  );
  p.el.classList.toggle('failed', !!p.failed);
}

function removeChip(p: Pending): void {
  p.abort?.();
  p.el.remove();
  pending = pending.filter((x) => x !== p);
  updateSend();
  input.focus();
}

async function addFiles(files: FileList): Promise<void> {
  composerErr.textContent = '';
  const fresh: Pending[] = [];
  for (const file of Array.from(files)) {
    if (file.size > MAX_UPLOAD) {
      composerErr.textContent = t('tooBig', { name: file.name });
      continue;
    }
    const p: Pending = { file, preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : '', progress: 0, el: h('div', { class: 'chip' }) };
    pending.push(p);
    fresh.push(p);
    chips.appendChild(p.el);
    renderChip(p);
  }
  updateSend();
  if (!fresh.length) return;
  try {
    await ensureSession();
  } catch (e) {
    for (const p of fresh) {
      p.failed = true;
      renderChip(p);
    }
    composerErr.textContent = errText(e);
    return updateSend();
  }
  for (const p of fresh) {
    if (!pending.includes(p)) continue;
    const up = api.upload(p.file, (f) => {
      p.progress = f;
      renderChip(p);
    });
    p.abort = up.abort;
    up.promise.then(
      (a) => {
        p.id = a.id;
        p.abort = undefined;
        renderChip(p);
        updateSend();
      },
      () => {
        p.failed = true;
        renderChip(p);
        updateSend();
      },
    );
  }
}

async function submit(): Promise<void> {
  const content = input.value.trim();
  const ready = pending.filter((p) => p.id !== undefined);
  if (sendBtn.disabled || (!content && !ready.length)) return;
  const n = ++localSeq;
  const m: Msg = {
    id: -n,
    key: 'l' + n,
    local: true,
    direction: 'in',
    sender: 'visitor',
    content,
    attachments: ready.map((p) => ({ id: p.id ?? 0, filename: p.file.name, content_type: p.file.type, size: p.file.size, url: p.preview })),
    status: 'pending',
    created_at: Date.now(),
  };
  input.value = '';
  for (const p of pending) if (p.id !== undefined) p.el.remove();
  pending = pending.filter((p) => p.id === undefined);
  autogrow();
  updateSend();
  composerErr.textContent = '';
  msgs = addLocal(msgs, m);
  renderMessages(true);
  await deliver(m.key);
}

async function deliver(key: string): Promise<void> {
  const m = msgs.find((x) => x.key === key);
  if (!m) return;
  if (m.status === 'failed') {
    msgs = msgs.map((x) => (x.key === key ? { ...x, status: 'pending' } : x));
    renderMessages();
  }
  try {
    await ensureSession();
    const body: Parameters<Api['send']>[0] = { content: m.content, client_id: clientIds.get(key) ?? newClientId(key) };
    if (m.attachments.length) body.attachment_ids = m.attachments.map((a) => a.id);
    const first = prechatDone && !conv;
    if (first && prechat) {
      const pc: Record<string, string | number> = {};
      for (const k of ['name', 'email', 'phone'] as const) if (prechat[k]) pc[k] = prechat[k];
      if (prechat.department_id) pc.department_id = Number(prechat.department_id);
      body.prechat = pc;
    }
    const saved = await api.send(body);
    msgs = confirmLocal(msgs, key, saved);
    // The first message opened a conversation: learn its id and status.
    if (!conv) void loadConversation();
  } catch (e) {
    msgs = failLocal(msgs, key);
    composerErr.textContent = errText(e);
  }
  renderMessages();
}

function onTyping(): void {
  autogrow();
  updateSend();
  const now = Date.now();
  if (api.token && input.value.trim() && shouldSendTyping(now, lastTyping)) {
    lastTyping = now;
    api.typing().catch(() => {});
  }
}

// ---- rating -----------------------------------------------------------------

function renderRating(): void {
  if (rating === 'hidden' || !conv) return clear(ratingBox);
  if (rating === 'thanks') return replace(ratingBox, h('p', { class: 'thanks', role: 'status', tabindex: '-1', 'data-testid': 'widget-rating-thanks' }, t('rateThanks')));
  if (ratingBox.querySelector('form')) return;
  const convId = conv.id;
  const stars: HTMLInputElement[] = [];
  const paint = () => {
    const v = Number(stars.find((s) => s.checked)?.value ?? 0);
    stars.forEach((s, i) => s.classList.toggle('on', i < v));
  };
  for (let n = 1; n <= 5; n++) {
    const s = h('input', { type: 'radio', name: 'score', value: n, class: 'star', 'aria-label': t('star', { n }), 'data-testid': 'widget-rating-star-' + n });
    s.addEventListener('change', paint);
    stars.push(s);
  }
  const comment = h('textarea', { id: 'aw-rate-comment', class: 'field', rows: 2, 'data-testid': 'widget-rating-comment' });
  const err = h('p', { class: 'err', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'primary', 'data-testid': 'widget-rating-submit' }, t('rateSubmit'));
  const form = h(
    'form',
    { class: 'rating', 'data-testid': 'widget-rating', novalidate: true },
    h('fieldset', null, h('legend', null, t('rateTitle')), h('div', { class: 'stars' }, ...stars)),
    h('label', { for: 'aw-rate-comment', class: 'label' }, t('comment')),
    comment,
    err,
    btn,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const score = Number(stars.find((s) => s.checked)?.value ?? 0);
    if (!score) {
      err.textContent = t('rateChoose');
      stars[0].focus();
      return;
    }
    btn.disabled = true;
    try {
      await api.rating(score, comment.value.trim() || undefined);
      save(storeKey + '.rated.' + convId, '1');
      rating = 'thanks';
      renderRating();
      // The form (and the focused button) is gone: keep focus on what replaced it.
      ratingBox.querySelector<HTMLElement>('.thanks')?.focus();
    } catch (x) {
      // 409-like answers mean it was rated elsewhere: do not ask again.
      if (x instanceof ApiError && x.status >= 400 && x.status < 500 && x.status !== 429) {
        save(storeKey + '.rated.' + convId, '1');
        rating = 'hidden';
        return renderRating();
      }
      err.textContent = errText(x);
      btn.disabled = false;
    }
  });
  replace(ratingBox, form);
}

// ---- wiring -------------------------------------------------------------------

function theme(): void {
  const c = normalizeColor(cfg.color);
  const s = root.style;
  s.setProperty('--c', c);
  s.setProperty('--on-c', readableText(c));
  // Brand colour for text and focus rings on white only where it stays readable.
  s.setProperty('--accent', contrastRatio(c, '#ffffff') >= 4.5 ? c : '#1f2937');
  root.classList.add(cfg.position === 'left' ? 'left' : 'right');
}

function applyLang(): void {
  document.documentElement.lang = lang;
  (greetingEl.firstChild as HTMLElement).textContent = greeting();
  inputLabel.textContent = t('messageLabel');
  input.placeholder = t('placeholder');
  sendBtn.setAttribute('aria-label', t('send'));
  attachBtn.setAttribute('aria-label', t('attach'));
  emojiBtn.setAttribute('aria-label', t('emoji'));
  emojiPop.setAttribute('aria-label', t('emojiList'));
  list.setAttribute('aria-label', t('dialog', { name: cfg.name }));
  pillText.textContent = t('newMessages');
  banner.textContent = t('reconnecting');
}

function wire(): void {
  input.addEventListener('input', onTyping);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void submit();
    }
  });
  fileInput.addEventListener('change', () => {
    if (fileInput.files?.length) void addFiles(fileInput.files);
    fileInput.value = '';
  });
  list.addEventListener('scroll', () => {
    if (nearBottom()) pill.hidden = true;
    markRead();
  });
  document.addEventListener('visibilitychange', markRead);
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !isOpen) return;
    if (!emojiPop.hidden) {
      toggleEmoji(false);
      emojiBtn.focus();
    } else setOpen(false);
  });
  window.addEventListener('message', (e) => {
    if (!isTrusted(e, HOST, window.parent)) return;
    const m = parseToFrame(e.data);
    if (!m) return;
    if (m.type === 'atende:open') setOpen(true);
    else if (m.type === 'atende:close') setOpen(false);
    else if (m.type === 'atende:layout') root.classList.toggle('full', m.full);
    else {
      identity = { user_id: m.userId, user_hash: m.userHash, name: m.name, email: m.email };
      if (api.token || identity.user_id) {
        sessionP = null;
        void ensureSession().then(loadConversation, () => {});
      }
    }
  });
}

async function boot(): Promise<void> {
  if (!KEY) return;
  try {
    cfg = await api.config(lang);
  } catch {
    return; // No config, no widget: the loader keeps the frame hidden.
  }
  cfg.prechat ??= { enabled: false, fields: [], departments: [] };
  cfg.prechat.fields ??= [];
  cfg.prechat.departments ??= [];
  cfg.help ??= { enabled: false, workspace: '' };
  lang = pickLang(cfg.language, lang);
  theme();
  applyLang();
  renderHeader();
  renderLauncher();
  root.append(panel, launcher);
  document.body.appendChild(root);
  wire();
  updateSend();
  view = cfg.help.enabled ? 'home' : nextView();
  post({ type: 'atende:resize', open: false, position: cfg.position });
  if (load(storeKey) || identity.user_id) {
    try {
      await ensureSession();
      await loadConversation();
    } catch {
      // Retried on the visitor's first action.
    }
  }
}

void boot();
