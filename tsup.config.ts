import { defineConfig, type Options } from 'tsup';
import { browserPlatform } from './scripts/browser-platform.js';

// xmpp.js 0.14 ships ESM only: the CommonJS build bundles it so `require('xmpp-adapter')` works on Node 20.
const xmppPackages = [/^@xmpp\//, /^ltx/];

const common: Options = {
  entry: { index: 'src/index.ts' },
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
};

export default defineConfig([
  { ...common, format: ['esm'], dts: true, clean: true, platform: 'node' },
  { ...common, format: ['cjs'], dts: true, platform: 'node', noExternal: xmppPackages },
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
