// listTime and dateTime of src/lib/format.ts with their Intl formatters
// cached: building an Intl.DateTimeFormat costs far more than using one, and
// the list formats a time for every row that scrolls into view.
const cache = new Map<string, Intl.DateTimeFormat>();

function fmt(lang: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, opts);
    cache.set(key, f);
  }
  return f;
}

/** rowTime renders like listTime: "now", "5 min", "14:32" today, "12/03" before. */
export function rowTime(at: number, now: number, lang: string, timeZone?: string): string {
  const diff = now - at;
  if (diff < 60_000) return lang === 'pt-BR' ? 'agora' : 'now';
  if (diff < 3_600_000) return `${Math.floor(diff / 60_000)} min`;
  const day = fmt('en-CA', { timeZone, dateStyle: 'short' });
  if (day.format(at) === day.format(now)) return fmt(lang, { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(at);
  return fmt(lang, { timeZone, day: '2-digit', month: '2-digit' }).format(at);
}

/** fullTime renders like dateTime: a full timestamp in the workspace's time zone. */
export function fullTime(at: number, lang: string, timeZone?: string): string {
  return fmt(lang, { timeZone, dateStyle: 'short', timeStyle: 'short', hour12: false }).format(at);
}
