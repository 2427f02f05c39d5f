// Help-centre article links in the composer: the public address of an
// article, the text put in the message, and which language to look in first.

export type HelpLanguage = 'pt-BR' | 'en';
export const helpLanguages: readonly HelpLanguage[] = ['pt-BR', 'en'];

/**
 * helpLanguageOf maps a language tag ("pt", "pt_BR", "en-US"…) onto a
 * help-centre language, or null for anything the help centre is not written in.
 */
export function helpLanguageOf(tag: unknown): HelpLanguage | null {
  if (typeof tag !== 'string') return null;
  const t = tag.trim().toLowerCase();
  // "pt" alone or followed by a region; "ptx" is no Portuguese
  if (/^pt(?:$|[-_])/.test(t)) return 'pt-BR';
  if (/^en(?:$|[-_])/.test(t)) return 'en';
  return null;
}

// Contacts have no language field; the widget, imports or the API may leave
// one among the free-form attributes under any of these names.
const contactLanguageKeys = ['language', 'lang', 'locale', 'idioma'];

/** contactHelpLanguage is the language a contact's attributes say they speak, if any. */
export function contactHelpLanguage(attributes: Record<string, unknown> | undefined | null): HelpLanguage | null {
  if (!attributes) return null;
  for (const k of contactLanguageKeys) {
    const l = helpLanguageOf(attributes[k]);
    if (l) return l;
  }
  return null;
}

/** preferredHelpLanguage: the contact's language when known, else the agent's UI language. */
export function preferredHelpLanguage(attributes: Record<string, unknown> | undefined | null, uiLanguage: string): HelpLanguage {
  return contactHelpLanguage(attributes) ?? helpLanguageOf(uiLanguage) ?? 'en';
}

/**
 * helpArticleURL is the public page of an article. The language goes in the
 * query because a slug is unique only within one language: without it the
 * customer's browser language would choose, and could find nothing.
 */
export function helpArticleURL(origin: string, workspaceSlug: string, article: { slug: string; language: string }): string {
  const base = origin.replace(/\/+$/, '');
  return `${base}/help/${encodeURIComponent(workspaceSlug)}/${encodeURIComponent(article.slug)}?lang=${encodeURIComponent(article.language)}`;
}

/** helpArticleLink is the text put into the message: "<title>: <URL>". */
export function helpArticleLink(origin: string, workspaceSlug: string, article: { title: string; slug: string; language: string }): string {
  const title = article.title.replace(/\s+/g, ' ').trim();
  const url = helpArticleURL(origin, workspaceSlug, article);
  return title ? `${title}: ${url}` : url;
}

/**
 * insertLink puts link at the selection [from, to) with a space on either
 * side where it would otherwise touch a word (a URL glued to the next word
 * would break it), and returns the new text and the caret after the link.
 */
export function insertLink(text: string, from: number, to: number, link: string): { text: string; caret: number } {
  const a = Math.max(0, Math.min(from, text.length));
  const b = Math.max(a, Math.min(to, text.length));
  const before = text.slice(0, a);
  const after = text.slice(b);
  const lead = before !== '' && !/\s$/.test(before) ? ' ' : '';
  const trail = after !== '' && !/^\s/.test(after) ? ' ' : '';
  const mid = lead + link + trail;
  return { text: before + mid + after, caret: a + lead.length + link.length + trail.length };
}
