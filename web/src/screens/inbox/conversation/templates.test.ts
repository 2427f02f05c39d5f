import { describe, expect, it } from 'vitest';
import { paramLabels, renderTemplate, syncedAgo, templateReady, windowClosed, WINDOW_MS } from './templates';

const positional = { name: 'order_update', language: 'pt_BR', category: 'UTILITY', body: 'Olá {{1}}, pedido {{2}} ({{1}})', param_count: 2, param_names: [] };
const named = { name: 'hello', language: 'en_US', category: 'MARKETING', body: 'Hi {{first_name}}!', param_count: 1, param_names: ['first_name'] };

describe('templates', () => {
  it('renders positional and named placeholders', () => {
    expect(renderTemplate(positional, ['Ana', '42'])).toBe('Olá Ana, pedido 42 (Ana)');
    expect(renderTemplate(positional, ['Ana'])).toBe('Olá Ana, pedido {{2}} (Ana)');
    expect(renderTemplate(named, [' Bia '])).toBe('Hi Bia!');
  });
  it('labels and readiness', () => {
    expect(paramLabels(positional)).toEqual(['1', '2']);
    expect(paramLabels(named)).toEqual(['first_name']);
    expect(templateReady(positional, ['a', ' '])).toBe(false);
    expect(templateReady(positional, ['a', 'b'])).toBe(true);
    expect(templateReady(undefined, [])).toBe(false);
  });
  it('says how long ago the list was synced', () => {
    const now = 100 * WINDOW_MS;
    expect(syncedAgo(now - 10_000, now, 'en')).toBe('now');
    expect(syncedAgo(now - 5 * 60_000, now, 'en')).toBe('5 minutes ago');
    expect(syncedAgo(now - 3 * 3_600_000, now, 'en')).toBe('3 hours ago');
    expect(syncedAgo(now - 2 * WINDOW_MS, now, 'en')).toBe('2 days ago');
    expect(syncedAgo(now - 3 * 3_600_000, now, 'pt-BR')).toBe('há 3 horas');
  });
  it('finds a closed window from the newest customer message', () => {
    const now = 10 * WINDOW_MS;
    expect(windowClosed([], now)).toBe(true);
    expect(windowClosed([{ direction: 'in', created_at: now - 1000 }], now)).toBe(false);
    expect(windowClosed([{ direction: 'in', created_at: now - WINDOW_MS - 1 }, { direction: 'out', created_at: now }], now)).toBe(true);
    expect(windowClosed([{ direction: 'in', created_at: now - WINDOW_MS - 1 }, { direction: 'in', created_at: now - 60_000 }], now)).toBe(false);
  });
});
