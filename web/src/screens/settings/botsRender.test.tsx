// Renders the bots section and its flow editor to HTML, in both languages:
// catches runtime errors and translation keys that do not exist (i18next
// would show the raw key), and that each step type shows its form.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import i18n from 'i18next';
import type { ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { qk } from '../../api/queries';
import { en } from '../../i18n/en';
import { ptBR } from '../../i18n/pt-BR';
import { botsKey, BotsSection, FlowEditor } from './BotsSection';
import type { Bot, BotFlow } from './botFlowLogic';

const rawKey = /\b(editor|issues|test|act|starter|kinds|errors)\.[A-Za-z]/;

beforeAll(async () => {
  await i18n.use(initReactI18next).init({ resources: { en, 'pt-BR': ptBR }, lng: 'en', fallbackLng: false, defaultNS: 'common', interpolation: { escapeValue: false } });
});

// every step type, and one reference to a step that does not exist
const flow: BotFlow = {
  start: 'oi',
  steps: [
    { id: 'oi', type: 'message', text: 'Olá {{contact.first_name}}', next: 'menu' },
    { id: 'menu', type: 'menu', text: 'Escolha', options: [{ label: 'Vendas', keywords: ['comprar'], next: 'cpf' }, { label: 'Sumiu', next: 'nada' }], max_retries: 3, on_fail: 'fila' },
    { id: 'cpf', type: 'ask', text: 'Seu CPF?', attribute: 'cpf', validate: 'cpf', next: 'cond' },
    { id: 'cond', type: 'condition', branches: [{ when: { attributes: [{ key: 'plano', op: 'equals', value: 'ouro' }], has_label_ids: [10], business_hours: 'open' }, next: 'tag' }], else: 'fila' },
    { id: 'tag', type: 'label', label_ids: [10], next: 'transf' },
    { id: 'transf', type: 'transfer', department_id: 2 },
    { id: 'fila', type: 'handoff' },
    { id: 'fim', type: 'resolve', text: 'Tchau' },
  ],
};

const bots: Bot[] = [
  { id: 4, name: 'Becon', kind: 'flow', enabled: true, flow, created_at: 0, updated_at: 0 },
  { id: 5, name: 'Parceiro', kind: 'agent', enabled: false, url: 'https://bot.example.com/hook', token_prefix: 'atb_12', created_at: 0, updated_at: 0 },
];

function withData(node: ReactNode) {
  const qc = new QueryClient();
  qc.setQueryData(qk.me, { user: { id: 1, role: 'admin', name: 'Ana' }, workspace: { slug: 'acme', name: 'Acme', timezone: 'America/Sao_Paulo' } });
  qc.setQueryData(botsKey, bots);
  qc.setQueryData(qk.departments, [{ id: 2, name: 'Financeiro', is_default: true, member_ids: [], bot_id: 4 }]);
  qc.setQueryData(qk.labels, [{ id: 10, name: 'VIP', color: '#ffcc00' }]);
  return <QueryClientProvider client={qc}>{node}</QueryClientProvider>;
}

it('spots a raw key', () => {
  expect('<p>editor.types.menu</p>').toMatch(rawKey);
});

describe.each(['en', 'pt-BR'])('bots in %s', (lang) => {
  beforeAll(async () => {
    await i18n.changeLanguage(lang);
  });

  it('lists bots with their kind, departments and switches', () => {
    const html = renderToString(withData(<BotsSection />));
    expect(html).not.toMatch(rawKey);
    for (const id of ['bot-new-flow', 'bot-new-agent', 'bot-list', 'bot-row-4', 'bot-row-5', 'bot-enabled-4', 'bot-edit-5', 'bot-delete-4', 'bot-open-4']) expect(html).toContain(`data-testid="${id}"`);
    expect(html).toContain('Financeiro'); // the department using Becon
    expect(html).toContain(i18n.t('bots:kinds.agent'));
  });

  it('edits every step type beside the test panel', () => {
    const html = renderToString(withData(<FlowEditor bot={bots[0]} onBack={() => {}} onDelete={() => {}} />));
    expect(html).not.toMatch(rawKey);
    for (const id of [
      'bot-start',
      'bot-save-flow',
      'bot-add-type',
      'bot-add-step',
      'bot-step-0-text',
      'bot-step-0-next',
      'bot-step-1-option-0-label',
      'bot-step-1-option-0-keywords',
      'bot-step-1-option-1-next',
      'bot-step-1-add-option',
      'bot-step-1-retries',
      'bot-step-1-onfail',
      'bot-step-2-attribute',
      'bot-step-2-validate',
      'bot-step-3-branch-0-attr-0-key',
      'bot-step-3-branch-0-has',
      'bot-step-3-branch-0-hours',
      'bot-step-3-branch-0-next',
      'bot-step-3-else',
      'bot-step-4-labels',
      'bot-step-5-department',
      'bot-step-6-department',
      'bot-step-7-text',
      'bot-test',
      'bot-test-restart',
      'bot-test-input',
      'bot-test-open',
    ])
      expect(html, id).toContain(`data-testid="${id}"`);
    // the dangling reference shows at once, on its card
    expect(html).toContain('data-testid="bot-step-1-issues"');
    expect(html).toContain(i18n.t('bots:issues.refMissing', { id: 'nada' }));
    expect(html).toContain(i18n.t('bots:editor.missing', { id: 'nada' }));
    // the validators in the product's words
    expect(html).toContain(i18n.t('bots:editor.validators.cpf_cnpj'));
  });
});
