import { describe, expect, it } from 'vitest';
import { serverSort } from './useList';

describe('serverSort', () => {
  it.each([
    ['latest', 'latest'],
    ['waiting_since', 'waiting'],
    ['opened_at', 'in_service'],
  ] as const)('%s → %s', (ui, api) => expect(serverSort(ui)).toBe(api));
});
