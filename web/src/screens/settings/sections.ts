// Which settings sections exist, who may open them, and where /settings
// lands. Access mirrors the server's route guards (internal/httpapi/server.go):
// `admin` routes for admins only, `manager` routes for admins and supervisors,
// `user` routes for everyone (their own profile and API tokens).

export type Role = 'admin' | 'supervisor' | 'agent';

export const sections = [
  'workspace',
  'departments',
  'routing-rules',
  'automation-rules',
  'bots',
  'agents',
  'channels',
  'webhooks',
  'labels',
  'quick-replies',
  'help-centre',
  'closing-reasons',
  'business-hours',
  'profile',
  'tokens',
] as const;

export type Section = (typeof sections)[number];

type Access = 'admin' | 'manager' | 'user';

const access: Record<Section, Access> = {
  workspace: 'admin',
  departments: 'admin',
  // read by everyone through the API, written by admins only: like business hours, hidden from the others
  'routing-rules': 'admin',
  // read by everyone through the API, written by admins only, like routing rules
  'automation-rules': 'admin',
  // read by everyone through the API, written by admins only (the test panel also lets supervisors in, the editor does not)
  bots: 'admin',
  agents: 'admin',
  channels: 'admin',
  webhooks: 'admin',
  labels: 'manager',
  'quick-replies': 'manager',
  // read by everyone through the API, written by managers: agents have nothing to do here
  'help-centre': 'manager',
  'closing-reasons': 'admin',
  // read by everyone through the API, written by admins only: like the workspace, hidden from the others
  'business-hours': 'admin',
  profile: 'user',
  tokens: 'user',
};

/** The sub-navigation groups, in order. */
export const groups: { id: 'workspace' | 'conversations' | 'personal'; sections: Section[] }[] = [
  { id: 'workspace', sections: ['workspace', 'departments', 'routing-rules', 'automation-rules', 'bots', 'agents', 'channels', 'webhooks'] },
  { id: 'conversations', sections: ['labels', 'quick-replies', 'help-centre', 'closing-reasons', 'business-hours'] },
  { id: 'personal', sections: ['profile', 'tokens'] },
];

export function isSection(s: string | undefined): s is Section {
  return !!s && (sections as readonly string[]).includes(s);
}

/** canSee tells whether a role may open a section (the API would let it change what is there). */
export function canSee(role: Role, section: Section): boolean {
  const a = access[section];
  if (a === 'user') return true;
  if (a === 'manager') return role === 'admin' || role === 'supervisor';
  return role === 'admin';
}

export function visibleSections(role: Role): Section[] {
  return sections.filter((s) => canSee(role, s));
}

/** defaultSection is where /settings lands: workspace for admins, labels for supervisors, profile otherwise. */
export function defaultSection(role: Role): Section {
  if (role === 'admin') return 'workspace';
  if (role === 'supervisor') return 'labels';
  return 'profile';
}

/** The visible groups of a role, with empty groups left out. */
export function visibleGroups(role: Role) {
  return groups.map((g) => ({ ...g, sections: g.sections.filter((s) => canSee(role, s)) })).filter((g) => g.sections.length > 0);
}
