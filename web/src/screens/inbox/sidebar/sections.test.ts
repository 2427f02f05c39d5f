import { describe, expect, it } from 'vitest';
import type { Counters } from '../../../api/client';
import { buildSections, countText, filterItems, fold, segmentHref, type NavItem } from './sections';

const counters: Counters = {
  mine: 2,
  unassigned: 15,
  all: 30,
  bot: 1,
  snoozed: 5,
  resolved: 12,
  unread_mine: 1,
  departments: [
    { id: 3, name: 'Suporte', queued: 5, open: 4 },
    { id: 2, name: 'Financeiro', queued: 0, open: 1 },
    { id: 1, name: 'Vendas', queued: 3, open: 0 },
  ],
  agents: [
    { id: 6, name: 'Elisa Suporte', presence: 'offline', open: 7 },
    { id: 4, name: 'Carla Vendas', presence: 'online', open: 3 },
    { id: 1, name: 'Ana Admin', presence: 'offline', open: 0 },
    { id: 3, name: 'Bruno Vendas', presence: 'away', open: 2 },
    { id: 5, name: 'Álvaro Financeiro', presence: 'online', open: 1 },
  ],
};

describe('buildSections', () => {
  const sections = buildSections(counters, 1);
  const byId = Object.fromEntries(sections.map((s) => [s.id, s.items]));

  it('has the four sections in order', () => {
    expect(sections.map((s) => s.id)).toEqual(['mine', 'general', 'departments', 'agents']);
  });

  it.each<[string, string, number | undefined]>([
    ['counter-mine', 'mine', 2],
    ['counter-unassigned', 'unassigned', 15],
    ['counter-all', 'all', 30],
    ['counter-resolved', 'resolved', 12],
    ['counter-snoozed', 'snoozed', 5],
    ['counter-starred', 'starred', undefined],
    ['counter-dept-3', 'dept-3', 9],
    ['counter-dept-2', 'dept-2', 1],
    ['counter-agent-6', 'agent-6', 7],
  ])('%s → /%s with count %s', (testId, segment, count) => {
    const item = sections.flatMap((s) => s.items).find((i) => i.testId === testId);
    expect(item?.segment).toBe(segment);
    expect(item?.count).toBe(count);
  });

  it('the waiting entry is the unassigned view and carries both test ids', () => {
    const w = byId.general[0];
    expect([w.view, w.segment, w.testId, w.innerTestId]).toEqual(['waiting', 'unassigned', 'counter-unassigned', 'counter-waiting']);
  });

  it('sorts departments by name and keeps queued/open apart', () => {
    expect(byId.departments.map((d) => [d.name, d.queued, d.open])).toEqual([
      ['Financeiro', 0, 1],
      ['Suporte', 5, 4],
      ['Vendas', 3, 0],
    ]);
  });

  it('sorts agents: me first, then online, away, offline, then by name ignoring accents', () => {
    expect(byId.agents.map((a) => a.name)).toEqual(['Ana Admin', 'Álvaro Financeiro', 'Carla Vendas', 'Bruno Vendas', 'Elisa Suporte']);
    expect(byId.agents[0].isMe).toBe(true);
    expect(byId.agents[1].presence).toBe('online');
  });

  it('reads optional counters when the server sends them', () => {
    const s = buildSections({ ...counters, unread_mine: 3, starred: 4 } as Counters, 1);
    const all = s.flatMap((x) => x.items);
    expect(all.find((i) => i.testId === 'counter-mine')?.unread).toBe(3);
    expect(all.find((i) => i.testId === 'counter-starred')?.count).toBe(4);
  });

  it('leaves out empty department and agent sections', () => {
    const s = buildSections({ ...counters, departments: [], agents: [] });
    expect(s.map((x) => x.id)).toEqual(['mine', 'general']);
  });
});

describe('filterItems', () => {
  const items: NavItem[] = ['Sérgio Supervisor', 'Ana Admin', 'Bruno Vendas'].map((name, i) => ({ segment: `agent-${i}`, testId: `t${i}`, name }));
  it.each<[string, string[]]>([
    ['', ['Sérgio Supervisor', 'Ana Admin', 'Bruno Vendas']],
    ['serg', ['Sérgio Supervisor']],
    ['  VENDAS ', ['Bruno Vendas']],
    ['a ad', ['Ana Admin']],
    ['zzz', []],
  ])('%j', (q, want) => {
    expect(filterItems(items, q).map((i) => i.name)).toEqual(want);
  });
});

describe('helpers', () => {
  it.each<[string, string, string]>([
    ['mine', '', '/inbox/mine'],
    ['dept-2', '?sort=waiting_since&q=ana', '/inbox/dept-2?sort=waiting_since'],
    ['all', 'label=3&channel=1', '/inbox/all?label=3&channel=1'],
  ])('segmentHref(%s, %s) = %s', (seg, search, want) => {
    expect(segmentHref(seg, search)).toBe(want);
  });
  it('fold strips accents and case', () => expect(fold('Ação É')).toBe('acao e'));
  it.each<[number, string, string]>([
    [0, 'en', '0'],
    [9999, 'en', '9999'],
    [10015, 'en', '10K'],
    [10015, 'pt-BR', '10\u00a0mil'],
    [125400, 'en', '125.4K'],
  ])('countText(%d, %s) = %s', (n, lang, want) => expect(countText(n, lang)).toBe(want));
});
