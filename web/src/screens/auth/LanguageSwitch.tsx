import { useTranslation } from 'react-i18next';
import { setLanguage, type Language } from '../../i18n';
import s from './auth.module.css';

const names: Record<Language, string> = { 'pt-BR': 'Português', en: 'English' };

/** LanguageSwitch toggles pt-BR / English; the choice is remembered. */
export function LanguageSwitch() {
  const { i18n, t } = useTranslation();
  return (
    <div className={s.lang} role="group" aria-label={t('language')}>
      {(Object.keys(names) as Language[]).map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={i18n.language === l} onClick={() => setLanguage(l)}>
          {names[l]}
        </button>
      ))}
    </div>
  );
}
