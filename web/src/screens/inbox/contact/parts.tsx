// Small building blocks of the contact panel: collapsible sections that
// remember their state, the "Saving… / Saved" hint, inline-editable text and
// the label editor shared by the contact and the conversation.
import { Check, ChevronRight, Pencil, Plus, Tag, X } from 'lucide-react';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { Label } from '../../../api/client';
import { useLabels } from '../../../api/queries';
import { Badge, Button, Input, Picker, Popover } from '../../../ui';
import { toggleLabel, toggleSection } from './contactLogic';
import type { SaveStatus } from './useContactData';
import s from './contact.module.css';

// ---------------------------------------------------------------- sections

interface SectionsState {
  collapsed: string[];
  toggle: (id: string) => void;
  expand: (id: string) => void;
}

/** useSections remembers, per browser, which panel sections are collapsed. */
export const useSections = create<SectionsState>()(
  persist(
    (set) => ({
      collapsed: [],
      toggle: (id) => set((st) => ({ collapsed: toggleSection(st.collapsed, id) })),
      expand: (id) => set((st) => ({ collapsed: st.collapsed.filter((x) => x !== id) })),
    }),
    { name: 'atende.contactPanel' },
  ),
);

export function SaveIndicator({ status }: { status: SaveStatus }) {
  const { t } = useTranslation('contact');
  return (
    <span className={s.saveStatus} aria-live="polite" data-status={status}>
      {status === 'saving' && t('saving')}
      {status === 'saved' && (
        <>
          <Check size={12} aria-hidden /> {t('saved')}
        </>
      )}
    </span>
  );
}

