// Server-renders the routing rules section, the rule form with every kind of
// condition row, and the department's assignment form in both languages:
// catches runtime errors, translation keys that do not exist (i18next would
// print the key itself) and lost test ids.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import i18n from 'i18next';
import type { ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { qk } from '../../api/queries';
import { en } from '../../i18n/en';
import { ptBR } from '../../i18n/pt-BR';
import { AssignmentFields } from './AssignmentFields';
import { assignmentForm } from './assignmentLogic';
import { RoutingRulesSection, RuleFields } from './RoutingRulesSection';
import { conditionKinds, emptyRuleForm, newRow, type RoutingRule } from './routingLogic';

const rawKey = /\b(routing|assignment)\.[A-Za-z]/;

beforeAll(async () => {
  await i18n.use(initReactI18next).init({ resources: { en, 'pt-BR': ptBR }, lng: 'en', fallbackLng: false, defaultNS: 'common', interpolation: { escapeValue: false } });
});

const rules: RoutingRule[] = [
  {
    id: 8,
    position: 1,
    name: 'VIP',
    enabled: true,
    conditions: { channel_kinds: ['whatsapp'], attributes: [{ key: 'plan', op: 'equals', value: 'gold' }], has_label_ids: [10], business_hours: 'open', served_before: true, has_owner: false },
    actions: { department_id: 2, priority: 'high', label_ids: [10] },
    created_at: 0,
    updated_at: 0,
  },
  { id: 9, position: 2, name: 'Back', enabled: false, conditions: {}, actions: { last_department: true }, created_at: 0, updated_at: 0 },
  { id: 7, position: 3, name: 'Gone', enabled: true, conditions: { owner_ids: [5] }, actions: { department_id: 99 }, created_at: 0, updated_at: 0 },
];

const opts = {
  channels: [{ id: 1, name: 'Site' }],
  labels: [{ id: 10, name: 'Gold' }],
  users: [{ id: 5, name: 'Bia' }],
  departments: [{ id: 2, name: 'Sales' }],
  bots: [{ id: 7, name: 'Becon' }],
};

function withData(node: ReactNode) {
  const qc = new QueryClient();
  qc.setQueryData(qk.me, { user: { id: 1, role: 'admin', name: 'Ana' }, workspace: { slug: 'acme', name: 'Acme', timezone: 'America/Sao_Paulo' } });
  qc.setQueryData(['routing-rules'], rules);
  qc.setQueryData(qk.departments, [{ id: 2, name: 'Sales', is_default: true, member_ids: [] }]);
  qc.setQueryData(qk.labels, [{ id: 10, name: 'Gold', color: '#ffcc00' }]);
  qc.setQueryData(qk.users, [{ id: 5, name: 'Bia', email: 'bia@example.com' }]);
  qc.setQueryData(qk.channels, [{ id: 1, name: 'Site', kind: 'widget' }]);
  return <QueryClientProvider client={qc}>{node}</QueryClientProvider>;
}

it('spots a raw key', () => {
  expect('<p>routing.sum.always</p>').toMatch(rawKey);
  expect('<p>assignment.modes.off</p>').toMatch(rawKey);
});

describe.each(['en', 'pt-BR'])('renders in %s', (lng) => {
  beforeAll(() => i18n.changeLanguage(lng));

  it('the list, in order, with summaries', () => {
    const html = renderToString(withData(<RoutingRulesSection />));
    expect(html).not.toMatch(rawKey);
    for (const id of ['routing-new', 'routing-list', 'routing-row-8', 'routing-up-8', 'routing-down-9', 'routing-edit-7', 'routing-delete-7', 'routing-enabled-9', 'routing-summary-8']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html.indexOf('routing-row-8')).toBeLessThan(html.indexOf('routing-row-9'));
    expect(html.indexOf('routing-row-9')).toBeLessThan(html.indexOf('routing-row-7'));
    expect(html).toContain('WhatsApp');
    expect(html).toContain('Gold');
    expect(html).toContain('→ Sales');
    expect(html).toContain(i18n.t('settings:routing.departmentGone'));
    // the first rule cannot move up, the last cannot move down
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*data-testid="routing-up-8"/);
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*data-testid="routing-down-7"/);
  });

  it('the rule form with every condition and its errors', () => {
    const form = { ...emptyRuleForm, rows: conditionKinds.map(newRow), target: 'last' as const };
    const html = renderToString(withData(<RuleFields form={form} onChange={() => {}} errors={{ name: 'required', rows: ['pickOne', undefined, 'keyRequired'] }} opts={opts} />));
    expect(html).not.toMatch(rawKey);
    for (const id of ['routing-name', 'routing-form-enabled', 'routing-add-kind', 'routing-add-condition', 'routing-target', 'routing-priority', 'routing-labels', 'routing-cond-2-key', 'routing-cond-2-op', 'routing-cond-2-value', 'routing-cond-5-bool', 'routing-cond-9-hours', 'routing-bot']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toContain(i18n.t('settings:routing.errors.pickOne'));
    expect(html).toContain(i18n.t('settings:routing.errors.keyRequired'));
    expect(html).toContain(i18n.t('settings:routing.lastDepartmentHint'));
  });

  it('the assignment form', () => {
    const form = assignmentForm({ department_id: 2, mode: 'round_robin', department_limit: 0, release_on_offline: true, queue_message_enabled: true, queue_message: 'Você é o {{position}}º da fila' });
    const html = renderToString(withData(<AssignmentFields form={form} onChange={() => {}} errors={{ limit: 'limit' }} />));
    expect(html).not.toMatch(rawKey);
    for (const id of ['dept-assign-mode', 'dept-assign-limit', 'dept-assign-release', 'dept-assign-queue-msg', 'dept-assign-queue-text', 'dept-assign-preview']) expect(html).toContain(`data-testid="${id}"`);
    expect(html).toContain('Você é o 3º da fila');
    expect(html).toContain('{{position}}');
    expect(html).toContain(i18n.t('settings:assignment.errors.limit'));
  });
});
