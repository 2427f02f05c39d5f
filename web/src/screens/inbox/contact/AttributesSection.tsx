// Custom attributes: a key/value list edited in place. Every change sends the
// whole attributes object (ContactInput.attributes replaces them all).
import { Check, Plus, Trash2, X } from 'lucide-react';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Contact } from '../../../api/client';
import { IconButton, Input } from '../../../ui';
import { attrDisplay, attributesToRows, removeRow, replaceRow, rowsToAttributes, validateAttr, type AttrRow } from './contactLogic';
import { Section, useSections } from './parts';
import { useSaveContact } from './useContactData';
import s from './contact.module.css';

function AttrEditor({ initial, onSubmit, onCancel }: { initial: AttrRow; onSubmit: (row: AttrRow) => string | null; onCancel: () => void }) {
  const { t } = useTranslation('contact');
  const [key, setKey] = useState(initial.key);
  const [value, setValue] = useState(initial.value);
  const [error, setError] = useState<string | null>(null);
  const errId = useId();
  const submit = () => {
    const err = onSubmit({ ...initial, key, value });
    setError(err);
  };
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
    }
  };
  return (
    <li className={s.attrEdit}>
      <div className={s.attrInputs}>
        <Input
          autoFocus={!initial.key}
          value={key}
          aria-label={t('attributes.key')}
          placeholder={t('attributes.keyPlaceholder')}
          aria-invalid={!!error || undefined}
          aria-describedby={error ? errId : undefined}
          onChange={(e) => {
            setKey(e.target.value);
            setError(null);
          }}
          onKeyDown={onKeyDown}
          className={s.attrKeyInput}
          data-testid="attribute-key"
        />
        <Input
          autoFocus={!!initial.key}
          value={value}
          aria-label={t('attributes.value')}
          placeholder={t('attributes.valuePlaceholder')}
          onChange={(e) => {
            setValue(e.target.value);
            setError(null);
          }}
          onKeyDown={onKeyDown}
          data-testid="attribute-value"
        />
        <IconButton size="sm" variant="primary" label={t('common:save')} icon={<Check size={14} />} onClick={submit} data-testid="attribute-save" />
        <IconButton size="sm" label={t('common:cancel')} icon={<X size={14} />} onClick={onCancel} />
      </div>
      {error && (
        <span id={errId} className={s.fieldError} role="alert">
          {error}
        </span>
      )}
    </li>
  );
}

export function AttributesSection({ contact }: { contact: Contact }) {
  const { t } = useTranslation('contact');
  const { save, status } = useSaveContact(contact.id);
  const expand = useSections((st) => st.expand);
  /** index of the row being edited; -1 for a new one; null for none */
  const [editing, setEditing] = useState<number | null>(null);
  const [forContact, setForContact] = useState(contact.id);
  if (forContact !== contact.id) {
    setForContact(contact.id);
    setEditing(null);
  }
  const rows = attributesToRows(contact.attributes as Record<string, unknown>);

  const submit = (at: number, row: AttrRow): string | null => {
    const err = validateAttr(rows, at, row);
    if (err) return t(`attributes.errors.${err}`);
    setEditing(null);
    void save({ attributes: rowsToAttributes(replaceRow(rows, at, { ...row, key: row.key.trim() })) });
    return null;
  };
  const remove = (at: number) => {
    if (editing !== null) setEditing(null);
    void save({ attributes: rowsToAttributes(removeRow(rows, at)) });
  };
  const add = () => {
    expand('attributes');
    setEditing(-1);
  };

  return (
    <Section
      id="attributes"
      title={t('sections.attributes')}
      count={rows.length}
      status={status}
      actions={<IconButton size="sm" label={t('attributes.add')} icon={<Plus size={14} />} onClick={add} data-testid="attribute-add" />}
    >
      <div data-testid="contact-attributes">
        {rows.length === 0 && editing !== -1 ? (
          <button type="button" className={s.emptyAction} onClick={add}>
            <Plus size={14} aria-hidden />
            {t('attributes.empty')}
          </button>
        ) : (
          <ul className={s.attrList} aria-label={t('sections.attributes')}>
            {rows.map((r, i) =>
              editing === i ? (
                <AttrEditor key={`${r.key}-edit`} initial={r} onSubmit={(row) => submit(i, row)} onCancel={() => setEditing(null)} />
              ) : (
                <li key={r.key} className={s.attrRow} data-key={r.key}>
                  <button type="button" className={s.attrMain} title={t('attributes.edit', { key: r.key })} onClick={() => setEditing(i)}>
                    <span className={s.attrKey}>{r.key}</span>
                    <span className={s.attrValue}>{attrDisplay(r.original) || '—'}</span>
                  </button>
                  <IconButton size="sm" className={s.rowAction} label={t('attributes.remove', { key: r.key })} icon={<Trash2 size={13} />} onClick={() => remove(i)} />
                </li>
              ),
            )}
            {editing === -1 && <AttrEditor key="new" initial={{ key: '', value: '' }} onSubmit={(row) => submit(-1, row)} onCancel={() => setEditing(null)} />}
          </ul>
        )}
      </div>
    </Section>
  );
}
