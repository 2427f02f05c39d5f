// Personal API tokens (every user, their own): for scripts and bots that act
// as the user through the REST API. The token is answered once.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KeyRound, Plus } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap, type Schemas } from '../../api/client';
import { qk, useMe } from '../../api/queries';
import { dateTime } from '../../lib/format';
import { Button, EmptyState, Field, Input } from '../../ui';
import { limits } from './logic';
import { ConfirmDialog, Panel, SecretDialog, SectionHeader, TableSkeleton, FormDialog } from './parts';
import s from './settings.module.css';

type Token = Schemas['APIToken'];

export function useTokens() {
  return useQuery({ queryKey: qk.tokens, queryFn: () => unwrap(api.GET('/api/v1/tokens')).then((r) => r.items) });
}

export function TokensSection() {
  const { t, i18n } = useTranslation('settings');
  const me = useMe().data!;
  const tokens = useTokens();
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const revoke = useMutation({
    mutationFn: (tk: Token) => unwrap(api.DELETE('/api/v1/tokens/{id}', { params: { path: { id: tk.id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.tokens });
      setRevoking(null);
      toast.success(t('tokens.revoked'));
    },
  });
  const tz = me.workspace.timezone;
  const when = (ms: number) => dateTime(ms, i18n.language, tz);
  const list = [...(tokens.data ?? [])].sort((a, b) => b.created_at - a.created_at);

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader
        title={t('tokens.title')}
        description={t('tokens.description')}
        actions={
          <Button variant="primary" onClick={() => setCreating(true)} data-testid="token-new">
            <Plus size={16} aria-hidden /> {t('tokens.new')}
          </Button>
        }
      />
      <Panel>
        {tokens.isPending ? (
          <TableSkeleton rows={3} />
        ) : list.length === 0 ? (
          <EmptyState
            icon={<KeyRound size={28} aria-hidden />}
            title={t('tokens.emptyTitle')}
            body={t('tokens.emptyBody')}
            action={
              <Button onClick={() => setCreating(true)}>
                <Plus size={16} aria-hidden /> {t('tokens.new')}
              </Button>
            }
          />
        ) : (
          <table className={s.table}>
            <thead>
              <tr>
                <th scope="col">{t('tokens.name')}</th>
                <th scope="col" className={s.hideSm}>
                  {t('tokens.created')}
                </th>
                <th scope="col">{t('tokens.lastUsed')}</th>
                <th scope="col" className={s.actionsCol}>
                  <span className="sr-only">{t('actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((tk) => (
                <tr key={tk.id} data-testid={`token-row-${tk.id}`}>
                  <td>
                    <span className={s.cellTitle}>{tk.name}</span>
                    <span className={`${s.cellSub} ${s.mono}`}>{tk.prefix}…</span>
                  </td>
                  <td className={s.hideSm}>{when(tk.created_at)}</td>
                  <td>{tk.last_used_at ? when(tk.last_used_at) : <span className={s.muted}>{t('tokens.never')}</span>}</td>
                  <td className={s.actionsCol}>
                    <Button size="sm" variant="ghost" className={s.dangerText} onClick={() => setRevoking(tk)} aria-label={t('tokens.revokeItem', { name: tk.name })}>
                      {t('tokens.revoke')}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <p className={s.footnote}>{t('tokens.footnote')}</p>

      {creating && <TokenDialog onClose={() => setCreating(false)} onCreated={(name, token) => setCreated({ name, token })} />}
      <ConfirmDialog
        open={!!revoking}
        onOpenChange={(o) => !o && setRevoking(null)}
        title={t('tokens.revokeTitle', { name: revoking?.name ?? '' })}
        body={t('tokens.revokeBody')}
        confirmLabel={t('tokens.revoke')}
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking)}
      />
      <SecretDialog
        open={!!created}
        onOpenChange={(o) => !o && setCreated(null)}
        title={t('tokens.createdTitle', { name: created?.name ?? '' })}
        items={created ? [{ label: t('tokens.token'), value: created.token, testid: 'created-token' }] : []}
      >
        <p className={s.panelText}>
          {t('tokens.usage')} <code className={s.inlineCode}>Authorization: Bearer {created ? `${created.token.slice(0, 8)}…` : ''}</code>
        </p>
      </SecretDialog>
    </section>
  );
}

function TokenDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string, token: string) => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [tried, setTried] = useState(false);
  const trimmed = name.trim();
  const error = !trimmed ? 'required' : trimmed.length > limits.name ? 'tooLong' : undefined;
  const save = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/tokens', { body: { name: trimmed } })),
    onSuccess: (tk) => {
      void qc.invalidateQueries({ queryKey: qk.tokens });
      onClose();
      onCreated(tk.name, tk.token);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!error) save.mutate();
  };
  return (
    <FormDialog
      title={t('tokens.new')}
      formId="token-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={tc('create')}
      submitTestId="token-save"
    >
      <Field label={t('tokens.name')} htmlFor="token-name" hint={t('tokens.nameHint')} error={tried && error ? t(`errors.${error}`) : undefined}>
        <Input id="token-name" value={name} autoFocus onChange={(e) => setName(e.target.value)} placeholder={t('tokens.namePlaceholder')} data-testid="token-name" />
      </Field>
    </FormDialog>
  );
}
