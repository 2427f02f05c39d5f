// A department's automatic assignment (DESIGN M5), edited in a dialog opened
// from the department's row: who gets a new conversation, the department's
// cap per agent, giving conversations back when an agent leaves, and the
// message a waiting customer reads. Everyone may read it; only admins reach it here.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap, type Department } from '../../api/client';
import { Field, Input, Select, Textarea, uiStyles } from '../../ui';
import {
  assignmentBody,
  assignmentForm,
  assignmentLimits,
  assignmentModes,
  isAssignmentMode,
  mentionsPosition,
  queuePreview,
  validateAssignment,
  type AssignmentErrors,
  type AssignmentForm,
  type AssignmentSettings,
} from './assignmentLogic';
import { FormDialog, TableSkeleton } from './parts';
import s from './settings.module.css';

export const assignmentKey = (id: number) => ['departments', id, 'assignment'] as const;

export function useAssignment(id: number) {
  return useQuery({ queryKey: assignmentKey(id), queryFn: ({ signal }) => unwrap(api.GET('/api/v1/departments/{id}/assignment', { params: { path: { id } }, signal })) });
}

export function AssignmentDialog({ department, onClose }: { department: Department; onClose: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const current = useAssignment(department.id);
  return current.data ? (
    <AssignmentEditor department={department} saved={current.data} onClose={onClose} />
  ) : (
    <FormDialog title={t('assignment.title', { name: department.name })} formId="assignment-form" onClose={onClose} onSubmit={(e) => e.preventDefault()} busy submitLabel={tc('save')} submitTestId="dept-assign-save">
      <TableSkeleton rows={3} />
    </FormDialog>
  );
}

function AssignmentEditor({ department, saved, onClose }: { department: Department; saved: AssignmentSettings; onClose: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const [form, setForm] = useState<AssignmentForm>(() => assignmentForm(saved));
  const [tried, setTried] = useState(false);
  const { values, errors } = validateAssignment(form);
  const save = useMutation({
    mutationFn: (body: ReturnType<typeof assignmentBody>) => unwrap(api.PUT('/api/v1/departments/{id}/assignment', { params: { path: { id: department.id } }, body })),
    onSuccess: (a) => {
      qc.setQueryData(assignmentKey(department.id), a);
      toast.success(tc('saved'));
      onClose();
    },
  });
  const set = <K extends keyof AssignmentForm>(k: K, v: AssignmentForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!values) return;
    const body = assignmentBody(saved, values);
    if (Object.keys(body).length === 0) return onClose();
    save.mutate(body);
  };
  return (
    <FormDialog
      title={t('assignment.title', { name: department.name })}
      description={t('assignment.description')}
      formId="assignment-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={tc('save')}
      submitTestId="dept-assign-save"
    >
      <AssignmentFields form={form} onChange={set} errors={tried ? errors : {}} />
    </FormDialog>
  );
}

/** AssignmentFields is the body of the assignment form. */
export function AssignmentFields({ form, onChange: set, errors }: { form: AssignmentForm; onChange: <K extends keyof AssignmentForm>(k: K, v: AssignmentForm[K]) => void; errors: AssignmentErrors }) {
  const { t } = useTranslation('settings');
  const err = (k: keyof AssignmentErrors) => (errors[k] ? t(`assignment.errors.${errors[k]}`, { max: assignmentLimits.queueMessage }) : undefined);
  return (
    <>
      <Field label={t('assignment.mode')} htmlFor="dept-assign-mode" hint={t(`assignment.modeHints.${form.mode}`)}>
        <Select id="dept-assign-mode" value={form.mode} onChange={(e) => isAssignmentMode(e.target.value) && set('mode', e.target.value)} data-testid="dept-assign-mode">
          {assignmentModes.map((m) => (
            <option key={m} value={m}>
              {t(`assignment.modes.${m}`)}
            </option>
          ))}
        </Select>
      </Field>
      <Field label={t('assignment.limit')} htmlFor="dept-assign-limit" hint={t('assignment.limitHint')} error={err('limit')}>
        <Input
          id="dept-assign-limit"
          type="number"
          inputMode="numeric"
          min={0}
          max={assignmentLimits.limit}
          step={1}
          value={form.limit}
          onChange={(e) => set('limit', e.target.value)}
          style={{ maxWidth: 140 }}
          data-testid="dept-assign-limit"
        />
      </Field>
      <label className={uiStyles.checkbox}>
        <input type="checkbox" checked={form.release} onChange={(e) => set('release', e.target.checked)} data-testid="dept-assign-release" />
        {t('assignment.release')}
      </label>
      <div className={s.stackSm}>
        <label className={uiStyles.checkbox}>
          <input type="checkbox" checked={form.queueEnabled} onChange={(e) => set('queueEnabled', e.target.checked)} data-testid="dept-assign-queue-msg" />
          {t('assignment.queueEnabled')}
        </label>
        {form.queueEnabled && (
          <Field label={t('assignment.queueMessage')} htmlFor="dept-assign-queue-text" hint={t('assignment.queueHint', { code: '{{position}}' })} error={err('queueMessage')}>
            <Textarea
              id="dept-assign-queue-text"
              rows={3}
              value={form.queueMessage}
              maxLength={assignmentLimits.queueMessage}
              onChange={(e) => set('queueMessage', e.target.value)}
              placeholder={t('assignment.queuePlaceholder', { code: '{{position}}' })}
              data-testid="dept-assign-queue-text"
            />
          </Field>
        )}
        {form.queueEnabled && form.queueMessage.trim() && (
          <span className={s.hint} data-testid="dept-assign-preview">
            {t('assignment.preview')}: “{queuePreview(form.queueMessage.trim(), 3)}”{!mentionsPosition(form.queueMessage) && ` — ${t('assignment.noPosition')}`}
          </span>
        )}
      </div>
    </>
  );
}
