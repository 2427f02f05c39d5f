import { describe, expect, it } from 'vitest';
import { isEmail, isPhone, validateOffline, validatePrechat } from './validate';

describe('contact checks', () => {
  it.each(['ana@example.com', 'a.b+c@mail.example.com.br', ' ana@x.io '])('%s is an e-mail', (s) => expect(isEmail(s)).toBe(true));
  it.each(['ana', 'ana@', '@x.com', 'ana@x', 'ana @x.com', 'ana@x.c'])('%s is not an e-mail', (s) => expect(isEmail(s)).toBe(false));
  it.each(['+55 (11) 91234-5678', '11912345678', '3222-1234', '+1 415.555.0100'])('%s is a phone', (s) => expect(isPhone(s)).toBe(true));
  it.each(['1234567', 'abc12345678', '+55 11 9123 4567 8901 23', '11 9123x4567', ''])('%s is not a phone', (s) => expect(isPhone(s)).toBe(false));
});

describe('validatePrechat', () => {
  const fields = [
    { name: 'name', required: true },
    { name: 'email', required: false },
    { name: 'phone', required: true },
  ] as const;

  it('requires required fields and checks formats of the filled ones', () => {
    expect(validatePrechat([...fields], {}, false)).toEqual({ name: 'errRequired', phone: 'errRequired' });
    expect(validatePrechat([...fields], { name: ' ', email: 'x', phone: '12' }, false)).toEqual({ name: 'errRequired', email: 'errEmail', phone: 'errPhone' });
    expect(validatePrechat([...fields], { name: 'Ana', phone: '11 91234-5678' }, false)).toEqual({});
  });

  it('requires a department when a choice is offered', () => {
    expect(validatePrechat([], {}, true)).toEqual({ department_id: 'errRequired' });
    expect(validatePrechat([], { department_id: '3' }, true)).toEqual({});
  });
});

describe('validateOffline', () => {
  it('needs a name, a message and an e-mail or a phone', () => {
    expect(validateOffline({})).toEqual({ name: 'errRequired', message: 'errRequired', email: 'errContact' });
    expect(validateOffline({ name: 'Ana', message: 'Oi', phone: '11 91234-5678' })).toEqual({});
    expect(validateOffline({ name: 'Ana', message: 'Oi', email: 'ana@example.com' })).toEqual({});
    expect(validateOffline({ name: 'Ana', message: 'Oi', email: 'nope', phone: '1' })).toEqual({ email: 'errEmail', phone: 'errPhone' });
  });
});
