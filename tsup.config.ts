import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

// xmpp.js 0.14 ships ESM only: the CommonJS build bundles it so `require('xmpp-adapter')` works on Node 20.
const xmppPackages = [/^@xmpp\//, /^ltx/, 'saslmechanisms', 'koa-compose'];

const browserPlatform = {
  name: 'browser-platform',
  setup(build: { onResolve: (o: { filter: RegExp }, cb: (args: { path: string; importer: string }) => { path: string } | undefined) => void }) {
    // Swap the Node transports (ws, TCP, STARTTLS) for WebSocket only.
    build.onResolve({ filter: /^\.\/platform\.js$/ }, ({ importer }) =>
      importer.includes('/src/wire/') ? { path: fileURLToPath(new URL('./src/wire/platform.browser.ts', import.meta.url)) } : undefined,
    );
  },
};

const common: Options = {
  entry: { index: 'src/index.ts' },
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
};

export default defineConfig([
  { ...common, format: ['esm'], dts: true, clean: true, platform: 'node' },
  { ...common, format: ['cjs'], dts: true, platform: 'node', noExternal: xmppPackages },
  {
    ...common,
    entry: { browser: 'src/index.ts' },
    format: ['esm'],
    platform: 'browser',
    noExternal: xmppPackages,
    esbuildPlugins: [browserPlatform as never],
  },
]);
