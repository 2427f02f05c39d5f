// The conversation header: who, where, state, how long the customer waits,
// and every action (assign, transfer, snooze, resolve, labels, star,
// priority, export, reload). Secondary actions fold into "more" when the
// column is narrow (container query in header.module.css).
import {
  AlarmClock,
  AlarmClockOff,
  ArrowLeft,
  ArrowRightLeft,
  Building2,
  CheckCircle2,
  ChevronDown,
  Download,
  Flag,
  MessageCircle,
  MoreHorizontal,
  RefreshCw,
  RotateCcw,
  Star,
  Tag,
  Undo2,
  UserPlus,
} from 'lucide-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { toast } from 'sonner';
import type { Conversation, User } from '../../../api/client';
import { useChannels, useDepartments, useLabels, useMe, useUsers } from '../../../api/queries';
import { dateTime, fileSize } from '../../../lib/format';
import { level, waitedSeconds, waitLabel } from '../../../lib/thermometer';
import { canSee } from '../../../realtime/listCache';
import { Avatar, Badge, Button, IconButton, Menu, Picker, Popover, toastError, type MenuEntry, type PickerOption } from '../../../ui';
import type { InboxChrome } from '../InboxScreen';
import type { InboxRoute } from '../route';
import { exportCsv, type ConversationActions } from './data';
import { ResolveDialog } from './ResolveDialog';
import { SnoozePanel } from './SnoozePanel';
import { useNow } from './useNow';
import s from './header.module.css';

const priorities: Conversation['priority'][] = ['none', 'low', 'medium', 'high', 'urgent'];

