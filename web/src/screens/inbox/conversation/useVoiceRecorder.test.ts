import { describe, expect, it } from 'vitest';
import { extensionFor, pickMime } from './useVoiceRecorder';
import { namedFiles } from './useUploads';

describe('pickMime', () => {
  it.each([
    [['audio/webm;codecs=opus', 'audio/webm'], 'audio/webm;codecs=opus'],
    [['audio/webm'], 'audio/webm'],
    [['audio/mp4'], 'audio/mp4'],
    [[], ''],
  ] as const)('%j → %s', (ok, want) => {
    expect(pickMime((t) => (ok as readonly string[]).includes(t))).toBe(want);
  });
});

describe('extensionFor', () => {
  it.each([
    ['audio/webm;codecs=opus', 'webm'],
    ['audio/ogg;codecs=opus', 'ogg'],
    ['audio/mp4', 'm4a'],
    ['', 'webm'],
  ])('%s → %s', (m, want) => expect(extensionFor(m)).toBe(want));
});

describe('namedFiles', () => {
  it('keeps real names and names pasted images', () => {
    const a = new File(['x'], 'report.pdf', { type: 'application/pdf' });
    const b = new File(['y'], 'image.png', { type: 'image/png' });
    const c = new File(['z'], '', { type: 'image/jpeg' });
    expect(namedFiles([a, b, c], 5).map((f) => f.name)).toEqual(['report.pdf', 'pasted-5-1.png', 'pasted-5-2.jpeg']);
  });
});
