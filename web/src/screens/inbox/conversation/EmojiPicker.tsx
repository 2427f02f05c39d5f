// A compact, categorised emoji grid (curated set, no network).
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { emojiCategories, type EmojiCategory } from './emojiData';
import s from './composer.module.css';

export function EmojiPicker({ onPick }: { onPick: (emoji: string) => void }) {
  const { t } = useTranslation('conversation');
  const [cat, setCat] = useState<EmojiCategory>('smileys');
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const shown = useMemo(
    () => (q ? emojiCategories.flatMap((c) => c.items).filter(([, name]) => name.includes(q)) : emojiCategories.find((c) => c.id === cat)!.items),
    [q, cat],
  );
  return (
    <div className={s.emoji}>
      <input
        className={s.emojiSearch}
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        placeholder={t('emoji.search')}
        aria-label={t('emoji.search')}
        autoFocus
      />
      {!q && (
        <div className={s.emojiTabs} role="tablist" aria-label={t('composer.emoji')}>
          {emojiCategories.map((c) => (
            <button
              key={c.id}
              type="button"
              role="tab"
              aria-selected={cat === c.id}
              className={s.emojiTab}
              title={t(`emoji.categories.${c.id}`)}
              aria-label={t(`emoji.categories.${c.id}`)}
              onClick={() => setCat(c.id)}
            >
              {c.icon}
            </button>
          ))}
        </div>
      )}
      <div className={s.emojiGrid} role={q ? 'group' : 'tabpanel'} aria-label={q ? t('emoji.search') : t(`emoji.categories.${cat}`)}>
        {shown.map(([e, name]) => (
          <button key={e} type="button" className={s.emojiBtn} title={name} aria-label={name} onClick={() => onPick(e)}>
            {e}
          </button>
        ))}
        {shown.length === 0 && <p className={s.emojiEmpty}>{t('emoji.empty')}</p>}
      </div>
    </div>
  );
}
