// Carteira de clientes: the agent responsible for this customer, and whether
// the customer is in the portfolio of the agent serving this conversation.
import { CircleCheck, CircleDashed, UserPlus, UserRound } from 'lucide-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Contact, Conversation } from '../../../api/client';
import { useMe, useUsers } from '../../../api/queries';
import { Avatar, Button, Picker, Popover } from '../../../ui';
import { Section } from './parts';
import { useSaveContact } from './useContactData';
import s from './contact.module.css';

export function OwnerSection({ contact, conversation }: { contact: Contact; conversation?: Conversation }) {
  const { t } = useTranslation('contact');
  const { save, status } = useSaveContact(contact.id);
  const users = useUsers().data ?? [];
  const me = useMe().data?.user;
  const [open, setOpen] = useState(false);
  const byId = new Map(users.map((u) => [u.id, u]));
  const owner = contact.owner_id != null ? byId.get(contact.owner_id) : undefined;
  const assigneeId = conversation?.assignee_id ?? null;
  const assignee = assigneeId != null ? byId.get(assigneeId) : undefined;

  let portfolio: { ok: boolean; text: string } | null = null;
  if (assigneeId != null) {
    portfolio =
      contact.owner_id === assigneeId
        ? { ok: true, text: t('owner.inPortfolio') }
        : { ok: false, text: t('owner.notInPortfolio', { name: assignee?.name ?? `#${assigneeId}` }) };
  } else if (contact.owner_id == null) {
    portfolio = { ok: false, text: t('owner.notInAnyPortfolio') };
  }

  const pick = (v: string) => {
    setOpen(false);
    void save({ owner_id: v === '0' ? null : Number(v) });
  };
  const options = [
    { value: '0', label: t('owner.clear'), icon: <UserRound size={16} aria-hidden />, selected: contact.owner_id == null },
    ...users
      .filter((u) => u.active || u.id === contact.owner_id)
      .map((u) => ({
        value: String(u.id),
        label: u.name,
        icon: <Avatar name={u.name} size={20} presence={u.presence} />,
        hint: u.id === me?.id ? t('owner.me') : !u.active ? t('owner.inactive') : undefined,
        selected: u.id === contact.owner_id,
      })),
  ];

  return (
    <Section id="owner" title={t('sections.owner')} status={status}>
      <div className={s.ownerRow}>
        {contact.owner_id != null ? (
          <>
            <Avatar name={owner?.name ?? '?'} size={24} presence={owner?.presence} />
            <span className={s.ownerName}>{owner?.name ?? `#${contact.owner_id}`}</span>
          </>
        ) : (
          <>
            <span className={s.ownerNone} aria-hidden>
              <UserRound size={14} />
            </span>
            <span className={s.muted}>{t('owner.none')}</span>
          </>
        )}
        <Popover
          open={open}
          onOpenChange={setOpen}
          align="end"
          label={t('owner.change')}
          trigger={
            <Button size="sm" variant="ghost" className={s.pushRight} data-testid="contact-owner">
              {t('owner.change')}
            </Button>
          }
        >
          <Picker placeholder={t('owner.search')} empty={t('owner.empty')} onPick={pick} options={options} />
        </Popover>
      </div>
      {portfolio && (
        <p className={s.portfolio} data-ok={portfolio.ok}>
          {portfolio.ok ? <CircleCheck size={14} aria-hidden /> : <CircleDashed size={14} aria-hidden />}
          {portfolio.text}
        </p>
      )}
      {me && contact.owner_id !== me.id && (
        <button type="button" className={s.addRow} onClick={() => void save({ owner_id: me.id })} data-testid="contact-owner-me">
          <UserPlus size={14} aria-hidden />
          {t('owner.takeMine')}
        </button>
      )}
    </Section>
  );
}
