import { describe, expect, it } from 'vitest';
import {
  addStep,
  checkAgentUrl,
  checkBotName,
  draftFromFlow,
  emptyStep,
  findLoop,
  flowFromDraft,
  idProblem,
  isDirty,
  moveStep,
  removeStep,
  renameStep,
  setStepType,
  splitKeywords,
  starterFlow,
  stepFromDraft,
  stepTitle,
  targetsFor,
  uniqueId,
  unknownVariable,
  updateStep,
  validateDraft,
  words,
  type BotFlow,
  type Draft,
  type DraftStep,
  type StarterTexts,
} from './botFlowLogic';

const texts: StarterTexts = {
  greeting: 'Olá, {{contact.first_name}}!',
  prompt: 'Como podemos ajudar?',
  invalid: 'Não entendi.',
  sales: 'Vendas',
  finance: 'Financeiro',
  support: 'Suporte',
  handoff: 'Um atendente de {{department}} já vai falar com você.',
};

// A flow that uses every step type and field, valid for the server.
const everything: BotFlow = {
  start: 'oi',
  steps: [
    { id: 'oi', type: 'message', text: 'Olá {{contact.name}}', next: 'menu' },
    {
      id: 'menu',
      type: 'menu',
      text: 'Escolha',
      options: [
        { label: 'Vendas', keywords: ['comprar', 'preço'], next: 'cpf' },
        { label: 'Suporte', next: 'cond' },
      ],
      invalid_text: 'Não entendi',
      max_retries: 3,
      on_fail: 'fila',
    },
    { id: 'cpf', type: 'ask', text: 'Seu CPF?', next: 'tag', attribute: 'cpf', validate: 'cpf', invalid_text: 'CPF inválido', max_retries: 1, on_fail: 'fila' },
    {
      id: 'cond',
      type: 'condition',
      branches: [
        { when: { attributes: [{ key: 'plano', op: 'equals', value: 'ouro' }, { key: 'cpf', op: 'exists' }], has_label_ids: [1], lacks_label_ids: [2], business_hours: 'open' }, next: 'transf' },
        { when: {}, next: 'fim' },
      ],
      else: 'fila',
    },
    { id: 'tag', type: 'label', label_ids: [1, 2], next: 'fila' },
    { id: 'transf', type: 'transfer', text: 'Transferindo', department_id: 7 },
    { id: 'fila', type: 'handoff', department_id: 3 },
    { id: 'fim', type: 'resolve', text: 'Tchau' },
  ],
};

function step(id: string, over: Partial<DraftStep> = {}): DraftStep {
  return { ...emptyStep(id, over.type ?? 'message'), text: 'oi', ...over };
}

const codes2 = (d: Draft, known: Parameters<typeof validateDraft>[1]) => validateDraft(d, known).map((x) => `${x.step ?? '-'}:${x.field}:${x.code}`);
const codes = (d: Draft) => validateDraft(d).map((x) => `${x.step ?? '-'}:${x.field}:${x.code}`);

