/**
 * Vite config of the web chat example. The library is imported from the repo's source (the alias
 * `xmpp-adapter` → src/index.ts), with the browser platform file swapped in the way the package's
 * browser build does it (see scripts/browser-platform.ts): no Node transport reaches the bundle.
 */
import react from '@vitejs/plugin-react';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../..');
const libraryEntry = resolve(repoRoot, 'src/index.ts');
const nodePlatform = resolve(repoRoot, 'src/wire/platform.ts');
const browserPlatformFile = resolve(repoRoot, 'src/wire/platform.browser.ts');

/** Resolves the library's `./platform.js` (Node: ws, TCP, TLS) to `platform.browser.ts` (WebSocket only). */
export function browserPlatform(): Plugin {
  return {
    name: 'xmpp-adapter-browser-platform',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !/(^|\/)platform\.js$/.test(source)) return null;
      const target = resolve(dirname(importer.split('?')[0]!), source).replace(/\.js$/, '.ts');
      return target === nodePlatform ? browserPlatformFile : null;
    },
  };
}

export default defineConfig({
  root: here,
  plugins: [react(), browserPlatform()],
  resolve: { alias: { 'xmpp-adapter': libraryEntry } },
  server: {
    host: '127.0.0.1',
    port: 5173,
    // The app's modules come from examples/web-chat, the library's from src/.
    fs: { allow: [repoRoot] },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
