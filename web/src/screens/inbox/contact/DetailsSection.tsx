// Cadastro do cliente: the contact's phones and e-mails (editable lists, the
// primary one first) and the channel identities the customer writes from
// (read-only). Every change sends the whole list (ContactInput.phones /
// emails replace it).
import { Copy, Mail, Phone, Plus, Radio, Star, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import type { Contact } from '../../../api/client';
import { useChannels } from '../../../api/queries';
import { IconButton } from '../../../ui';
import { contactHandles, formatPhone, makePrimary, maxHandles, removeHandle, setHandle, validateHandle, type HandleKind } from './contactLogic';
import { InlineText, Section } from './parts';
import { useSaveContact } from './useContactData';
import s from './contact.module.css';

function HandleRow({
  kind,
  list,
  index,
  onChange,
}: {
  kind: HandleKind;
  list: string[];
  index: number;
  onChange: (next: string[]) => unknown;
}) {
  const { t } = useTranslation('contact');
  const value = list[index];
  const primary = index === 0;
  const validate = (v: string) => {
    if (!v.trim()) return null; // empty removes
    const err = validateHandle(kind, list, index, v);
    return err ? t(`${kind}.${err}`, { max: maxHandles }) : null;
  };
  const copy = () => {
    void navigator.clipboard?.writeText(value).then(() => toast.success(t('common:copied'), { duration: 1500 }));
  };
  return (
    <li className={s.valueRow} data-testid={`contact-${kind}-${index}`} data-primary={primary || undefined}>
      <span className={s.rowIcon} title={t(`${kind}.label`)}>
        {kind === 'phone' ? <Phone size={14} aria-hidden /> : <Mail size={14} aria-hidden />}
        <span className="sr-only">{t(`${kind}.label`)}</span>
      </span>
      <InlineText
        className={s.grow}
        value={value}
        display={kind === 'phone' ? formatPhone(value) : value}
        label={t(`${kind}.edit`)}
        placeholder={t(`${kind}.placeholder`)}
        type={kind === 'email' ? 'email' : 'tel'}
        inputMode={kind === 'email' ? 'email' : 'tel'}
        validate={validate}
        onSave={(v) => onChange(setHandle(list, index, v))}
      />
      {primary && list.length > 1 && (
        // the filled star marks the primary one; the other rows offer an outlined star that makes them primary
        <span className={s.primaryMark} title={t(`${kind}.primaryHint`)} data-testid={`contact-${kind}-primary-mark`}>
          <Star size={13} aria-hidden />
          <span className="sr-only">{t(`${kind}.primary`)}</span>
        </span>
      )}
      <span className={s.rowActions}>
        {!primary && (
          <IconButton
            size="sm"
            label={t(`${kind}.makePrimary`)}
            icon={<Star size={13} />}
            onClick={() => onChange(makePrimary(list, index))}
            data-testid={`contact-${kind}-${index}-primary`}
          />
        )}
        <IconButton size="sm" label={t(`${kind}.copy`)} icon={<Copy size={13} />} onClick={copy} />
        <IconButton
          size="sm"
          label={t(`${kind}.remove`)}
          icon={<Trash2 size={13} />}
          onClick={() => onChange(removeHandle(list, index))}
          data-testid={`contact-${kind}-${index}-remove`}
        />
      </span>
    </li>
  );
}

/** HandleList is every phone or every e-mail of the contact, each editable in place, and "Add" for one more. */
function HandleList({ kind, list, onChange }: { kind: HandleKind; list: string[]; onChange: (next: string[]) => unknown }) {
  const { t } = useTranslation('contact');
  const [adding, setAdding] = useState(false);
  const validateNew = (v: string) => {
    if (!v.trim()) return null; // empty just closes
    const err = validateHandle(kind, list, -1, v);
    return err ? t(`${kind}.${err}`, { max: maxHandles }) : null;
  };
  return (
    <>
      {list.length > 0 && (
        <ul className={s.handleList} aria-label={t(`${kind}.list`)} data-testid={`contact-${kind}`}>
          {list.map((v, i) => (
            <HandleRow key={`${i}:${v}`} kind={kind} list={list} index={i} onChange={onChange} />
          ))}
        </ul>
      )}
      {adding && (
        <div className={s.valueRow}>
          <span className={s.rowIcon} aria-hidden>
            {kind === 'phone' ? <Phone size={14} /> : <Mail size={14} />}
          </span>
          <InlineText
            className={s.grow}
            value=""
            label={t(`${kind}.add`)}
            placeholder={t(`${kind}.placeholder`)}
            type={kind === 'email' ? 'email' : 'tel'}
            inputMode={kind === 'email' ? 'email' : 'tel'}
            testId={`contact-${kind}-new`}
            validate={validateNew}
            editing={adding}
            onEditingChange={(e) => !e && setAdding(false)}
            onSave={(v) => onChange(setHandle(list, -1, v))}
          />
        </div>
      )}
      {!adding && list.length < maxHandles && (
        <button type="button" className={s.addRow} onClick={() => setAdding(true)} data-testid={`contact-add-${kind}`}>
          <Plus size={14} aria-hidden />
          {t(list.length === 0 ? `${kind}.add` : `${kind}.addAnother`)}
        </button>
      )}
    </>
  );
}

function Identities({ identities }: { identities: Contact['identities'] }) {
  const { t } = useTranslation('contact');
  const channels = useChannels().data ?? [];
  const byId = new Map(channels.map((c) => [c.id, c]));
  return (
    <div className={s.subBlock}>
      <h4 className={s.subHeading}>{t('identities.heading')}</h4>
      {identities.length === 0 ? (
        <p className={s.muted}>{t('identities.empty')}</p>
      ) : (
        <ul className={s.identityList}>
          {identities.map((idn) => {
            const ch = byId.get(idn.channel_id);
            const kind = ch ? t(`identities.kind.${ch.kind}`, { defaultValue: ch.kind.toUpperCase() }) : '';
            const name = ch?.name ?? t('identities.unknownChannel', { id: idn.channel_id });
            return (
              <li key={`${idn.channel_id}:${idn.external_id}`} className={s.identity} title={`${name} · ${idn.external_id}`}>
                <Radio size={14} className={s.rowIconInline} aria-hidden />
                <span className={s.identityText}>
                  {kind && <span className={s.identityKind}>{kind}</span>}
                  {kind && ' · '}
                  <span className={s.mono}>{idn.external_id}</span>
                </span>
                <span className={s.identityChannel}>{name}</span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

export function DetailsSection({ contact }: { contact: Contact }) {
  const { t } = useTranslation('contact');
  const { save, status } = useSaveContact(contact.id);
  return (
    <Section id="details" title={t('sections.details')} status={status}>
      <HandleList key={`p${contact.id}`} kind="phone" list={contactHandles(contact, 'phone')} onChange={(phones) => save({ phones })} />
      <HandleList key={`e${contact.id}`} kind="email" list={contactHandles(contact, 'email')} onChange={(emails) => save({ emails })} />
      <Identities identities={contact.identities} />
    </Section>
  );
}
