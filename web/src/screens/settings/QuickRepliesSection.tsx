// Quick replies (frases prontas; admins and supervisors): a /shortcut and a
// text with {{variables}} that the composer fills in.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Pencil, Plus, Search, Trash2, Zap } from 'lucide-react';
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import { api, unwrap, type QuickReply } from '../../api/client';
import { qk, useMe, useQuickReplies } from '../../api/queries';
import { Button, EmptyState, Field, IconButton, Input, Textarea } from '../../ui';
import { insertAt, matches, normaliseShortcut, quickReplyVariables, renderTemplate, unknownVariables, validShortcut } from './logic';
import { ConfirmDialog, Panel, SectionHeader, TableSkeleton, FormDialog } from './parts';
import s from './settings.module.css';

const maxContent = 5000;

export function QuickRepliesSection() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const replies = useQuickReplies();
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<QuickReply | 'new' | null>(null);
  const [deleting, setDeleting] = useState<QuickReply | null>(null);
  const remove = useMutation({
    mutationFn: (r: QuickReply) => unwrap(api.DELETE('/api/v1/quick-replies/{id}', { params: { path: { id: r.id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.quickReplies });
      setDeleting(null);
      toast.success(t('deleted'));
    },
  });
  const all = [...(replies.data ?? [])].sort((a, b) => a.shortcut.localeCompare(b.shortcut));
  const list = all.filter((r) => matches(q, r.shortcut, r.content));

  return (
    <section aria-labelledby="settings-section-title">
      <SectionHeader
        title={t('quickReplies.title')}
        description={t('quickReplies.description')}
        actions={
          <Button variant="primary" onClick={() => setEditing('new')} data-testid="quick-reply-new">
            <Plus size={16} aria-hidden /> {t('quickReplies.new')}
          </Button>
        }
      />
      <div className={s.toolbar}>
        <div className={s.searchBox}>
          <Search size={14} aria-hidden className={s.searchIcon} />
          <Input
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder={t('quickReplies.search')}
            aria-label={t('quickReplies.search')}
            className={s.searchInput}
            data-testid="quick-reply-search"
          />
        </div>
        {replies.data && <span className={s.muted}>{t('quickReplies.count', { count: all.length })}</span>}
      </div>
      <Panel>
        {replies.isPending ? (
          <TableSkeleton />
        ) : all.length === 0 ? (
          <EmptyState
            icon={<Zap size={28} aria-hidden />}
            title={t('quickReplies.emptyTitle')}
            body={t('quickReplies.emptyBody')}
            action={
              <Button onClick={() => setEditing('new')}>
                <Plus size={16} aria-hidden /> {t('quickReplies.new')}
              </Button>
            }
          />
        ) : list.length === 0 ? (
          <EmptyState icon={<Search size={28} aria-hidden />} title={t('noMatches')} body={t('noMatchesBody')} />
        ) : (
          <ul className={s.rows} aria-label={t('quickReplies.title')}>
            {list.map((r) => (
              <li key={r.id} className={`${s.row} ${s.rowTop}`} data-testid={`quick-reply-row-${r.shortcut}`}>
                <span className={s.shortcutCell}>
                  <code className={s.shortcut}>/{r.shortcut}</code>
                </span>
                <p className={s.clamp}>{r.content}</p>
                <span className={s.rowButtons}>
                  <IconButton size="sm" label={t('editItem', { name: `/${r.shortcut}` })} icon={<Pencil size={14} aria-hidden />} onClick={() => setEditing(r)} />
                  <IconButton size="sm" label={t('deleteItem', { name: `/${r.shortcut}` })} icon={<Trash2 size={14} aria-hidden />} onClick={() => setDeleting(r)} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </Panel>

      {editing && <QuickReplyDialog reply={editing === 'new' ? null : editing} taken={all.map((r) => r.shortcut)} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={!!deleting}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={t('quickReplies.deleteTitle', { name: deleting ? `/${deleting.shortcut}` : '' })}
        body={t('quickReplies.deleteBody')}
        confirmLabel={tc('delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
      />
    </section>
  );
}

function QuickReplyDialog({ reply, taken, onClose }: { reply: QuickReply | null; taken: string[]; onClose: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const qc = useQueryClient();
  const me = useMe().data!;
  const [shortcut, setShortcut] = useState(reply?.shortcut ?? '');
  const [content, setContent] = useState(reply?.content ?? '');
  const [tried, setTried] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);

  const sc = normaliseShortcut(shortcut);
  const shortcutError = !sc ? 'required' : !validShortcut(sc) ? 'shortcut' : taken.some((x) => x.toLowerCase() === sc.toLowerCase() && x !== reply?.shortcut) ? 'shortcutTaken' : undefined;
  const contentError = !content.trim() ? 'required' : content.length > maxContent ? 'contentLong' : undefined;
  const unknown = unknownVariables(content);
  const firstName = (n: string) => n.trim().split(/\s+/)[0] ?? '';
  const sample: Record<string, string> = {
    'contact.name': t('quickReplies.sample.contactName'),
    'contact.first_name': firstName(t('quickReplies.sample.contactName')),
    'contact.email': t('quickReplies.sample.contactEmail'),
    'contact.phone': t('quickReplies.sample.contactPhone'),
    'agent.name': me.user.name,
    'agent.first_name': firstName(me.user.name),
    'conversation.id': '1042',
    'workspace.name': me.workspace.name,
  };

  const insert = (v: string) => {
    const el = area.current;
    const token = `{{${v}}}`;
    const { text, caret } = insertAt(content, el?.selectionStart ?? content.length, el?.selectionEnd ?? content.length, token);
    setContent(text);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(caret, caret);
    });
  };

  const save = useMutation({
    mutationFn: () => {
      const body = { shortcut: sc, content: content.trim() };
      return reply
        ? unwrap(api.PATCH('/api/v1/quick-replies/{id}', { params: { path: { id: reply.id } }, body }))
        : unwrap(api.POST('/api/v1/quick-replies', { body }));
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: qk.quickReplies });
      toast.success(tc('saved'));
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!shortcutError && !contentError) save.mutate();
  };

  return (
    <FormDialog
      title={reply ? t('quickReplies.editTitle') : t('quickReplies.new')}
      formId="quick-reply-form"
      onClose={onClose}
      onSubmit={submit}
      busy={save.isPending}
      submitLabel={reply ? tc('save') : tc('create')}
      submitTestId="quick-reply-save"
    >
      <Field
        label={t('quickReplies.shortcut')}
        htmlFor="qr-shortcut"
        hint={t('quickReplies.shortcutHint')}
        error={(tried || (shortcutError && shortcutError !== 'required')) && shortcutError ? t(`errors.${shortcutError}`) : undefined}
      >
        <div className={s.prefixed}>
          <span className={s.prefix} aria-hidden>
            /
          </span>
          <Input
            id="qr-shortcut"
            value={shortcut}
            autoFocus
            maxLength={41}
            onChange={(e) => setShortcut(e.target.value.replace(/^\s*\//, ''))}
            placeholder={t('quickReplies.shortcutPlaceholder')}
            className={s.mono}
            data-testid="quick-reply-shortcut"
          />
        </div>
      </Field>
      <Field label={t('quickReplies.content')} htmlFor="qr-content" error={tried && contentError ? t(`errors.${contentError}`, { max: maxContent }) : undefined}>
        <Textarea
          id="qr-content"
          ref={area}
          rows={6}
          value={content}
          onChange={(e) => setContent(e.target.value)}
          placeholder={t('quickReplies.contentPlaceholder')}
          aria-describedby="qr-variables-help"
          data-testid="quick-reply-content"
        />
      </Field>
      <div className={s.variables}>
        <p id="qr-variables-help" className={s.hint}>
          {t('quickReplies.variablesHelp')}
        </p>
        <div className={s.chips} role="group" aria-label={t('quickReplies.variables')}>
          {quickReplyVariables.map((v) => (
            <button key={v} type="button" className={s.chip} onClick={() => insert(v)} title={t(`quickReplies.vars.${v.replace('.', '_')}`)}>
              <code>{`{{${v}}}`}</code>
              <span className={s.chipHint}>{t(`quickReplies.vars.${v.replace('.', '_')}`)}</span>
            </button>
          ))}
        </div>
        {unknown.length > 0 && (
          <p className={s.warningText} role="status">
            {t('quickReplies.unknownVariables', { list: unknown.map((u) => `{{${u}}}`).join(', ') })}
          </p>
        )}
      </div>
      {content.trim() && (
        <div className={s.previewBox}>
          <span className={s.legend}>{t('quickReplies.preview')}</span>
          <p className={s.previewText}>{renderTemplate(content.trim(), sample)}</p>
        </div>
      )}
    </FormDialog>
  );
}
