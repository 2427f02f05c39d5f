import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The Go binary embeds dist/ (web/embed.go); the app goes to dist/app so that
// the committed dist/.keep survives Vite emptying its output folder.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: {
    // ATENDE_DEV_API points the dev server at a running `atende serve`.
    proxy: {
      '/api': { target: process.env.ATENDE_DEV_API ?? 'http://localhost:8080', ws: true },
      '/healthz': process.env.ATENDE_DEV_API ?? 'http://localhost:8080',
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
