import { defineConfig } from 'vitest/config';

// `make bench-ui`: UI figures in Chromium (not part of make test).
export default defineConfig({
  test: { include: ['bench/**/*.bench-run.ts'], environment: 'node', testTimeout: 900_000, hookTimeout: 120_000, reporters: ['verbose'] },
});
