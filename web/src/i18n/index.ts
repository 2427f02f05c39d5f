// Translations: one file per screen area and language. pt-BR is the default
// when the browser asks for Portuguese, English otherwise; the user's choice
// is remembered in localStorage.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { ptBR } from './pt-BR';

export const languages = ['pt-BR', 'en'] as const;
export type Language = (typeof languages)[number];
const storageKey = 'atende.lang';

/** pickLanguage chooses the UI language from a saved choice or the browser's list. */
export function pickLanguage(saved: string | null, browser: readonly string[]): Language {
  if (saved === 'pt-BR' || saved === 'en') return saved;
  for (const tag of browser) {
    const t = tag.toLowerCase();
    if (t.startsWith('pt')) return 'pt-BR';
    if (t.startsWith('en')) return 'en';
  }
  return 'en';
}

export function setLanguage(lang: Language) {
  localStorage.setItem(storageKey, lang);
  void i18n.changeLanguage(lang);
  document.documentElement.lang = lang;
}

export function initI18n() {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(storageKey) : null;
  const lng = pickLanguage(saved, typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : []);
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
  void i18n.use(initReactI18next).init({
    resources: { en, 'pt-BR': ptBR },
    lng,
    fallbackLng: 'en',
    defaultNS: 'common',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  return i18n;
}

export default i18n;
