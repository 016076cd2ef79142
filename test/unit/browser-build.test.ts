import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import { browserPlatform } from '../../scripts/browser-platform.js';

describe('browser build', () => {
  it('bundles for the browser with no Node built-in and no `ws`', async () => {
    const result = await build({
      entryPoints: ['src/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [browserPlatform],
    });
    const inputs = Object.keys(result.metafile.inputs);
    const nodeOnly = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    nodeOnly.delete('events'); // resolved to the `events` npm package, as xmpp.js expects in browsers
    expect(inputs.filter((path) => nodeOnly.has(path))).toEqual([]);
    expect(inputs.some((path) => path.includes('node_modules/ws/'))).toBe(false);
    expect(inputs.some((path) => path.endsWith('src/wire/platform.browser.ts'))).toBe(true);
    expect(inputs.some((path) => path.endsWith('src/wire/platform.ts'))).toBe(false);
  });
});
