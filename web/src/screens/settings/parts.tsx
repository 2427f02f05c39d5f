// Building blocks shared by the settings sections: section header, tables,
// confirmation and "shown once" secret dialogs, copyable fields.
import { AlertTriangle, Check, Copy, MoreHorizontal } from 'lucide-react';
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { Button, Dialog, IconButton, Input, Menu, Skeleton, type MenuEntry } from '../../ui';
import s from './settings.module.css';

export function SectionHeader({ title, description, actions }: { title: string; description?: string; actions?: ReactNode }) {
  return (
    <header className={s.sectionHeader}>
      <div className={s.sectionHeading}>
        <h1 id="settings-section-title">{title}</h1>
        {description && <p className={s.sectionDescription}>{description}</p>}
      </div>
      {actions && <div className={s.sectionActions}>{actions}</div>}
    </header>
  );
}

/** copyText puts text on the clipboard, falling back to a hidden textarea where the Clipboard API is missing. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

/** FormDialog is the create/edit dialog every section uses: a form, Cancel and a submit button. */
export function FormDialog({
  title,
  description,
  formId,
  onClose,
  onSubmit,
  busy,
  submitLabel,
  submitTestId,
  children,
}: {
  title: string;
  description?: string;
  formId: string;
  onClose: () => void;
  onSubmit: (e: FormEvent) => void;
  busy: boolean;
  submitLabel: string;
  submitTestId: string;
  children: ReactNode;
}) {
  const { t } = useTranslation('common');
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={title}
      description={description}
      footer={
        <>
          <Button onClick={onClose}>{t('cancel')}</Button>
          <Button variant="primary" type="submit" form={formId} busy={busy} data-testid={submitTestId}>
            {submitLabel}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate className={s.stack}>
        {children}
      </form>
    </Dialog>
  );
}

export function CopyButton({ value, label, testid }: { value: string; label?: string; testid?: string }) {
  const { t } = useTranslation();
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (!done) return;
    const id = setTimeout(() => setDone(false), 1500);
    return () => clearTimeout(id);
  }, [done]);
  return (
    <IconButton
      variant="secondary"
      label={done ? t('copied') : label ?? t('copy')}
      icon={done ? <Check size={16} aria-hidden /> : <Copy size={16} aria-hidden />}
      data-testid={testid}
      onClick={async () => {
        if (await copyText(value)) {
          setDone(true);
          toast.success(t('copied'));
        }
      }}
    />
  );
}

/** CopyField is a read-only value with a copy button (tokens, URLs, passwords). */
export function CopyField({ label, value, testid, mono = true }: { label: string; value: string; testid?: string; mono?: boolean }) {
  const id = useId();
  const { t } = useTranslation();
  return (
    <div className={s.copyField}>
      <label htmlFor={id} className={s.copyLabel}>
        {label}
      </label>
      <div className={s.copyRow}>
        <Input id={id} readOnly value={value} className={mono ? s.mono : undefined} onFocus={(e) => e.currentTarget.select()} data-testid={testid} />
        <CopyButton value={value} label={`${t('copy')}: ${label}`} testid={testid ? `${testid}-copy` : undefined} />
      </div>
    </div>
  );
}

export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  body,
  confirmLabel,
  onConfirm,
  busy,
  danger = true,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
  danger?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={title}
      description={body}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>{t('cancel')}</Button>
          <Button variant={danger ? 'danger' : 'primary'} busy={busy} onClick={onConfirm} data-testid="confirm-action">
            {confirmLabel}
          </Button>
        </>
      }
    />
  );
}

/** SecretDialog shows values the server answers only once (tokens, secrets, passwords). */
export function SecretDialog({
  open,
  onOpenChange,
  title,
  items,
  children,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  title: string;
  items: { label: string; value: string; testid?: string }[];
  children?: ReactNode;
}) {
  const { t } = useTranslation('settings');
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={title}
      footer={
        <Button variant="primary" onClick={() => onOpenChange(false)} data-testid="secret-done">
          {t('secret.done')}
        </Button>
      }
    >
      <div className={s.warning} role="note">
        <AlertTriangle size={16} aria-hidden />
        <span>{t('secret.warning')}</span>
      </div>
      {items.map((it) => (
        <CopyField key={it.label} label={it.label} value={it.value} testid={it.testid} />
      ))}
      {children}
    </Dialog>
  );
}

/** RowMenu is the "…" menu of a table row. */
export function RowMenu({ label, items }: { label: string; items: MenuEntry[] }) {
  return <Menu trigger={<IconButton size="sm" label={label} icon={<MoreHorizontal size={16} aria-hidden />} />} items={items} />;
}

export function TableSkeleton({ rows = 5 }: { rows?: number }) {
  return (
    <div className={s.skeletonList} aria-hidden>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className={s.skeletonRow}>
          <Skeleton width={28} height={28} style={{ borderRadius: 999 }} />
          <Skeleton width={`${30 + ((i * 17) % 40)}%`} />
          <Skeleton width={60} />
        </div>
      ))}
    </div>
  );
}

/** Panel is a bordered card that holds a table or a form. */
export function Panel({ children, className }: { children: ReactNode; className?: string }) {
  return <div className={[s.panel, className].filter(Boolean).join(' ')}>{children}</div>;
}

/** useMediaQuery follows a CSS media query. */
export function useMediaQuery(q: string): boolean {
  const [match, setMatch] = useState(() => typeof window !== 'undefined' && window.matchMedia(q).matches);
  useEffect(() => {
    const mq = window.matchMedia(q);
    const on = () => setMatch(mq.matches);
    on();
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, [q]);
  return match;
}
