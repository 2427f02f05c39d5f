// The top of the contact panel: avatar, the editable name, how to reach the
// customer at a glance, and the panel's own actions (erase for managers,
// close on narrow screens).
import { MoreHorizontal, Trash2, X } from 'lucide-react';
import { useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import type { Contact } from '../../../api/client';
import { Avatar, Button, Dialog, IconButton, Menu } from '../../../ui';
import { formatPhone } from './contactLogic';
import { InlineText, SaveIndicator } from './parts';
import { useEraseContact, useSaveContact } from './useContactData';
import s from './contact.module.css';

export function ContactHeader({
  contact,
  canErase,
  timeZone,
  onClose,
  onErased,
  closeRef,
}: {
  contact: Contact;
  canErase: boolean;
  timeZone?: string;
  onClose: () => void;
  onErased: () => void;
  closeRef?: Ref<HTMLButtonElement>;
}) {
  const { t, i18n } = useTranslation('contact');
  const { save, status } = useSaveContact(contact.id);
  const erase = useEraseContact();
  const [confirm, setConfirm] = useState(false);
  const display = contact.name || t('unnamed');
  const reach = contact.phone ? formatPhone(contact.phone) : contact.email;
  const since = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeZone }).format(new Date(contact.created_at));
  return (
    <header className={s.header}>
      <Avatar name={display} size={40} />
      <div className={s.headerMain}>
        <InlineText
          big
          value={contact.name}
          display={display}
          label={t('name.edit')}
          placeholder={t('name.label')}
          testId="contact-name"
          validate={(v) => (v.trim() ? null : t('name.required'))}
          onSave={(v) => save({ name: v })}
        />
        {reach && <p className={s.reach}>{reach}</p>}
        <p className={s.since}>
          <span className={s.sinceText}>{t('since', { date: since })}</span>
          <SaveIndicator status={status} />
        </p>
      </div>
      <div className={s.headerActions}>
        {canErase && (
          <Menu
            trigger={<IconButton size="sm" label={t('more')} icon={<MoreHorizontal size={16} />} />}
            items={[{ label: t('erase.action'), icon: <Trash2 size={14} aria-hidden />, onSelect: () => setConfirm(true) }]}
          />
        )}
        <IconButton ref={closeRef} size="sm" className={s.closeButton} label={t('close')} icon={<X size={16} />} onClick={onClose} />
      </div>
      <Dialog
        open={confirm}
        onOpenChange={setConfirm}
        title={t('erase.title', { name: display })}
        description={t('erase.body')}
        footer={
          <>
            <Button onClick={() => setConfirm(false)}>{t('common:cancel')}</Button>
            <Button
              variant="danger"
              busy={erase.isPending}
              onClick={() =>
                erase.mutate(contact.id, {
                  onSuccess: () => {
                    setConfirm(false);
                    toast.success(t('erase.done'));
                    onErased();
                  },
                })
              }
            >
              {t('erase.confirm')}
            </Button>
          </>
        }
      />
    </header>
  );
}
