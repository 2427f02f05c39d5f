// Departments (admins): create, rename, delete, choose the default one and
// edit who belongs to each.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Network, Plus, Star } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap, type Department, type User } from '../../api/client';
import { qk, useDepartments, useUsers } from '../../api/queries';
import { Avatar, Badge, Button, Checkbox, Dialog, EmptyState, Field, Input, Picker, Select } from '../../ui';
import { AssignmentDialog, useAssignment } from './AssignmentFields';
import { useBots } from './BotsSection';
import { limits } from './logic';
import { ConfirmDialog, Panel, RowMenu, SectionHeader, TableSkeleton, FormDialog } from './parts';
import s from './settings.module.css';

function useInvalidate() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: qk.departments });
    void qc.invalidateQueries({ queryKey: qk.users });
    void qc.invalidateQueries({ queryKey: qk.counters });
  };
}

export function DepartmentsSection() {
  const { t } = useTranslation('settings');
  const departments = useDepartments();
  const users = useUsers();
  const [editing, setEditing] = useState<Department | 'new' | null>(null);
  const [members, setMembers] = useState<Department | null>(null);
  const [deleting, setDeleting] = useState<Department | null>(null);
  const [assigning, setAssigning] = useState<Department | null>(null);
  const invalidate = useInvalidate();
  const { t: tc } = useTranslation();

  const makeDefault = useMutation({
    mutationFn: (d: Department) => unwrap(api.PATCH('/api/v1/departments/{id}', { params: { path: { id: d.id } }, body: { is_default: true } })),
    onSuccess: (d) => {
      invalidate();
      toast.success(t('departments.defaultNow', { name: d.name }));
    },
  });
  const remove = useMutation({
    mutationFn: (d: Department) => unwrap(api.DELETE('/api/v1/departments/{id}', { params: { path: { id: d.id } } })),
    onSuccess: () => {
      invalidate();
      setDeleting(null);
      toast.success(t('deleted'));
    },
  });

  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  const list = [...(departments.data ?? [])].sort((a, b) => Number(b.is_default) - Number(a.is_default) || a.name.localeCompare(b.name));

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader
        title={t('departments.title')}
        description={t('departments.description')}
        actions={
          <Button variant="primary" onClick={() => setEditing('new')} data-testid="department-new">
            <Plus size={16} aria-hidden /> {t('departments.new')}
          </Button>
        }
      />
      <Panel>
        {departments.isPending ? (
          <TableSkeleton />
        ) : list.length === 0 ? (
          <EmptyState icon={<Network size={28} aria-hidden />} title={t('departments.emptyTitle')} body={t('departments.emptyBody')} />
        ) : (
          <table className={s.table}>
            <thead>
              <tr>
                <th scope="col">{t('departments.name')}</th>
                <th scope="col">{t('departments.members')}</th>
                <th scope="col">{t('departments.bot')}</th>
                <th scope="col" className={s.actionsCol}>
                  <span className="sr-only">{t('actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => {
                const people = d.member_ids.map((id) => byId.get(id)).filter((u): u is User => !!u);
                return (
                  <tr key={d.id} data-testid={`department-row-${d.id}`}>
                    <td>
                      <span className={s.cellTitle}>{d.name}</span>
                      {d.is_default && (
                        <Badge className={s.defaultBadge} title={t('departments.defaultHint')}>
                          <Star size={11} aria-hidden /> {t('departments.default')}
                        </Badge>
                      )}
                      <AssignmentBadge id={d.id} />
                    </td>
                    <td>
                      <button type="button" className={s.membersButton} onClick={() => setMembers(d)}>
                        <span className={s.avatarStack} aria-hidden>
                          {people.slice(0, 5).map((u) => (
                            <Avatar key={u.id} name={u.name || u.email} size={22} />
                          ))}
                        </span>
                        <span className={s.muted}>{t('departments.memberCount', { count: people.length })}</span>
                        <span className="sr-only">, {t('departments.editMembersOf', { name: d.name })}</span>
                      </button>
                    </td>
                    <td>
                      <BotSelect department={d} />
                    </td>
                    <td className={s.actionsCol}>
                      <RowMenu
                        label={t('rowActions', { name: d.name })}
                        items={[
                          { label: t('departments.rename'), onSelect: () => setEditing(d) },
                          { label: t('departments.editMembers'), onSelect: () => setMembers(d) },
                          { label: t('assignment.open'), onSelect: () => setAssigning(d) },
                          { label: t('departments.makeDefault'), disabled: d.is_default, onSelect: () => makeDefault.mutate(d) },
                          { label: '', separator: true },
                          { label: tc('delete'), disabled: d.is_default, onSelect: () => setDeleting(d) },
                        ]}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Panel>
      {list.length > 0 && <p className={s.footnote}>{t('departments.footnote')}</p>}

      {editing && <DepartmentDialog department={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      {assigning && <AssignmentDialog department={assigning} onClose={() => setAssigning(null)} />}
      {members && <MembersDialog department={members} users={users.data ?? []} onClose={() => setMembers(null)} />}
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('departments.deleteTitle', { name: deleting?.name ?? '' })}
        body={t('departments.deleteBody')}
        confirmLabel={tc('delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
    </section>
  );
}

/** BotSelect chooses the department's own bot ("none" sends null), saved at once. */
function BotSelect({ department }: { department: Department }) {
  const { t } = useTranslation('settings');
  const bots = useBots().data ?? [];
  const invalidate = useInvalidate();
  const save = useMutation({
    mutationFn: (botId: number | null) => unwrap(api.PATCH('/api/v1/departments/{id}', { params: { path: { id: department.id } }, body: { bot_id: botId } })),
    onSuccess: (d) => {
      invalidate();
      toast.success(t('departments.botSaved', { name: d.name }));
    },
  });
  const value = department.bot_id ? String(department.bot_id) : '';
  return (
    <Select
      aria-label={t('departments.botOf', { name: department.name })}
      value={value}
      disabled={save.isPending}
      onChange={(e) => save.mutate(e.target.value ? Number(e.target.value) : null)}
      data-testid={`department-bot-${department.id}`}
    >
      <option value="">{t('departments.noBot')}</option>
      {value && !bots.some((b) => String(b.id) === value) && <option value={value}>#{value}</option>}
      {bots.map((b) => (
        <option key={b.id} value={String(b.id)}>
          {b.enabled ? b.name : t('departments.botOff', { name: b.name })}
        </option>
      ))}
    </Select>
  );
}

/** AssignmentBadge shows a department's automatic assignment mode when one is on. */
function AssignmentBadge({ id }: { id: number }) {
  const { t } = useTranslation('settings');
  const mode = useAssignment(id).data?.mode;
  if (!mode || mode === 'off') return null;
  return (
    <Badge className={s.defaultBadge} title={t('assignment.mode')}>
      <span data-testid={`dept-assign-badge-${id}`}>{t(`assignment.modesShort.${mode}`)}</span>
    </Badge>
  );
}

function DepartmentDialog({ department, onClose }: { department: Department | null; onClose: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const invalidate = useInvalidate();
  const [name, setName] = useState(department?.name ?? '');
  const [isDefault, setIsDefault] = useState(false);
  const [tried, setTried] = useState(false);
  const trimmed = name.trim();
  const error = !trimmed ? 'required' : [...trimmed].length > limits.name ? 'tooLong' : undefined;

  const save = useMutation({
    mutationFn: () =>
      department
        ? unwrap(api.PATCH('/api/v1/departments/{id}', { params: { path: { id: department.id } }, body: { name: trimmed } }))
        : unwrap(api.POST('/api/v1/departments', { body: { name: trimmed, is_default: isDefault } })),
    onSuccess: () => {
      invalidate();
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
      title={department ? t('departments.renameTitle') : t('departments.new')}
      formId="department-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={department ? tc('save') : tc('create')}
      submitTestId="department-save"
    >
      <Field label={t('departments.name')} htmlFor="dept-name" error={tried && error ? t(`errors.${error}`) : undefined}>
        <Input id="dept-name" value={name} autoFocus onChange={(e) => setName(e.target.value)} placeholder={t('departments.namePlaceholder')} data-testid="department-name" />
      </Field>
      {!department && <Checkbox label={t('departments.makeDefaultNew')} checked={isDefault} onChange={setIsDefault} />}
    </FormDialog>
  );
}

function MembersDialog({ department, users, onClose }: { department: Department; users: User[]; onClose: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const invalidate = useInvalidate();
  const [ids, setIds] = useState<Set<number>>(() => new Set(department.member_ids));
  const toggle = (id: number) =>
    setIds((cur) => {
      const next = new Set(cur);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const save = useMutation({
    mutationFn: () =>
      unwrap(api.PUT('/api/v1/departments/{id}/members', { params: { path: { id: department.id } }, body: { user_ids: [...ids].sort((a, b) => a - b) } })),
    onSuccess: () => {
      invalidate();
      toast.success(tc('saved'));
      onClose();
    },
  });
  const sorted = [...users].sort((a, b) => Number(b.active) - Number(a.active) || (a.name || a.email).localeCompare(b.name || b.email));
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={t('departments.membersTitle', { name: department.name })}
      description={t('departments.membersHelp')}
      footer={
        <>
          <span className={s.footerNote} aria-live="polite">
            {t('departments.selectedCount', { count: ids.size })}
          </span>
          <Button onClick={onClose}>{tc('cancel')}</Button>
          <Button variant="primary" busy={save.isPending} onClick={() => save.mutate()} data-testid="members-save">
            {tc('save')}
          </Button>
        </>
      }
    >
      <div className={s.pickerWrap} data-testid="members-picker">
        <Picker
          placeholder={t('departments.searchPeople')}
          empty={t('departments.noPeople')}
          onPick={(v) => toggle(Number(v))}
          options={sorted.map((u) => ({
            value: String(u.id),
            label: u.name || u.email,
            hint: u.active ? tc(`role.${u.role}`) : t('agents.inactive'),
            keywords: [u.email],
            selected: ids.has(u.id),
            icon: <Avatar name={u.name || u.email} size={22} presence={u.presence} />,
          }))}
        />
      </div>
    </Dialog>
  );
}
