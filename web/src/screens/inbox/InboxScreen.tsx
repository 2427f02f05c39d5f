// The inbox: seed 003's four columns — counters, the conversation list, the
// open conversation and the contact panel. On narrow screens it collapses to
// list → conversation navigation.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { openConversation } from '../../realtime/RealtimeProvider';
import { ContactPanel } from './contact/ContactPanel';
import { ConversationPane } from './conversation/ConversationPane';
import { ConversationList } from './list/ConversationList';
import { Sidebar } from './sidebar/Sidebar';
import { useInboxRoute } from './route';
import s from './inbox.module.css';

export interface InboxChrome {
  sidebarOpen: boolean;
  setSidebarOpen: (o: boolean) => void;
  contactOpen: boolean;
  setContactOpen: (o: boolean) => void;
}

export function InboxScreen() {
  const { t } = useTranslation('inbox');
  const route = useInboxRoute();
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [contactOpen, setContactOpen] = useState(false);
  const chrome: InboxChrome = { sidebarOpen, setSidebarOpen, contactOpen, setContactOpen };
  useEffect(() => {
    openConversation.id = route.conversationId ?? 0;
    return () => {
      openConversation.id = 0;
    };
  }, [route.conversationId]);
  return (
    <div className={s.inbox} data-has-conversation={!!route.conversationId}>
      <aside className={s.sidebar} data-open={sidebarOpen} aria-label={t('counters')}>
        <Sidebar route={route} chrome={chrome} />
      </aside>
      <section className={s.list} aria-label={t('list')}>
        <ConversationList route={route} chrome={chrome} />
      </section>
      <section className={s.conversation} aria-label={t('conversation')}>
        <ConversationPane route={route} chrome={chrome} />
      </section>
      {route.conversationId && (
        <aside className={s.contact} data-open={contactOpen} aria-label={t('contact')}>
          <ContactPanel route={route} chrome={chrome} />
        </aside>
      )}
    </div>
  );
}
