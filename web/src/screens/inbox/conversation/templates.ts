// WhatsApp message templates: the channel's approved templates
// (GET /api/v1/channels/{id}/templates, synced from WhatsApp into the
// server's database; admins can sync now), rendering a preview, and whether a
// conversation's 24-hour customer-service window is closed.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Message, type Schemas } from '../../../api/client';

export type MessageTemplate = Schemas['MessageTemplate'];
export type TemplateSend = Schemas['TemplateSend'];
export type TemplateList = Schemas['MessageTemplateList'];

/** WINDOW_MS is WhatsApp's customer-service window. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

const templatesKey = (channelId: number | undefined) => ['channels', channelId ?? 0, 'templates'];

function templateListQuery(channelId: number | undefined, enabled: boolean) {
  return {
    queryKey: templatesKey(channelId),
    queryFn: () => unwrap(api.GET('/api/v1/channels/{id}/templates', { params: { path: { id: channelId! } } })),
    enabled: enabled && !!channelId,
    staleTime: 5 * 60_000,
  };
}

/** useTemplates lists a WhatsApp channel's approved templates. */
export function useTemplates(channelId: number | undefined, enabled = true) {
  return useQuery({ ...templateListQuery(channelId, enabled), select: (r: TemplateList) => r.items });
}

/** useTemplateSyncState tells when the channel's template list was last synced from WhatsApp, and why the latest sync failed. */
export function useTemplateSyncState(channelId: number | undefined) {
  return useQuery({
    ...templateListQuery(channelId, true),
    select: (r: TemplateList) => ({ syncedAt: r.synced_at, error: r.sync_error }),
  });
}

/** useSyncTemplates reads the channel's templates from WhatsApp now (admins only). */
export function useSyncTemplates(channelId: number | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/channels/{id}/templates/sync', { params: { path: { id: channelId! } } })),
    onSuccess: (r) => qc.setQueryData(templatesKey(channelId), r),
    // a failed sync recorded its reason on the stored list
    onError: () => qc.invalidateQueries({ queryKey: templatesKey(channelId) }),
  });
}

/** syncedAgo renders how long ago a list was synced: "5 minutes ago", "há 2 horas". */
export function syncedAgo(at: number, now: number, lang: string): string {
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const secs = Math.round((at - now) / 1000);
  if (Math.abs(secs) < 60) return rtf.format(0, 'second');
  const mins = Math.round(secs / 60);
  if (Math.abs(mins) < 60) return rtf.format(mins, 'minute');
  const hours = Math.round(mins / 60);
  if (Math.abs(hours) < 24) return rtf.format(hours, 'hour');
  return rtf.format(Math.round(hours / 24), 'day');
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

/** lastInboundAt is when the customer last wrote in a loaded timeline (oldest first), 0 when never. */
export function lastInboundAt(messages: Pick<Message, 'direction' | 'created_at'>[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].direction === 'in') return messages[i].created_at;
  }
  return 0;
}
