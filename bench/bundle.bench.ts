/**
 * Bundle size: what an app ships to the browser for a comparable job (connect, log in, roster,
 * send and receive chat), for xmpp-adapter beside @xmpp/client, StanzaJS and Strophe.js.
 *
 * Each entry is a few lines of source handed to esbuild's JS API (bundle, minify, tree-shaking,
 * browser platform, ESM, nothing written to disk); the output is gzipped at level 9. Our entries
 * import the package source (src/index.ts) so tree-shaking sees through it, with the browser
 * platform plugin of the browser build (scripts/browser-platform.ts). No network, no timing.
 *
 * Run: `npm run bench -- bundle`, or `npx tsx bench/bundle.bench.ts`.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { browserPlatform } from '../scripts/browser-platform.js';
import { fmt, printSection, writeSection, type Section } from './lib/report.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SRC = './src/index.ts';

/** The core client of the comparison: the connection (built into the client) plus these features. */
const CORE_FEATURES = ['roster', 'presence', 'chat'] as const;
/** `defaultFeatures` in src/xeps/registry.ts, in its order. */
const DEFAULT_FEATURES = [
  'disco',
  'caps',
  'ping',
  'time',
  'version',
  'roster',
  'presence',
  'blocking',
  'chat',
  'carbons',
  'archive',
  'muc',
  'bookmarks',
  'pubsub',
  'profile',
  'upload',
  'csi',
  'push',
] as const;

interface Entry {
  id: string;
  label: string;
  /** ESM source, resolved from the repository root. */
  source: string;
}

/** `createCoreClient` with these features: the client ships only what it imports. */
const oursWith = (features: readonly string[]): string =>
  [
    `import { createCoreClient, ${features.join(', ')} } from '${SRC}';`,
    `export const start = (options) => createCoreClient(options, { features: [${features.join(', ')}] });`,
  ].join('\n');

const CORE: Entry = { id: 'ours-core', label: `xmpp-adapter core (${CORE_FEATURES.join(', ')})`, source: oursWith(CORE_FEATURES) };
const FULL: Entry = {
  id: 'ours-full',
  label: 'xmpp-adapter full (defaultFeatures)',
  source: [
    `import { createXmppClient, defaultFeatures } from '${SRC}';`,
    `export const start = (options) => createXmppClient(options, { features: defaultFeatures });`,
  ].join('\n'),
};
const CONNECT_HELPER: Entry = {
  id: 'ours-connect-roster',
  label: 'xmpp-adapter `connectRoster` alone',
  source: `export { connectRoster } from '${SRC}';`,
};
const EXTRA_FEATURES = DEFAULT_FEATURES.filter((f) => !(CORE_FEATURES as readonly string[]).includes(f));
/** The same helper from its own module: what it needs, for comparison with the row above. */
const CONNECT_HELPER_MODULE: Entry = {
  id: 'ours-connect-roster-module',
  label: '`connectRoster` from src/xeps/roster/roster.connect.ts',
  source: `export { connectRoster } from './src/xeps/roster/roster.connect.ts';`,
};
const FEATURE_DELTAS: Entry[] = EXTRA_FEATURES.map((f) => ({
  id: `ours-core+${f}`,
  label: `core + ${f}`,
  source: oursWith([...CORE_FEATURES, f]),
}));
/** Each default feature module exported on its own from the package entry. */
const FEATURES_ALONE: Entry[] = DEFAULT_FEATURES.map((f) => ({
  id: `ours-${f}-alone`,
  label: `${f} alone`,
  source: `export { ${f} } from '${SRC}';`,
}));

/** The references, each with what an app needs for the same job. */
const STANZA: Entry = { id: 'stanza', label: 'StanzaJS 12 `createClient`', source: `export { createClient } from 'stanza';` };
const PEERS: Entry[] = [
  { id: 'stock', label: '@xmpp/client 0.14 `client` + `xml`', source: `export { client, xml } from '@xmpp/client';` },
  STANZA,
  {
    id: 'strophe',
    label: 'Strophe.js 5 `Strophe` + `$iq`/`$msg`/`$pres`',
    source: `export { Strophe, $iq, $msg, $pres } from 'strophe.js';`,
  },
];

