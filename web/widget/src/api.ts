// The visitor API (see notes/widget-api.md). Same origin as the frame, so
// plain fetch with a Bearer token; uploads use XMLHttpRequest for progress.
import type { Lang } from './i18n';
import type { Attachment, WidgetMessage } from './messages';
import type { PrechatField } from './validate';

export interface Config {
  name: string;
  color: string;
  position: 'right' | 'left';
  greeting: string;
  language: Lang;
  prechat: { enabled: boolean; fields: PrechatField[]; departments: { id: number; name: string }[] };
  online: boolean;
  offline_message: string;
  help: { enabled: boolean; workspace: string };
}

export interface Conversation {
  id: number;
  status: 'bot' | 'queued' | 'open' | 'snoozed' | 'resolved';
  rated: boolean;
  rating: null | { score: number; comment?: string };
}

export interface Agent {
  name: string;
  initials?: string;
  avatar_url?: string;
}

export interface Session {
  token: string;
  visitor: { name?: string; email?: string; phone?: string };
  identified: boolean;
}

export interface Identity {
  user_id?: string;
  user_hash?: string;
  name?: string;
  email?: string;
}

export interface HelpItem {
  title: string;
  snippet: string;
  url: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Upload {
  promise: Promise<Omit<Attachment, 'url'>>;
  abort(): void;
}

async function fail(r: Response): Promise<never> {
  let code = 'http_' + r.status;
  let message = r.statusText;
  try {
    const body = (await r.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  throw new ApiError(r.status, code, message);
}

export class Api {
  token = '';
  readonly base: string;

  constructor(
    readonly origin: string,
    readonly key: string,
  ) {
    this.base = origin + '/api/v1/widget/' + encodeURIComponent(key);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = 'Bearer ' + this.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) return fail(r);
    if (r.status === 204) return undefined as T;
    return (await r.json()) as T;
  }

  config(lang: Lang) {
    return this.call<Config>('GET', '/config?lang=' + lang);
  }
  session(body: Identity & { token?: string }) {
    return this.call<Session>('POST', '/sessions', body);
  }
  conversation() {
    return this.call<{ conversation: Conversation | null; agent: Agent | null; messages: WidgetMessage[] }>('GET', '/conversation');
  }
  // client_id makes a retried send idempotent on the server.
  send(body: { content: string; client_id: string; attachment_ids?: number[]; prechat?: Record<string, string | number> }) {
    return this.call<WidgetMessage>('POST', '/messages', body);
  }
  typing() {
    return this.call<void>('POST', '/typing');
  }
  read(upTo: number) {
    return this.call<void>('POST', '/read', { up_to: upTo });
  }
  offline(body: { name: string; email?: string; phone?: string; message: string }) {
    return this.call<unknown>('POST', '/offline', body);
  }
  rating(score: number, comment?: string) {
    return this.call<unknown>('POST', '/rating', comment ? { score, comment } : { score });
  }

  async help(workspace: string, q: string, lang: Lang): Promise<HelpItem[]> {
    const u = this.origin + '/api/v1/public/help/' + encodeURIComponent(workspace) + '/search?q=' + encodeURIComponent(q) + '&lang=' + lang;
    const r = await fetch(u);
    if (!r.ok) return fail(r);
    return ((await r.json()) as { items?: HelpItem[] }).items ?? [];
  }

  // file fetches an attachment with the visitor's token: an <img src> could
  // not send the Authorization header.
  async file(url: string): Promise<Blob> {
    const r = await fetch(new URL(url, this.origin).href, { headers: { Authorization: 'Bearer ' + this.token } });
    if (!r.ok) return fail(r);
    return r.blob();
  }

  upload(file: File, onProgress: (fraction: number) => void): Upload {
    const xhr = new XMLHttpRequest();
    const promise = new Promise<Omit<Attachment, 'url'>>((resolve, reject) => {
      xhr.open('POST', this.base + '/attachments');
      xhr.setRequestHeader('Authorization', 'Bearer ' + this.token);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      };
      xhr.onload = () => {
        let body: { error?: { code?: string; message?: string } } & Omit<Attachment, 'url'>;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          return reject(new ApiError(xhr.status, 'http_' + xhr.status, xhr.statusText));
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body);
        else reject(new ApiError(xhr.status, body.error?.code ?? 'http_' + xhr.status, body.error?.message ?? ''));
      };
      xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'));
      xhr.onabort = () => reject(new ApiError(0, 'aborted', 'aborted'));
      const form = new FormData();
      form.append('file', file);
      xhr.send(form);
    });
    return { promise, abort: () => xhr.abort() };
  }

  wsUrl(): string {
    return this.base.replace(/^http/, 'ws') + '/ws?token=' + encodeURIComponent(this.token);
  }
}
