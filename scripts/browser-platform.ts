import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const nodePlatform = fileURLToPath(new URL('../src/wire/platform.ts', import.meta.url));
const browserPlatformFile = fileURLToPath(new URL('../src/wire/platform.browser.ts', import.meta.url));

/**
 * esbuild plugin for the browser build: `src/wire/platform.ts` (WebSocket via `ws`, TCP, TLS,
 * STARTTLS, DNS SRV discovery) is replaced by `platform.browser.ts` (the browser's own WebSocket
 * only, host-meta discovery), so no Node module reaches a browser bundle.
 */
export const browserPlatform: Plugin = {
  name: 'browser-platform',
  setup(build) {
    build.onResolve({ filter: /(^|\/)platform\.js$/ }, ({ path, resolveDir }) =>
      resolve(resolveDir, path).replace(/\.js$/, '.ts') === nodePlatform ? { path: browserPlatformFile } : undefined,
    );
  },
};
