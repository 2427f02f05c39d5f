// The postMessage protocol between the loader (host page) and the frame. Both
// sides accept a message only from the exact window they expect and, where it
// is known, its exact origin: any script on the host page can post messages.

export type ToHost =
  | { type: 'atende:resize'; open: boolean; position?: 'left' | 'right' }
  // token: the visitor's session, for the loader to keep in the host page's
  // own storage. Browsers that block third-party storage give the frame none,
  // and the history must survive a reload there too.
  | { type: 'atende:token'; token: string };

/** isVisitorToken checks the shape of a visitor session token. */
export function isVisitorToken(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 128 && /^atv_[A-Za-z0-9_-]+$/.test(v);
}
export type ToFrame =
  | { type: 'atende:open' }
  | { type: 'atende:close' }
  // full: the loader made the open frame cover the host's viewport (a phone).
  // The frame cannot tell by itself: its own width is 400px either way.
  | { type: 'atende:layout'; full: boolean }
  | { type: 'atende:identify'; userId?: string; userHash?: string; name?: string; email?: string };

interface Source {
  origin: string;
  source: unknown;
}

export function isTrusted(e: Source, origin: string, source: unknown): boolean {
  return !!origin && !!source && e.source === source && e.origin === origin;
}

export function parseToHost(data: unknown): ToHost | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (d.type === 'atende:token') return isVisitorToken(d.token) ? { type: 'atende:token', token: d.token } : null;
  if (d.type !== 'atende:resize' || typeof d.open !== 'boolean') return null;
  const position = d.position === 'left' ? 'left' : d.position === 'right' ? 'right' : undefined;
  return { type: 'atende:resize', open: d.open, position };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 512 ? v : undefined);

export function parseToFrame(data: unknown): ToFrame | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  switch (d.type) {
    case 'atende:open':
    case 'atende:close':
      return { type: d.type };
    case 'atende:layout':
      return typeof d.full === 'boolean' ? { type: 'atende:layout', full: d.full } : null;
    case 'atende:identify':
      return { type: 'atende:identify', userId: str(d.userId), userHash: str(d.userHash), name: str(d.name), email: str(d.email) };
  }
  return null;
}
