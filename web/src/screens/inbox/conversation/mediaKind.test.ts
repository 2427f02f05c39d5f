import { describe, expect, it } from 'vitest';
import { mediaKind, type MediaKind } from './mediaKind';

describe('mediaKind', () => {
  const cases: [string, string, MediaKind][] = [
    ['image/png', 'a.png', 'image'],
    ['image/jpeg', 'photo', 'image'],
    ['audio/mpeg', 'song.mp3', 'audio'],
    ['audio/ogg; codecs=opus', 'x', 'audio'],
    ['video/webm', 'voice-1795302431930.webm', 'audio'],
    ['video/webm', 'clip.webm', 'video'],
    ['video/mp4', 'clip.mp4', 'video'],
    ['video/mp4', 'memo.m4a', 'audio'],
    ['application/ogg', 'x.ogg', 'audio'],
    ['application/pdf', 'invoice.pdf', 'file'],
    ['text/plain; charset=utf-8', 'voice-1.txt', 'file'],
    ['text/html; charset=utf-8', 'evil.html', 'file'],
  ];
  it.each(cases)('%s %s → %s', (type, name, want) => expect(mediaKind(type, name)).toBe(want));
});
