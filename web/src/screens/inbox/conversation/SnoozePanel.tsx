// Snooze presets (in 1 h, tomorrow 09:00, next Monday 09:00) and a custom
// date and time. Times are local; the server stores an absolute instant.
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe } from '../../../api/queries';
import { Button, Input } from '../../../ui';
import { fromLocalInput, snoozePresets, toLocalInput } from './time';
import s from './header.module.css';

export function SnoozePanel({ onSnooze, busy }: { onSnooze: (until: Date) => void; busy: boolean }) {
  const { t, i18n } = useTranslation('conversation');
  const tz = useMe().data?.workspace.timezone;
  const id = useId();
  const presets = useMemo(() => snoozePresets(Date.now(), tz), [tz]);
  const [custom, setCustom] = useState(() => toLocalInput(presets.tomorrow.getTime(), tz));
  const [error, setError] = useState('');
  const fmt = (d: Date, withDay: boolean) =>
    new Intl.DateTimeFormat(i18n.language, { timeZone: tz, ...(withDay ? { weekday: 'short', day: '2-digit', month: '2-digit' } : {}), hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
  const confirm = () => {
    const d = fromLocalInput(custom, tz);
    if (!d || d.getTime() <= Date.now()) {
      setError(t('snooze.invalid'));
      return;
    }
    setError('');
    onSnooze(d);
  };
  return (
    <div className={s.snooze}>
      <p className={s.panelTitle}>{t('snooze.title')}</p>
      <ul className={s.presetList}>
        {(['1h', 'tomorrow', 'nextweek'] as const).map((p) => (
          <li key={p}>
            <button type="button" className={s.preset} data-testid={`snooze-preset-${p}`} disabled={busy} onClick={() => onSnooze(presets[p])}>
              <span>{t(`snooze.preset.${p}`)}</span>
              <span className={s.presetTime}>{fmt(presets[p], p !== '1h')}</span>
            </button>
          </li>
        ))}
      </ul>
      <form
        className={s.custom}
        onSubmit={(e) => {
          e.preventDefault();
          confirm();
        }}
      >
        <label htmlFor={id} className={s.customLabel}>
          {t('snooze.custom')}
        </label>
        <div className={s.customRow}>
          <Input
            id={id}
            type="datetime-local"
            data-testid="snooze-custom"
            value={custom}
            min={toLocalInput(Date.now(), tz)}
            onChange={(e) => {
              setCustom(e.target.value);
              setError('');
            }}
            aria-invalid={!!error}
          />
          <Button type="submit" variant="primary" data-testid="snooze-confirm" busy={busy}>
            {t('snooze.confirm')}
          </Button>
        </div>
        {tz && tz !== Intl.DateTimeFormat().resolvedOptions().timeZone && <span className={s.tzNote}>{t('snooze.timeZone', { tz })}</span>}
        {error && (
          <span className={s.error} role="alert">
            {error}
          </span>
        )}
      </form>
    </div>
  );
}
