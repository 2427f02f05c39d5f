// Server-renders the widget form and the help-centre section in both
// languages: catches runtime errors and translation keys that do not exist
// (i18next would print the key itself).
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import i18n from 'i18next';
import type { ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { qk } from '../../api/queries';
import { en } from '../../i18n/en';
import { ptBR } from '../../i18n/pt-BR';
import { ArticleEditor, HelpCentreSection } from './HelpCentreSection';
import { noFilters, type HelpArticle, type HelpCategory } from './helpLogic';
import { IdentityHelp, WidgetFields, WidgetSnippet } from './WidgetChannelForm';
import { defaultWidgetForm, validateWidget } from './widgetLogic';

const rawKey = /\b(?:help|channels\.widget|channels\.kinds)\.[A-Za-z]/;

beforeAll(async () => {
  (globalThis as { location?: { origin: string } }).location ??= { origin: 'https://app.example.com' };
  await i18n.use(initReactI18next).init({ resources: { en, 'pt-BR': ptBR }, lng: 'en', fallbackLng: false, defaultNS: 'common', interpolation: { escapeValue: false } });
});

const snippet = '<script src="https://app.example.com/widget.js" data-atende-key="wk_abc" async></script>';
const category: HelpCategory = { id: 1, name: 'Conta', slug: 'conta', language: 'pt-BR', position: 0, created_at: 0, updated_at: 0 };
const article: HelpArticle = {
  id: 9,
  category_id: 1,
  language: 'pt-BR',
  status: 'published',
  title: 'Como trocar a senha',
  slug: 'trocar-senha',
  body_markdown: '# Passos',
  author_id: 1,
  views: 0,
  created_at: 0,
  updated_at: 0,
  published_at: 0,
};

function withData(node: ReactNode) {
  const qc = new QueryClient();
  qc.setQueryData(qk.me, { user: { id: 1, role: 'admin', name: 'Ana' }, workspace: { slug: 'acme', name: 'Acme' } });
  qc.setQueryData(['help-categories'], [category]);
  qc.setQueryData(['help-articles', noFilters], { pages: [{ items: [article] }], pageParams: [''] });
  return <QueryClientProvider client={qc}>{node}</QueryClientProvider>;
}

it('spots a raw key', () => {
  expect('<p>help.articleTitle</p>').toMatch(rawKey);
  expect('<a href="/help/acme">').not.toMatch(rawKey);
});

describe.each(['en', 'pt-BR'])('renders in %s', (lng) => {
  beforeAll(() => i18n.changeLanguage(lng));

  it('the widget form, every part shown', () => {
    const form = { ...defaultWidgetForm(), prechatEnabled: true, color: '#fde68a', origins: 'nope' };
    const v = validateWidget(form);
    const html = renderToString(
      <>
        <WidgetSnippet snippet={snippet} />
        <WidgetFields form={form} onChange={() => {}} departments={[{ id: 3, name: 'Vendas', is_default: true, member_ids: [], bot_id: null }]} errors={v.errors} invalidOrigins={v.invalidOrigins} tried />
        <IdentityHelp snippet={snippet} />
      </>,
    );
    expect(html).not.toMatch(rawKey);
    for (const id of ['widget-snippet', 'widget-copy', 'widget-color', 'widget-color-hex', 'widget-preview', 'widget-prechat', 'widget-field-phone-required', 'widget-department-3', 'widget-origins', 'widget-require-identity']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toContain('data-atende-key=&quot;wk_abc&quot;');
    expect(html).toContain('nope'); // the bad line is named
    expect(html).toContain(i18n.t(`settings:channels.widget.snippetHint`).replace('<', '&lt;').replace('>', '&gt;'));
  });

  it('the help centre list', () => {
    const html = renderToString(withData(<HelpCentreSection />));
    expect(html).not.toMatch(rawKey);
    expect(html).toContain('href="https://app.example.com/help/acme"');
    expect(html).toContain('href="https://app.example.com/help/acme/trocar-senha"');
    expect(html).toContain('data-testid="help-article-new"');
    expect(html).toContain('data-testid="help-article-row-9"');
    expect(html).toContain('data-testid="help-category-row-1"');
  });

  it('the article editor', () => {
    const html = renderToString(withData(<ArticleEditor article={article} categories={[category]} wsSlug="acme" onClose={() => {}} />));
    expect(html).not.toMatch(rawKey);
    for (const id of ['help-article-title', 'help-article-body', 'help-article-status', 'help-article-save', 'help-article-public']) expect(html).toContain(`data-testid="${id}"`);
  });
});
