// The command line the CPU benchmarks share (native-kernels.js, gather-walks.js): the same options,
// read and checked the same way, the same check of the addon build, the same header of the result
// file, the same table on stdout.
import { cpus, hostname } from 'node:os';

/** The value after `--name` on the command line, or undefined. */
export function option(name) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** Whether `--name` is on the command line. */
export const flag = (name) => process.argv.includes(`--${name}`);

/**
 * --rounds, --dtype, --tokens, --page-size (16), --evict-mib (256) and --no-huge-pages, with the
 * given defaults, checked: a bad value throws an error naming the option.
 */
export function cpuBenchOptions(defaults) {
  const rounds = Number(option('rounds') ?? defaults.rounds);
  const dtypes = (option('dtype') ?? defaults.dtypes).split(',');
  const tokenCounts = (option('tokens') ?? defaults.tokens).split(',').map(Number);
  const pageSize = Number(option('page-size') ?? 16);
  const evictBytes = Number(option('evict-mib') ?? 256) * 2 ** 20;
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be a positive integer, got ${option('rounds')}`);
  for (const d of dtypes)
    if (!['fp32', 'fp16', 'bf16'].includes(d)) throw new Error(`--dtype must list fp32, fp16 or bf16, got ${d}`);
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new Error(`--page-size must be a positive integer, got ${option('page-size')}`);
  if (!Number.isInteger(evictBytes) || evictBytes < 2 ** 20 || evictBytes > 2 ** 30)
    throw new Error(`--evict-mib must be an integer in [1, 1024], got ${option('evict-mib')}`);
  for (const n of tokenCounts)
    if (!Number.isInteger(n) || n < pageSize * 8)
      throw new Error(`--tokens must list integers ≥ 8 × page size (${pageSize * 8}), got ${n}`);
  return { rounds, dtypes, tokenCounts, pageSize, evictBytes, hugePages: !flag('no-huge-pages') };
}

/**
 * The first fields of a CPU benchmark's result file: the date, this machine (one thread; `machineExtra`
 * after the Node version), and the options every row was measured under.
 */
export function cpuBenchHeader({ rounds, hugePages, evictBytes }, machineExtra = {}) {
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    host: hostname(),
    node: process.version,
    ...machineExtra,
    threads: 1,
  };
  return { date: new Date().toISOString().slice(0, 10), machine, rounds, hugePages, evictBytes };
}

/** Exits with a message unless this build of the addon has the memory probes the benchmarks time. */
export function requireMemoryProbes(addon) {
  if (typeof addon.evictCaches !== 'function' || typeof addon.gatherSeconds !== 'function') {
    console.error(
      'bench: this build of the native addon has no evictCaches/gatherSeconds; rebuild it (npm run build:native)',
    );
    process.exit(1);
  }
}

/** Prints a header and rows of strings as right-aligned columns. */
export function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  for (const line of [header, ...rows]) console.log(line.map((cell, i) => cell.padStart(widths[i])).join('  '));
}
