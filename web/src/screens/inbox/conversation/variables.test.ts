import { describe, expect, it } from 'vitest';
import { fillVariables, firstName, variableContext, type Variables } from './variables';

const vars: Variables = {
  'contact.name': 'Maria Ferreira',
  'contact.first_name': 'Maria',
  'contact.email': '',
  'contact.phone': undefined,
  'agent.name': 'Bruno Vendas',
  'conversation.id': '42',
};

describe('fillVariables', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['no variables', 'no variables'],
    ['Olá {{contact.first_name}}!', 'Olá Maria!'],
    ['{{contact.name}} / {{agent.name}}', 'Maria Ferreira / Bruno Vendas'],
    ['Olá {{ contact.first_name }}!', 'Olá Maria!'],
    ['Olá {{\tcontact.first_name\n}}!', 'Olá Maria!'],
    ['mail: [{{contact.email}}]', 'mail: []'],
    ['phone: [{{contact.phone}}]', 'phone: []'],
    ['{{unknown.thing}} stays', '{{unknown.thing}} stays'],
    ['{{ unknown }} stays', '{{ unknown }} stays'],
    ['#{{conversation.id}}#{{conversation.id}}', '#42#42'],
    ['{contact.name} {{contact.name}', '{contact.name} {{contact.name}'],
    ['{{{contact.first_name}}}', '{Maria}'],
    ['{{constructor}} {{toString}}', '{{constructor}} {{toString}}'],
    ['$& {{contact.first_name}} $1', '$& Maria $1'],
  ];
  it.each(cases)('%j', (tpl, want) => {
    expect(fillVariables(tpl, vars)).toBe(want);
  });

  it('does not interpret $ patterns in values', () => {
    expect(fillVariables('{{a}}', { a: "$& $' $1" })).toBe("$& $' $1");
  });
});

describe('firstName', () => {
  it.each([
    ['Maria Ferreira', 'Maria'],
    ['  Ana  ', 'Ana'],
    ['', ''],
    [undefined, ''],
  ] as const)('%j → %j', (n, want) => expect(firstName(n)).toBe(want));
});

describe('variableContext', () => {
  it('fills every documented variable', () => {
    const v = variableContext({
      contact: { name: 'João da Silva', email: 'joao@x.com', phone: '+55 11 9999' },
      agent: { name: 'Carla Vendas' },
      conversationId: 7,
      workspaceName: 'Demo',
    });
    expect(fillVariables('{{contact.name}}|{{contact.first_name}}|{{contact.email}}|{{contact.phone}}|{{agent.name}}|{{agent.first_name}}|{{conversation.id}}|{{workspace.name}}', v)).toBe(
      'João da Silva|João|joao@x.com|+55 11 9999|Carla Vendas|Carla|7|Demo',
    );
  });
  it('falls back to the conversation contact name while the contact loads', () => {
    const v = variableContext({ contactName: 'Lucas Almeida' });
    expect(fillVariables('{{contact.first_name}} {{contact.email}}', v)).toBe('Lucas ');
  });
});
