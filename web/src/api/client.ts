// The typed API client. Paths, bodies and answers are checked against
// schema.d.ts, generated from the server's OpenAPI document, so a server
// change that breaks the UI fails `tsc`.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Conversation = Schemas['Conversation'];
export type Message = Schemas['Message'];
export type User = Schemas['User'];
export type Workspace = Schemas['Workspace'];
export type Department = Schemas['Department'];
export type Label = Schemas['Label'];
export type QuickReply = Schemas['QuickReply'];
export type ClosingReason = Schemas['ClosingReason'];
export type Channel = Schemas['Channel'];
export type ChannelSummary = Schemas['ChannelSummary'];
export type Contact = Schemas['Contact'];
export type Counters = Schemas['Counters'];
export type Attachment = Schemas['Attachment'];
export type RealtimeEvent = Schemas['RealtimeEvent'];

/** ApiError carries the server's `{"error":{"code","message"}}` envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken = '';

/** setCsrfToken records the token the server gave with the session cookie. */
export function setCsrfToken(token: string | undefined) {
  csrfToken = token ?? '';
}

export function getCsrfToken() {
  return csrfToken;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken) {
      request.headers.set('X-CSRF-Token', csrfToken);
    }
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf);

type Result<T> = { data?: T; error?: unknown; response: Response };

/**
 * unwrap turns an openapi-fetch result into its data or a thrown ApiError, so
 * that TanStack Query sees failures and toasts can show the server's message.
 */
export async function unwrap<T>(p: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await p;
  if (!response.ok) {
    throw toApiError(response.status, error);
  }
  return data as T;
}

export function toApiError(status: number, body: unknown): ApiError {
  const env = body as { error?: { code?: string; message?: string } } | undefined;
  const code = env?.error?.code ?? (status === 0 ? 'network' : `http_${status}`);
  const message = env?.error?.message ?? (status === 0 ? 'network error' : `HTTP ${status}`);
  return new ApiError(status, code, message);
}

/**
 * upload sends a file with XMLHttpRequest, the one browser API that reports
 * upload progress, and resolves to the stored attachment.
 */
export function upload(file: Blob, filename: string, onProgress?: (fraction: number) => void): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/attachments');
    xhr.withCredentials = true;
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as Attachment);
      else reject(toApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(toApiError(0, undefined));
    const form = new FormData();
    form.append('file', file, filename);
    xhr.send(form);
  });
}
