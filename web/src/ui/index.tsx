// Shared building blocks. Screens compose these; they hold no business rule.
import * as RDialog from '@radix-ui/react-dialog';
import * as RMenu from '@radix-ui/react-dropdown-menu';
import * as RPopover from '@radix-ui/react-popover';
import { Command } from 'cmdk';
import { Check, Loader2 } from 'lucide-react';
import { forwardRef, useId, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { toast } from 'sonner';
import { ApiError } from '../api/client';
import { initials } from '../lib/format';
import s from './ui.module.css';

export { s as uiStyles };

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'ghost' | 'danger';
  size?: 'sm' | 'md';
  busy?: boolean;
};

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = 'secondary', size = 'md', busy, className, children, disabled, type = 'button', ...rest },
  ref,
) {
  const cls = [s.button, variant !== 'secondary' && s[variant], size === 'sm' && s.sm, className].filter(Boolean).join(' ');
  return (
    <button ref={ref} type={type} className={cls} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy && <Loader2 size={14} className={s.spinner} aria-hidden />}
      {children}
    </button>
  );
});

type IconButtonProps = Omit<ButtonProps, 'children'> & { label: string; icon: ReactNode };

/** IconButton always has an accessible name; the name is also its tooltip. */
export const IconButton = forwardRef<HTMLButtonElement, IconButtonProps>(function IconButton({ label, icon, className, variant = 'ghost', ...rest }, ref) {
  return (
    <Button ref={ref} variant={variant} aria-label={label} title={label} className={[s.icon, className].filter(Boolean).join(' ')} {...rest}>
      {icon}
    </Button>
  );
});

