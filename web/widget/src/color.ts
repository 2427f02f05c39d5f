// Brand colour handling: the company picks any colour, the widget picks the
// text colour that stays readable on it (WCAG 2 contrast ratio).

export const DEFAULT_COLOR = '#1d4ed8';
const DARK = '#000000';
const LIGHT = '#ffffff';

export function parseHex(s: string): [number, number, number] | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(s.trim());
  if (!m) return null;
  let hex = m[1];
  if (hex.length === 3) hex = hex.replace(/./g, (c) => c + c);
  const n = parseInt(hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function normalizeColor(s: string | null | undefined): string {
  const rgb = s ? parseHex(s) : null;
  if (!rgb) return DEFAULT_COLOR;
  return '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
}

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function luminance(hex: string): number {
  const rgb = parseHex(hex) ?? [0, 0, 0];
  return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
}

export function contrastRatio(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

// readableText answers white or black, whichever contrasts more with bg.
export function readableText(bg: string): string {
  return contrastRatio(bg, LIGHT) >= contrastRatio(bg, DARK) ? LIGHT : DARK;
}
