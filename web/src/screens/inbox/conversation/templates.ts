// WhatsApp message templates: the channel's approved templates
// (GET /api/v1/channels/{id}/templates), rendering a preview, and whether a
// conversation's 24-hour customer-service window is closed.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Message, type Schemas } from '../../../api/client';

export type MessageTemplate = Schemas['MessageTemplate'];
export type TemplateSend = Schemas['TemplateSend'];

/** WINDOW_MS is WhatsApp's customer-service window. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** useTemplates lists a WhatsApp channel's approved templates. */
export function useTemplates(channelId: number | undefined, enabled = true) {
  return useQuery({
    queryKey: ['channels', channelId ?? 0, 'templates'],
    queryFn: () => unwrap(api.GET('/api/v1/channels/{id}/templates', { params: { path: { id: channelId! } } })).then((r) => r.items),
    enabled: enabled && !!channelId,
    staleTime: 5 * 60_000,
  });
}

/** paramLabels names a template's parameters: their names, or 1, 2, 3… */
export function paramLabels(t: MessageTemplate): string[] {
  if (t.param_names.length > 0) return t.param_names;
  return Array.from({ length: t.param_count }, (_, i) => String(i + 1));
}

/** renderTemplate fills a template body's placeholders; empty values keep the placeholder. */
export function renderTemplate(t: Pick<MessageTemplate, 'body' | 'param_names'>, values: string[]): string {
  return t.body.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (m, key: string) => {
    let i = -1;
    if (t.param_names.length > 0) i = t.param_names.indexOf(key);
    else if (/^\d+$/.test(key)) i = Number(key) - 1;
    const v = i >= 0 ? values[i]?.trim() : '';
    return v ? v : m;
  });
}

/** templateReady reports whether every parameter has a value. */
export function templateReady(t: MessageTemplate | undefined, values: string[]): boolean {
  if (!t) return false;
  for (let i = 0; i < t.param_count; i++) if (!values[i]?.trim()) return false;
  return true;
}

/**
 * windowClosed reports whether a WhatsApp conversation's customer-service
 * window is closed: the newest customer message of the loaded timeline
 * (oldest first) is older than 24 hours, or there is none.
 */
export function windowClosed(messages: Pick<Message, 'direction' | 'created_at'>[], now: number): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].direction === 'in') return now - messages[i].created_at >= WINDOW_MS;
  }
  return true;
}

/** templateKey names one template (names repeat across languages). */
export function templateKey(t: Pick<MessageTemplate, 'name' | 'language'>): string {
  return `${t.name}:${t.language}`;
}