export function ConversationHeader({ c, route, chrome, actions }: { c: Conversation; route: InboxRoute; chrome: InboxChrome; actions: ConversationActions }) {
  const { t, i18n } = useTranslation('conversation');
  const me = useMe().data!;
  const users = useUsers().data ?? [];
  const departments = useDepartments().data ?? [];
  const memberHere = c.department_id == null || (departments.find((d) => d.id === c.department_id)?.member_ids.includes(me.user.id) ?? true);
  const channels = useChannels().data ?? [];
  const labels = useLabels().data ?? [];
  const [assignOpen, setAssignOpen] = useState(false);
  const [transferOpen, setTransferOpen] = useState(false);
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const [labelsOpen, setLabelsOpen] = useState(false);
  const [resolveOpen, setResolveOpen] = useState(false);
  const [exporting, setExporting] = useState(false);

  const tz = me.workspace.timezone;
  const userName = (id: number | null | undefined) => users.find((u) => u.id === id)?.name;
  const deptName = (id: number | null | undefined) => departments.find((d) => d.id === id)?.name;
  const channel = channels.find((ch) => ch.id === c.channel_id);
  const assignee = users.find((u) => u.id === c.assignee_id);
  const resolved = c.status === 'resolved';
  const mine = c.assignee_id === me.user.id;
  // agents cannot act on a colleague's conversation (403); say so up front
  const locked = me.user.role === 'agent' && c.assignee_id != null && !mine;
  const lockedTitle = locked ? t('actions.lockedByOther', { name: assignee?.name ?? '' }) : undefined;
  const viewer = { userId: me.user.id, role: me.user.role, scope: me.user.scope, departmentIds: me.user.department_ids };

  const afterMove = (next: Conversation, target: string) => {
    if (!canSee(next, viewer)) {
      toast.success(t('transfer.away', { target }));
      route.open(undefined);
    } else toast.success(t('transfer.done', { target }));
  };

  const assignTo = (u: User, viaDept?: number) => {
    setAssignOpen(false);
    if (viaDept) {
      actions.transfer.mutate({ departmentId: viaDept, assigneeId: u.id }, { onSuccess: (next) => afterMove(next, `${deptName(viaDept) ?? ''} · ${u.name}`) });
    } else {
      actions.assign.mutate(u.id, { onSuccess: () => toast.success(u.id === me.user.id ? t('assign.doneMe') : t('assign.done', { name: u.name })) });
    }
  };

  // assign picker: agents grouped by department, the conversation's own department first
  const assignOptions = useMemo<PickerOption[]>(() => {
    const depts = [...departments].sort((a, b) => (a.id === c.department_id ? -1 : b.id === c.department_id ? 1 : a.name.localeCompare(b.name)));
    const out: PickerOption[] = [];
    for (const d of depts) {
      for (const u of users.filter((u) => u.active && d.member_ids.includes(u.id)).sort((a, b) => a.name.localeCompare(b.name))) {
        const other = d.id !== c.department_id;
        out.push({
          value: `${d.id}:${u.id}`,
          label: u.name,
          group: other ? t('assign.viaTransfer', { department: d.name }) : d.name,
          icon: <Avatar name={u.name} size={20} presence={u.presence} />,
          hint: u.id === c.assignee_id && !other ? t('assign.current') : t(`common:presence.${u.presence}`),
          selected: u.id === c.assignee_id && !other,
          keywords: [u.email, d.name],
        });
      }
    }
    return out;
  }, [departments, users, c.department_id, c.assignee_id, t]);

  const transferOptions = useMemo<PickerOption[]>(() => {
    const out: PickerOption[] = departments.map((d) => ({
      value: `d:${d.id}`,
      label: d.name,
      group: t('transfer.departments'),
      icon: <Building2 size={16} aria-hidden />,
      hint: d.id === c.department_id ? t('transfer.current') : t('transfer.queue'),
      selected: d.id === c.department_id && c.assignee_id == null,
    }));
    for (const d of departments) {
      for (const u of users.filter((u) => u.active && d.member_ids.includes(u.id))) {
        out.push({
          value: `u:${d.id}:${u.id}`,
          label: u.name,
          group: t('transfer.agentsOf', { department: d.name }),
          icon: <Avatar name={u.name} size={20} presence={u.presence} />,
          hint: t(`common:presence.${u.presence}`),
          selected: d.id === c.department_id && u.id === c.assignee_id,
          keywords: [d.name, u.email],
        });
      }
    }
    return out;
  }, [departments, users, c.department_id, c.assignee_id, t]);

  const pickTransfer = (v: string) => {
    setTransferOpen(false);
    const [kind, d, u] = v.split(':');
    const departmentId = Number(d);
    const assigneeId = kind === 'u' ? Number(u) : undefined;
    const target = assigneeId ? `${deptName(departmentId) ?? ''} · ${userName(assigneeId) ?? ''}` : deptName(departmentId) ?? '';
    actions.transfer.mutate({ departmentId, assigneeId }, { onSuccess: (next) => afterMove(next, target) });
  };

  const labelOptions: PickerOption[] = labels.map((l) => ({
    value: String(l.id),
    label: l.name,
    icon: <span className={s.dot} style={{ background: l.color }} aria-hidden />,
    selected: c.label_ids.includes(l.id),
  }));

  const doExport = async () => {
    if (exporting) return;
    setExporting(true);
    const id = `export-${c.id}`;
    toast.loading(t('export.progress', { size: fileSize(0) }), { id });
    let last = 0;
    try {
      const r = await exportCsv(c.id, (bytes) => {
        const now = performance.now();
        if (now - last > 120) {
          last = now;
          toast.loading(t('export.progress', { size: fileSize(bytes) }), { id });
        }
      });
      toast.success(t('export.done', { file: r.filename, size: fileSize(r.bytes) }), { id });
    } catch (err) {
      toast.dismiss(id);
      toastError(err);
    } finally {
      setExporting(false);
    }
  };

  const reload = () => {
    actions.reload();
    toast.success(t('reloaded'), { duration: 1500 });
  };

  const setPriority = (p: Conversation['priority']) => actions.priority.mutate(p);

  const moreItems: MenuEntry[] = [
    ...(c.status === 'open' ? [{ label: t('actions.return'), icon: <Undo2 size={14} />, onSelect: () => actions.returnToQueue.mutate(undefined, { onSuccess: () => toast.success(t('returned')) }), disabled: locked }] : []),
    { label: t('actions.priority'), heading: true },
    ...priorities.map((p) => ({ label: t(`common:priority.${p}`), icon: <Flag size={14} className={s[`prio_${p}`]} />, checked: c.priority === p, onSelect: () => setPriority(p) })),
    { label: '', separator: true },
    { label: t('actions.export'), icon: <Download size={14} />, onSelect: () => void doExport(), disabled: exporting },
    { label: t('actions.reload'), icon: <RefreshCw size={14} />, onSelect: reload },
  ];

  const convLabels = labels.filter((l) => c.label_ids.includes(l.id));

  return (
    <header className={s.header} data-testid="conversation-header">
      <div className={s.top}>
        <IconButton className={s.back} label={t('header.back')} icon={<ArrowLeft size={18} />} onClick={() => route.open(undefined)} />
        <div className={s.identity}>
          <h2 className={s.titleRow}>
            <button
              type="button"
              className={s.name}
              onClick={() => chrome.setContactOpen(!chrome.contactOpen)}
              aria-expanded={chrome.contactOpen}
              title={t('header.openContact', { name: c.contact_name })}
            >
              {c.contact_name || `#${c.contact_id}`}
            </button>
          </h2>
          <div className={s.sub}>
            <span className={`${s.status} ${s[`st_${c.status}`]}`}>{t(`common:status.${c.status}`)}</span>
            {c.status === 'snoozed' && c.snoozed_until && <span className={s.muted}>{t('header.snoozedUntil', { time: dateTime(c.snoozed_until, i18n.language, tz) })}</span>}
            <Thermometer c={c} yellow={me.workspace.thermometer_yellow_seconds} red={me.workspace.thermometer_red_seconds} />
            {c.priority !== 'none' && (
              <span className={`${s.prio} ${s[`prio_${c.priority}`]}`}>
                <Flag size={12} aria-hidden />
                {t(`common:priority.${c.priority}`)}
              </span>
            )}
            {convLabels.length > 0 && (
              <ul className={s.labels} aria-label={t('actions.labels')}>
                {convLabels.map((l) => (
                  <li key={l.id}>
                    <Badge color={l.color}>{l.name}</Badge>
                  </li>
                ))}
              </ul>
            )}
            {channel && (
              <span className={s.muted} title={t('header.channel')}>
                <MessageCircle size={12} aria-hidden /> {channel.name}
              </span>
            )}
            <span className={s.mutedId}>#{c.id}</span>
          </div>
        </div>
        <div className={s.primaryActions}>
          <IconButton
            data-testid="action-star"
            label={c.starred ? t('actions.unstar') : t('actions.star')}
            aria-pressed={c.starred}
            className={c.starred ? s.starred : undefined}
            icon={<Star size={16} fill={c.starred ? 'currentColor' : 'none'} />}
            onClick={() => actions.star.mutate(!c.starred)}
          />
          {c.status === 'snoozed' ? (
            <IconButton
              data-testid="action-unsnooze"
              label={t('actions.unsnooze')}
              icon={<AlarmClockOff size={16} />}
              busy={actions.unsnooze.isPending}
              onClick={() => actions.unsnooze.mutate(undefined, { onSuccess: () => toast.success(t('snooze.woke')) })}
            />
          ) : (
            !resolved && (
              <Popover
                open={snoozeOpen}
                onOpenChange={setSnoozeOpen}
                align="end"
                label={t('snooze.title')}
                trigger={<IconButton data-testid="action-snooze" label={lockedTitle ?? t('actions.snooze')} disabled={locked} icon={<AlarmClock size={16} />} />}
              >
                <SnoozePanel
                  busy={actions.snooze.isPending}
                  onSnooze={(until) =>
                    actions.snooze.mutate(until, {
                      onSuccess: () => {
                        setSnoozeOpen(false);
                        toast.success(t('snooze.done', { time: dateTime(until.getTime(), i18n.language, tz) }));
                      },
                    })
                  }
                />
              </Popover>
            )
          )}
          {resolved ? (
            <Button data-testid="action-reopen" size="md" busy={actions.reopen.isPending} onClick={() => actions.reopen.mutate(undefined, { onSuccess: () => toast.success(t('reopened')) })}>
              <RotateCcw size={15} aria-hidden />
              <span className={s.btnText}>{t('actions.reopen')}</span>
            </Button>
          ) : (
            <Button data-testid="action-resolve" variant="primary" aria-label={t('actions.resolve')} title={lockedTitle} disabled={locked} onClick={() => setResolveOpen(true)}>
              <CheckCircle2 size={15} aria-hidden />
              <span className={s.btnText}>{t('actions.resolve')}</span>
            </Button>
          )}
          <span className={s.moreWrap}>
            <Menu trigger={<IconButton label={t('header.more')} icon={<MoreHorizontal size={16} />} />} items={moreItems} />
          </span>
        </div>
      </div>

      <div className={s.bar}>
        {!resolved && (
          <Popover
            open={assignOpen}
            onOpenChange={setAssignOpen}
            label={t('actions.assign')}
            trigger={
              <button type="button" className={s.chip} data-testid="action-assign" title={t('actions.assign')}>
                <span className="sr-only">{t('actions.assign')}: </span>
                {assignee ? <Avatar name={assignee.name} size={18} presence={assignee.presence} /> : <UserPlus size={14} aria-hidden />}
                <span className={s.chipText}>{assignee?.name ?? t('header.unassigned')}</span>
                <ChevronDown size={14} aria-hidden />
              </button>
            }
          >
            <Picker
              options={assignOptions}
              placeholder={t('assign.search')}
              empty={t('assign.empty')}
              onPick={(v) => {
                const [d, u] = v.split(':').map(Number);
                const user = users.find((x) => x.id === u);
                if (user) assignTo(user, d !== c.department_id ? d : undefined);
              }}
            />
          </Popover>
        )}
        {resolved && assignee && (
          <span className={s.chipStatic}>
            <Avatar name={assignee.name} size={18} /> <span className={s.chipText}>{assignee.name}</span>
          </span>
        )}
        {!resolved ? (
          <Popover
            open={transferOpen}
            onOpenChange={setTransferOpen}
            label={t('actions.transfer')}
            trigger={
              <button
                type="button"
                className={s.chip}
                data-testid="action-transfer"
                disabled={locked}
                title={lockedTitle ?? t('actions.transfer')}
              >
                <span className="sr-only">{t('actions.transfer')}: </span>
                <ArrowRightLeft size={14} aria-hidden />
                <span className={s.chipText}>{deptName(c.department_id) ?? t('header.noDepartment')}</span>
                <ChevronDown size={14} aria-hidden />
              </button>
            }
          >
            <Picker options={transferOptions} placeholder={t('transfer.search')} empty={t('transfer.empty')} onPick={pickTransfer} />
          </Popover>
        ) : (
          <span className={s.chipStatic}>
            <Building2 size={14} aria-hidden /> <span className={s.chipText}>{deptName(c.department_id) ?? t('header.noDepartment')}</span>
          </span>
        )}
        {!resolved && !mine && !locked && (
          <Button
            data-testid="action-assign-me"
            size="sm"
            className={s.assignMe}
            // the server only assigns members of the conversation's department (admins included)
            disabled={!memberHere}
            title={memberHere ? undefined : t('assign.notMember', { department: deptName(c.department_id) ?? '' })}
            busy={actions.assign.isPending && actions.assign.variables === me.user.id}
            onClick={() => actions.assign.mutate(me.user.id, { onSuccess: () => toast.success(t('assign.doneMe')) })}
          >
            <UserPlus size={14} aria-hidden />
            {t('actions.assignMe')}
          </Button>
        )}
        {c.status === 'open' && (
          <IconButton
            size="sm"
            className={s.secondary}
            data-testid="action-return"
            label={lockedTitle ?? t('actions.return')}
            disabled={locked}
            icon={<Undo2 size={15} />}
            busy={actions.returnToQueue.isPending}
            onClick={() => actions.returnToQueue.mutate(undefined, { onSuccess: () => toast.success(t('returned')) })}
          />
        )}
        <span className={s.spacer} />
        <Popover
          open={labelsOpen}
          onOpenChange={setLabelsOpen}
          label={t('actions.labels')}
          trigger={<IconButton size="sm" data-testid="action-labels" label={t('actions.labels')} icon={<Tag size={15} />} />}
        >
          <Picker
            options={labelOptions}
            placeholder={t('labels.search')}
            empty={t('labels.empty')}
            onPick={(v) => actions.label.mutate({ labelId: Number(v), on: !c.label_ids.includes(Number(v)) })}
          />
        </Popover>
        <span className={s.secondaryGroup}>
          <Menu
            trigger={
              <IconButton
                size="sm"
                data-testid="action-priority"
                label={`${t('actions.priority')}: ${t(`common:priority.${c.priority}`)}`}
                icon={<Flag size={15} className={s[`prio_${c.priority}`]} fill={c.priority !== 'none' ? 'currentColor' : 'none'} />}
              />
            }
            items={priorities.map((p) => ({ label: t(`common:priority.${p}`), icon: <Flag size={14} className={s[`prio_${p}`]} />, checked: c.priority === p, onSelect: () => setPriority(p) }))}
          />
          <IconButton size="sm" data-testid="action-export" label={t('actions.export')} icon={<Download size={15} />} busy={exporting} onClick={() => void doExport()} />
          <IconButton size="sm" data-testid="action-reload" label={t('actions.reload')} icon={<RefreshCw size={15} />} onClick={reload} />
        </span>
      </div>
      <ResolveDialog
        open={resolveOpen}
        onOpenChange={setResolveOpen}
        required={me.workspace.closing_reason_required}
        busy={actions.resolve.isPending}
        onConfirm={(reasonId) =>
          actions.resolve.mutate(reasonId, {
            onSuccess: () => {
              setResolveOpen(false);
              toast.success(t('resolve.done'));
            },
          })
        }
      />
    </header>
  );
}

/** Thermometer: the customer's waiting time, coloured by the workspace thresholds, ticking each second. */
function Thermometer({ c, yellow, red }: { c: Conversation; yellow: number; red: number }) {
  const { t } = useTranslation('conversation');
  const waiting = c.waiting_since != null && c.status !== 'resolved';
  const now = useNow(waiting ? 1000 : 0);
  const waited = waitedSeconds(waiting ? c.waiting_since : null, now);
  if (waited == null) return null;
  const lv = level(waited, yellow, red);
  const label = waitLabel(waited);
  return (
    <span className={`${s.thermo} ${s[`thermo_${lv}`]}`} data-testid="header-thermometer" data-level={lv} title={t('header.waiting', { time: label })} aria-label={t('header.waiting', { time: label })}>
      {label}
    </span>
  );
}
