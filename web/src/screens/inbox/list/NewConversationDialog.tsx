// The "+" of the conversation list: start a WhatsApp conversation with an
// approved template (POST /api/v1/conversations). The conversation is
// assigned to the sender; a contact who already has an unresolved one on
// the number gets that one opened instead.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus, X } from 'lucide-react';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, toApiError, unwrap, type Contact } from '../../../api/client';
import { useChannels } from '../../../api/queries';
import { Button, Dialog, Field, IconButton, Input, Select } from '../../../ui';
import { storeConversation } from '../conversation/data';
import { toSend, TemplateFields, type TemplateChoice } from '../conversation/TemplatePicker';
import { useTemplates } from '../conversation/templates';

export function NewConversationButton({ onOpen }: { onOpen: (id: number) => void }) {
  const { t } = useTranslation('inbox');
  const [open, setOpen] = useState(false);
  // a new conversation starts with an approved WhatsApp template: no WhatsApp line, no "+"
  const hasWhatsApp = (useChannels().data ?? []).some((ch) => ch.kind === 'whatsapp');
  if (!hasWhatsApp && !open) return null;
  return (
    <>
      <IconButton size="sm" data-testid="new-conversation" label={t('newConversation.open')} icon={<Plus size={16} />} onClick={() => setOpen(true)} />
      {open && <NewConversationDialog onClose={() => setOpen(false)} onOpen={onOpen} />}
    </>
  );
}

function NewConversationDialog({ onClose, onOpen }: { onClose: () => void; onOpen: (id: number) => void }) {
  const { t } = useTranslation('inbox');
  const qc = useQueryClient();
  const id = useId();
  const whatsapp = (useChannels().data ?? []).filter((ch) => ch.kind === 'whatsapp');
  const [channelId, setChannelId] = useState<number | undefined>();
  const channel = channelId ?? whatsapp[0]?.id;
  const [phone, setPhone] = useState('');
  const [q, setQ] = useState('');
  const [contact, setContact] = useState<Contact | undefined>();
  const [choice, setChoice] = useState<TemplateChoice>({ key: '', values: [] });
  const templates = useTemplates(channel);
  const template = toSend(templates.data, choice);
  const contacts = useQuery({
    queryKey: ['contacts', 'search', q],
    queryFn: () => unwrap(api.GET('/api/v1/contacts', { params: { query: { q, limit: 5 } } })).then((r) => r.items),
    enabled: q.trim().length >= 2 && !contact,
    meta: { silent: true },
  });
  const start = useMutation({
    mutationFn: async () => {
      const body = { channel_id: channel!, template: template!, ...(contact ? { contact_id: contact.id } : { phone: phone.trim() }) };
      const { data, error, response } = await api.POST('/api/v1/conversations', { body });
      if (error) {
        const existing = (error as { error?: { code?: string; conversation_id?: number } }).error;
        if (response.status === 409 && existing?.code === 'conversation_open' && existing.conversation_id) return { existing: existing.conversation_id };
        throw toApiError(response.status, error);
      }
      return { created: data! };
    },
    onSuccess: (r) => {
      if ('existing' in r) {
        toast.info(t('newConversation.exists'));
        onOpen(r.existing!);
      } else {
        storeConversation(qc, r.created);
        toast.success(t('newConversation.done'));
        onOpen(r.created.id);
      }
      onClose();
    },
  });
  const ready = !!channel && !!template && (!!contact || phone.replace(/\D/g, '').length >= 8) && !start.isPending;
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={t('newConversation.title')}
      description={t('newConversation.description')}
      footer={
        <Button variant="primary" data-testid="new-conversation-submit" disabled={!ready} busy={start.isPending} onClick={() => start.mutate()}>
          {t('newConversation.submit')}
        </Button>
      }
    >
      {whatsapp.length === 0 ? (
        <p>{t('newConversation.noChannels')}</p>
      ) : (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
          <Field label={t('newConversation.channel')} htmlFor={`${id}-ch`}>
            <Select
              id={`${id}-ch`}
              data-testid="new-conversation-channel"
              value={channel ?? ''}
              onChange={(e) => {
                setChannelId(Number(e.target.value));
                setChoice({ key: '', values: [] });
              }}
            >
              {whatsapp.map((ch) => (
                <option key={ch.id} value={ch.id}>
                  {ch.name}
                </option>
              ))}
            </Select>
          </Field>
          {contact ? (
            <Field label={t('newConversation.contact')}>
              <span style={{ display: 'flex', alignItems: 'center', gap: 8 }} data-testid="new-conversation-contact">
                {contact.name} {contact.phone && <small>{contact.phone}</small>}
                <IconButton size="sm" label={t('newConversation.clearContact')} icon={<X size={14} />} onClick={() => setContact(undefined)} />
              </span>
            </Field>
          ) : (
            <>
              <Field label={t('newConversation.phone')} htmlFor={`${id}-phone`}>
                <Input id={`${id}-phone`} data-testid="new-conversation-phone" type="tel" inputMode="tel" value={phone} placeholder={t('newConversation.phonePlaceholder')} onChange={(e) => setPhone(e.target.value)} />
              </Field>
              <Field label={t('newConversation.contact')} htmlFor={`${id}-q`}>
                <Input id={`${id}-q`} data-testid="new-conversation-contact-search" value={q} placeholder={t('newConversation.contactPlaceholder')} onChange={(e) => setQ(e.target.value)} />
              </Field>
              {(contacts.data ?? []).length > 0 && (
                <ul style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                  {contacts.data!.map((ct) => (
                    <li key={ct.id}>
                      <Button size="sm" variant="ghost" data-testid={`new-conversation-contact-${ct.id}`} onClick={() => setContact(ct)}>
                        {ct.name} {ct.phone}
                      </Button>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
          <div data-testid="new-conversation-template">
            <Field label={t('newConversation.template')}>
              <TemplateFields channelId={channel} value={choice} onChange={setChoice} />
            </Field>
          </div>
        </div>
      )}
    </Dialog>
  );
}
