// Cadastro do cliente: phone and e-mail (editable) and the channel
// identities the customer writes from (read-only).
import { Copy, Mail, Phone, Plus, Radio, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import type { Contact } from '../../../api/client';
import { useChannels } from '../../../api/queries';
import { IconButton } from '../../../ui';
import { formatPhone, validEmail, validPhone } from './contactLogic';
import { InlineText, Section } from './parts';
import { useSaveContact } from './useContactData';
import s from './contact.module.css';

type Kind = 'phone' | 'email';

function ValueRow({ kind, value, onSave }: { kind: Kind; value: string; onSave: (v: string) => unknown }) {
  const { t } = useTranslation('contact');
  const [adding, setAdding] = useState(false);
  const validate = (v: string) => {
    if (!v.trim()) return null; // empty removes
    const ok = kind === 'phone' ? validPhone(v) : validEmail(v);
    return ok ? null : t(`${kind}.invalid`);
  };
  if (!value && !adding) {
    return (
      <button type="button" className={s.addRow} onClick={() => setAdding(true)} data-testid={`contact-add-${kind}`}>
        <Plus size={14} aria-hidden />
        {t(`${kind}.add`)}
      </button>
    );
  }
  const copy = () => {
    void navigator.clipboard?.writeText(value).then(() => toast.success(t('common:copied'), { duration: 1500 }));
  };
  return (
    <div className={s.valueRow} data-testid={`contact-${kind}`}>
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
        editing={value ? undefined : adding}
        onEditingChange={(e) => !e && setAdding(false)}
        onSave={onSave}
      />
      {value && (
        <span className={s.rowActions}>
          <IconButton size="sm" label={t(`${kind}.copy`)} icon={<Copy size={13} />} onClick={copy} />
          <IconButton size="sm" label={t(`${kind}.remove`)} icon={<Trash2 size={13} />} onClick={() => onSave('')} />
        </span>
      )}
    </div>
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
      <ValueRow key={`p${contact.id}`} kind="phone" value={contact.phone} onSave={(v) => save({ phone: v })} />
      <ValueRow key={`e${contact.id}`} kind="email" value={contact.email} onSave={(v) => save({ email: v })} />
      <Identities identities={contact.identities} />
    </Section>
  );
}