describe('draft ↔ flow', () => {
  it('round-trips every step type and field', () => {
    expect(flowFromDraft(draftFromFlow(everything))).toEqual(everything);
    expect(validateDraft(draftFromFlow(everything))).toEqual([]);
  });

  it('serialises only the fields a type uses', () => {
    const full: DraftStep = {
      id: 'x',
      type: 'message',
      text: 'Olá',
      next: 'y',
      options: [{ label: 'A', keywords: 'a', next: 'y' }],
      invalidText: 'inv',
      maxRetries: 3,
      onFail: 'y',
      attribute: 'cpf',
      validate: 'cpf',
      branches: [{ attributes: [], hasLabelIds: [], lacksLabelIds: [], hours: 'open', next: 'y' }],
      else: 'y',
      labelIds: [1],
      departmentId: 4,
    };
    const cases: [DraftStep['type'], string[]][] = [
      ['message', ['id', 'next', 'text', 'type']],
      ['menu', ['id', 'invalid_text', 'max_retries', 'on_fail', 'options', 'text', 'type']],
      ['ask', ['attribute', 'id', 'invalid_text', 'max_retries', 'next', 'on_fail', 'text', 'type', 'validate']],
      ['condition', ['branches', 'else', 'id', 'type']],
      ['label', ['id', 'label_ids', 'next', 'type']],
      ['transfer', ['department_id', 'id', 'text', 'type']],
      ['handoff', ['department_id', 'id', 'text', 'type']],
      ['resolve', ['id', 'text', 'type']],
    ];
    for (const [type, keys] of cases) expect(Object.keys(stepFromDraft({ ...full, type })).sort(), type).toEqual(keys);
  });

  it('leaves out empty optional fields and defaults', () => {
    expect(stepFromDraft(emptyStep('h', 'handoff'))).toEqual({ id: 'h', type: 'handoff' });
    expect(stepFromDraft({ ...emptyStep('a', 'ask'), text: 'q', attribute: ' email ', validate: 'text' })).toEqual({ id: 'a', type: 'ask', text: 'q', attribute: 'email' });
    expect(stepFromDraft({ ...emptyStep('m', 'message'), text: '   ' })).toEqual({ id: 'm', type: 'message' });
  });

  it('reads keywords separated by commas', () => {
    expect(splitKeywords(' boleto, 2ª via ,, boleto, pagar ')).toEqual(['boleto', '2ª via', 'pagar']);
    expect(splitKeywords('')).toEqual([]);
    const s = stepFromDraft({ ...emptyStep('m', 'menu'), text: 'p', options: [{ label: ' Financeiro ', keywords: 'boleto, pix', next: 'f' }] });
    expect(s.options).toEqual([{ label: 'Financeiro', keywords: ['boleto', 'pix'], next: 'f' }]);
  });

  it('omits the value of exists conditions', () => {
    const s = stepFromDraft({ ...emptyStep('c', 'condition'), branches: [{ attributes: [{ key: 'cpf', op: 'exists', value: 'left over' }], hasLabelIds: [], lacksLabelIds: [], hours: '', next: 'x' }] });
    expect(s.branches).toEqual([{ when: { attributes: [{ key: 'cpf', op: 'exists' }] }, next: 'x' }]);
  });

  it('keeps other fields when the type changes back', () => {
    let d: Draft = { start: 'a', steps: [step('a', { text: 'Escolha' })] };
    d = setStepType(d, 0, 'menu');
    expect(d.steps[0].options).toHaveLength(1); // a row to fill
    d = setStepType(d, 0, 'message');
    expect(stepFromDraft(d.steps[0])).toEqual({ id: 'a', type: 'message', text: 'Escolha' });
    expect(setStepType(d, 0, 'condition').steps[0].branches).toHaveLength(1);
  });

  it('tells a changed draft from the saved flow', () => {
    const d = draftFromFlow(everything);
    expect(isDirty(d, everything)).toBe(false);
    expect(isDirty(updateStep(d, 0, { text: 'Oi' }), everything)).toBe(true);
    // a field the type ignores is not a change
    expect(isDirty(updateStep(d, 0, { attribute: 'x' }), everything)).toBe(false);
  });
});