export function Section({
  id,
  title,
  count,
  status,
  actions,
  children,
}: {
  id: string;
  title: string;
  count?: number;
  status?: SaveStatus;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation('contact');
  const collapsed = useSections((st) => st.collapsed.includes(id));
  const toggle = useSections((st) => st.toggle);
  const headingId = useId();
  const bodyId = useId();
  return (
    <section className={s.section} aria-labelledby={headingId} data-section={id}>
      <div className={s.sectionHead}>
        <h3 className={s.sectionTitle}>
          <button
            type="button"
            id={headingId}
            className={s.sectionToggle}
            aria-expanded={!collapsed}
            aria-controls={bodyId}
            title={t('toggleSection', { section: title })}
            onClick={() => toggle(id)}
          >
            <ChevronRight size={14} className={s.chevron} data-open={!collapsed} aria-hidden />
            <span>{title}</span>
            {count != null && count > 0 && <span className={s.sectionCount}>{count}</span>}
          </button>
        </h3>
        {status && <SaveIndicator status={status} />}
        {actions && <div className={s.sectionActions}>{actions}</div>}
      </div>
      {!collapsed && (
        <div id={bodyId} className={s.sectionBody}>
          {children}
        </div>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- inline text

/**
 * InlineText shows a value that turns into an input on click. Enter or
 * leaving the field saves, Escape cancels. An invalid value keeps the field
 * open with the reason under it.
 */
export function InlineText({
  value,
  display,
  label,
  placeholder,
  validate,
  onSave,
  testId,
  type = 'text',
  inputMode,
  editing: editingProp,
  onEditingChange,
  className,
  big,
}: {
  value: string;
  display?: ReactNode;
  label: string;
  placeholder?: string;
  validate?: (v: string) => string | null;
  onSave: (v: string) => unknown;
  testId?: string;
  type?: string;
  inputMode?: 'text' | 'tel' | 'email';
  editing?: boolean;
  onEditingChange?: (e: boolean) => void;
  className?: string;
  big?: boolean;
}) {
  const [editingState, setEditingState] = useState(false);
  const editing = editingProp ?? editingState;
  const setEditing = (e: boolean) => {
    setEditingState(e);
    onEditingChange?.(e);
  };
  const [text, setText] = useState(value);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);

  useEffect(() => {
    if (editing) {
      setText(value);
      setError(null);
    }
    // only when editing starts
  }, [editing]);

  useEffect(() => {
    if (!editing && refocus.current) {
      refocus.current = false;
      buttonRef.current?.focus();
    }
  }, [editing]);

  const commit = (fromKeyboard: boolean) => {
    const err = validate?.(text) ?? null;
    if (err) {
      setError(err);
      return;
    }
    refocus.current = fromKeyboard;
    setEditing(false);
    if (text.trim() !== value.trim()) void onSave(text);
  };
  const cancel = () => {
    refocus.current = true;
    setEditing(false);
  };

  if (editing) {
    return (
      <div className={[s.inlineEdit, className].filter(Boolean).join(' ')}>
        <Input
          autoFocus
          type={type}
          inputMode={inputMode}
          value={text}
          placeholder={placeholder}
          aria-label={label}
          aria-invalid={!!error || undefined}
          aria-describedby={error ? errorId : undefined}
          data-testid={testId}
          className={big ? s.bigInput : undefined}
          onChange={(e) => {
            setText(e.target.value);
            if (error) setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              commit(true);
            } else if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              cancel();
            }
          }}
          onBlur={() => {
            // an emptied "add" field just closes
            if (!value && !text.trim()) setEditing(false);
            else commit(false);
          }}
        />
        {error && (
          <span id={errorId} className={s.fieldError} role="alert">
            {error}
          </span>
        )}
      </div>
    );
  }
  if (editingProp !== undefined && !value) return null;
  return (
    <button ref={buttonRef} type="button" className={[s.inlineDisplay, big && s.bigDisplay, className].filter(Boolean).join(' ')} title={label} onClick={() => setEditing(true)}>
      <span className={s.inlineText} data-testid={testId}>
        {display ?? value}
      </span>
      <Pencil size={12} className={s.pencil} aria-hidden />
      <span className="sr-only">{label}</span>
    </button>
  );
}

// ---------------------------------------------------------------- labels

export function LabelDot({ color }: { color: string }) {
  return <span className={s.dot} style={{ background: color }} aria-hidden />;
}

/**
 * LabelField shows the labels in `selected` as coloured badges, each with a
 * remove button, and a picker that toggles labels on and off.
 */
export function LabelField({
  selected,
  onToggle,
  editLabel,
  emptyText,
  testId,
}: {
  selected: number[];
  onToggle: (id: number, on: boolean) => void;
  editLabel: string;
  emptyText: string;
  testId?: string;
}) {
  const { t } = useTranslation('contact');
  const labels = useLabels().data ?? [];
  const [open, setOpen] = useState(false);
  const byId = new Map(labels.map((l) => [l.id, l]));
  const shown = selected.map((id) => byId.get(id)).filter((l): l is Label => !!l);
  const pick = (v: string) => {
    const id = Number(v);
    const { on } = toggleLabel(selected, id);
    onToggle(id, on);
  };
  return (
    <div className={s.labelField} data-testid={testId}>
      {shown.length === 0 && <span className={s.muted}>{emptyText}</span>}
      {shown.map((l) => (
        <Badge key={l.id} color={l.color} className={s.labelBadge}>
          {l.name}
          <button type="button" className={s.badgeRemove} aria-label={t('labels.remove', { name: l.name })} title={t('labels.remove', { name: l.name })} onClick={() => onToggle(l.id, false)}>
            <X size={11} aria-hidden />
          </button>
        </Badge>
      ))}
      <Popover
        open={open}
        onOpenChange={setOpen}
        align="end"
        label={editLabel}
        trigger={
          <Button size="sm" variant="ghost" className={s.addLabel} aria-label={editLabel} title={editLabel}>
            {shown.length === 0 ? <Plus size={14} aria-hidden /> : <Tag size={13} aria-hidden />}
          </Button>
        }
      >
        {labels.length === 0 ? (
          <p className={s.popoverHint}>{t('labels.noneDefined')}</p>
        ) : (
          <Picker
            placeholder={t('labels.search')}
            empty={t('labels.empty')}
            onPick={pick}
            options={labels.map((l) => ({ value: String(l.id), label: l.name, icon: <LabelDot color={l.color} />, selected: selected.includes(l.id) }))}
          />
        )}
      </Popover>
    </div>
  );
}
