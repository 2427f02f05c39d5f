// "This conversation": the open conversation's priority and labels, kept
// here beside the customer so they can be set without leaving the panel.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Conversation } from '../../../api/client';
import { Select } from '../../../ui';
import { LabelField, Section } from './parts';
import { useConversationEdit } from './useContactData';
import s from './contact.module.css';

const priorities: Conversation['priority'][] = ['none', 'low', 'medium', 'high', 'urgent'];

export function ConversationSection({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation('contact');
  const edit = useConversationEdit(conversation.id);
  const priorityId = useId();
  const labelsId = useId();
  return (
    <Section id="conversation" title={t('sections.conversation')} status={edit.status}>
      <div className={s.formRow}>
        <label htmlFor={priorityId} className={s.formLabel}>
          {t('conversation.priority')}
        </label>
        <Select
          id={priorityId}
          className={s.prioritySelect}
          value={conversation.priority}
          data-priority={conversation.priority}
          data-testid="contact-conversation-priority"
          onChange={(e) => edit.setPriority(e.target.value as Conversation['priority'])}
        >
          {priorities.map((p) => (
            <option key={p} value={p}>
              {t(`common:priority.${p}`)}
            </option>
          ))}
        </Select>
      </div>
      <div className={s.formRow} role="group" aria-labelledby={labelsId}>
        <span id={labelsId} className={s.formLabel}>
          {t('conversation.labels')}
        </span>
        <LabelField
          selected={conversation.label_ids}
          onToggle={edit.toggleLabel}
          editLabel={t('labels.edit')}
          emptyText={t('labels.none')}
          testId="contact-conversation-labels"
        />
      </div>
    </Section>
  );
}
