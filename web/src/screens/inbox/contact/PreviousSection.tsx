// Atendimentos anteriores: the customer's other conversations the user may
// see, newest first. A click opens one — in the current view when it is a row
// of it, otherwise in the view of its status.
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import type { Conversation } from '../../../api/client';
import { useChannels, useMe } from '../../../api/queries';
import { dateTime } from '../../../lib/format';
import { belongs } from '../../../realtime/listCache';
import { Badge, Skeleton } from '../../../ui';
import type { InboxRoute } from '../route';
import { conversationPath, previousConversations } from './contactLogic';
import { Section } from './parts';
import { useContactConversations } from './useContactData';
import s from './contact.module.css';

export function PreviousSection({ contactId, route }: { contactId: number; route: InboxRoute }) {
  const { t, i18n } = useTranslation('contact');
  const list = useContactConversations(contactId);
  const me = useMe().data;
  const channels = useChannels().data ?? [];
  const nav = useNavigate();
  const loc = useLocation();
  const items = previousConversations<Conversation>(list.data ?? [], route.conversationId);
  const tz = me?.workspace.timezone || undefined;
  const channelName = (id: number) => channels.find((c) => c.id === id)?.name;

  const open = (c: Conversation) => {
    const viewer = me && { userId: me.user.id, role: me.user.role, scope: me.user.scope, departmentIds: me.user.department_ids };
    const inView = !!viewer && belongs(c, route.spec, viewer);
    if (inView) route.open(c.id);
    else nav(conversationPath(c, false, route.segment, loc.search.replace(/^\?/, '')));
  };

  return (
    <Section id="previous" title={t('sections.previous')} count={items.length}>
      <div data-testid="contact-previous-conversations">
        {list.isPending ? (
          <div className={s.skeletonRows}>
            {[0, 1].map((i) => (
              <div key={i} className={s.skeletonRow}>
                <Skeleton width="40%" height={10} />
                <Skeleton width="85%" height={10} />
              </div>
            ))}
          </div>
        ) : items.length === 0 ? (
          <p className={s.muted}>{t('previous.empty')}</p>
        ) : (
          <ul className={s.prevList}>
            {items.map((c) => {
              const when = dateTime(c.last_message_at || c.created_at, i18n.language, tz);
              return (
                <li key={c.id}>
                  <button type="button" className={s.prevRow} onClick={() => open(c)} title={t('previous.open', { date: when })} data-testid={`previous-conversation-${c.id}`}>
                    <span className={s.prevTop}>
                      <Badge className={s.status} title={t(`common:status.${c.status}`)}>
                        <span data-status={c.status} className={s.statusDot} aria-hidden />
                        {t(`common:status.${c.status}`)}
                      </Badge>
                      <span className={s.prevChannel}>{channelName(c.channel_id)}</span>
                      <time className={s.prevDate} dateTime={new Date(c.last_message_at || c.created_at).toISOString()}>
                        {when}
                      </time>
                    </span>
                    <span className={s.prevPreview}>{c.last_preview || t('previous.noPreview')}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </Section>
  );
}