/**
 * @xmpp/resolve maps `./lib/dns` (its DNS SRV lookup, `node:dns`) to nothing in its `browser` field,
 * but imports it as `./lib/dns.js`, which esbuild does not match: without this the @xmpp/client
 * bundle fails on `node:dns`. An empty module is what the package asks for (it checks `dns.resolve`).
 */
const xmppResolveBrowserField: Plugin = {
  name: 'xmpp-resolve-browser-field',
  setup(build) {
    build.onResolve({ filter: /^\.\/lib\/dns\.js$/ }, ({ importer }) =>
      /node_modules\/@xmpp\/resolve\//.test(importer) ? { path: 'xmpp-resolve-dns', namespace: 'empty' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: '', loader: 'js' }));
  },
};

interface Size {
  min: number;
  gzip: number;
  metafile: Metafile;
}

async function bundleSize(entry: Entry): Promise<Size> {
  const result = await build({
    stdin: { contents: entry.source, resolveDir: REPO, sourcefile: `${entry.id}.js`, loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    treeShaking: true,
    metafile: true,
    logLevel: 'silent',
    plugins: [browserPlatform, xmppResolveBrowserField],
  });
  const code = result.outputFiles[0]!.contents;
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength, metafile: result.metafile };
}

/** Minified bytes of a bundle by input: each of our feature folders, and every other input by group. */
function bytesByOrigin(metafile: Metafile): Map<string, number> {
  const totals = new Map<string, number>();
  const add = (origin: string, bytes: number) => totals.set(origin, (totals.get(origin) ?? 0) + bytes);
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
      const feature = /^src\/xeps\/([^/]+)\//.exec(path)?.[1];
      if (feature) add(`src/xeps/${feature}`, bytesInOutput);
      add(originGroup(path, pkg), bytesInOutput);
    }
  }
  return totals;
}

function packagesOf(metafile: Metafile): string[] {
  const names = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const path of Object.keys(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
      if (pkg && pkg !== 'xstate' && pkg !== 'ltx' && !pkg.startsWith('@xmpp/')) names.add(pkg);
    }
  }
  return [...names].sort();
}

const ORIGIN_GROUPS = [
  'src/xeps (the features)',
  'src/client (createXmppClient, the app APIs)',
  'src, the rest (connection and session machines, wire, router, IQ tracker)',
  'xstate',
  '@xmpp/* and ltx (xmpp.js)',
  'other packages',
] as const;

function originGroup(path: string, pkg: string | undefined): (typeof ORIGIN_GROUPS)[number] {
  if (pkg === 'xstate') return 'xstate';
  if (pkg?.startsWith('@xmpp/') || pkg === 'ltx') return '@xmpp/* and ltx (xmpp.js)';
  if (pkg) return 'other packages';
  if (path.startsWith('src/xeps/')) return 'src/xeps (the features)';
  if (path.startsWith('src/client/')) return 'src/client (createXmppClient, the app APIs)';
  return 'src, the rest (connection and session machines, wire, router, IQ tracker)';
}

