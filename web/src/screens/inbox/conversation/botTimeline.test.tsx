// Bot entries of the timeline rendered to HTML in both languages: a menu's
// choices as chips under the bubble (plain text, not buttons) and the
// sentences of bot events, with no raw translation keys.
import i18n from 'i18next';
import { renderToString } from 'react-dom/server';
import { initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../api/client';
import { en } from '../../../i18n/en';
import { ptBR } from '../../../i18n/pt-BR';
import { MessageItem, type MessageContext } from './Message';

beforeAll(async () => {
  await i18n.use(initReactI18next).init({ resources: { en, 'pt-BR': ptBR }, lng: 'en', fallbackLng: false, defaultNS: 'common', interpolation: { escapeValue: false } });
});

const ctx: MessageContext = {
  lang: 'pt-BR',
  meId: 1,
  contactName: 'Cliente',
  userName: (id) => (id === 1 ? 'Ana' : undefined),
  lookup: { user: (id) => (id === 1 ? 'Ana' : undefined), department: (id) => (id === 2 ? 'Financeiro' : undefined), label: () => undefined, reason: () => undefined, time: String, priority: String },
};

function msg(over: Partial<Message>): Message {
  return {
    id: 1,
    conversation_id: 1,
    kind: 'text',
    direction: 'out',
    sender_type: 'bot',
    sender_id: null,
    content: '',
    channel_id: 1,
    external_id: null,
    status: 'sent',
    created_at: 0,
    attachments: [],
    label_ids: [],
    ...over,
  };
}

const html = (m: Message) => renderToString(<MessageItem m={m} grouped={false} ctx={ctx} />);

describe.each([
  ['pt-BR', 'Robô Becon assumiu', 'Robô Becon passou para a fila de Financeiro', 'Ana assumiu no lugar do robô', 'Robô Becon transferiu para Financeiro', 'Robô Becon finalizou o atendimento'],
  ['en', 'Bot Becon took over', 'Bot Becon handed this to the Financeiro queue', 'Ana took over from the bot', 'Bot Becon transferred this to Financeiro', 'Bot Becon resolved this conversation'],
])('bot timeline in %s', (lang, started, handoff, tookOver, transferred, resolved) => {
  beforeAll(async () => {
    await i18n.changeLanguage(lang);
  });

  it('shows a menu with its choices as chips', () => {
    const out = html(msg({ content: 'Como podemos ajudar?\n\n1 – Vendas\n2 – Financeiro', choices: ['Vendas', 'Financeiro'] }));
    expect(out).toContain('data-testid="message-choices"');
    expect(out).toMatch(/<li[^>]*>Vendas<\/li>/);
    expect(out).toMatch(/<li[^>]*>Financeiro<\/li>/);
    expect(out).not.toMatch(/<button[^>]*>Vendas/);
    expect(html(msg({ content: 'Olá' }))).not.toContain('message-choices');
  });

  it('tells what the bot did', () => {
    const ev = (event: Message['event'], sender: Message['sender_type'] = 'bot') => html(msg({ kind: 'event', direction: 'internal', sender_type: sender, event }));
    expect(ev({ type: 'bot_started', actor_type: 'bot', actor_id: 4, detail: 'Becon' })).toContain(started);
    expect(ev({ type: 'handoff', actor_type: 'bot', actor_id: 4, to: 'queued', department_id: 2, detail: 'Becon' })).toContain(handoff);
    expect(ev({ type: 'handoff', actor_type: 'user', actor_id: 1, from: 'bot', to: 'queued' }, 'user')).toContain(tookOver);
    expect(ev({ type: 'transferred', actor_type: 'bot', actor_id: 4, department_id: 2, detail: 'Becon' })).toContain(transferred);
    expect(ev({ type: 'resolved', actor_type: 'bot', actor_id: 4, detail: 'Becon' })).toContain(resolved);
    for (const t of ['handoff', 'transferred', 'resolved', 'bot_started']) expect(ev({ type: t, actor_type: 'bot', detail: 'Becon' })).not.toMatch(/event\.[a-zA-Z]/);
  });
});
