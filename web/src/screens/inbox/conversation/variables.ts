// Quick-reply variables: {{contact.first_name}} and friends are filled in
// from the open conversation before the text lands in the composer.

export type Variables = Record<string, string | null | undefined>;

/** The variables a quick reply may use (documented in the quick-reply settings). */
export const variableNames = [
  'contact.name',
  'contact.first_name',
  'contact.email',
  'contact.phone',
  'agent.name',
  'agent.first_name',
  'conversation.id',
  'workspace.name',
] as const;

const varRe = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

/**
 * fillVariables replaces {{ name }} with vars[name]. A name that vars does not
 * know is left as written; a known name without a value becomes "".
 */
export function fillVariables(template: string, vars: Variables): string {
  return template.replace(varRe, (whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(vars, name)) return whole;
    return vars[name] ?? '';
  });
}

export function firstName(name: string | null | undefined): string {
  return (name ?? '').trim().split(/\s+/)[0] ?? '';
}

/** variableContext builds the variables of one conversation. */
export function variableContext(x: {
  contact?: { name?: string; email?: string; phone?: string } | null;
  contactName?: string;
  agent?: { name?: string } | null;
  conversationId?: number;
  workspaceName?: string;
}): Variables {
  const contactName = x.contact?.name || x.contactName || '';
  return {
    'contact.name': contactName,
    'contact.first_name': firstName(contactName),
    'contact.email': x.contact?.email ?? '',
    'contact.phone': x.contact?.phone ?? '',
    'agent.name': x.agent?.name ?? '',
    'agent.first_name': firstName(x.agent?.name),
    'conversation.id': x.conversationId != null ? String(x.conversationId) : '',
    'workspace.name': x.workspaceName ?? '',
  };
}
