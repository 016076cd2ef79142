import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultFeatures, xepTable } from '../../src/xeps/registry.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README protocol table', () => {
  it('lists every XEP the built-in features implement', () => {
    const missing = xepTable(defaultFeatures).filter((row) => !new RegExp(`^\\| ${row.xep} \\|`, 'm').test(readme));
    expect(missing.map((row) => `${row.xep} (${row.feature})`)).toEqual([]);
  });

  it('names each feature folder README, which carries the implemented version', () => {
    for (const feature of defaultFeatures) {
      const folderReadme = readFileSync(new URL(`../../src/xeps/${feature.id}/README.md`, import.meta.url), 'utf8');
      for (const spec of feature.spec) expect(folderReadme).toContain(spec.xep);
    }
  });
});