export async function runBundleBench(): Promise<Section> {
  const failures: string[] = [];
  const sizes = new Map<string, Size>();
  for (const entry of [CORE, FULL, CONNECT_HELPER, CONNECT_HELPER_MODULE, ...FEATURE_DELTAS, ...FEATURES_ALONE, ...PEERS]) {
    try {
      sizes.set(entry.id, await bundleSize(entry));
    } catch (error) {
      const errors = (error as { errors?: Array<{ text: string }> }).errors;
      failures.push(`${entry.label}: could not be bundled (${errors?.[0]?.text ?? (error as Error).message})`);
    }
  }
  const baseline = sizes.get(STANZA.id)?.gzip ?? Number.NaN;
  const row = (entry: Entry): string[] => {
    const size = sizes.get(entry.id);
    if (!size) return [entry.label, 'not built', '–', '–'];
    return [entry.label, fmt.int(size.min), fmt.int(size.gzip), fmt.ratio(size.gzip, baseline)];
  };
  const core = sizes.get(CORE.id);
  const full = sizes.get(FULL.id);
  const goalMet = full && Number.isFinite(baseline) ? full.gzip < baseline : undefined;
  const ownBytes = full ? bytesByOrigin(full.metafile) : new Map<string, number>();
  const otherPackages = full ? packagesOf(full.metafile) : [];
  const fullMin = full?.min ?? Number.NaN;
  const featureRow = (feature: string): string[] => {
    const withCore = sizes.get(`ours-core+${feature}`);
    const alone = sizes.get(`ours-${feature}-alone`);
    const isCore = (CORE_FEATURES as readonly string[]).includes(feature);
    return [
      isCore ? `${feature} (in the core)` : feature,
      isCore ? '–' : withCore && core ? fmt.int(withCore.gzip - core.gzip) : '–',
      fmt.int(ownBytes.get(`src/xeps/${feature}`) ?? 0),
      alone ? fmt.int(alone.min) : '–',
      alone ? fmt.int(alone.gzip) : '–',
    ];
  };

  const section: Section = {
    id: 'bundle',
    heading: 'Bundle size for the browser (bundle.bench.ts)',
    summary:
      "Goal: the full client (every default feature) smaller, minified and gzipped, than StanzaJS's `createClient`. " +
      `Result: ${goalMet === undefined ? 'not measured' : goalMet ? 'met' : 'not met'}.`,
    tables: [
      {
        title: 'Bytes, esbuild bundle + minify (browser, ESM, tree-shaken), then gzip -9',
        columns: ['bundle', 'bytes min', 'bytes min+gzip', 'vs StanzaJS client'],
        rows: [CORE, FULL, ...PEERS, CONNECT_HELPER, CONNECT_HELPER_MODULE].map(row),
      },
      {
        title: 'Each default feature: what it adds to the core, its own code, and its module bundled alone',
        columns: ['feature', 'core + it − core, min+gzip', 'its src/xeps folder in the full bundle, min', 'alone, min', 'alone, min+gzip'],
        rows: DEFAULT_FEATURES.map(featureRow),
      },
      {
        title: "Where the full client's minified bytes come from (esbuild metafile)",
        columns: ['origin', 'bytes min', 'share'],
        rows: ORIGIN_GROUPS.map((group) => {
          const bytes = ownBytes.get(group) ?? 0;
          return [group, fmt.int(bytes), `${fmt.n((100 * bytes) / fullMin)} %`];
        }),
      },
    ],
    notes: [
      'Entries (the exact sources are in bench/bundle.bench.ts), imported from src/index.ts with the browser platform plugin (WebSocket only): ours core is `createCoreClient(options, { features: [roster, presence, chat] })` (the connection, contacts, presence and 1:1 chat with their APIs), full is `createXmppClient(options, { features: defaultFeatures })` (every feature and every app API); @xmpp/client `client` and `xml`; StanzaJS `createClient` (every plugin it registers); Strophe.js its core (no roster plugin: an app writes the roster IQs itself).',
      "_core + it − core_ is `createCoreClient` with the core features and that one, minus the core: what the feature costs an app that runs it (its app API, e.g. `client.archive`, comes with `createXmppClient`). _Its src/xeps folder_ is that feature's own code in the full bundle; _alone_ is a bundle exporting only the feature module from the package entry (xstate, @xmpp/xml and ltx included, ~54 KB of it shared).",
      `Other packages in the full client: ${otherPackages.join(', ') || 'none'}. The rest of the minified bytes (not in any input) is esbuild's module glue.`,
      '`sideEffects: false` in practice: exporting only `connectRoster` from the package entry leaves out the client and every feature (each feature module is built by a top-level call marked `/*#__PURE__*/`, so an unused one is dropped). From its own module the helper needs a few KB (last row).',
      ...failures.map((f) => `**${f}**`),
    ],
    environment: { esbuild: (await import('esbuild')).version },
  };
  printSection(section);
  if (process.env.BENCH_WRITE !== '0') writeSection(section);
  return section;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runBundleBench();
}
