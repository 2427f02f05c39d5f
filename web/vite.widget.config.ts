import { resolve } from 'node:path';
import { build, defineConfig, type Plugin } from 'vite';

// The website chat widget (web/widget): two outputs under dist/widget, which
// the Go server serves at /widget.js and /widget/…
//   - frame.html + assets/: the frame app (ES modules, base /widget/);
//   - widget.js: the loader, an IIFE with no imports, since it runs as a
//     classic <script> in the company's page. Rollup cannot emit an IIFE and
//     an HTML entry from one build, so a second build runs when the first ends.
const root = resolve(import.meta.dirname, 'widget');
const outDir = resolve(import.meta.dirname, 'dist/widget');

function loader(): Plugin {
  return {
    name: 'atende-widget-loader',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: 'warn',
        build: {
          outDir,
          emptyOutDir: false,
          minify: true,
          target: 'es2019',
          lib: { entry: resolve(root, 'loader.ts'), formats: ['iife'], name: 'AtendeLoader', fileName: () => 'widget.js' },
        },
      });
    },
  };
}

export default defineConfig({
  root,
  base: '/widget/',
  plugins: [loader()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2020',
    sourcemap: false,
    modulePreload: false,
    rollupOptions: { input: resolve(root, 'frame.html') },
  },
});
