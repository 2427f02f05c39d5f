// Quick replies ("frases prontas") on "/": detecting the trigger at the caret,
// filtering the saved replies and replacing "/query" with the chosen text.

export interface Trigger {
  /** index of the "/" in the text */
  start: number;
  /** what follows the "/" up to the caret */
  query: string;
}

/**
 * quickReplyTrigger finds a "/word" that ends at the caret and starts the
 * text or follows whitespace. "a/b" or a URL's slashes are no trigger.
 */
export function quickReplyTrigger(text: string, caret: number): Trigger | null {
  if (caret < 1 || caret > text.length) return null;
  let i = caret;
  while (i > 0 && !/\s/.test(text[i - 1])) i--;
  if (text[i] !== '/') return null;
  const query = text.slice(i + 1, caret);
  if (query.includes('/')) return null;
  return { start: i, query };
}

/** fold lower-cases and strips accents so "orcamento" finds "Orçamento". */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

interface QR {
  shortcut: string;
  content: string;
  title?: string;
}

/**
 * filterQuickReplies ranks shortcut prefix matches first, then shortcut or
 * title matches anywhere, then content matches.
 */
export function filterQuickReplies<T extends QR>(list: readonly T[], query: string, limit = 8): T[] {
  const q = fold(query.trim());
  const scored: [number, T][] = [];
  for (const r of list) {
    const sc = fold(r.shortcut);
    const title = fold(r.title ?? '');
    let score = -1;
    if (!q) score = 0;
    else if (sc.startsWith(q)) score = 0;
    else if (sc.includes(q) || title.includes(q)) score = 1;
    else if (fold(r.content).includes(q)) score = 2;
    if (score >= 0) scored.push([score, r]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].shortcut.localeCompare(b[1].shortcut));
  return scored.slice(0, limit).map(([, r]) => r);
}

/** applyQuickReply replaces the trigger ("/query" up to the caret) with content. */
export function applyQuickReply(text: string, trigger: Trigger, caret: number, content: string): { text: string; caret: number } {
  const next = text.slice(0, trigger.start) + content + text.slice(caret);
  return { text: next, caret: trigger.start + content.length };
}

/** insertAt puts s at the selection [from, to) and returns the new text and caret. */
export function insertAt(text: string, from: number, to: number, s: string): { text: string; caret: number } {
  return { text: text.slice(0, from) + s + text.slice(to), caret: from + s.length };
}
