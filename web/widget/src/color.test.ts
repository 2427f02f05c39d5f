import { describe, expect, it } from 'vitest';
import { contrastRatio, DEFAULT_COLOR, normalizeColor, readableText } from './color';

describe('colour', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#fff', '#fff')).toBeCloseTo(1, 5);
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThan(4.5);
  });

  it.each([
    ['#1d4ed8', '#ffffff'],
    ['#000000', '#ffffff'],
    ['#ffeb3b', '#000000'],
    ['#ffffff', '#000000'],
    ['#25d366', '#000000'], // WhatsApp green: white text would fail AA
    ['#7c3aed', '#ffffff'],
  ])('text on %s is %s', (bg, fg) => {
    expect(readableText(bg)).toBe(fg);
  });

  it('always picks a text colour that passes AA (4.5:1) for normal text', () => {
    for (let i = 0; i < 4096; i++) {
      const bg = '#' + i.toString(16).padStart(3, '0');
      expect(contrastRatio(bg, readableText(bg))).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('normalizes input and falls back on junk', () => {
    expect(normalizeColor('#ABC')).toBe('#aabbcc');
    expect(normalizeColor(' 00ff00 ')).toBe('#00ff00');
    expect(normalizeColor('red')).toBe(DEFAULT_COLOR);
    expect(normalizeColor('#12345')).toBe(DEFAULT_COLOR);
    expect(normalizeColor(undefined)).toBe(DEFAULT_COLOR);
  });
});
