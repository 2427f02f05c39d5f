import { describe, expect, it } from 'vitest';
import { paramLabels, renderTemplate, templateReady, windowClosed, WINDOW_MS } from './templates';

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
  it('finds a closed window from the newest customer message', () => {
    const now = 10 * WINDOW_MS;
    expect(windowClosed([], now)).toBe(true);
    expect(windowClosed([{ direction: 'in', created_at: now - 1000 }], now)).toBe(false);
    expect(windowClosed([{ direction: 'in', created_at: now - WINDOW_MS - 1 }, { direction: 'out', created_at: now }], now)).toBe(true);
    expect(windowClosed([{ direction: 'in', created_at: now - WINDOW_MS - 1 }, { direction: 'in', created_at: now - 60_000 }], now)).toBe(false);
  });
});
