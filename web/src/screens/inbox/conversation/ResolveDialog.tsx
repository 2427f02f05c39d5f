// Resolve (finalizar) with a closing reason — required when the workspace
// says so (the server answers 422 otherwise).
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClosingReasons } from '../../../api/queries';
import { Button, Dialog, Field, Select } from '../../../ui';

export function ResolveDialog({
  open,
  onOpenChange,
  required,
  busy,
  onConfirm,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  required: boolean;
  busy: boolean;
  onConfirm: (reasonId: number | undefined) => void;
}) {
  const { t } = useTranslation('conversation');
  const reasons = (useClosingReasons().data ?? []).filter((r) => r.active);
  const [reason, setReason] = useState('');
  const id = useId();
  useEffect(() => {
    if (open) setReason('');
  }, [open]);
  const missing = required && !reason;
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('resolve.title')}
      description={t('resolve.description')}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>{t('common:cancel')}</Button>
          <Button variant="primary" data-testid="resolve-confirm" disabled={missing} busy={busy} onClick={() => onConfirm(reason ? Number(reason) : undefined)}>
            {t('resolve.confirm')}
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!missing) onConfirm(reason ? Number(reason) : undefined);
        }}
      >
        <Field label={t('resolve.reason')} htmlFor={id} hint={required ? t('resolve.required') : undefined}>
          <Select id={id} data-testid="resolve-reason" value={reason} onChange={(e) => setReason(e.target.value)} required={required}>
            <option value="" disabled={required}>
              {required ? t('resolve.reasonPick') : t('resolve.reasonNone')}
            </option>
            {reasons.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </Select>
        </Field>
      </form>
    </Dialog>
  );
}
