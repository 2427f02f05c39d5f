// Labels (admins and supervisors): name and colour, used on conversations,
// contacts and messages.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Check, Pencil, Plus, Search, Tag, Trash2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap, type Label } from '../../api/client';
import { qk, useLabels } from '../../api/queries';
import { Badge, Button, EmptyState, Field, IconButton, Input, readableOn } from '../../ui';
import { limits, matches, normaliseHex, palette } from './logic';
import { ConfirmDialog, Panel, SectionHeader, TableSkeleton, FormDialog } from './parts';
import s from './settings.module.css';

export function LabelsSection() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const labels = useLabels();
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<Label | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Label | null>(null);
  const remove = useMutation({
    mutationFn: (l: Label) => unwrap(api.DELETE('/api/v1/labels/{id}', { params: { path: { id: l.id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.labels });
      void qc.invalidateQueries({ queryKey: qk.conversationLists });
      setDeleting(null);
      toast.success(t('deleted'));
    },
  });
  const all = [...(labels.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  const list = all.filter((l) => matches(q, l.name));

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader
        title={t('labels.title')}
        description={t('labels.description')}
        actions={
          <Button variant="primary" onClick={() => setEditing('new')} data-testid="label-new">
            <Plus size={16} aria-hidden /> {t('labels.new')}
          </Button>
        }
      />
      {all.length > 8 && (
        <div className={s.toolbar}>
          <div className={s.searchBox}>
            <Search size={14} aria-hidden className={s.searchIcon} />
            <Input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('labels.search')} aria-label={t('labels.search')} className={s.searchInput} />
          </div>
        </div>
      )}
      <Panel>
        {labels.isPending ? (
          <TableSkeleton />
        ) : all.length === 0 ? (
          <EmptyState
            icon={<Tag size={28} aria-hidden />}
            title={t('labels.emptyTitle')}
            body={t('labels.emptyBody')}
            action={
              <Button onClick={() => setEditing('new')}>
                <Plus size={16} aria-hidden /> {t('labels.new')}
              </Button>
            }
          />
        ) : list.length === 0 ? (
          <EmptyState icon={<Search size={28} aria-hidden />} title={t('noMatches')} body={t('noMatchesBody')} />
        ) : (
          <ul className={s.rows} aria-label={t('labels.title')}>
            {list.map((l) => (
              <li key={l.id} className={s.row} data-testid={`label-row-${l.id}`}>
                <Badge color={l.color}>{l.name}</Badge>
                <span className={`${s.mono} ${s.muted} ${s.hideSm}`}>{l.color}</span>
                <span className={s.spacer} />
                <IconButton size="sm" label={t('editItem', { name: l.name })} icon={<Pencil size={14} aria-hidden />} onClick={() => setEditing(l)} />
                <IconButton size="sm" label={t('deleteItem', { name: l.name })} icon={<Trash2 size={14} aria-hidden />} onClick={() => setDeleting(l)} />
              </li>
            ))}
          </ul>
        )}
      </Panel>

      {editing && <LabelDialog label={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('labels.deleteTitle', { name: deleting?.name ?? '' })}
        body={t('labels.deleteBody')}
        confirmLabel={tc('delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
    </section>
  );
}

function LabelDialog({ label, onClose }: { label: Label | null; onClose: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(label?.name ?? '');
  const [color, setColor] = useState(label?.color ?? palette[6]);
  const [hexText, setHexText] = useState(label?.color ?? palette[6]);
  const [tried, setTried] = useState(false);
  const trimmed = name.trim();
  const nameError = !trimmed ? 'required' : [...trimmed].length > limits.name ? 'tooLong' : undefined;
  const hex = normaliseHex(hexText);
  const pick = (c: string) => {
    setColor(c);
    setHexText(c);
  };
  const save = useMutation({
    mutationFn: () =>
      label
        ? unwrap(api.PATCH('/api/v1/labels/{id}', { params: { path: { id: label.id } }, body: { name: trimmed, color } }))
        : unwrap(api.POST('/api/v1/labels', { body: { name: trimmed, color } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.labels });
      toast.success(tc('saved'));
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!nameError && hex) save.mutate();
  };
  return (
    <FormDialog
      title={label ? t('labels.editTitle') : t('labels.new')}
      formId="label-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={label ? tc('save') : tc('create')}
      submitTestId="label-save"
    >
      <Field label={t('labels.name')} htmlFor="label-name" error={tried && nameError ? t(`errors.${nameError}`) : undefined}>
        <Input id="label-name" value={name} autoFocus onChange={(e) => setName(e.target.value)} placeholder={t('labels.namePlaceholder')} data-testid="label-name" />
      </Field>
      <fieldset className={s.fieldset}>
        <legend className={s.legend}>{t('labels.color')}</legend>
        <div className={s.swatches} role="radiogroup" aria-label={t('labels.palette')}>
          {palette.map((c) => (
            <button
              key={c}
              type="button"
              role="radio"
              aria-checked={color === c}
              aria-label={c}
              title={c}
              className={s.swatch}
              style={{ background: c, color: readableOn(c) }}
              onClick={() => pick(c)}
            >
              {color === c && <Check size={14} aria-hidden />}
            </button>
          ))}
        </div>
        <div className={s.inputRow}>
          <input
            type="color"
            className={s.colorInput}
            value={color}
            aria-label={t('labels.customPicker')}
            onChange={(e) => pick(e.target.value.toLowerCase())}
          />
          <Input
            className={`${s.mono} ${s.hexInput}`}
            value={hexText}
            aria-label={t('labels.customHex')}
            aria-invalid={!hex}
            maxLength={7}
            onChange={(e) => {
              setHexText(e.target.value);
              const h = normaliseHex(e.target.value);
              if (h) setColor(h);
            }}
            onBlur={() => hex && setHexText(hex)}
            data-testid="label-hex"
          />
        </div>
        {!hex && (
          <span className={s.error} role="alert">
            {t('errors.hex')}
          </span>
        )}
      </fieldset>
      <div className={s.previewRow}>
        <span className={`${s.muted} ${s.small}`}>{t('labels.preview')}</span>
        <Badge color={color}>{trimmed || t('labels.namePlaceholder')}</Badge>
      </div>
    </FormDialog>
  );
}