describe('validateDraft', () => {
  const base = (steps: DraftStep[], start = steps[0]?.id ?? ''): Draft => ({ start, steps });

  const cases: [string, Draft, string[]][] = [
    ['no steps', { start: '', steps: [] }, ['-:steps:noSteps']],
    ['missing start', base([step('a')], ''), ['-:start:noStart']],
    ['start names nothing', base([step('a')], 'zz'), ['-:start:startMissing']],
    ['empty id', base([step('')], ''), ['0:id:idEmpty', '-:start:noStart']],
    ['long id', base([step('x'.repeat(41))]), ['0:id:idTooLong']],
    ['id with spaces', base([step(' a')]), ['0:id:idSpaces']],
    ['duplicate id', base([step('a'), step('a')]), ['0:id:idDuplicate', '1:id:idDuplicate']],
    ['dangling next', base([step('a', { next: 'b' })]), ['0:next:refMissing']],
    ['message without text', base([step('a', { text: ' ' })]), ['0:text:messageText']],
    ['unknown variable', base([step('a', { text: 'Oi {{nome}}' })]), ['0:text:unknownVariable']],
    ['attribute variable', base([step('a', { text: 'CPF {{ attributes.cpf }} de {{contact.first_name}}' })]), []],
    ['menu without prompt', base([step('m', { type: 'menu', text: '', options: [{ label: 'A', keywords: '', next: 'm' }] })]), ['0:text:menuText']],
    ['empty menu', base([step('m', { type: 'menu', options: [] })]), ['0:options:menuNoOptions']],
    [
      'menu option problems',
      base([
        step('m', {
          type: 'menu',
          options: [
            { label: '', keywords: '', next: '' },
            { label: 'x'.repeat(61), keywords: '', next: 'nada' },
            { label: 'Finánceiro!', keywords: '', next: 'm' },
            { label: 'financeiro', keywords: '123, boleto', next: 'm' },
            { label: 'Boleto', keywords: 'Finan', next: 'm' },
          ],
        }),
      ]),
      [
        '0:options.0.label:optionNoLabel',
        '0:options.0.next:refRequired',
        '0:options.1.label:optionLabelTooLong',
        '0:options.1.next:refMissing',
        '0:options.3.label:optionSameLabel',
        '0:options.3.keywords:keywordNoLetters',
        '0:options.4.label:optionSameLabel',
      ],
    ],
    ['keyword taken by another option', base([step('m', { type: 'menu', options: [{ label: 'Pagar', keywords: 'pix', next: 'm' }, { label: 'Outro', keywords: 'PIX', next: 'm' }] })]), ['0:options.1.keywords:keywordTaken']],
    ['keyword repeating its own label', base([step('m', { type: 'menu', options: [{ label: 'Pagar', keywords: 'pagar', next: 'm' }] })]), []],
    ['too many options', base([step('m', { type: 'menu', options: Array.from({ length: 11 }, (_, i) => ({ label: `o${i}x`, keywords: '', next: 'm' })) })]), ['0:options:menuTooManyOptions']],
    ['retries out of range', base([step('m', { type: 'menu', maxRetries: 11, onFail: 'nope', options: [{ label: 'A', keywords: '', next: 'm' }] })]), ['0:maxRetries:retriesRange', '0:onFail:refMissing']],
    ['ask without question nor attribute', base([step('q', { type: 'ask', text: '' })]), ['0:text:askText', '0:attribute:askAttribute']],
    ['ask with a bad attribute', base([step('q', { type: 'ask', attribute: 'Nome Completo' })]), ['0:attribute:attributeKey']],
    ['condition without branches', base([step('c', { type: 'condition', branches: [] }), step('z', { type: 'menu', options: [{ label: 'A', keywords: '', next: 'z' }] })]), ['0:branches:conditionNoBranch']],
    [
      'condition branch problems',
      base([
        step('c', {
          type: 'condition',
          branches: [{ attributes: [{ key: '', op: 'equals', value: '' }], hasLabelIds: [], lacksLabelIds: [], hours: '', next: '' }],
          else: 'gone',
        }),
      ]),
      ['0:branches.0.attributes.0:condKey', '0:branches.0.attributes.0:condValue', '0:branches.0.next:refRequired', '0:else:refMissing'],
    ],
    ['label step without labels', base([step('l', { type: 'label' })]), ['0:labels:labelNone']],
    ['transfer without department', base([step('t', { type: 'transfer' })]), ['0:department:transferDepartment']],
    ['handoff may stay in its department', base([step('h', { type: 'handoff', text: '' })]), []],
    ['fields of other types are not checked', base([step('a', { next: '', onFail: 'nothing', else: 'gone', attribute: 'BAD' })]), []],
    ['loop without waiting', base([step('a', { next: 'b' }), step('b', { next: 'a' })]), ['0:next:loop']],
  ];
  it.each(cases)('%s', (_, d, want) => expect(codes(d)).toEqual(want));

  it('flags departments and labels the workspace no longer has', () => {
    const d = draftFromFlow(everything);
    const known = { departments: new Set([3, 7]), labels: new Set([1, 2]) };
    expect(validateDraft(d, known)).toEqual([]);
    const gone = { departments: new Set([3]), labels: new Set([1]) };
    expect(codes2(d, gone)).toEqual(['3:branches.0.labels:labelGone', '4:labels:labelGone', '5:department:departmentGone']);
    // a department on a step type that ignores it is not sent, so not checked
    expect(validateDraft({ start: 'a', steps: [step('a', { departmentId: 99 })] }, gone)).toEqual([]);
  });

  it('accepts a loop through a menu', () => {
    const d = base([step('a', { next: 'm' }), step('m', { type: 'menu', options: [{ label: 'De novo', keywords: '', next: 'a' }] })]);
    expect(validateDraft(d)).toEqual([]);
    expect(findLoop(d)).toBeNull();
  });

  it('names the loop', () => {
    const d = base([step('a', { next: 'b' }), step('b', { type: 'condition', branches: [{ attributes: [], hasLabelIds: [], lacksLabelIds: [], hours: 'open', next: 'a' }] })]);
    expect(findLoop(d)).toEqual(['a', 'b']);
    expect(validateDraft(d).find((x) => x.code === 'loop')?.params).toEqual({ steps: 'a → b' });
  });

  it('checks ids the way the server does', () => {
    expect(idProblem('menu')).toBeNull();
    expect(idProblem('x'.repeat(40))).toBeNull();
    expect(idProblem('ç'.repeat(40))).toBeNull(); // runes, not bytes
    expect(idProblem('a\tb')).toBe('idControl');
  });

  it('finds unknown variables', () => {
    expect(unknownVariable('{{contact.name}} {{attributes.x}}')).toBeNull();
    expect(unknownVariable('{{attributes.}}')).toBe('attributes.');
    expect(unknownVariable('{{ contato }}')).toBe('contato');
    expect(unknownVariable('{{ open')).toBeNull();
  });

  it('compares words without case, accents or punctuation', () => {
    expect(words('Olá, Finánceiro!  2ª')).toEqual(['ola', 'financeiro', '2ª'.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()]);
  });
});

