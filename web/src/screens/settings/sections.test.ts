import { describe, expect, it } from 'vitest';
import { canSee, defaultSection, isSection, visibleGroups, visibleSections, type Role } from './sections';

describe('settings sections', () => {
  const cases: [Role, string[]][] = [
    ['admin', ['workspace', 'departments', 'agents', 'channels', 'labels', 'quick-replies', 'closing-reasons', 'profile', 'tokens']],
    ['supervisor', ['labels', 'quick-replies', 'profile', 'tokens']],
    ['agent', ['profile', 'tokens']],
  ];
  it.each(cases)('%s sees %j', (role, want) => expect(visibleSections(role)).toEqual(want));

  it('lands each role on a section it may see', () => {
    for (const role of ['admin', 'supervisor', 'agent'] as Role[]) expect(canSee(role, defaultSection(role))).toBe(true);
    expect(defaultSection('admin')).toBe('workspace');
  });

  it('drops empty groups', () => {
    expect(visibleGroups('agent').map((g) => g.id)).toEqual(['personal']);
    expect(visibleGroups('supervisor').map((g) => g.id)).toEqual(['conversations', 'personal']);
  });

  it('knows its sections', () => {
    expect(isSection('quick-replies')).toBe(true);
    expect(isSection('webhooks')).toBe(false);
    expect(isSection(undefined)).toBe(false);
  });
});
