import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The console (`ui/`) built into `dist/ui/`, served by the server at `/ui/` (src/console). No
 * source maps and no inline script: the Content-Security-Policy allows scripts from files only.
 */
export default defineConfig({
  root,
  base: '/ui/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui/', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    // The explorer (Swagger UI) is one large chunk, loaded only on its page.
    chunkSizeWarningLimit: 2000,
  },
});
