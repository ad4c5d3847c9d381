/**
 * The package as a user gets it: a consumer folder whose node_modules/prhs links to this package
 * imports the BUILT library through the exports map (prhs/core, prhs/backends, prhs/verify, …),
 * runs the README's own backend (examples/my-backend.mjs) through the whole check-kernels suite
 * from prhs/verify and through `prhs check-kernels --backend-module`, and loads, writes and decodes
 * a model through prhs/model (the README's example among them, type-checked against the
 * declarations). Planted bugs (a 1e-3 relative error, sparse attention that ignores its index
 * lists) must fail the same suite.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/packageRoot.js';

const root = packageRoot();
const consumer = mkdtempSync(join(tmpdir(), 'prhs-consumer-'));
mkdirSync(join(consumer, 'node_modules'));
symlinkSync(root, join(consumer, 'node_modules', 'prhs'), 'dir');
writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));

// The user's backend of the README (examples/my-backend.mjs: decode attention in JavaScript with
// fp32 arithmetic), copied into the consumer's folder, and two planted bugs wrapped around it.
copyFileSync(join(root, 'examples', 'my-backend.mjs'), join(consumer, 'my-backend.mjs'));
writeFileSync(
  join(consumer, 'buggy-backend.mjs'),
  `import { backend as mine } from './my-backend.mjs';
export default { ...mine, name: 'buggy', decodeAttention: (inputs) => mine.decodeAttention(inputs).map((x) => x * (1 + 1e-3)) };
`,
);
writeFileSync(
  join(consumer, 'ignores-lists.mjs'),
  `import { backend as mine } from './my-backend.mjs';
export default { ...mine, name: 'ignores-lists', sparseAttention: (inputs) => mine.decodeAttention(inputs) };
`,
);
writeFileSync(
  join(consumer, 'suite.mjs'),
  `import { runKernelChecks, summarise } from 'prhs/verify';
import { softmax } from 'prhs/core';
import { entropy } from 'prhs/info';
import { selectorNames } from 'prhs/selectors';
import { backend } from './my-backend.mjs';
const results = runKernelChecks(backend, 'fp16', { maxTokens: 256, seed: 3 });
const report = summarise(backend.name, 'fp16', results, 0);
console.log(JSON.stringify({ pass: report.pass, checks: results.length, kernels: [...new Set(results.map((r) => r.kernel))], softmax: Array.from(softmax([0, 0])), entropy: entropy([0.5, 0.5]), selectors: selectorNames.length }));
`,
);

// prhs/model as a user would use it: a seeded random checkpoint of the tiny preset written to a
// folder, loaded back, decoded by the float64 reference engine (dense, then with a selector in the
// loop) and scored by cross-entropy; the same tokens through the decoder reference by hand.
writeFileSync(
  join(consumer, 'model.mjs'),
  `import { join } from 'node:path';
import { modelPreset, writeRandomCheckpoint, loadCheckpoint, createEngine, createReferenceEngine, crossEntropy, SelectorPolicy, parseModelConfig, modelConfigToJson } from 'prhs/model';
import { createSelector } from 'prhs/selectors';
const config = modelPreset('tiny');
const directory = join(process.argv[2], 'tiny');
writeRandomCheckpoint({ directory, config, seed: 5 });
const checkpoint = loadCheckpoint(directory);
const tokens = Int32Array.from([256, 72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100]);
const dense = crossEntropy(createEngine('reference', checkpoint, { capacity: 16 }), tokens, 4);
const engine = createReferenceEngine(checkpoint, { capacity: 16 });
const policy = new SelectorPolicy({ config, createSelector: () => createSelector('oracle', 2), sequences: 1, capacity: 16, decodeFrom: 6 });
engine.setSelectionPolicy(policy);
const sparse = crossEntropy(engine, tokens, 4);
const roundTrip = JSON.stringify(parseModelConfig(modelConfigToJson(checkpoint.config))) === JSON.stringify(checkpoint.config);
checkpoint.close();
console.log(JSON.stringify({ roundTrip, vocab: config.vocabSize, denseScored: dense.scored, dense: dense.natsPerToken, sparse: sparse.natsPerToken, sparseSteps: policy.stats.delta.length, maxDelta: Math.max(...policy.stats.delta) }));
`,
);

// The README's prhs/model example, verbatim: run as JavaScript and type-checked as TypeScript
// against the package's published declarations (the exports map's "types").
const readmeModelExample = /```ts\n(import [^`]*from 'prhs\/model';[^`]*)```/.exec(
  readFileSync(join(root, 'README.md'), 'utf8'),
)?.[1];
if (readmeModelExample) {
  writeFileSync(join(consumer, 'readme-model.mjs'), readmeModelExample);
  writeFileSync(join(consumer, 'readme-model.ts'), readmeModelExample);
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        target: 'es2022',
        strict: true,
        noEmit: true,
        types: [],
      },
      files: ['readme-model.ts'],
    }),
  );
}

const built = existsSync(join(root, 'dist', 'src', 'index.js'));
function node(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: consumer, encoding: 'utf8' });
}

describe('the built package, imported by name', () => {
  it('is built (npm install or npm run build compiles dist/)', () => {
    expect(built, 'dist/ is missing: run `npm run build`').toBe(true);
  });

  it.runIf(built)('runs a user backend through the whole suite from prhs/verify', () => {
    const child = node(['suite.mjs']);
    expect(child.stderr).toBe('');
    const out = JSON.parse(child.stdout);
    expect(out.pass).toBe(true);
    expect(out.kernels).toEqual(
      expect.arrayContaining([
        'scores',
        'decodeAttention',
        'sparseAttention',
        'droppedMass',
        'scores+topK',
        'certifiedDroppedMass(ball)',
      ]),
    );
    expect(out.softmax).toEqual([0.5, 0.5]);
    expect(out.entropy).toBeCloseTo(Math.LN2, 15);
    expect(out.selectors).toBeGreaterThan(5);
  });

  it.runIf(built)('loads, writes and decodes a model from prhs/model, with a selector in the loop', () => {
    const child = node(['model.mjs', consumer]);
    expect(child.stderr).toBe('');
    const out = JSON.parse(child.stdout);
    expect(out.roundTrip).toBe(true);
    expect(out.vocab).toBe(258);
    expect(out.denseScored).toBe(9);
    // A random model near uniform over 258 tokens: cross-entropy close to ln 258.
    expect(out.dense).toBeGreaterThan(Math.log(258) - 1);
    expect(out.dense).toBeLessThan(Math.log(258) + 1);
    // Two kept positions of up to 12: some mass is dropped, and the loss moves with it.
    expect(out.sparseSteps).toBeGreaterThan(0);
    expect(out.maxDelta).toBeGreaterThan(0);
    expect(out.sparse).not.toBe(out.dense);
  });

  it.runIf(built)("runs the README's prhs/model example as written, and its types check", () => {
    expect(readmeModelExample, "README.md has a ```ts block importing from 'prhs/model'").toBeDefined();
    const child = node(['readme-model.mjs']);
    expect(child.stderr).toBe('');
    const [dense, sparse] = child.stdout.trim().split(' ').map(Number);
    expect(dense).toBeGreaterThan(0);
    expect(sparse).toBeGreaterThan(0);
    const tsc = node([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it.runIf(built)('keeps deep imports out: only the documented subpaths resolve', () => {
    const child = node(['--input-type=module', '-e', "await import('prhs/dist/src/core/softmax.js')"]);
    expect(child.status).not.toBe(0);
    expect(child.stderr).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  it.runIf(built)('prhs check-kernels --backend-module passes a correct backend and fails a planted bug', () => {
    const bin = join(root, 'bin', 'prhs.js');
    const good = node([
      bin,
      'check-kernels',
      '--backend-module',
      'my-backend.mjs',
      '--dtype',
      'fp16',
      '--max-n',
      '256',
      '--json',
    ]);
    expect(good.status, good.stderr).toBe(0);
    const report = JSON.parse(good.stdout);
    expect(report).toMatchObject({ schema: 'prhs-check-kernels/1', backend: 'js-fp32', pass: true });
    const failing = (module: string) => {
      const child = node([
        bin,
        'check-kernels',
        '--backend-module',
        module,
        '--dtype',
        'fp16',
        '--max-n',
        '256',
        '--json',
      ]);
      expect(child.status, module).toBe(1);
      return JSON.parse(child.stdout)
        .results.filter((r: { pass: boolean }) => !r.pass)
        .map((r: { kernel: string }) => r.kernel);
    };
    expect(failing('buggy-backend.mjs')).toContain('decodeAttention');
    expect(failing('ignores-lists.mjs')).toContain('sparseAttention');
  });
});
