import { defineConfig } from 'vitest/config';

// Unit tests of the chat widget's logic (web/widget/src); the agent app's
// tests stay in vite.config.ts.
export default defineConfig({
  test: {
    include: ['widget/src/**/*.test.ts'],
    environment: 'node',
  },
});
