// Formatting helpers shared by the screens. They take the language and the
// clock as arguments so that tests are deterministic.

/** relativeTime renders a past time compactly for lists: "now", "5 min", "14:32", "12/03". */
export function listTime(at: number, now: number, lang: string, timeZone?: string): string {
  const diff = now - at;
  if (diff < 60_000) return lang === 'pt-BR' ? 'agora' : 'now';
  if (diff < 3_600_000) return `${Math.floor(diff / 60_000)} min`;
  const d = new Date(at);
  const n = new Date(now);
  const opts: Intl.DateTimeFormatOptions = { timeZone };
  const sameDay = new Intl.DateTimeFormat('en-CA', { ...opts, dateStyle: 'short' }).format(d) ===
    new Intl.DateTimeFormat('en-CA', { ...opts, dateStyle: 'short' }).format(n);
  if (sameDay) return new Intl.DateTimeFormat(lang, { ...opts, hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
  return new Intl.DateTimeFormat(lang, { ...opts, day: '2-digit', month: '2-digit' }).format(d);
}

/** dateTime renders a full timestamp in the workspace's time zone. */
export function dateTime(at: number, lang: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, { timeZone, dateStyle: 'short', timeStyle: 'short', hour12: false }).format(new Date(at));
}

/** fileSize renders bytes as "512 B", "1.5 KB", "3.2 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** initials of a name for avatars: "Ana Souza" → "AS", "joão" → "J". */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return '?';
  const first = parts[0][0] ?? '';
  const last = parts.length > 1 ? parts[parts.length - 1][0] ?? '' : '';
  return (first + last).toUpperCase();
}

/** titleWithUnread is the tab title with the unread count in front. */
export function titleWithUnread(base: string, unread: number): string {
  return unread > 0 ? `(${unread > 99 ? '99+' : unread}) ${base}` : base;
}
