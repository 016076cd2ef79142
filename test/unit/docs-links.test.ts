import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The Markdown files whose relative links must resolve: README.md and docs/*.md. */
const files = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(root, 'docs', f)),
];

/** Markdown without fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Inline links `[text](target)`, images included, and reference definitions `[id]: target`. */
export function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const definitions = [...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  return [...inline, ...definitions];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2 … */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** What is wrong with a relative link from `file`, or undefined when it resolves. */
export function brokenLink(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: …
  const [path = '', anchor] = target.split('#', 2);
  const resolved = path === '' ? file : resolve(dirname(file), decodeURI(path));
  if (!existsSync(resolved)) return `${target}: no such file`;
  if (anchor === undefined || anchor === '' || statSync(resolved).isDirectory() || !resolved.endsWith('.md')) return undefined;
  return anchors(readFileSync(resolved, 'utf8')).has(anchor.toLowerCase()) ? undefined : `${target}: no heading #${anchor}`;
}

describe('documentation links', () => {
  it('finds the guides', () => {
    expect(files.map((f) => relative(root, f))).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/getting-started.md']));
  });

  for (const file of files) {
    it(`every relative link in ${relative(root, file)} resolves`, () => {
      const broken = linkTargets(readFileSync(file, 'utf8'))
        .map((target) => brokenLink(file, target))
        .filter((problem) => problem !== undefined);
      expect(broken).toEqual([]);
    });
  }

  it('reports a missing file, a missing heading and nothing for a good link', () => {
    const guide = join(root, 'docs', 'getting-started.md');
    expect(linkTargets('see [a](a.md), [b](../README.md#protocol-support "t"), `[c](c.md)`\n\n[d]: ./d.md\n')).toEqual([
      'a.md',
      '../README.md#protocol-support',
      './d.md',
    ]);
    expect(brokenLink(guide, 'nowhere.md')).toBe('nowhere.md: no such file');
    expect(brokenLink(guide, 'testing.md#no-such-heading')).toBe('testing.md#no-such-heading: no heading #no-such-heading');
    expect(brokenLink(guide, 'testing.md#model-based-tests')).toBeUndefined();
    expect(brokenLink(guide, 'https://example.org/x.md')).toBeUndefined();
  });
});
