import { defineConfig, type Options } from 'tsup';
import { browserPlatform } from './scripts/browser-platform.js';

// xmpp.js 0.14 ships ESM only: the CommonJS build bundles it so `require('xmpp-adapter')` works on Node 20.
const xmppPackages = [/^@xmpp\//, /^ltx/];

const common: Options = {
  // `xmpp-adapter/testing`: the fake server and test client for apps' own tests (docs/testing.md).
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
};

export default defineConfig([
  { ...common, format: ['esm'], dts: true, clean: true, platform: 'node' },
  // Splitting: both entries share one chunk, so errors thrown by the testing entry's client are
  // instances of the main entry's classes (and the client is not shipped twice).
  { ...common, format: ['cjs'], dts: true, platform: 'node', noExternal: xmppPackages, splitting: true },
  // The `browser` export condition: WebSocket only, xmpp.js bundled with its browser fields.
  {
    ...common,
    entry: { browser: 'src/index.ts' },
    format: ['esm'],
    platform: 'browser',
    noExternal: xmppPackages,
    esbuildPlugins: [browserPlatform],
  },
]);
