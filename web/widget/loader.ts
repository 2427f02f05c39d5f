// The snippet's script: runs in the company's page, so it adds exactly one
// iframe and window.AtendeWidget, only inline styles, and trusts messages
// only from that iframe at the Atende origin.
import { isTrusted, isVisitorToken, parseToHost, type ToFrame } from './src/origin';

interface AtendeWidget {
  open(): void;
  close(): void;
  identify(id: { userId?: string; userHash?: string; name?: string; email?: string }): void;
}

declare global {
  interface Window {
    AtendeWidget?: AtendeWidget;
  }
}

(() => {
  if (window.AtendeWidget) return; // the snippet pasted twice
  const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-atende-key]');
  const d = script?.dataset;
  if (!script || !d?.atendeKey) return;
  const origin = new URL(script.src, location.href).origin;

  const frag = new URLSearchParams({ key: d.atendeKey, host: location.origin });
  const add = (k: string, v: string | undefined) => v && frag.set(k, v);
  add('uid', d.atendeUserId);
  add('uh', d.atendeUserHash);
  add('name', d.atendeName);
  add('email', d.atendeEmail);
  add('hl', document.documentElement.lang);
  // the visitor's session, kept first-party (see the atende:token message)
  const tokenKey = 'atende.widget.' + d.atendeKey;
  try {
    const kept = localStorage.getItem(tokenKey);
    if (isVisitorToken(kept)) frag.set('vt', kept);
  } catch {
    // storage blocked here too: the chat still works, without history across loads
  }

  const frame = document.createElement('iframe');
  frame.id = 'atende-widget-frame';
  frame.title = 'Chat';
  frame.allow = 'clipboard-write';
  // The key also goes in the query: the server needs it to answer the frame
  // with the channel's frame-ancestors policy. It is public (it is in the
  // snippet); the visitor's identity stays in the fragment, out of logs.
  frame.src = origin + '/widget/frame.html?key=' + encodeURIComponent(d.atendeKey) + '#' + frag.toString();

  let ready = false;
  let open = false;
  let side: 'left' | 'right' = 'right';
  let wasFull: boolean | null = null;
  const queue: ToFrame[] = [];
  const phone = matchMedia('(max-width: 480px)');

  const layout = () => {
    const full = open && phone.matches;
    const w = open ? 'min(400px, 100vw)' : '88px';
    const h = open ? 'min(640px, 100vh)' : '88px';
    // Every property inline and !important: the host page's own CSS
    // (iframe { opacity: .5 }, * { transform: … } !important) must not
    // reach the widget's frame.
    const css: [string, string][] = [
      ['position', 'fixed'],
      ['display', 'block'],
      ['border', '0'],
      ['margin', '0'],
      ['padding', '0'],
      ['background', 'transparent'],
      ['color-scheme', 'light'],
      ['z-index', '2147483000'],
      ['max-width', '100vw'],
      ['max-height', '100vh'],
      ['min-width', '0'],
      ['min-height', '0'],
      ['opacity', '1'],
      ['transform', 'none'],
      ['filter', 'none'],
      ['clip-path', 'none'],
      ['box-shadow', 'none'],
      ['pointer-events', 'auto'],
      ['visibility', ready ? 'visible' : 'hidden'],
    ];
    if (full) css.push(['inset', '0'], ['top', '0'], ['left', '0'], ['width', '100%'], ['height', '100%']);
    else css.push(['inset', 'auto'], ['bottom', '0'], [side, '0'], ['width', w], ['height', h]);
    frame.style.cssText = '';
    for (const [k, v] of css) frame.style.setProperty(k, v, 'important');
    if (ready && full !== wasFull && frame.contentWindow) {
      wasFull = full;
      frame.contentWindow.postMessage({ type: 'atende:layout', full } satisfies ToFrame, origin);
    }
  };

  const send = (m: ToFrame) => {
    if (ready && frame.contentWindow) frame.contentWindow.postMessage(m, origin);
    else queue.push(m);
  };

  window.addEventListener('message', (e) => {
    if (!isTrusted(e, origin, frame.contentWindow)) return;
    const m = parseToHost(e.data);
    if (!m) return;
    if (m.type === 'atende:token') {
      try {
        localStorage.setItem(tokenKey, m.token);
      } catch {
        // nothing to keep it in
      }
      return;
    }
    open = m.open;
    if (m.position) side = m.position;
    ready = true;
    layout();
    while (queue.length) send(queue.shift() as ToFrame);
  });
  phone.addEventListener('change', layout);
  layout();

  window.AtendeWidget = {
    open: () => send({ type: 'atende:open' }),
    close: () => send({ type: 'atende:close' }),
    identify: (id) => send({ ...id, type: 'atende:identify' }),
  };

  const mount = () => document.body.appendChild(frame);
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
