// Settings (DESIGN M8): a sub-navigation of sections on the left and the
// chosen section on the right; on phones the navigation is a list of its own
// that opens one section at a time. Sections a role cannot change are hidden,
// and opening one by URL shows a "no permission" state (the server would
// answer 403 anyway).
import { Bot, BookOpen, Building2, Clock, ChevronLeft, ChevronRight, CircleUser, KeyRound, ListChecks, Network, Plug, ShieldOff, Signpost, Tag, Users, Webhook, Workflow, Zap } from 'lucide-react';
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, NavLink, useParams } from 'react-router';
import { useMe } from '../../api/queries';
import { EmptyState } from '../../ui';
import { AgentsSection } from './AgentsSection';
import { BusinessHoursSection } from './BusinessHoursSection';
import { ChannelsSection } from './ChannelsSection';
import { ClosingReasonsSection } from './ClosingReasonsSection';
import { DepartmentsSection } from './DepartmentsSection';
import { HelpCentreSection } from './HelpCentreSection';
import { LabelsSection } from './LabelsSection';
import { useMediaQuery } from './parts';
import { ProfileSection } from './ProfileSection';
import { QuickRepliesSection } from './QuickRepliesSection';
import { RoutingRulesSection } from './RoutingRulesSection';
import { AutomationRulesSection } from './AutomationRulesSection';
import { BotsSection } from './BotsSection';
import { canSee, defaultSection, isSection, visibleGroups, type Section } from './sections';
import { TokensSection } from './TokensSection';
import { WebhooksSection } from './WebhooksSection';
import { WorkspaceSection } from './WorkspaceSection';
import s from './settings.module.css';

const icons: Record<Section, ReactNode> = {
  workspace: <Building2 size={16} aria-hidden />,
  departments: <Network size={16} aria-hidden />,
  'routing-rules': <Signpost size={16} aria-hidden />,
  'automation-rules': <Workflow size={16} aria-hidden />,
  bots: <Bot size={16} aria-hidden />,
  agents: <Users size={16} aria-hidden />,
  channels: <Plug size={16} aria-hidden />,
  webhooks: <Webhook size={16} aria-hidden />,
  labels: <Tag size={16} aria-hidden />,
  'quick-replies': <Zap size={16} aria-hidden />,
  'help-centre': <BookOpen size={16} aria-hidden />,
  'closing-reasons': <ListChecks size={16} aria-hidden />,
  'business-hours': <Clock size={16} aria-hidden />,
  profile: <CircleUser size={16} aria-hidden />,
  tokens: <KeyRound size={16} aria-hidden />,
};

function SectionBody({ section }: { section: Section }) {
  switch (section) {
    case 'workspace':
      return <WorkspaceSection />;
    case 'departments':
      return <DepartmentsSection />;
    case 'routing-rules':
      return <RoutingRulesSection />;
    case 'automation-rules':
      return <AutomationRulesSection />;
    case 'bots':
      return <BotsSection />;
    case 'agents':
      return <AgentsSection />;
    case 'channels':
      return <ChannelsSection />;
    case 'webhooks':
      return <WebhooksSection />;
    case 'labels':
      return <LabelsSection />;
    case 'quick-replies':
      return <QuickRepliesSection />;
    case 'help-centre':
      return <HelpCentreSection />;
    case 'closing-reasons':
      return <ClosingReasonsSection />;
    case 'business-hours':
      return <BusinessHoursSection />;
    case 'profile':
      return <ProfileSection />;
    case 'tokens':
      return <TokensSection />;
  }
}

function SettingsNav({ role, phone }: { role: 'admin' | 'supervisor' | 'agent'; phone: boolean }) {
  const { t } = useTranslation('settings');
  return (
    <nav className={phone ? s.navPhone : s.nav} aria-label={t('title')}>
      {!phone && <p className={s.navTitle}>{t('title')}</p>}
      {visibleGroups(role).map((g) => (
        <div key={g.id} className={s.navGroup}>
          <div className={s.navGroupTitle} id={`settings-group-${g.id}`}>
            {t(`groups.${g.id}`)}
          </div>
          <ul className={s.navList} aria-labelledby={`settings-group-${g.id}`}>
            {g.sections.map((sec) => (
              <li key={sec}>
                <NavLink to={`/settings/${sec}`} className={s.navLink} data-testid={`settings-nav-${sec}`}>
                  {icons[sec]}
                  <span className={s.navText}>
                    <span>{t(`nav.${sec}`)}</span>
                    {phone && <span className={s.navHint}>{t(`hints.${sec}`)}</span>}
                  </span>
                  {phone && <ChevronRight size={16} aria-hidden className={s.navChevron} />}
                </NavLink>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}

export default function SettingsScreen() {
  const { t } = useTranslation('settings');
  const { section } = useParams();
  const me = useMe().data;
  const phone = useMediaQuery('(max-width: 760px)');
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    mainRef.current?.scrollTo({ top: 0 });
  }, [section]);

  if (!me) return null;
  const role = me.user.role;

  if (section === undefined) {
    if (phone) {
      return (
        <main className={s.phoneHome}>
          <h1 className={s.phoneTitle}>{t('title')}</h1>
          <SettingsNav role={role} phone />
        </main>
      );
    }
    return <Navigate to={`/settings/${defaultSection(role)}`} replace />;
  }
  if (!isSection(section)) return <Navigate to="/settings" replace />;

  const allowed = canSee(role, section);
  return (
    <div className={s.layout}>
      {!phone && <SettingsNav role={role} phone={false} />}
      <main className={s.main} ref={mainRef}>
        <div className={s.mainInner}>
          {phone && (
            <Link to="/settings" className={s.back}>
              <ChevronLeft size={16} aria-hidden /> {t('title')}
            </Link>
          )}
          {allowed ? (
            <SectionBody section={section} />
          ) : (
            <div data-testid="settings-forbidden">
              <EmptyState
                icon={<ShieldOff size={28} aria-hidden />}
                title={t('forbidden.title')}
                body={t('forbidden.body')}
                action={
                  <Link to="/inbox/mine" className={s.linkButton}>
                    {t('forbidden.back')}
                  </Link>
                }
              />
            </div>
          )}
        </div>
      </main>
    </div>
  );
}
