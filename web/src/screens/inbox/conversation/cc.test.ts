import { describe, expect, it } from 'vitest';
import { parseCc } from './cc';

describe('parseCc', () => {
  const cases: [string, string, string[], string[]][] = [
    ['empty', '', [], []],
    ['one', 'ana@loja.com.br', ['ana@loja.com.br'], []],
    ['commas, semicolons and spaces', 'ana@loja.com.br, bruno@cliente.com; carla@x.io  dani@y.org', ['ana@loja.com.br', 'bruno@cliente.com', 'carla@x.io', 'dani@y.org'], []],
    ['duplicates and case', 'Ana@Loja.com.br, ana@loja.com.br', ['ana@loja.com.br'], []],
    ['angle brackets', '<ana@loja.com.br>', ['ana@loja.com.br'], []],
    ['not addresses', 'ana, bruno@, @x.com, c@d', [], ['ana', 'bruno@', '@x.com', 'c@d']],
    ['mixed', 'ana@loja.com.br, nope', ['ana@loja.com.br'], ['nope']],
  ];
  for (const [name, text, addresses, invalid] of cases) {
    it(name, () => expect(parseCc(text)).toEqual({ addresses, invalid }));
  }
});