describe('editing', () => {
  const d = draftFromFlow(everything);

  it('renames a step and every reference to it', () => {
    const r = renameStep(d, d.steps.findIndex((s) => s.id === 'fila'), 'humano');
    expect(r.error).toBeUndefined();
    const f = flowFromDraft(r.draft!);
    const json = JSON.stringify(f);
    expect(json).not.toContain('"fila"');
    expect(f.steps.find((s) => s.id === 'menu')?.on_fail).toBe('humano');
    expect(f.steps.find((s) => s.id === 'cond')?.else).toBe('humano');
    expect(f.steps.find((s) => s.id === 'tag')?.next).toBe('humano');
    expect(validateDraft(r.draft!)).toEqual([]);
  });

  it('renames the start step', () => {
    const r = renameStep(d, 0, 'inicio');
    expect(r.draft?.start).toBe('inicio');
  });

  it('renames option and branch targets', () => {
    const r = renameStep(d, d.steps.findIndex((s) => s.id === 'cpf'), 'documento');
    expect(flowFromDraft(r.draft!).steps[1].options?.[0].next).toBe('documento');
    const r2 = renameStep(d, d.steps.findIndex((s) => s.id === 'fim'), 'tchau');
    expect(flowFromDraft(r2.draft!).steps[3].branches?.[1].next).toBe('tchau');
  });

  it('refuses a taken or invalid id', () => {
    expect(renameStep(d, 0, 'menu').error).toBe('idTaken');
    expect(renameStep(d, 0, '').error).toBe('idEmpty');
    expect(renameStep(d, 0, ' x').error).toBe('idSpaces');
    expect(renameStep(d, 0, 'x'.repeat(41)).error).toBe('idTooLong');
    expect(renameStep(d, 0, 'oi').draft).toBe(d);
  });

  it('leaves references alone when two steps share the old id', () => {
    const dup: Draft = { start: 'a', steps: [step('a', { next: 'b' }), step('b'), step('b', { next: '' })] };
    const r = renameStep(dup, 2, 'c');
    expect(r.draft?.steps.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(r.draft?.steps[0].next).toBe('b');
  });

  it('adds steps with unique ids, the first becoming the start', () => {
    let x: Draft = { start: '', steps: [] };
    x = addStep(x, 'menu').draft;
    expect(x.start).toBe('menu');
    const r = addStep(x, 'menu', 0);
    expect(r.index).toBe(1);
    expect(r.draft.steps.map((s) => s.id)).toEqual(['menu', 'menu_2']);
    expect(r.draft.start).toBe('menu');
    expect(uniqueId(r.draft, 'menu')).toBe('menu_3');
    expect(addStep(r.draft, 'resolve', 0).draft.steps.map((s) => s.id)).toEqual(['menu', 'resolve', 'menu_2']);
  });

  it('removes a step and clears references to it', () => {
    const i = d.steps.findIndex((s) => s.id === 'cpf');
    const x = removeStep(d, i);
    expect(x.steps.map((s) => s.id)).not.toContain('cpf');
    expect(x.steps[1].options?.[0].next).toBe('');
    expect(codes(x)).toEqual(['1:options.0.next:refRequired']);
  });

  it('moves the start to the first step when the start goes', () => {
    const x = removeStep(d, 0);
    expect(x.start).toBe('menu');
    expect(removeStep({ start: 'a', steps: [step('a')] }, 0)).toEqual({ start: '', steps: [] });
  });

  it('moves steps up and down', () => {
    expect(moveStep(d, 0, 1).steps.map((s) => s.id).slice(0, 2)).toEqual(['menu', 'oi']);
    expect(moveStep(d, 0, -1)).toBe(d);
    expect(moveStep(d, d.steps.length - 1, 1)).toBe(d);
    expect(moveStep(d, 0, 1).start).toBe('oi');
  });

  it('lists the targets of a step', () => {
    const ids = (i: number) => targetsFor(d, i).map((s) => s.id);
    expect(ids(0)).not.toContain('oi');
    expect(ids(1)).toContain('menu'); // a menu may ask again
  });

  it('titles steps by id and text', () => {
    expect(stepTitle({ id: 'a', text: '' })).toBe('a');
    expect(stepTitle({ id: 'a', text: 'Olá\n  mundo' })).toBe('a — Olá mundo');
    expect(stepTitle({ id: 'a', text: 'x'.repeat(50) }, 10)).toBe(`a — ${'x'.repeat(9)}…`);
  });
});

describe('starterFlow', () => {
  it('is a valid greeting and menu with hand-offs', () => {
    const f = starterFlow(texts, []);
    expect(validateDraft(draftFromFlow(f))).toEqual([]);
    expect(f.start).toBe('boas_vindas');
    expect(f.steps.map((s) => s.type)).toEqual(['message', 'menu', 'handoff', 'handoff', 'handoff']);
    expect(f.steps[1].options?.map((o) => o.label)).toEqual(['Vendas', 'Financeiro', 'Suporte']);
    expect(f.steps[2].text).toBe('Um atendente de Vendas já vai falar com você.');
    expect(f.steps[2].department_id).toBeUndefined();
  });

  it('hands off to the department of the same name', () => {
    const f = starterFlow(texts, [
      { id: 4, name: 'financeiro' },
      { id: 5, name: 'Suporte Técnico' },
    ]);
    expect(f.steps.map((s) => s.department_id)).toEqual([undefined, undefined, undefined, 4, undefined]);
  });

  it('round-trips through the draft untouched', () => {
    const f = starterFlow(texts, [{ id: 4, name: 'Vendas' }]);
    expect(flowFromDraft(draftFromFlow(f))).toEqual(f);
  });
});

describe('bot fields', () => {
  it('checks the name', () => {
    expect(checkBotName(' ')).toBe('required');
    expect(checkBotName('x'.repeat(81))).toBe('tooLong');
    expect(checkBotName('Becon')).toBeUndefined();
  });
  it('checks the agent url', () => {
    expect(checkAgentUrl('')).toBe('required');
    expect(checkAgentUrl('ftp://x.com')).toBe('url');
    expect(checkAgentUrl('not a url')).toBe('url');
    expect(checkAgentUrl('https://bot.example.com/hook')).toBeUndefined();
  });
});
