// The visitor's WebSocket: server → visitor events, reconnecting with
// jittered backoff. onOpen(true) after a reconnect tells the app to re-fetch
// the conversation, since events sent while disconnected are lost.
import type { Agent, Conversation } from './api';
import type { WidgetMessage } from './messages';
import { backoffDelay } from './timing';

export type Event =
  | { type: 'message.created' | 'message.updated'; message: WidgetMessage }
  | { type: 'typing'; agent?: { name?: string } }
  | { type: 'conversation.updated'; conversation: Conversation; agent?: Agent | null }
  | { type: 'agent'; agent: Agent | null }
  // the team read the conversation up to this time (Unix ms)
  | { type: 'read'; up_to: number };

export interface Handlers {
  onEvent(e: Event): void;
  onOpen(reconnected: boolean): void;
  onDown(): void;
}

// A connection must stay up this long before the backoff starts over, so a
// server that accepts and immediately drops is not hammered.
const STABLE_MS = 10000;

export function connect(url: () => string, h: Handlers): { close(): void } {
  let ws: WebSocket | null = null;
  let attempt = 0;
  let opened = false;
  let closed = false;
  let timer = 0;
  let stable = 0;

  const open = () => {
    if (closed) return;
    const sock = new WebSocket(url());
    ws = sock;
    sock.onopen = () => {
      h.onOpen(opened);
      opened = true;
      stable = window.setTimeout(() => (attempt = 0), STABLE_MS);
    };
    sock.onmessage = (m) => {
      let e: Event;
      try {
        e = JSON.parse(String(m.data)) as Event;
      } catch {
        return;
      }
      if (e && typeof e.type === 'string') h.onEvent(e);
    };
    sock.onclose = () => {
      window.clearTimeout(stable);
      if (ws !== sock || closed) return;
      ws = null;
      h.onDown();
      timer = window.setTimeout(open, backoffDelay(attempt++));
    };
  };
  open();

  return {
    close() {
      closed = true;
      window.clearTimeout(timer);
      window.clearTimeout(stable);
      ws?.close();
      ws = null;
    },
  };
}
