// RealtimeSocket keeps one WebSocket to /api/v1/ws open: it reconnects with
// capped, jittered backoff after a drop and tells its owner when it is back,
// so the owner can catch up on what it missed through the REST API.
import type { RealtimeEvent } from '../api/client';

export type SocketStatus = 'connecting' | 'open' | 'closed';

export interface SocketOptions {
  url?: string;
  onEvent: (e: RealtimeEvent) => void;
  onStatus?: (s: SocketStatus, reconnected: boolean) => void;
  /** WebSocket constructor, replaceable in tests. */
  WebSocketImpl?: typeof WebSocket;
}

/** backoffDelay is the wait before reconnect attempt n (0-based): 0.5 s doubling to 10 s, ±20 %. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class RealtimeSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private everOpened = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  status: SocketStatus = 'closed';

  constructor(private readonly opts: SocketOptions) {}

  start() {
    this.stopped = false;
    this.connect();
    window.addEventListener('online', this.kick);
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.kick);
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000, 'bye');
    this.ws = null;
  }

  /** sendTyping tells colleagues that the user is typing in a conversation. */
  sendTyping(conversationId: number) {
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: 'typing', conversation_id: conversationId }));
    }
  }

  // the browser says the network is back: retry now instead of waiting out the backoff
  private kick = () => {
    if (this.status === 'closed' && !this.stopped) {
      if (this.timer) clearTimeout(this.timer);
      this.attempt = 0;
      this.connect();
    }
  };

  private setStatus(s: SocketStatus, reconnected = false) {
    this.status = s;
    this.opts.onStatus?.(s, reconnected);
  }

  private connect() {
    const WS = this.opts.WebSocketImpl ?? WebSocket;
    const url = this.opts.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/ws`;
    this.setStatus('connecting');
    const ws = new WS(url);
    this.ws = ws;
    ws.onopen = () => {
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.setStatus('open', reconnected);
    };
    ws.onmessage = (m) => {
      try {
        this.opts.onEvent(JSON.parse(String(m.data)) as RealtimeEvent);
      } catch {
        // a frame we cannot read is skipped; the next refetch corrects the view
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setStatus('closed');
      if (this.stopped) return;
      this.timer = setTimeout(() => this.connect(), backoffDelay(this.attempt++));
    };
  }
}
