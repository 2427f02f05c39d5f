// Server-renders the business-hours section in both languages: catches
// runtime errors and translation keys that do not exist (i18next would
// print the key itself), and that the test ids the e2e suite uses are there.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import i18n from 'i18next';
import type { ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { qk } from '../../api/queries';
import { en } from '../../i18n/en';
import { ptBR } from '../../i18n/pt-BR';
import { BusinessHoursSection, HoursEditor, MessagesEditor } from './BusinessHoursSection';
import type { AutomationMessages, BusinessHours } from './hoursLogic';

const rawKey = /\bhours\.[A-Za-z]/;

beforeAll(async () => {
  await i18n.use(initReactI18next).init({ resources: { en, 'pt-BR': ptBR }, lng: 'en', fallbackLng: false, defaultNS: 'common', interpolation: { escapeValue: false } });
});

const closed: BusinessHours = {
  enabled: true,
  inherited: false,
  open_now: false,
  next_open: '2026-11-23T11:00:00Z',
  schedule: {
    timezone: 'America/Sao_Paulo',
    weekly: { mon: [['08:00', '12:00'], ['13:00', '18:00']], fri: [['22:00', '02:00']] },
    holidays: [{ date: '2026-12-25', name: 'Natal' }],
  },
};
const messages: AutomationMessages = {
  language: 'pt-BR',
  greeting_enabled: true,
  greeting: 'Olá!',
  out_of_hours_enabled: true,
  out_of_hours: 'Estamos fechados. Retornaremos {{next_open}}.',
  closing_enabled: false,
  closing: '',
  csat_enabled: true,
  csat: 'Como foi?',
};

function withData(node: ReactNode) {
  const qc = new QueryClient();
  qc.setQueryData(qk.me, { user: { id: 1, role: 'admin', name: 'Ana' }, workspace: { slug: 'acme', name: 'Acme', timezone: 'America/Sao_Paulo' } });
  qc.setQueryData(qk.departments, [{ id: 3, name: 'Vendas', is_default: true, member_ids: [] }]);
  qc.setQueryData(['business-hours', 0], closed);
  qc.setQueryData(['automation-messages', 0], messages);
  return <QueryClientProvider client={qc}>{node}</QueryClientProvider>;
}

it('spots a raw key', () => {
  expect('<p>hours.openNow</p>').toMatch(rawKey);
  expect('<p>business hours.</p>').not.toMatch(rawKey);
});

describe.each(['en', 'pt-BR'])('renders in %s', (lng) => {
  beforeAll(() => i18n.changeLanguage(lng));

  it('the whole section', () => {
    const html = renderToString(withData(<BusinessHoursSection />));
    expect(html).not.toMatch(rawKey);
    const ids = ['hours-dept-select', 'hours-enabled', 'hours-timezone', 'hours-holiday-add', 'hours-save', 'hours-msg-save', 'hours-msg-preview', 'hours-status'];
    for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) ids.push(`hours-day-${d}`, `hours-add-interval-${d}`);
    for (const k of ['greeting', 'out_of_hours', 'closing', 'csat']) ids.push(`hours-msg-${k}`, `hours-msg-${k}-enabled`);
    for (const id of ids) expect(html, id).toContain(`data-testid="${id}"`);
    expect(html).toContain(lng === 'en' ? 'Closed — opens' : 'Fechado — abre');
    // the preview fills the placeholder in the messages' language (pt-BR here)
    expect(html).toMatch(/Retornaremos (hoje|amanhã|segunda-feira|em \d\d\/\d\d) às 8h\./);
    expect(html).toContain(lng === 'en' ? 'Night shift' : 'Turno noturno');
  });

  it('a department that follows the workspace, read-only', () => {
    const html = renderToString(withData(<HoursEditor dept={3} data={{ ...closed, inherited: true, enabled: false }} />));
    expect(html).not.toMatch(rawKey);
    expect(html).toContain('data-testid="hours-mode-follow"');
    expect(html).toMatch(/<fieldset disabled=""/);
    expect(html).not.toContain('data-testid="hours-add-interval-mon"');
    expect(html).toContain(lng === 'en' ? 'Always open' : 'Sempre aberto');
  });

  it('a department that follows the workspace texts, read-only, and one with its own', () => {
    const follow = renderToString(withData(<MessagesEditor dept={3} data={{ ...messages, inherited: true }} />));
    expect(follow).not.toMatch(rawKey);
    expect(follow).toMatch(/data-testid="hours-msg-mode-follow"[^>]*aria-checked="true"|aria-checked="true"[^>]*data-testid="hours-msg-mode-follow"/);
    expect(follow).toMatch(/<textarea[^>]*readOnly=""[^>]*data-testid="hours-msg-greeting"/);
    expect(follow).toContain(lng === 'en' ? 'Follows the workspace texts' : 'Segue os textos da empresa');
    const own = renderToString(withData(<MessagesEditor dept={3} data={{ ...messages, inherited: false }} />));
    expect(own).toMatch(/aria-checked="true"[^>]*data-testid="hours-msg-mode-own"/);
    expect(own).not.toMatch(/<textarea[^>]*readOnly=""/);
    // the workspace's own texts have no follow/own choice
    expect(renderToString(withData(<MessagesEditor data={messages} />))).not.toContain('hours-msg-mode-');
  });
});
