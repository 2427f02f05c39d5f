// linkify splits message text into plain-text and link parts so the timeline
// can render customer text as React text nodes (never HTML) while still
// turning http(s) addresses into clickable links.

export type TextPart = { type: 'text'; text: string } | { type: 'link'; text: string; href: string };

const urlRe = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const trailing = /[.,;:!?'"…]+$/;

/** trimUrl drops punctuation that ends a sentence rather than the address, and an unbalanced ")" or "]". */
export function trimUrl(url: string): string {
  let u = url;
  for (;;) {
    const before = u;
    u = u.replace(trailing, '');
    for (const [open, close] of [
      ['(', ')'],
      ['[', ']'],
    ] as const) {
      if (u.endsWith(close) && u.split(close).length > u.split(open).length) u = u.slice(0, -1);
    }
    if (u === before) return u;
  }
}

export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(urlRe)) {
    const start = m.index ?? 0;
    const url = trimUrl(m[0]);
    if (!/^https?:\/\/[^/?#]+/i.test(url)) continue; // "http://" alone is no link
    if (start > last) parts.push({ type: 'text', text: text.slice(last, start) });
    parts.push({ type: 'link', text: url, href: url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ type: 'text', text: text.slice(last) });
  return parts;
}
