import { describe, expect, it } from 'vitest';
import { canSee, defaultSection, isSection, visibleGroups, visibleSections, type Role } from './sections';

describe('settings sections', () => {
  const cases: [Role, string[]][] = [
    ['admin', ['workspace', 'departments', 'routing-rules', 'automation-rules', 'bots', 'agents', 'channels', 'webhooks', 'labels', 'quick-replies', 'help-centre', 'closing-reasons', 'business-hours', 'profile', 'tokens']],
    ['supervisor', ['labels', 'quick-replies', 'help-centre', 'profile', 'tokens']],
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

  it('lets managers, not agents, write the help centre', () => {
    expect(canSee('admin', 'help-centre')).toBe(true);
    expect(canSee('supervisor', 'help-centre')).toBe(true);
    expect(canSee('agent', 'help-centre')).toBe(false);
  });

  it('lets only admins open business hours (everyone may read them through the API)', () => {
    expect(canSee('admin', 'business-hours')).toBe(true);
    expect(canSee('supervisor', 'business-hours')).toBe(false);
    expect(canSee('agent', 'business-hours')).toBe(false);
    expect(isSection('business-hours')).toBe(true);
  });

  it('lets only admins open routing rules (everyone may read them through the API)', () => {
    expect(canSee('admin', 'routing-rules')).toBe(true);
    expect(canSee('supervisor', 'routing-rules')).toBe(false);
    expect(canSee('agent', 'routing-rules')).toBe(false);
    expect(isSection('routing-rules')).toBe(true);
    expect(visibleGroups('admin').find((g) => g.id === 'workspace')?.sections).toEqual(['workspace', 'departments', 'routing-rules', 'automation-rules', 'bots', 'agents', 'channels', 'webhooks']);
  });

  it('lets only admins open bots', () => {
    expect(canSee('admin', 'bots')).toBe(true);
    expect(canSee('supervisor', 'bots')).toBe(false);
    expect(canSee('agent', 'bots')).toBe(false);
    expect(isSection('bots')).toBe(true);
  });

  it('lets only admins open webhooks', () => {
    expect(canSee('admin', 'webhooks')).toBe(true);
    expect(canSee('supervisor', 'webhooks')).toBe(false);
    expect(canSee('agent', 'webhooks')).toBe(false);
    expect(visibleGroups('admin').find((g) => g.id === 'workspace')?.sections).toContain('webhooks');
  });

  it('knows its sections', () => {
    expect(isSection('quick-replies')).toBe(true);
    expect(isSection('help-centre')).toBe(true);
    expect(isSection('webhooks')).toBe(true);
    expect(isSection('hooks')).toBe(false);
    expect(isSection(undefined)).toBe(false);
  });
});
