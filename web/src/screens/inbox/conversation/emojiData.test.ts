import { describe, expect, it } from 'vitest';
import { emojiCategories, emojiCount } from './emojiData';

describe('emoji set', () => {
  it('is a curated set of about 150', () => {
    expect(emojiCount).toBeGreaterThanOrEqual(140);
    expect(emojiCount).toBeLessThanOrEqual(200);
  });
  it('has no duplicates and a name for each emoji', () => {
    const all = emojiCategories.flatMap((c) => c.items);
    expect(new Set(all.map(([e]) => e)).size).toBe(all.length);
    for (const [e, name] of all) {
      expect(e.length).toBeGreaterThan(0);
      expect(name).toMatch(/^[a-z][a-z ]*$/);
    }
  });
});
