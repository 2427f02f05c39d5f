import { describe, expect, it } from 'vitest';
import { assignmentBody, assignmentForm, assignmentModes, isAssignmentMode, mentionsPosition, queuePreview, validateAssignment, type AssignmentSettings } from './assignmentLogic';

const saved: AssignmentSettings = {
  department_id: 7,
  mode: 'off',
  department_limit: 0,
  release_on_offline: false,
  queue_message_enabled: false,
  queue_message: 'Você é o {{position}}º da fila',
};

describe('assignment form', () => {
  it('round-trips the saved setting with nothing to send', () => {
    const { values, errors } = validateAssignment(assignmentForm(saved));
    expect(errors).toEqual({});
    expect(values).toBeDefined();
    expect(assignmentBody(saved, values!)).toEqual({});
  });

  it('sends only what changed', () => {
    const f = { ...assignmentForm(saved), mode: 'round_robin' as const, limit: ' 3 ', release: true };
    const { values } = validateAssignment(f);
    expect(assignmentBody(saved, values!)).toEqual({ mode: 'round_robin', department_limit: 3, release_on_offline: true });
  });

  it('reads an empty limit as no cap', () => {
    const { values } = validateAssignment({ ...assignmentForm({ ...saved, department_limit: 5 }), limit: '' });
    expect(values?.department_limit).toBe(0);
  });

  it.each(['-1', '1.5', 'abc', '10001', '1e3'])('refuses the limit %j', (limit) => {
    const r = validateAssignment({ ...assignmentForm(saved), limit });
    expect(r.values).toBeUndefined();
    expect(r.errors.limit).toBe('limit');
  });

  it('accepts the bounds of the limit', () => {
    expect(validateAssignment({ ...assignmentForm(saved), limit: '10000' }).values?.department_limit).toBe(10000);
    expect(validateAssignment({ ...assignmentForm(saved), limit: '0' }).values?.department_limit).toBe(0);
  });

  it('wants a queue message while it is on, and at most 2000 characters', () => {
    expect(validateAssignment({ ...assignmentForm(saved), queueEnabled: true, queueMessage: '  ' }).errors.queueMessage).toBe('required');
    expect(validateAssignment({ ...assignmentForm(saved), queueEnabled: false, queueMessage: '' }).errors).toEqual({});
    expect(validateAssignment({ ...assignmentForm(saved), queueMessage: 'x'.repeat(2001) }).errors.queueMessage).toBe('contentLong');
    const { values } = validateAssignment({ ...assignmentForm(saved), queueEnabled: true, queueMessage: ' Aguarde ' });
    expect(assignmentBody(saved, values!)).toEqual({ queue_message_enabled: true, queue_message: 'Aguarde' });
  });

  it('knows the modes', () => {
    expect(assignmentModes).toEqual(['off', 'round_robin', 'least_busy']);
    expect(isAssignmentMode('least_busy')).toBe(true);
    expect(isAssignmentMode('random')).toBe(false);
  });
});

describe('queue message', () => {
  it('puts the position in every placeholder', () => {
    expect(queuePreview('Você é o {{position}}º da fila', 3)).toBe('Você é o 3º da fila');
    expect(queuePreview('{{position}} / {{position}}', 2)).toBe('2 / 2');
    expect(queuePreview('Aguarde', 2)).toBe('Aguarde');
  });
  it('tells whether the position is mentioned', () => {
    expect(mentionsPosition('Você é o {{position}}º')).toBe(true);
    expect(mentionsPosition('Você é o {position}º')).toBe(false);
  });
});
