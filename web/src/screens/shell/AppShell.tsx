import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Bell, BellOff, Inbox, LogOut, MessagesSquare, Monitor, Moon, Settings, Sun, User as UserIcon, WifiOff } from 'lucide-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { api, setCsrfToken, unwrap, type User } from '../../api/client';
import { qk, useCounters, useMe } from '../../api/queries';
import { setLanguage, type Language } from '../../i18n';
import { titleWithUnread } from '../../lib/format';
import { askNotificationPermission } from '../../realtime/notify';
import { useLive, usePrefs } from '../../state/ui';
import { Avatar, Menu, type MenuEntry } from '../../ui';
import s from './shell.module.css';

/** useSetPresence switches the user's own presence (online / away / offline). */
export function useSetPresence() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (presence: User['presence']) => unwrap(api.PUT('/api/v1/me/presence', { body: { presence } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.me });
      void qc.invalidateQueries({ queryKey: qk.counters });
    },
  });
}

function UserMenu() {
  const { t, i18n } = useTranslation();
  const me = useMe().data!;
  const qc = useQueryClient();
  const nav = useNavigate();
  const { theme, setTheme, notify, setNotify } = usePrefs();
  const presence = useSetPresence();
  const logout = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/logout')),
    onSettled: () => {
      setCsrfToken('');
      qc.clear();
      nav('/login', { replace: true });
    },
  });
  const items: MenuEntry[] = [
    { label: me.user.name || me.user.email, heading: true },
    ...(['online', 'away', 'offline'] as const).map((p) => ({
      label: t(`presence.${p}`),
      checked: me.user.presence === p,
      onSelect: () => presence.mutate(p),
    })),
    { label: '', separator: true },
    { label: t('language'), heading: true },
    ...(['pt-BR', 'en'] as Language[]).map((l) => ({ label: l === 'pt-BR' ? 'Português (Brasil)' : 'English', checked: i18n.language === l, onSelect: () => setLanguage(l) })),
    { label: '', separator: true },
    { label: t('theme'), heading: true },
    { label: t('themeLight'), icon: <Sun size={14} />, checked: theme === 'light', onSelect: () => setTheme('light') },
    { label: t('themeDark'), icon: <Moon size={14} />, checked: theme === 'dark', onSelect: () => setTheme('dark') },
    { label: t('themeSystem'), icon: <Monitor size={14} />, checked: theme === 'system', onSelect: () => setTheme('system') },
    { label: '', separator: true },
    {
      label: t('inbox:notifications'),
      icon: notify ? <Bell size={14} /> : <BellOff size={14} />,
      checked: notify,
      onSelect: async () => setNotify(!notify && (await askNotificationPermission())),
    },
    { label: t('profile'), icon: <UserIcon size={14} />, onSelect: () => nav('/settings/profile') },
    { label: t('logout'), icon: <LogOut size={14} />, onSelect: () => logout.mutate() },
  ];
  return (
    <Menu
      trigger={
        <button className={s.userButton} data-testid="user-menu">
          <Avatar name={me.user.name || me.user.email} presence={me.user.presence} />
          <span className="sr-only">{`${t('profile')}: ${me.user.name} (${t(`presence.${me.user.presence}`)})`}</span>
        </button>
      }
      items={items}
      align="start"
    />
  );
}

export function AppShell() {
  const { t } = useTranslation();
  const me = useMe().data!;
  const counters = useCounters().data;
  const status = useLive((x) => x.status);
  const unread = counters?.unread_mine ?? 0;
  useEffect(() => {
    document.title = titleWithUnread('Atende', unread);
  }, [unread]);
  const canConfigure = me.user.role !== 'agent';
  return (
    <div className={s.shell}>
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <nav className={s.rail} aria-label="Atende">
        <MessagesSquare className={s.logo} size={24} aria-hidden />
        <NavLink to="/inbox/mine" className={s.navLink} aria-label={t('inbox')} title={t('inbox')} aria-current={location.pathname.startsWith('/inbox') ? 'page' : undefined}>
          <Inbox size={20} aria-hidden />
        </NavLink>
        {canConfigure && (
          <NavLink to="/settings" className={s.navLink} aria-label={t('settings')} title={t('settings')}>
            <Settings size={20} aria-hidden />
          </NavLink>
        )}
        <span className={s.spacer} />
        <UserMenu />
      </nav>
      <div className={s.main}>
        {status === 'closed' && (
          <div className={s.banner} role="status">
            <WifiOff size={14} aria-hidden /> {t('connection.offline')}
          </div>
        )}
        <div className={s.content} id="main">
          <Outlet />
        </div>
      </div>
    </div>
  );
}
