import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultFeatures, xepTable } from '../../src/xeps/registry.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

interface SupportRow {
  spec: string;
  version: string;
  status: string;
  what: string;
}

/** The rows of the table under `## Protocol support`, by its header `| spec | version | status | what |`. */
function supportTable(markdown: string): SupportRow[] {
  const start = markdown.indexOf('\n## Protocol support');
  if (start === -1) throw new Error('README has no "## Protocol support" section');
  const next = markdown.indexOf('\n## ', start + 1);
  const lines = markdown
    .slice(start, next === -1 ? undefined : next)
    .split('\n')
    .filter((line) => line.startsWith('|'));
  const cells = (line: string) =>
    line
      .slice(1, line.lastIndexOf('|'))
      .split('|')
      .map((cell) => cell.trim());
  const header = cells(lines[0] ?? '');
  if (header.join(' | ') !== 'spec | version | status | what') throw new Error(`unexpected table header: ${header.join(' | ')}`);
  return lines.slice(2).map((line) => {
    const [spec = '', version = '', status = '', ...what] = cells(line);
    return { spec, version, status, what: what.join('|') };
  });
}

describe('README protocol table', () => {
  const rows = supportTable(readme);

  it('lists every XEP the built-in features implement', () => {
    const missing = xepTable(defaultFeatures).filter((row) => !rows.some((r) => r.spec === row.xep));
    expect(missing.map((row) => `${row.xep} (${row.feature})`)).toEqual([]);
  });

  it('gives each XEP the version its feature module names', () => {
    const registered = new Map(
      xepTable(defaultFeatures)
        .filter((row) => row.xep.startsWith('XEP-'))
        .map((row) => [row.xep, row.version]),
    );
    const wrong = rows
      .filter((row) => registered.has(row.spec) && row.version !== registered.get(row.spec))
      .map((row) => `${row.spec}: README ${row.version}, feature ${registered.get(row.spec)}`);
    expect(wrong).toEqual([]);
  });

  it('has one version per XEP where two features implement it', () => {
    for (const spec of new Set(
      xepTable(defaultFeatures)
        .map((row) => row.xep)
        .filter((xep) => xep.startsWith('XEP-')),
    )) {
      expect(
        new Set(
          xepTable(defaultFeatures)
            .filter((row) => row.xep === spec)
            .map((row) => row.version),
        ).size,
        spec,
      ).toBe(1);
    }
  });

  it('fills version, status and what in every row, status saying complete or partial', () => {
    for (const row of rows) {
      expect(row.version, row.spec).not.toBe('');
      expect(row.what, row.spec).not.toBe('');
      expect(row.status, row.spec).toMatch(/^(complete|partial: \S)/);
    }
  });

  it('never says in the folder README of a default feature that it is not in defaultFeatures', () => {
    const wrong = defaultFeatures.filter((feature) =>
      /Not in `defaultFeatures`/.test(readFileSync(new URL(`../../src/xeps/${feature.id}/README.md`, import.meta.url), 'utf8')),
    );
    expect(wrong.map((f) => f.id)).toEqual([]);
  });

  it('names each feature folder README, which carries the implemented version', () => {
    for (const feature of defaultFeatures) {
      const folderReadme = readFileSync(new URL(`../../src/xeps/${feature.id}/README.md`, import.meta.url), 'utf8');
      for (const spec of feature.spec) expect(folderReadme).toContain(spec.xep);
    }
  });
});
