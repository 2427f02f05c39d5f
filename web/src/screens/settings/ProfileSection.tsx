// My profile (every user): who I am, my password, and preferences kept in
// this browser (language, theme, notifications).
import { useMutation } from '@tanstack/react-query';
import { Monitor, Moon, Sun } from 'lucide-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { toast } from 'sonner';
import { api, ApiError, unwrap } from '../../api/client';
import { useMe, useDepartments } from '../../api/queries';
import { setLanguage, type Language } from '../../i18n';
import { askNotificationPermission } from '../../realtime/notify';
import { usePrefs, type Theme } from '../../state/ui';
import { Avatar, Badge, Button, Checkbox, Field, Input, Select, toastError } from '../../ui';
import { minPassword } from './logic';
import { Panel, SectionHeader } from './parts';
import s from './settings.module.css';

export function ProfileSection() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const me = useMe().data!;
  const departments = useDepartments().data ?? [];
  const u = me.user;
  const mine = departments.filter((d) => u.department_ids.includes(d.id));
  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader title={t('profile.title')} description={t('profile.description')} />
      <div className={s.stack}>
        <Panel className={s.formPanel}>
          <div className={s.person}>
            <Avatar name={u.name || u.email} size={44} presence={u.presence} />
            <div className={s.personText}>
              <span className={s.profileName}>{u.name}</span>
              <span className={s.cellSub}>{u.email}</span>
            </div>
          </div>
          <dl className={s.facts}>
            <dt>{t('agents.role')}</dt>
            <dd>{tc(`role.${u.role}`)}</dd>
            <dt>{t('profile.workspace')}</dt>
            <dd>{me.workspace.name}</dd>
            <dt>{t('agents.departments')}</dt>
            <dd className={s.badges}>{mine.length ? mine.map((d) => <Badge key={d.id}>{d.name}</Badge>) : <span className={s.muted}>—</span>}</dd>
          </dl>
          <p className={s.hint}>
            {u.role === 'admin' ? (
              <>
                {t('profile.adminEdit')} <Link to="/settings/agents">{t('nav.agents')}</Link>
              </>
            ) : (
              t('profile.askAdmin')
            )}
          </p>
        </Panel>
        <PasswordPanel />
        <PreferencesPanel />
      </div>
    </section>
  );
}

function PasswordPanel() {
  const { t } = useTranslation('settings');
  const email = useMe().data?.user.email ?? '';
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState('');
  const errors = {
    current: !current ? 'required' : undefined,
    next: !next ? 'required' : next.length < minPassword ? 'password' : undefined,
    again: again !== next ? 'mismatch' : undefined,
  };
  const valid = !errors.current && !errors.next && !errors.again;
  const change = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/me/password', { body: { current_password: current, new_password: next } })),
    meta: { silent: true },
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setAgain('');
      setTried(false);
      toast.success(t('profile.passwordChanged'));
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 422) setServerError(/current/i.test(err.message) ? t('errors.currentWrong') : err.message);
      else toastError(err);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setServerError('');
    if (valid) change.mutate();
  };
  const show = (k?: string) => (tried && k ? t(`errors.${k}`) : undefined);
  return (
    <Panel className={s.formPanel}>
      <h2 className={s.panelTitle}>{t('profile.password')}</h2>
      <form onSubmit={submit} noValidate className={s.stack}>
        <input type="text" autoComplete="username" value={email} readOnly hidden />
        <div className={s.formGrid3}>
          <Field label={t('profile.currentPassword')} htmlFor="pw-current" error={serverError || show(errors.current)}>
            <Input id="pw-current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} data-testid="password-current" />
          </Field>
          <Field label={t('profile.newPassword')} htmlFor="pw-new" hint={t('agents.passwordHint')} error={show(errors.next)}>
            <Input id="pw-new" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} data-testid="password-new" />
          </Field>
          <Field label={t('profile.repeatPassword')} htmlFor="pw-again" error={show(errors.again) ?? (again && errors.again ? t('errors.mismatch') : undefined)}>
            <Input id="pw-again" type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} data-testid="password-again" />
          </Field>
        </div>
        <div className={s.formFooter}>
          <Button type="submit" variant="primary" busy={change.isPending} data-testid="password-save">
            {t('profile.changePassword')}
          </Button>
        </div>
      </form>
    </Panel>
  );
}

function PreferencesPanel() {
  const { t, i18n } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const { theme, setTheme, notify, setNotify } = usePrefs();
  const [denied, setDenied] = useState(typeof Notification !== 'undefined' && Notification.permission === 'denied');
  const themes: { id: Theme; icon: ReactNode }[] = [
    { id: 'light', icon: <Sun size={14} aria-hidden /> },
    { id: 'dark', icon: <Moon size={14} aria-hidden /> },
    { id: 'system', icon: <Monitor size={14} aria-hidden /> },
  ];
  const label: Record<Theme, string> = { light: tc('themeLight'), dark: tc('themeDark'), system: tc('themeSystem') };
  return (
    <Panel className={s.formPanel}>
      <h2 className={s.panelTitle}>{t('profile.preferences')}</h2>
      <p className={s.panelText}>{t('profile.preferencesHelp')}</p>
      <div className={s.formGrid}>
        <Field label={tc('language')} htmlFor="pref-lang">
          <Select id="pref-lang" value={i18n.language} onChange={(e) => setLanguage(e.target.value as Language)} data-testid="pref-language">
            <option value="pt-BR" lang="pt-BR">
              Português (Brasil)
            </option>
            <option value="en" lang="en">
              English
            </option>
          </Select>
        </Field>
        <fieldset className={s.fieldset}>
          <legend className={s.legend}>{tc('theme')}</legend>
          <div className={s.segmented} role="radiogroup" aria-label={tc('theme')}>
            {themes.map((th) => (
              <button key={th.id} type="button" role="radio" aria-checked={theme === th.id} className={s.segment} onClick={() => setTheme(th.id)} data-testid={`pref-theme-${th.id}`}>
                {th.icon} {label[th.id]}
              </button>
            ))}
          </div>
        </fieldset>
      </div>
      <div className={s.stackSm}>
        <Checkbox
          label={t('profile.notify')}
          checked={notify}
          onChange={async (on) => {
            if (!on) {
              setNotify(false);
              return;
            }
            const ok = await askNotificationPermission();
            setNotify(ok);
            setDenied(!ok);
            if (ok) toast.success(t('profile.notifyOn'));
          }}
        />
        <span className={denied ? s.warningText : s.hint}>{denied ? t('profile.notifyDenied') : t('profile.notifyHint')}</span>
      </div>
    </Panel>
  );
}
