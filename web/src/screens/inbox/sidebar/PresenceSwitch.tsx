// My own presence (online / away / offline) at the top of the sidebar: agents
// switch it many times a day, so it is one click away, not in a settings page.
import { ChevronDown } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import type { User } from '../../../api/client';
import { useCounters, useMe, useUsers } from '../../../api/queries';
import { useSetPresence } from '../../shell/AppShell';
import { Avatar, Menu, Skeleton } from '../../../ui';
import s from './Sidebar.module.css';

const presences: User['presence'][] = ['online', 'away', 'offline'];

export function PresenceSwitch() {
  const { t } = useTranslation('inbox');
  const me = useMe().data;
  const counters = useCounters().data;
  const users = useUsers().data;
  const setPresence = useSetPresence();
  if (!me) {
    return (
      <div className={s.me}>
        <Skeleton width={32} height={32} style={{ borderRadius: '50%' }} />
        <Skeleton width={120} height={12} />
      </div>
    );
  }
  // The server marks me online when my socket connects and says so with a
  // presence event, which refreshes the counters and users (not /me): read
  // the freshest of them.
  const known = counters?.agents.find((a) => a.id === me.user.id)?.presence ?? users?.find((u) => u.id === me.user.id)?.presence ?? me.user.presence;
  const current = setPresence.isPending && setPresence.variables ? setPresence.variables : known;
  const status = t(`common:presence.${current}`);
  return (
    <Menu
      align="start"
      trigger={
        <button type="button" className={s.me} data-testid="presence-switch" data-presence={current}>
          <Avatar name={me.user.name || me.user.email} size={32} presence={current} />
          <span className={s.meText}>
            <span className={s.meName}>{me.user.name || me.user.email}</span>
            <span className={s.meStatus}>
              <span className={`${s.dot} ${s[current]}`} aria-hidden />
              {status}
              <span className="sr-only">, {t('sidebar.changeStatus')}</span>
            </span>
          </span>
          <ChevronDown size={14} className={s.chevron} aria-hidden />
        </button>
      }
      items={presences.map((p) => ({
        label: t(`common:presence.${p}`),
        icon: <span className={`${s.dot} ${s[p]}`} aria-hidden />,
        checked: current === p,
        onSelect: () => {
          if (p !== current) setPresence.mutate(p);
        },
      }))}
    />
  );
}
