// Notes about the customer (seed 003 "Notas"): one free text on the contact,
// saved by itself a moment after typing stops and when the field is left.
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Contact } from '../../../api/client';
import { Textarea } from '../../../ui';
import { Section } from './parts';
import { useSaveContact } from './useContactData';
import s from './contact.module.css';

const saveDelay = 800;
const notesMax = 20000;

export function NotesSection({ contact }: { contact: Contact }) {
  const { t } = useTranslation('contact');
  const { saveFor, status } = useSaveContact(contact.id);
  const [text, setText] = useState(contact.notes);
  const hintId = useId();
  const pending = useRef<{ id: number; text: string } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const saveRef = useRef(saveFor);
  saveRef.current = saveFor;

  const flush = () => {
    clearTimeout(timer.current);
    const p = pending.current;
    if (!p) return;
    pending.current = null;
    void saveRef.current(p.id, { notes: p.text });
  };

  // another contact: save what was typed for the previous one, show the new text
  useEffect(() => {
    setText(contact.notes);
    return flush;
  }, [contact.id]);

  // the server's text changed (someone else, or our own save came back): follow it unless typing
  useEffect(() => {
    if (!pending.current) setText(contact.notes);
  }, [contact.notes]);

  return (
    <Section id="notes" title={t('sections.notes')} status={status}>
      <Textarea
        className={s.notes}
        value={text}
        maxLength={notesMax}
        aria-label={t('notes.label')}
        aria-describedby={hintId}
        placeholder={t('notes.placeholder')}
        data-testid="contact-notes"
        onChange={(e) => {
          setText(e.target.value);
          pending.current = { id: contact.id, text: e.target.value };
          clearTimeout(timer.current);
          timer.current = setTimeout(flush, saveDelay);
        }}
        onBlur={flush}
      />
      <p id={hintId} className={s.hint}>
        {t('notes.hint')}
      </p>
    </Section>
  );
}
