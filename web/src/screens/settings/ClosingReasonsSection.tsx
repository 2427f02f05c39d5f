// Closing reasons (motivos de finalização; admins): chosen when resolving a
// conversation. Inactive reasons stay on old conversations but cannot be
// picked any more.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ListChecks, Pencil, Plus, Trash2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { toast } from 'sonner';
import { api, unwrap, type ClosingReason } from '../../api/client';
import { qk, useClosingReasons, useMe } from '../../api/queries';
import { Button, Checkbox, EmptyState, Field, IconButton, Input } from '../../ui';
import { limits } from './logic';
import { ConfirmDialog, Panel, SectionHeader, TableSkeleton, FormDialog } from './parts';
import s from './settings.module.css';

export function ClosingReasonsSection() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const reasons = useClosingReasons();
  const required = useMe().data!.workspace.closing_reason_required;
  const qc = useQueryClient();
  const [editing, setEditing] = useState<ClosingReason | 'new' | null>(null);
  const [deleting, setDeleting] = useState<ClosingReason | null>(null);
  // The switch flips at once; a failure puts it back (and the server's message shows as a toast).
  const toggle = useMutation({
    mutationFn: (r: ClosingReason) => unwrap(api.PATCH('/api/v1/closing-reasons/{id}', { params: { path: { id: r.id } }, body: { active: !r.active } })),
    onMutate: async (r) => {
      await qc.cancelQueries({ queryKey: qk.closingReasons });
      const before = qc.getQueryData<ClosingReason[]>(qk.closingReasons);
      qc.setQueryData<ClosingReason[]>(qk.closingReasons, (list) => list?.map((x) => (x.id === r.id ? { ...x, active: !r.active } : x)));
      return { before };
    },
    onError: (_e, _r, ctx) => ctx?.before && qc.setQueryData(qk.closingReasons, ctx.before),
    onSuccess: (r) => toast.success(r.active ? t('closingReasons.activated', { name: r.name }) : t('closingReasons.deactivated', { name: r.name })),
    onSettled: () => void qc.invalidateQueries({ queryKey: qk.closingReasons }),
  });
  const remove = useMutation({
    mutationFn: (r: ClosingReason) => unwrap(api.DELETE('/api/v1/closing-reasons/{id}', { params: { path: { id: r.id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.closingReasons });
      setDeleting(null);
      toast.success(t('deleted'));
    },
  });
  const list = [...(reasons.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader
        title={t('closingReasons.title')}
        description={t('closingReasons.description')}
        actions={
          <Button variant="primary" onClick={() => setEditing('new')} data-testid="closing-reason-new">
            <Plus size={16} aria-hidden /> {t('closingReasons.new')}
          </Button>
        }
      />
      <p className={s.infoLine}>
        {required ? t('closingReasons.requiredOn') : t('closingReasons.requiredOff')}{' '}
        <Link to="/settings/workspace">{t('closingReasons.changeRequired')}</Link>
      </p>
      <Panel>
        {reasons.isPending ? (
          <TableSkeleton />
        ) : list.length === 0 ? (
          <EmptyState
            icon={<ListChecks size={28} aria-hidden />}
            title={t('closingReasons.emptyTitle')}
            body={t('closingReasons.emptyBody')}
            action={
              <Button onClick={() => setEditing('new')}>
                <Plus size={16} aria-hidden /> {t('closingReasons.new')}
              </Button>
            }
          />
        ) : (
          <ul className={s.rows} aria-label={t('closingReasons.title')}>
            {list.map((r) => (
              <li key={r.id} className={`${s.row} ${r.active ? '' : s.inactiveRow}`} data-testid={`closing-reason-row-${r.id}`}>
                <span className={s.cellTitle}>{r.name}</span>
                {!r.active && <span className={s.inactiveBadge}>{t('closingReasons.inactive')}</span>}
                <span className={s.spacer} />
                <span className={s.toggleCell}>
                  <Checkbox label={t('closingReasons.active')} checked={r.active} onChange={() => toggle.mutate(r)} />
                </span>
                <IconButton size="sm" label={t('editItem', { name: r.name })} icon={<Pencil size={14} aria-hidden />} onClick={() => setEditing(r)} />
                <IconButton size="sm" label={t('deleteItem', { name: r.name })} icon={<Trash2 size={14} aria-hidden />} onClick={() => setDeleting(r)} />
              </li>
            ))}
          </ul>
        )}
      </Panel>

      {editing && <ReasonDialog reason={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('closingReasons.deleteTitle', { name: deleting?.name ?? '' })}
        body={t('closingReasons.deleteBody')}
        confirmLabel={tc('delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
    </section>
  );
}

function ReasonDialog({ reason, onClose }: { reason: ClosingReason | null; onClose: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(reason?.name ?? '');
  const [active, setActive] = useState(reason?.active ?? true);
  const [tried, setTried] = useState(false);
  const trimmed = name.trim();
  const error = !trimmed ? 'required' : [...trimmed].length > limits.name ? 'tooLong' : undefined;
  const save = useMutation({
    mutationFn: () =>
      reason
        ? unwrap(api.PATCH('/api/v1/closing-reasons/{id}', { params: { path: { id: reason.id } }, body: { name: trimmed, active } }))
        : unwrap(api.POST('/api/v1/closing-reasons', { body: { name: trimmed, active } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.closingReasons });
      toast.success(tc('saved'));
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!error) save.mutate();
  };
  return (
    <FormDialog
      title={reason ? t('closingReasons.editTitle') : t('closingReasons.new')}
      formId="reason-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={reason ? tc('save') : tc('create')}
      submitTestId="closing-reason-save"
    >
      <Field label={t('closingReasons.name')} htmlFor="reason-name" error={tried && error ? t(`errors.${error}`) : undefined}>
        <Input id="reason-name" value={name} autoFocus onChange={(e) => setName(e.target.value)} placeholder={t('closingReasons.namePlaceholder')} data-testid="closing-reason-name" />
      </Field>
      <div className={s.stackSm}>
        <Checkbox label={t('closingReasons.active')} checked={active} onChange={setActive} />
        <span className={s.hint}>{t('closingReasons.activeHint')}</span>
      </div>
    </FormDialog>
  );
}
