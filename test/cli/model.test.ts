/** `prhs model` end to end through main(): init, check, generate, trace → simulate, evaluate, and bad input. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBackend } from '../../src/backends/registry.js';
import { runCli } from './runCli.js';
import { loadTrace } from '../../src/traces/traceFile.js';

const run = runCli;

const folder = mkdtempSync(join(tmpdir(), 'prhs-model-cli-'));
const checkpoint = join(folder, 'tiny');
const cpuLoaded = loadBackend('cpu').loaded;
/** `prhs model SUBCOMMAND --checkpoint` the test's checkpoint. */
const onCheckpoint = (subcommand: string) => ['model', subcommand, '--checkpoint', checkpoint];

describe('prhs model', () => {
  it('init writes a seeded checkpoint that check passes on the CPU engine', async () => {
    const init = await run([
      'model',
      'init',
      '--shape',
      'tiny',
      '--seed',
      '3',
      '--std',
      '0.3',
      '--dtype',
      'fp16',
      '--out',
      checkpoint,
      '--json',
    ]);
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({
      schema: 'prhs-model-init/1',
      shape: 'tiny',
      dtype: 'fp16',
      seed: 3,
    });
    const again = await run(['model', 'init', '--shape', 'tiny', '--out', checkpoint]);
    expect(again.code).toBe(2);
    if (!cpuLoaded) return;
    const check = await run([...onCheckpoint('check'), '--steps', '12', '--json']);
    expect(check.code, check.stdout).toBe(0);
    const report = JSON.parse(check.stdout);
    expect(report).toMatchObject({
      schema: 'prhs-model-check/1',
      backend: 'cpu',
      withinTwiceNaive: true,
      greedyIdentical: true,
      pass: true,
    });
    expect(report.greedyCompared).toBeGreaterThan(0);
  });

  it('generate decodes greedily, dense and with a selector, the same tokens on the reference and CPU engines here', async () => {
    const prompt = join(folder, 'prompt.json');
    writeFileSync(
      prompt,
      JSON.stringify([
        [1, 2, 3, 4, 5, 6],
        [250, 9, 8, 7, 6, 5],
      ]),
    );
    const generate = [...onCheckpoint('generate'), '--prompt-ids', prompt, '--steps', '6', '--backend', 'reference'];
    const reference = await run([...generate, '--json']);
    expect(reference.code, reference.stderr).toBe(0);
    const dense = JSON.parse(reference.stdout);
    expect(dense.tokens).toHaveLength(2);
    expect(dense.tokens[0]).toHaveLength(6);
    const sparse = await run([...generate, '--selector', 'oracle', '--budget', '64', '--json']);
    expect(JSON.parse(sparse.stdout).tokens).toEqual(dense.tokens);
    expect(JSON.parse(sparse.stdout).selection).toMatchObject({ selector: 'oracle', budget: 64, maxDelta: 0 });
  });

  it('trace writes a trace that simulate reads', async () => {
    const trace = join(folder, 'trace.safetensors');
    const traced = await run([
      ...onCheckpoint('trace'),
      '--prompt-random',
      '10',
      '--steps',
      '12',
      '--backend',
      'reference',
      '--out',
      trace,
    ]);
    expect(traced.code, traced.stderr).toBe(0);
    const simulated = await run(['simulate', '--trace', trace, '--selector', 'oracle', '--budget', '4', '--json']);
    expect(simulated.code, simulated.stderr).toBe(0);
  });

  it("trace --ids feeds given tokens: the greedy run's own tokens reproduce its trace exactly", async () => {
    const prompt = join(folder, 'forced-prompt.json');
    const promptIds = [256, 100, 101, 32, 10, 40, 41];
    writeFileSync(prompt, JSON.stringify(promptIds));
    const greedyFile = join(folder, 'greedy.safetensors');
    const greedy = await run([
      ...onCheckpoint('trace'),
      '--prompt-ids',
      prompt,
      '--steps',
      '9',
      '--backend',
      'reference',
      '--out',
      greedyFile,
      '--json',
    ]);
    expect(greedy.code, greedy.stderr).toBe(0);
    const fed = join(folder, 'forced-ids.json');
    writeFileSync(fed, JSON.stringify([...promptIds, ...JSON.parse(greedy.stdout).tokens]));
    const forcedFile = join(folder, 'forced.safetensors');
    const forced = await run([
      ...onCheckpoint('trace'),
      '--ids',
      fed,
      '--score-from',
      String(promptIds.length),
      '--backend',
      'reference',
      '--out',
      forcedFile,
      '--json',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ mode: 'teacher-forced', promptLength: 7, steps: 9 });
    const [a, b] = [loadTrace(greedyFile), loadTrace(forcedFile)];
    expect([b.steps, b.positions, b.layers, b.queryHeads, b.kvHeads]).toEqual([
      a.steps,
      a.positions,
      a.layers,
      a.queryHeads,
      a.kvHeads,
    ]);
    expect(b.queries).toEqual(a.queries);
    expect(b.keys).toEqual(a.keys);
    expect(b.values).toEqual(a.values);
  });

  it('trace --bytes with --context and --score-from records context − P decode steps over context positions', async () => {
    const bytes = join(folder, 'forced.txt');
    writeFileSync(bytes, 'import os\n\ndef main():\n    return os.getpid()\n');
    const out = join(folder, 'bytes.safetensors');
    const traceBytes = [
      ...onCheckpoint('trace'),
      '--bytes',
      bytes,
      '--context',
      '20',
      '--backend',
      'reference',
      '--out',
      out,
    ];
    const traced = await run([...traceBytes, '--score-from', '12']);
    expect(traced.code, traced.stderr).toBe(0);
    const trace = loadTrace(out);
    expect([trace.positions, trace.steps]).toEqual([20, 8]);
    const simulated = await run(['simulate', '--trace', out, '--selector', 'cis', '--budget', '4', '--json']);
    expect(simulated.code, simulated.stderr).toBe(0);
    const compared = await run(['compare', '--trace', out, '--selectors', 'oracle,cis', '--budget', '4', '--json']);
    expect(compared.code, compared.stderr).toBe(0);
    const rows = JSON.parse(compared.stdout).rows;
    expect(rows.map((r: { trace: string; selector: string }) => [r.trace, r.selector])).toEqual([
      [out, 'oracle'],
      [out, 'cis'],
    ]);
    expect(rows[1].meanDelta).toBe(JSON.parse(simulated.stdout).meanDelta);
    expect((await run(['compare', '--trace', out, '--synthetic', 'late-needle'])).code).toBe(2);
    for (const [argv, message] of [
      [['--score-from', '20'], /--score-from: expected an integer in \[1, 19\]/],
      [['--steps', '3'], /--steps: expected no --steps with --bytes/],
      [['--prompt-random', '3'], /--prompt-ids: expected no prompt with --bytes/],
    ] as [string[], RegExp][]) {
      const bad = await run([...traceBytes, ...argv]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(message);
    }
  });

  it('evaluate reports bits per token, dense and with a selector', async () => {
    const bytes = join(folder, 'text.txt');
    writeFileSync(bytes, 'def main():\n    return 0\n');
    const dense = await run([...onCheckpoint('evaluate'), '--bytes', bytes, '--backend', 'reference', '--json']);
    expect(dense.code, dense.stderr).toBe(0);
    const result = JSON.parse(dense.stdout);
    expect(result.scored).toBeGreaterThan(10);
    expect(result.bitsPerToken).toBeGreaterThan(0);
  });

  it('refuses bad input with exit 2 and a message naming the argument', async () => {
    const bad = join(folder, 'bad.json');
    writeFileSync(bad, JSON.stringify([1, 2, 999]));
    const cases: [string[], RegExp][] = [
      [['model', 'generate', '--checkpoint', join(folder, 'missing'), '--prompt-random', '3'], /missing/],
      [
        [...onCheckpoint('generate'), '--prompt-ids', bad],
        /--prompt-ids\[0\]\[2\]: expected a token id in \[0, 258\), received 999/,
      ],
      [[...onCheckpoint('generate'), '--prompt-random', '10', '--steps', '600'], /--steps: expected at most 502/],
      [
        [...onCheckpoint('generate'), '--prompt-random', '3', '--selector', 'cis'],
        /--budget: expected given together with --selector/,
      ],
      [
        [
          ...onCheckpoint('generate'),
          '--prompt-random',
          '3',
          '--backend',
          'cuda',
          '--selector',
          'h2o',
          '--budget',
          '4',
        ],
        /--selector: expected one of cis, oracle, streamingllm with --backend cuda/,
      ],
      [
        [
          ...onCheckpoint('generate'),
          '--prompt-random',
          '3',
          '--steps',
          '4',
          '--backend',
          'cuda',
          '--selector',
          'cis',
          '--budget',
          '8',
        ],
        /--budget: expected at most 7 \(the engine capacity/,
      ],
      [
        [
          ...onCheckpoint('generate'),
          '--prompt-random',
          '3',
          '--selector',
          'cis',
          '--budget',
          '2',
          '--check-every',
          '1',
        ],
        /--check-every: expected only with --backend cuda and --selector/,
      ],
      [
        [...onCheckpoint('check'), '--backend', 'cuda'],
        /--hf-reference: expected a reference file with --backend cuda/,
      ],
      [
        [...onCheckpoint('check'), '--backend', 'cuda', '--hf-reference', join(folder, 'none.safetensors')],
        /--hf-reference: expected an existing file/,
      ],
      [[...onCheckpoint('check'), '--hf-reference', bad], /--hf-reference: expected only with --backend cuda/],
      [['model', 'frobnicate'], /subcommand: expected one of init, generate, check, trace, evaluate/],
      [['model', 'init', '--shape', 'gpt-5', '--out', join(folder, 'x')], /--shape: expected one of tiny/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});
