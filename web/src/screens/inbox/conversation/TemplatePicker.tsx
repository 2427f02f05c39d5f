// The template picker: a WhatsApp channel's approved templates, an input per
// parameter and a preview of the text the customer will get. The composer
// shows it when the 24-hour window is closed; the new-conversation dialog
// starts conversations with it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Clock, RefreshCw, Send } from 'lucide-react';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Conversation } from '../../../api/client';
import { useMe } from '../../../api/queries';
import { Button, Input, Spinner } from '../../../ui';
import { appendToTimeline } from './data';
import {
  paramLabels,
  renderTemplate,
  syncedAgo,
  templateKey,
  templateReady,
  useSyncTemplates,
  useTemplates,
  useTemplateSyncState,
  type MessageTemplate,
  type TemplateSend,
} from './templates';
import s from './templates.module.css';

/** TemplateChoice is the picked template and its parameter values. */
export interface TemplateChoice {
  key: string;
  values: string[];
}

/** toSend is the API's template of a choice, or undefined while incomplete. */
export function toSend(list: MessageTemplate[] | undefined, ch: TemplateChoice): TemplateSend | undefined {
  const t = list?.find((x) => templateKey(x) === ch.key);
  if (!t || !templateReady(t, ch.values)) return undefined;
  return { name: t.name, language: t.language, parameters: ch.values.slice(0, t.param_count).map((v) => v.trim()) };
}

export function TemplateFields({
  channelId,
  value,
  onChange,
}: {
  channelId: number | undefined;
  value: TemplateChoice;
  onChange: (v: TemplateChoice) => void;
}) {
  const { t } = useTranslation('conversation');
  const id = useId();
  const q = useTemplates(channelId);
  const list = q.data ?? [];
  const picked = list.find((x) => templateKey(x) === value.key);
  if (!channelId) return null;
  if (q.isLoading) return <Spinner label={t('templates.loading')} />;
  if (q.isError) return <p className={s.empty}>{t('templates.failed')}</p>;
  if (list.length === 0)
    return (
      <div className={s.picker}>
        <p className={s.empty}>{t('templates.none')}</p>
        <TemplateSyncBar channelId={channelId} />
      </div>
    );
  return (
    <div className={s.picker}>
      <TemplateSyncBar channelId={channelId} />
      <ul className={s.list} aria-label={t('templates.label')}>
        {list.map((x) => (
          <li key={templateKey(x)}>
            <button
              type="button"
              className={s.option}
              aria-pressed={templateKey(x) === value.key}
              data-testid={`template-option-${x.name}`}
              title={x.body}
              onClick={() => onChange({ key: templateKey(x), values: Array.from({ length: x.param_count }, (_, i) => value.values[i] ?? '') })}
            >
              {x.name}
              <span className={s.lang}>{x.language}</span>
            </button>
          </li>
        ))}
      </ul>
      {picked && (
        <>
          {picked.param_count > 0 && (
            <div className={s.params}>
              {paramLabels(picked).map((label, i) => (
                <label key={label} className={s.param} htmlFor={`${id}-${i}`}>
                  {t('templates.param', { name: label })}
                  <Input
                    id={`${id}-${i}`}
                    data-testid={`template-param-${i}`}
                    value={value.values[i] ?? ''}
                    maxLength={1024}
                    onChange={(e) => {
                      const values = [...value.values];
                      values[i] = e.target.value.replace(/[\n\t]/g, ' ');
                      onChange({ ...value, values });
                    }}
                  />
                </label>
              ))}
            </div>
          )}
          <div>
            <div className={s.previewLabel}>{t('templates.preview')}</div>
            <div className={s.preview} data-testid="template-preview">
              {renderTemplate(picked, value.values)}
            </div>
          </div>
        </>
      )}
    </div>
  );
}

/** TemplateSyncBar says when the list was synced from WhatsApp and lets admins sync it now. */
function TemplateSyncBar({ channelId }: { channelId: number }) {
  const { t, i18n } = useTranslation('conversation');
  const me = useMe().data;
  const state = useTemplateSyncState(channelId).data;
  const sync = useSyncTemplates(channelId);
  if (!state) return null;
  const isAdmin = me?.user.role === 'admin';
  return (
    <div className={s.sync} data-testid="template-sync">
      <span>
        {state.syncedAt != null ? t('templates.syncedAgo', { when: syncedAgo(state.syncedAt, Date.now(), i18n.language) }) : t('templates.neverSynced')}
      </span>
      {state.error && (
        <span className={s.syncError} role="status">
          {t('templates.syncFailed', { error: state.error })}
        </span>
      )}
      {isAdmin && (
        <Button variant="ghost" size="sm" data-testid="template-sync-now" disabled={sync.isPending} busy={sync.isPending} onClick={() => sync.mutate()}>
          <RefreshCw size={12} aria-hidden /> {t('templates.syncNow')}
        </Button>
      )}
    </div>
  );
}

/** TemplateComposer replaces free text on a WhatsApp conversation whose window is closed. */
export function TemplateComposer({ c }: { c: Conversation }) {
  const { t } = useTranslation('conversation');
  const qc = useQueryClient();
  const [choice, setChoice] = useState<TemplateChoice>({ key: '', values: [] });
  const templates = useTemplates(c.channel_id);
  const body = toSend(templates.data, choice);
  const send = useMutation({
    mutationFn: (template: TemplateSend) =>
      unwrap(api.POST('/api/v1/conversations/{id}/messages', { params: { path: { id: c.id } }, body: { kind: 'template', template } })),
    onSuccess: (m) => {
      appendToTimeline(qc, m);
      setChoice({ key: '', values: [] });
    },
  });
  return (
    <div data-testid="composer-templates">
      <div className={s.banner} role="status">
        <Clock size={14} aria-hidden />
        <span>{t('templates.windowClosed')}</span>
      </div>
      <TemplateFields channelId={c.channel_id} value={choice} onChange={setChoice} />
      <div className={s.toolbar}>
        <span className={s.grow} />
        <Button variant="primary" size="sm" data-testid="template-send" disabled={!body || send.isPending} busy={send.isPending} onClick={() => body && send.mutate(body)}>
          <Send size={14} aria-hidden /> {t('templates.send')}
        </Button>
      </div>
    </div>
  );
}
