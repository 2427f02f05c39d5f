// The fourth column of the inbox (seed 003, DESIGN M4 "cadastro do cliente"):
// who the customer of the open conversation is, how to reach them, the
// portfolio they belong to, notes, labels, custom attributes, this
// conversation's priority and labels, and their previous conversations.
// On narrow screens it is an overlay the conversation header opens.
import { UserX, X } from 'lucide-react';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError, type Contact } from '../../../api/client';
import { qk, useConversation, useMe } from '../../../api/queries';
import { EmptyState, IconButton, Skeleton } from '../../../ui';
import type { InboxChrome } from '../InboxScreen';
import type { InboxRoute } from '../route';
import { AttributesSection } from './AttributesSection';
import { ContactHeader } from './ContactHeader';
import { ConversationSection } from './ConversationSection';
import { DetailsSection } from './DetailsSection';
import { NotesSection } from './NotesSection';
import { OwnerSection } from './OwnerSection';
import { PreviousSection } from './PreviousSection';
import { LabelField, Section } from './parts';
import { useContact, useContactLabel } from './useContactData';
import s from './contact.module.css';

const narrowQuery = '(max-width: 1280px)';

function ContactLabelsSection({ contact }: { contact: Contact }) {
  const { t } = useTranslation('contact');
  const { toggle, status } = useContactLabel(contact.id);
  return (
    <Section id="labels" title={t('sections.labels')} status={status}>
      <LabelField selected={contact.label_ids} onToggle={toggle} editLabel={t('labels.edit')} emptyText={t('labels.none')} testId="contact-labels" />
    </Section>
  );
}

function PanelSkeleton() {
  return (
    <div className={s.loading} aria-hidden>
      <div className={s.header}>
        <Skeleton width={40} height={40} style={{ borderRadius: '50%' }} />
        <div className={s.headerMain}>
          <Skeleton width="60%" height={16} />
          <Skeleton width="45%" height={10} style={{ marginTop: 8 }} />
        </div>
      </div>
      {[0, 1, 2, 3].map((i) => (
        <div key={i} className={s.skeletonSection}>
          <Skeleton width="35%" height={10} />
          <Skeleton width="90%" height={10} />
          <Skeleton width="70%" height={10} />
        </div>
      ))}
    </div>
  );
}

export function ContactPanel({ route, chrome }: { route: InboxRoute; chrome: InboxChrome }) {
  const { t } = useTranslation('contact');
  const qc = useQueryClient();
  const me = useMe().data;
  const conv = useConversation(route.conversationId);
  const contactId = conv.data?.contact_id;
  const contact = useContact(contactId);
  const panelRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const { contactOpen, setContactOpen } = chrome;

  // as an overlay (narrow screens) the panel takes focus when it opens
  useEffect(() => {
    if (contactOpen && window.matchMedia(narrowQuery).matches) closeRef.current?.focus();
  }, [contactOpen]);

  const close = () => setContactOpen(false);
  const onKeyDown = (e: KeyboardEvent) => {
    // Escape inside the panel (not in a popover it opened) closes the overlay
    if (e.key === 'Escape' && contactOpen && panelRef.current?.contains(e.target as Node)) close();
  };

  const notFound = (contact.error instanceof ApiError && contact.error.status === 404) || (conv.error instanceof ApiError && conv.error.status === 404);
  const canErase = me?.user.role === 'admin' || me?.user.role === 'supervisor';

  let body;
  if (notFound) {
    body = (
      <>
        <div className={s.headerBare}>
          <IconButton size="sm" className={s.closeButton} label={t('close')} icon={<X size={16} />} onClick={close} ref={closeRef} />
        </div>
        <EmptyState icon={<UserX size={28} />} title={t('notFound')} body={t('notFoundBody')} />
      </>
    );
  } else if (!contact.data || !conv.data) {
    body = <PanelSkeleton />;
  } else {
    const c = contact.data;
    body = (
      <>
        <ContactHeader
          key={c.id}
          contact={c}
          canErase={canErase}
          timeZone={me?.workspace.timezone || undefined}
          onClose={close}
          closeRef={closeRef}
          onErased={() => {
            close();
            qc.removeQueries({ queryKey: qk.conversation(conv.data.id) });
            route.open(undefined);
          }}
        />
        <div className={s.sections}>
          <OwnerSection contact={c} conversation={conv.data} />
          <ConversationSection conversation={conv.data} />
          <DetailsSection contact={c} />
          <ContactLabelsSection contact={c} />
          <NotesSection contact={c} />
          <AttributesSection contact={c} />
          <PreviousSection contactId={c.id} route={route} />
        </div>
      </>
    );
  }

  return (
    <div ref={panelRef} className={s.panel} data-testid="contact-panel" aria-busy={!contact.data && !notFound} onKeyDown={onKeyDown}>
      {body}
    </div>
  );
}
