import { describe, expect, it } from 'vitest';
import { isTrusted, parseToFrame, parseToHost } from './origin';

describe('isTrusted', () => {
  const frame = {};
  const other = {};
  const origin = 'https://chat.example.com';

  it('accepts only the expected window at the expected origin', () => {
    expect(isTrusted({ origin, source: frame }, origin, frame)).toBe(true);
    expect(isTrusted({ origin, source: other }, origin, frame)).toBe(false); // another frame of Atende
    expect(isTrusted({ origin: 'https://evil.example', source: frame }, origin, frame)).toBe(false);
    expect(isTrusted({ origin: origin + ':8443', source: frame }, origin, frame)).toBe(false);
    expect(isTrusted({ origin: 'null', source: frame }, origin, frame)).toBe(false);
  });

  it('rejects everything while the frame window does not exist', () => {
    expect(isTrusted({ origin, source: null }, origin, null)).toBe(false);
    expect(isTrusted({ origin, source: undefined }, origin, undefined)).toBe(false);
  });

  it('rejects when the expected origin is unknown', () => {
    expect(isTrusted({ origin: '', source: frame }, '', frame)).toBe(false);
  });
});

describe('message shapes', () => {
  it('parses resize messages and drops junk', () => {
    expect(parseToHost({ type: 'atende:resize', open: true, position: 'left' })).toEqual({ type: 'atende:resize', open: true, position: 'left' });
    expect(parseToHost({ type: 'atende:resize', open: false, position: 'top' })).toEqual({ type: 'atende:resize', open: false, position: undefined });
    expect(parseToHost({ type: 'atende:resize', open: 'yes' })).toBeNull();
    expect(parseToHost('atende:resize')).toBeNull();
    expect(parseToHost(null)).toBeNull();
  });

  it('passes only well-formed visitor tokens to the host page', () => {
    expect(parseToHost({ type: 'atende:token', token: 'atv_AbC-123_x' })).toEqual({ type: 'atende:token', token: 'atv_AbC-123_x' });
    for (const token of ['ats_session', 'atv_', 'atv_a b', 'atv_<script>', 5, undefined, 'atv_' + 'a'.repeat(200)]) {
      expect(parseToHost({ type: 'atende:token', token })).toBeNull();
    }
  });

  it('parses loader commands and keeps only string identity fields', () => {
    expect(parseToFrame({ type: 'atende:open' })).toEqual({ type: 'atende:open' });
    expect(parseToFrame({ type: 'atende:close', extra: 1 })).toEqual({ type: 'atende:close' });
    expect(parseToFrame({ type: 'atende:identify', userId: 'u1', userHash: 5, name: 'Ana' })).toEqual({
      type: 'atende:identify',
      userId: 'u1',
      userHash: undefined,
      name: 'Ana',
      email: undefined,
    });
    expect(parseToFrame({ type: 'atende:layout', full: true })).toEqual({ type: 'atende:layout', full: true });
    expect(parseToFrame({ type: 'atende:layout', full: 1 })).toBeNull();
    expect(parseToFrame({ type: 'other' })).toBeNull();
  });
});
