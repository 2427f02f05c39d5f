// Form checks shared by the pre-chat and offline forms. Answers are message
// keys of the dictionary (i18n.ts), not text, so that they follow the language.

export type FieldError = 'errRequired' | 'errEmail' | 'errPhone' | 'errContact';

export function isEmail(s: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/.test(s.trim()) && s.trim().length <= 254;
}

// isPhone accepts what people type: +55 (11) 91234-5678, 11912345678, …
// 8 to 15 digits (E.164 allows at most 15) and only phone punctuation.
export function isPhone(s: string): boolean {
  const t = s.trim();
  if (!/^\+?[\d\s().-]+$/.test(t)) return false;
  const digits = t.replace(/\D/g, '').length;
  return digits >= 8 && digits <= 15;
}

export interface PrechatField {
  name: 'name' | 'email' | 'phone';
  required: boolean;
}

export type Values = Partial<Record<'name' | 'email' | 'phone' | 'department_id' | 'message', string>>;
export type Errors = Partial<Record<keyof Values, FieldError>>;

export function validatePrechat(fields: PrechatField[], values: Values, departmentRequired: boolean): Errors {
  const errs: Errors = {};
  for (const f of fields) {
    const v = (values[f.name] ?? '').trim();
    if (!v) {
      if (f.required) errs[f.name] = 'errRequired';
      continue;
    }
    if (f.name === 'email' && !isEmail(v)) errs.email = 'errEmail';
    if (f.name === 'phone' && !isPhone(v)) errs.phone = 'errPhone';
  }
  if (departmentRequired && !(values.department_id ?? '').trim()) errs.department_id = 'errRequired';
  return errs;
}

// validateOffline mirrors POST /offline: a name, a message and a way to answer
// (e-mail or phone).
export function validateOffline(values: Values): Errors {
  const errs: Errors = {};
  const email = (values.email ?? '').trim();
  const phone = (values.phone ?? '').trim();
  if (!(values.name ?? '').trim()) errs.name = 'errRequired';
  if (!(values.message ?? '').trim()) errs.message = 'errRequired';
  if (email && !isEmail(email)) errs.email = 'errEmail';
  if (phone && !isPhone(phone)) errs.phone = 'errPhone';
  if (!email && !phone) errs.email = 'errContact';
  return errs;
}
