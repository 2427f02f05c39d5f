// Server-renders the automation rules section and the rule form with every
// kind of condition and action row in both languages: catches runtime
// errors, translation keys that do not exist (i18next would print the key
// itself) and lost test ids.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import i18n from 'i18next';
import type { ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { qk } from '../../api/queries';
import { en } from '../../i18n/en';
import { ptBR } from '../../i18n/pt-BR';
import { AutomationFields, AutomationRulesSection } from './AutomationRulesSection';
import { actionTypes, conditionKinds, emptyRuleForm, newAction, newRow, type AutomationRule } from './automationLogic';

const rawKey = /\b(sum|events|cond|act|errors|statuses|priorities|kinds|from|ops)\.[A-Za-z_]/;

beforeAll(async () => {
  await i18n.use(initReactI18next).init({ resources: { en, 'pt-BR': ptBR }, lng: 'en', fallbackLng: false, defaultNS: 'common', interpolation: { escapeValue: false } });
});

const rules: AutomationRule[] = [
  {
    id: 8,
    name: 'Espera longa',
    enabled: true,
    event: 'no_agent_reply',
    minutes: 15,
    conditions: { statuses: ['queued'], assignee: 'none', has_label_ids: [10], attributes: [{ key: 'plano', op: 'equals', value: 'ouro' }], business_hours: 'open' },
    actions: [{ type: 'set_priority', priority: 'urgent' }, { type: 'assign_department', department_id: 2 }, { type: 'send_webhook', webhook_id: 4 }],
    created_at: 0,
    updated_at: 0,
  },
  { id: 9, name: 'Cancelar', enabled: false, event: 'message.created', minutes: 0, conditions: { message_from: 'customer', message_contains: ['cancelar'] }, actions: [{ type: 'add_note', text: 'n' }], created_at: 0, updated_at: 0 },
];

const opts = {
  channels: [{ id: 1, name: 'Site' }],
  labels: [{ id: 10, name: 'Gold' }],
  users: [{ id: 5, name: 'Bia' }],
  departments: [{ id: 2, name: 'Sales' }],
  webhooks: [{ id: 4, name: 'CRM' }],
};

function withData(node: ReactNode) {
  const qc = new QueryClient();
  qc.setQueryData(qk.me, { user: { id: 1, role: 'admin', name: 'Ana' }, workspace: { slug: 'acme', name: 'Acme', timezone: 'America/Sao_Paulo' } });
  qc.setQueryData(['automation-rules'], rules);
  qc.setQueryData(['webhooks', 'list'], [{ id: 4, url: 'https://crm.example.com/hook', description: 'CRM', events: ['message.created'], active: true }]);
  qc.setQueryData(qk.departments, [{ id: 2, name: 'Sales', is_default: true, member_ids: [] }]);
  qc.setQueryData(qk.labels, [{ id: 10, name: 'Gold', color: '#ffcc00' }]);
  qc.setQueryData(qk.users, [{ id: 5, name: 'Bia', email: 'bia@example.com' }]);
  qc.setQueryData(qk.channels, [{ id: 1, name: 'Site', kind: 'widget' }]);
  return <QueryClientProvider client={qc}>{node}</QueryClientProvider>;
}

it('spots a raw key', () => {
  expect('<p>sum.event.no_agent_reply</p>').toMatch(rawKey);
  expect('<p>act.resolve</p>').toMatch(rawKey);
});

describe.each(['en', 'pt-BR'])('renders in %s', (lng) => {
  beforeAll(() => i18n.changeLanguage(lng));

  it('the list with summaries', () => {
    const html = renderToString(withData(<AutomationRulesSection />));
    expect(html).not.toMatch(rawKey);
    for (const id of ['automation-new', 'automation-list', 'automation-row-8', 'automation-row-9', 'automation-summary-8', 'automation-enabled-9', 'automation-edit-8', 'automation-delete-9']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html.indexOf('automation-row-8')).toBeLessThan(html.indexOf('automation-row-9'));
    expect(html).toContain('Gold');
    expect(html).toContain('Sales');
    expect(html).toContain('CRM');
    expect(html).toContain(i18n.t('automation:sum.event.no_agent_reply', { n: 15 }));
  });

  it('the rule form with every condition, every action and their errors', () => {
    const form = { ...emptyRuleForm, event: 'message.created' as const, rows: conditionKinds.map(newRow), actions: actionTypes.map(newAction) };
    const html = renderToString(
      withData(<AutomationFields form={form} onChange={() => {}} errors={{ name: 'required', rows: ['pickOne', undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, 'keyRequired'], actionRows: ['refRequired'] }} opts={opts} />),
    );
    expect(html).not.toMatch(rawKey);
    for (const id of ['automation-name', 'automation-form-enabled', 'automation-event', 'automation-add-kind', 'automation-add-condition', 'automation-add-action-type', 'automation-add-action', 'automation-cond-0-choices', 'automation-cond-2-assignee', 'automation-cond-9-key', 'automation-cond-10-from', 'automation-cond-11-words', 'automation-cond-12-hours', 'automation-act-0-ref', 'automation-act-4-text', 'automation-act-6-priority', 'automation-act-7-minutes']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).not.toContain('data-testid="automation-minutes"');
    expect(html).toContain(i18n.t('automation:errors.pickOne'));
    expect(html).toContain(i18n.t('automation:errors.refRequired'));
    expect(html).toContain(i18n.t('automation:botNote'));
  });

  it('the delay of a time-based rule', () => {
    const html = renderToString(withData(<AutomationFields form={{ ...emptyRuleForm, event: 'snoozed_too_long' }} onChange={() => {}} errors={{ minutes: 'minutes', actions: 'noActions', rows: [], actionRows: [] }} opts={opts} />));
    expect(html).not.toMatch(rawKey);
    expect(html).toContain('data-testid="automation-minutes"');
    expect(html).toContain(i18n.t('automation:errors.minutes'));
    expect(html).toContain(i18n.t('automation:errors.noActions'));
  });
});
