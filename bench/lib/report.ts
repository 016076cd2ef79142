/**
 * Output of the benchmarks: markdown tables on stdout and one replaceable section per benchmark
 * in bench/RESULTS.md (date, machine, exact command, tables, notes).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_FILE = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

/** Environment variables that change what a benchmark does; echoed in the recorded command. */
export const BENCH_ENV_VARS = [
  'BENCH_ROUNDS',
  'BENCH_WARMUP',
  'BENCH_STANZAS',
  'BENCH_PIPELINE_ROUNDS',
  'BENCH_PIPELINES',
  'BENCH_CONTACTS',
  'BENCH_WRITE',
  'BENCH_MESSAGES',
  'BENCH_E2E_VARIANTS',
  'BENCH_E2E_ARCHIVE',
  'BENCH_ROSTER_CONTACTS',
] as const;

export interface Table {
  /** Shown above the table. */
  title?: string;
  columns: readonly string[];
  /** Alignment per column; default: first column left, the others right. */
  align?: ReadonlyArray<'left' | 'right'>;
  rows: ReadonlyArray<readonly string[]>;
}

export interface Section {
  /** Stable id of the section, e.g. `login`; a later run replaces the section with the same id. */
  id: string;
  heading: string;
  /** One line on what was measured. */
  summary?: string;
  tables: readonly Table[];
  /** Bullet points after the tables: ratios explained, failures, outliers. */
  notes?: readonly string[];
  /** Extra `key: value` lines of environment, e.g. the Prosody version. */
  environment?: Readonly<Record<string, string>>;
}

const escapeCell = (cell: string) => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(table: Table): string {
  const widths = table.columns.map((c, i) => Math.max(3, c.length, ...table.rows.map((r) => escapeCell(r[i] ?? '').length)));
  const alignOf = (i: number) => table.align?.[i] ?? (i === 0 ? 'left' : 'right');
  const pad = (text: string, i: number) => (alignOf(i) === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => pad(escapeCell(c), i)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (alignOf(i) === 'right' ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(table.columns), rule, ...table.rows.map(line)].join('\n');
}

/** The command that reproduces this run, e.g. `BENCH_ROUNDS=40 npm run bench -- login`. */
export function benchCommand(): string {
  // Set by bench/run.ts for the child process of each benchmark: the command the user typed.
  if (process.env.BENCH_COMMAND) return process.env.BENCH_COMMAND;
  const env = BENCH_ENV_VARS.filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`);
  const args = process.argv.slice(2);
  const event = process.env.npm_lifecycle_event;
  const base = event
    ? `npm run ${event}${args.length ? ` -- ${args.join(' ')}` : ''}`
    : `npx tsx ${relative(process.cwd(), process.argv[1] ?? 'bench/run.ts')}${args.length ? ` ${args.join(' ')}` : ''}`;
  return [...env, base].join(' ');
}

/** The commit measured, flagged when src/ has uncommitted changes (others edit it concurrently). */
export function sourceRevision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('log', '-1', '--format=%h %s');
    const dirty = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return `${head}${dirty ? ` (+ ${dirty} uncommitted change(s) in src/)` : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function machineDescription(): Record<string, string> {
  const cpu = cpus()[0];
  return {
    cores: `${availableParallelism()} (nproc)${cpu ? `, ${cpu.model.trim()}` : ''}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    os: `${process.platform} ${release()} ${process.arch}`,
    node: process.version,
    commit: sourceRevision(),
  };
}

export function renderSection(section: Section, date = new Date()): string {
  const env = { ...machineDescription(), ...section.environment };
  const parts = [
    `## ${section.heading}`,
    '',
    `- date: ${date.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    ...Object.entries(env).map(([k, v]) => `- ${k}: ${v}`),
    `- command: \`${benchCommand()}\``,
  ];
  if (section.summary) parts.push('', section.summary);
  for (const table of section.tables) {
    parts.push('');
    if (table.title) parts.push(`**${table.title}**`, '');
    parts.push(markdownTable(table));
  }
  if (section.notes?.length) parts.push('', ...section.notes.map((n) => `- ${n}`));
  return parts.join('\n');
}

/** Prints the tables (and notes) to stdout. */
export function printSection(section: Section): void {
  const out = [`\n## ${section.heading}\n`];
  for (const table of section.tables) {
    if (table.title) out.push(`${table.title}\n`);
    out.push(markdownTable(table), '');
  }
  if (section.notes?.length) out.push(...section.notes.map((n) => `- ${n}`), '');
  console.log(out.join('\n'));
}

const FILE_HEADER = `# Benchmark results

Written by \`npm run bench\` (see bench/README.md for what each figure means). Each benchmark owns one
section below and replaces it when it runs again; figures from different sections may come from
different runs, see their dates.
`;

/** Appends the section to bench/RESULTS.md, or replaces the section with the same id. */
export function writeSection(section: Section, file = RESULTS_FILE): void {
  const begin = `<!-- bench:${section.id}:begin -->`;
  const end = `<!-- bench:${section.id}:end -->`;
  const block = `${begin}\n${renderSection(section)}\n${end}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : FILE_HEADER;
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.replace(/\s*$/, '')}\n\n${block}\n`;
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
}

export const fmt = {
  /** 12.345 → "12.3" (fixed decimals). */
  n: (value: number, decimals = 1) => (Number.isFinite(value) ? value.toFixed(decimals) : '–'),
  /** Ratio to a baseline, e.g. "1.07×". */
  ratio: (value: number, baseline: number) => (Number.isFinite(value) && baseline > 0 ? `${(value / baseline).toFixed(2)}×` : '–'),
  /** 123456 → "123,456". */
  int: (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–'),
};