export function Field({ label, hint, error, children, htmlFor }: { label: string; hint?: string; error?: string; children: ReactNode; htmlFor?: string }) {
  return (
    <div className={s.field}>
      <label className={s.label} htmlFor={htmlFor}>
        {label}
      </label>
      {children}
      {hint && !error && <span className={s.hint}>{hint}</span>}
      {error && (
        <span className={s.error} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function Input({ className, ...rest }, ref) {
  return <input ref={ref} className={[s.input, className].filter(Boolean).join(' ')} {...rest} />;
});

export const Textarea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement>>(function Textarea({ className, ...rest }, ref) {
  return <textarea ref={ref} className={[s.textarea, className].filter(Boolean).join(' ')} {...rest} />;
});

export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement>>(function Select({ className, ...rest }, ref) {
  return <select ref={ref} className={[s.select, className].filter(Boolean).join(' ')} {...rest} />;
});

export function Checkbox({ label, checked, onChange, disabled }: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  const id = useId();
  return (
    <label className={s.checkbox} htmlFor={id}>
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  footer,
  trigger,
}: {
  open?: boolean;
  onOpenChange?: (o: boolean) => void;
  title: string;
  description?: string;
  children?: ReactNode;
  footer?: ReactNode;
  trigger?: ReactNode;
}) {
  return (
    <RDialog.Root open={open} onOpenChange={onOpenChange}>
      {trigger && <RDialog.Trigger asChild>{trigger}</RDialog.Trigger>}
      <RDialog.Portal>
        <RDialog.Overlay className={s.overlay} />
        <RDialog.Content className={s.dialog} aria-describedby={description ? undefined : undefined}>
          <RDialog.Title className={s.dialogTitle}>{title}</RDialog.Title>
          {description ? <RDialog.Description className={s.dialogDescription}>{description}</RDialog.Description> : <RDialog.Description className="sr-only">{title}</RDialog.Description>}
          {children}
          {footer && <div className={s.dialogFooter}>{footer}</div>}
        </RDialog.Content>
      </RDialog.Portal>
    </RDialog.Root>
  );
}

export function Popover({
  trigger,
  children,
  open,
  onOpenChange,
  align = 'start',
  side = 'bottom',
  label,
}: {
  trigger: ReactNode;
  children: ReactNode;
  open?: boolean;
  onOpenChange?: (o: boolean) => void;
  align?: 'start' | 'center' | 'end';
  side?: 'top' | 'bottom' | 'left' | 'right';
  label?: string;
}) {
  return (
    <RPopover.Root open={open} onOpenChange={onOpenChange}>
      <RPopover.Trigger asChild>{trigger}</RPopover.Trigger>
      <RPopover.Portal>
        <RPopover.Content className={s.popover} align={align} side={side} sideOffset={6} collisionPadding={8} aria-label={label}>
          {children}
        </RPopover.Content>
      </RPopover.Portal>
    </RPopover.Root>
  );
}

export interface MenuEntry {
  label: string;
  icon?: ReactNode;
  onSelect?: () => void;
  disabled?: boolean;
  checked?: boolean;
  separator?: boolean;
  heading?: boolean;
}

export function Menu({ trigger, items, align = 'end' }: { trigger: ReactNode; items: MenuEntry[]; align?: 'start' | 'end' }) {
  return (
    <RMenu.Root>
      <RMenu.Trigger asChild>{trigger}</RMenu.Trigger>
      <RMenu.Portal>
        <RMenu.Content className={s.menu} align={align} sideOffset={6} collisionPadding={8}>
          {items.map((it, i) =>
            it.separator ? (
              <RMenu.Separator key={i} className={s.menuSeparator} />
            ) : it.heading ? (
              <RMenu.Label key={i} className={s.menuLabel}>
                {it.label}
              </RMenu.Label>
            ) : (
              <RMenu.Item key={i} className={s.menuItem} disabled={it.disabled} onSelect={it.onSelect}>
                {it.icon}
                <span style={{ flex: 1 }}>{it.label}</span>
                {it.checked && <Check size={14} aria-label="✓" />}
              </RMenu.Item>
            ),
          )}
        </RMenu.Content>
      </RMenu.Portal>
    </RMenu.Root>
  );
}

export interface PickerOption {
  value: string;
  label: string;
  group?: string;
  icon?: ReactNode;
  hint?: string;
  selected?: boolean;
  disabled?: boolean;
  keywords?: string[];
}

/** Picker is a searchable list (cmdk) for assign, transfer, labels and the like. */
export function Picker({ options, onPick, placeholder, empty }: { options: PickerOption[]; onPick: (value: string) => void; placeholder: string; empty: string }) {
  const groups = [...new Set(options.map((o) => o.group ?? ''))];
  return (
    <Command className={s.picker} label={placeholder}>
      <Command.Input className={s.pickerInput} placeholder={placeholder} autoFocus />
      <Command.List className={s.pickerList}>
        <Command.Empty className={s.pickerEmpty}>{empty}</Command.Empty>
        {groups.map((g) => (
          <Command.Group key={g} heading={g || undefined} className={s.pickerGroup}>
            {options
              .filter((o) => (o.group ?? '') === g)
              .map((o) => (
                <Command.Item
                  key={o.value}
                  value={`${o.value} ${o.label}`}
                  keywords={o.keywords}
                  disabled={o.disabled}
                  className={s.pickerItem}
                  onSelect={() => onPick(o.value)}
                >
                  {o.icon}
                  <span style={{ flex: 1 }}>{o.label}</span>
                  {o.hint && <span style={{ color: 'var(--text-muted)', fontSize: 'var(--text-sm)' }}>{o.hint}</span>}
                  {o.selected && <Check size={14} aria-hidden />}
                </Command.Item>
              ))}
          </Command.Group>
        ))}
      </Command.List>
    </Command>
  );
}

const avatarColours = ['#2256c9', '#0f766e', '#7c3aed', '#b45309', '#be123c', '#15803d', '#0369a1', '#a21caf'];

export function Avatar({ name, size = 32, presence }: { name: string; size?: number; presence?: 'online' | 'away' | 'offline' }) {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return (
    <span className={s.avatar} style={{ width: size, height: size, fontSize: Math.round(size * 0.38), background: avatarColours[h % avatarColours.length] }} aria-hidden>
      {initials(name)}
      {presence && <span className={`${s.presence} ${s[presence]}`} />}
    </span>
  );
}

export function Badge({ children, color, className, title }: { children: ReactNode; color?: string; className?: string; title?: string }) {
  return (
    <span className={[s.badge, className].filter(Boolean).join(' ')} style={color ? { background: color, color: readableOn(color) } : undefined} title={title}>
      {children}
    </span>
  );
}

export function CountBadge({ n, label }: { n: number; label?: string }) {
  return (
    <span className={`${s.badge} ${s.count}`} aria-label={label ? `${label}: ${n}` : undefined}>
      {n > 9999 ? '9999+' : n}
    </span>
  );
}

/** readableOn picks black or white text for a background colour (WCAG contrast). */
export function readableOn(hex: string): string {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return 'inherit';
  const n = parseInt(m[1], 16);
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const L = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return (L + 0.05) / 0.05 > 1.05 / (L + 0.05) ? '#111111' : '#ffffff';
}

export function Skeleton({ width = '100%', height = 12, style }: { width?: number | string; height?: number | string; style?: React.CSSProperties }) {
  return <span className={s.skeleton} style={{ width, height, ...style }} aria-hidden />;
}

export function EmptyState({ icon, title, body, action }: { icon?: ReactNode; title: string; body?: string; action?: ReactNode }) {
  return (
    <div className={s.empty}>
      {icon && <span className={s.emptyIcon}>{icon}</span>}
      <p className={s.emptyTitle}>{title}</p>
      {body && <p className={s.emptyBody}>{body}</p>}
      {action}
    </div>
  );
}

export function Progress({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className={s.progress} role="progressbar" aria-label={label} aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
      <div className={s.progressBar} style={{ width: `${pct}%` }} />
    </div>
  );
}

export function Spinner({ size = 16, label }: { size?: number; label?: string }) {
  return <Loader2 size={size} className={s.spinner} aria-label={label} role={label ? 'status' : undefined} />;
}

/** toastError shows the server's message for a failed request. */
export function toastError(err: unknown, fallback = 'Error') {
  const msg = err instanceof ApiError ? err.message : err instanceof Error ? err.message : fallback;
  toast.error(msg || fallback);
}
