// Agents and access levels (admins): who signs in, with which role, which
// conversations they see (scope), how many they take at once (capacity) and
// in which departments they work.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Eye, EyeOff, Search, UserPlus, Users, WandSparkles } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap, type Department, type User } from '../../api/client';
import { qk, useDepartments, useMe, useUsers } from '../../api/queries';
import { Avatar, Badge, Button, Checkbox, EmptyState, Field, IconButton, Input, Select } from '../../ui';
import { emptyUserForm, generatePassword, matches, userForm, userPatch, validateUser, type UserForm, type UserRole, type UserScope } from './logic';
import { ConfirmDialog, CopyButton, Panel, RowMenu, SecretDialog, SectionHeader, TableSkeleton, FormDialog } from './parts';
import s from './settings.module.css';

function useInvalidate() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: qk.users });
    void qc.invalidateQueries({ queryKey: qk.departments });
    void qc.invalidateQueries({ queryKey: qk.counters });
  };
}

export function AgentsSection() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const me = useMe().data!;
  const users = useUsers();
  const departments = useDepartments();
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [confirm, setConfirm] = useState<{ user: User; action: 'deactivate' | 'delete' } | null>(null);
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const invalidate = useInvalidate();

  const setActive = useMutation({
    mutationFn: ({ user, active }: { user: User; active: boolean }) => unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { active } })),
    onSuccess: (u) => {
      invalidate();
      setConfirm(null);
      toast.success(u.active ? t('agents.reactivated', { name: u.name }) : t('agents.deactivated', { name: u.name }));
    },
  });
  const remove = useMutation({
    mutationFn: (user: User) => unwrap(api.DELETE('/api/v1/users/{id}', { params: { path: { id: user.id } } })),
    onSuccess: () => {
      invalidate();
      setConfirm(null);
      toast.success(t('deleted'));
    },
  });

  const deptName = new Map((departments.data ?? []).map((d) => [d.id, d.name]));
  const all = [...(users.data ?? [])].sort((a, b) => Number(b.active) - Number(a.active) || (a.name || a.email).localeCompare(b.name || b.email));
  const list = all.filter((u) => matches(q, u.name, u.email, tc(`role.${u.role}`), ...u.department_ids.map((id) => deptName.get(id) ?? '')));

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader
        title={t('agents.title')}
        description={t('agents.description')}
        actions={
          <Button variant="primary" onClick={() => setEditing('new')} data-testid="agent-new">
            <UserPlus size={16} aria-hidden /> {t('agents.new')}
          </Button>
        }
      />
      <div className={s.toolbar}>
        <div className={s.searchBox}>
          <Search size={14} aria-hidden className={s.searchIcon} />
          <Input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('agents.search')} aria-label={t('agents.search')} className={s.searchInput} />
        </div>
        {users.data && <span className={s.muted}>{t('agents.count', { count: all.filter((u) => u.active).length })}</span>}
      </div>
      <Panel>
        {users.isPending ? (
          <TableSkeleton />
        ) : list.length === 0 ? (
          q ? (
            <EmptyState icon={<Search size={28} aria-hidden />} title={t('noMatches')} body={t('noMatchesBody')} />
          ) : (
            <EmptyState icon={<Users size={28} aria-hidden />} title={t('agents.emptyTitle')} body={t('agents.emptyBody')} />
          )
        ) : (
          <table className={s.table}>
            <thead>
              <tr>
                <th scope="col">{t('agents.person')}</th>
                <th scope="col" className={s.roleCol}>
                  {t('agents.role')}
                </th>
                <th scope="col" className={s.hideSm}>
                  {t('agents.scope')}
                </th>
                <th scope="col" className={`${s.hideSm} ${s.num}`}>
                  {t('agents.capacity')}
                </th>
                <th scope="col" className={s.hideMd}>
                  {t('agents.departments')}
                </th>
                <th scope="col" className={s.actionsCol}>
                  <span className="sr-only">{t('actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => {
                const self = u.id === me.user.id;
                return (
                  <tr key={u.id} className={u.active ? undefined : s.inactiveRow} data-testid={`agent-row-${u.id}`}>
                    <td>
                      <div className={s.person}>
                        <Avatar name={u.name || u.email} size={28} presence={u.active ? u.presence : undefined} />
                        <div className={s.personText}>
                          <span className={s.cellTitle}>
                            {u.name || u.email}
                            {self && <span className={s.muted}> ({t('agents.you')})</span>}
                          </span>
                          <span className={s.cellSub}>
                            {u.email}
                            <span className="sr-only">, {u.active ? tc(`presence.${u.presence}`) : t('agents.inactive')}</span>
                          </span>
                        </div>
                        {!u.active && <Badge className={s.inactiveBadge}>{t('agents.inactive')}</Badge>}
                      </div>
                    </td>
                    <td>
                      <span className={s.roleBadge} data-role={u.role}>
                        {tc(`role.${u.role}`)}
                      </span>
                    </td>
                    <td className={s.hideSm}>{u.role === 'admin' ? <span className={s.muted}>{t('agents.scopeAll')}</span> : t(`agents.scopes.${u.scope}`)}</td>
                    <td className={`${s.hideSm} ${s.num}`}>{u.capacity === 0 ? <span className={s.muted} title={t('agents.noLimit')}>∞</span> : u.capacity}</td>
                    <td className={s.hideMd}>
                      <div className={s.badges}>
                        {u.department_ids.length === 0 ? (
                          <span className={s.muted}>—</span>
                        ) : (
                          u.department_ids.map((id) => <Badge key={id}>{deptName.get(id) ?? `#${id}`}</Badge>)
                        )}
                      </div>
                    </td>
                    <td className={s.actionsCol}>
                      <RowMenu
                        label={t('rowActions', { name: u.name || u.email })}
                        items={[
                          { label: tc('edit'), onSelect: () => setEditing(u) },
                          u.active
                            ? { label: t('agents.deactivate'), disabled: self, onSelect: () => setConfirm({ user: u, action: 'deactivate' }) }
                            : { label: t('agents.reactivate'), onSelect: () => setActive.mutate({ user: u, active: true }) },
                          { label: '', separator: true },
                          { label: tc('delete'), disabled: self, onSelect: () => setConfirm({ user: u, action: 'delete' }) },
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

      {editing && (
        <UserDialog
          user={editing === 'new' ? null : editing}
          self={editing !== 'new' && editing.id === me.user.id}
          departments={departments.data ?? []}
          onClose={() => setEditing(null)}
          onCreated={(email, password) => setCreated({ email, password })}
        />
      )}
      <ConfirmDialog
        open={!!confirm}
        onOpenChange={(o) => !o && setConfirm(null)}
        title={confirm ? t(`agents.${confirm.action}Title`, { name: confirm.user.name || confirm.user.email }) : ''}
        body={confirm ? t(`agents.${confirm.action}Body`) : ''}
        confirmLabel={confirm?.action === 'delete' ? tc('delete') : t('agents.deactivate')}
        busy={setActive.isPending || remove.isPending}
        onConfirm={() => {
          if (!confirm) return;
          if (confirm.action === 'delete') remove.mutate(confirm.user);
          else setActive.mutate({ user: confirm.user, active: false });
        }}
      />
      <SecretDialog
        open={!!created}
        onOpenChange={(o) => !o && setCreated(null)}
        title={t('agents.createdTitle')}
        items={
          created
            ? [
                { label: t('agents.email'), value: created.email },
                { label: t('agents.password'), value: created.password, testid: 'created-password' },
              ]
            : []
        }
      >
        <p className={s.panelText}>{t('agents.createdHelp', { url: location.origin })}</p>
      </SecretDialog>
    </section>
  );
}

function UserDialog({
  user,
  self,
  departments,
  onClose,
  onCreated,
}: {
  user: User | null;
  self: boolean;
  departments: Department[];
  onClose: () => void;
  onCreated: (email: string, password: string) => void;
}) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const invalidate = useInvalidate();
  const creating = !user;
  const [form, setForm] = useState<UserForm>(() => (user ? userForm(user) : { ...emptyUserForm }));
  const [generated, setGenerated] = useState(false);
  const [showPassword, setShowPassword] = useState(false);
  const [tried, setTried] = useState(false);
  const set = (p: Partial<UserForm>) => setForm((f) => ({ ...f, ...p }));
  const { values, errors } = validateUser(form, creating);
  const err = (k?: string) => (tried && k ? t(`errors.${k}`) : undefined);

  const save = useMutation({
    mutationFn: async () => {
      if (!values) throw new Error('invalid');
      if (user) {
        const body = userPatch(user, values);
        if (Object.keys(body).length === 0) return user;
        return unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body }));
      }
      const { password, name, ...rest } = values;
      return unwrap(api.POST('/api/v1/users', { body: { ...rest, ...(name ? { name } : {}), password: password! } }));
    },
    onSuccess: (u) => {
      invalidate();
      toast.success(tc('saved'));
      onClose();
      if (creating && generated) onCreated(u.email, form.password);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (values) save.mutate();
  };
  const generate = () => {
    set({ password: generatePassword() });
    setGenerated(true);
    setShowPassword(true);
  };
  const toggleDept = (id: number, on: boolean) => set({ departmentIds: on ? [...form.departmentIds, id] : form.departmentIds.filter((d) => d !== id) });

  return (
    <FormDialog
      title={user ? t('agents.editTitle', { name: user.name || user.email }) : t('agents.new')}
      formId="user-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={creating ? tc('create') : tc('save')}
      submitTestId="agent-save"
    >
      <div className={s.formGrid}>
        <Field label={t('agents.name')} htmlFor="user-name" error={err(errors.name)} hint={creating ? t('agents.nameHint') : undefined}>
          <Input id="user-name" value={form.name} autoFocus onChange={(e) => set({ name: e.target.value })} data-testid="agent-name" />
        </Field>
        <Field label={t('agents.email')} htmlFor="user-email" error={err(errors.email)}>
          <Input id="user-email" type="email" autoComplete="off" value={form.email} onChange={(e) => set({ email: e.target.value })} data-testid="agent-email" />
        </Field>
      </div>
      <Field
        label={creating ? t('agents.password') : t('agents.newPassword')}
        htmlFor="user-password"
        error={err(errors.password)}
        hint={creating ? (generated ? t('agents.generatedHint') : t('agents.passwordHint')) : t('agents.keepPasswordHint')}
      >
        <div className={s.inputRow}>
          <Input
            id="user-password"
            type={showPassword ? 'text' : 'password'}
            autoComplete="new-password"
            value={form.password}
            className={s.mono}
            onChange={(e) => {
              set({ password: e.target.value });
              setGenerated(false);
            }}
            data-testid="agent-password"
          />
          <IconButton
            variant="secondary"
            label={showPassword ? t('agents.hidePassword') : t('agents.showPassword')}
            icon={showPassword ? <EyeOff size={16} aria-hidden /> : <Eye size={16} aria-hidden />}
            onClick={() => setShowPassword((v) => !v)}
          />
          {form.password && <CopyButton value={form.password} label={t('agents.copyPassword')} />}
          <Button onClick={generate} data-testid="agent-generate-password">
            <WandSparkles size={16} aria-hidden /> {t('agents.generate')}
          </Button>
        </div>
      </Field>
      <div className={s.formGrid}>
        <Field label={t('agents.role')} htmlFor="user-role" hint={t(`agents.roleHints.${form.role}`)}>
          <Select id="user-role" value={form.role} disabled={self} onChange={(e) => set({ role: e.target.value as UserRole })} data-testid="agent-role">
            {(['agent', 'supervisor', 'admin'] as const).map((r) => (
              <option key={r} value={r}>
                {tc(`role.${r}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('agents.scope')} htmlFor="user-scope" hint={form.role === 'admin' ? t('agents.scopeAdminHint') : t(`agents.scopeHints.${form.scope}`)}>
          <Select id="user-scope" value={form.scope} disabled={form.role === 'admin'} onChange={(e) => set({ scope: e.target.value as UserScope })} data-testid="agent-scope">
            {(['department', 'assigned'] as const).map((sc) => (
              <option key={sc} value={sc}>
                {t(`agents.scopes.${sc}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('agents.capacity')} htmlFor="user-capacity" error={err(errors.capacity)} hint={t('agents.capacityHint')}>
          <Input id="user-capacity" inputMode="numeric" className={s.numberInput} value={form.capacity} onChange={(e) => set({ capacity: e.target.value })} data-testid="agent-capacity" />
        </Field>
      </div>
      <fieldset className={s.fieldset}>
        <legend className={s.legend}>{t('agents.departments')}</legend>
        {departments.length === 0 ? (
          <span className={s.hint}>{t('agents.noDepartments')}</span>
        ) : (
          <div className={s.checkGrid}>
            {departments.map((d) => (
              <Checkbox key={d.id} label={d.name} checked={form.departmentIds.includes(d.id)} onChange={(on) => toggleDept(d.id, on)} />
            ))}
          </div>
        )}
      </fieldset>
      {!creating && (
        <div className={s.stackSm}>
          <Checkbox label={t('agents.active')} checked={form.active} disabled={self} onChange={(v) => set({ active: v })} />
          <span className={s.hint}>{self ? t('agents.selfHint') : t('agents.activeHint')}</span>
        </div>
      )}
    </FormDialog>
  );
}
