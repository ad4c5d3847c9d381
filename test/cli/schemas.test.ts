/**
 * Machine output is stable: every --json output and written report carries "schema", and real
 * outputs validate against the JSON Schema files under schemas/ (ajv, strict mode).
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/io/packageRoot.js';
import { decodeInputs } from '../../src/backends/reference/float64Kernels.js';
import { naiveSparse } from '../../src/verify/naiveKernels.js';
import { randomAttentionInputs, randomIndexLists } from '../../src/verify/randomInputs.js';
import { writeCase } from '../verify/caseFiles.js';
import { runCli } from './runCli.js';

const schemaFolder = join(packageRoot(), 'schemas');
const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
const schemas = Object.fromEntries(
  readdirSync(schemaFolder)
    .filter((name) => name.endsWith('.schema.json'))
    .map((name) => [
      name.replace('.schema.json', ''),
      JSON.parse(readFileSync(join(schemaFolder, name), 'utf8')) as object,
    ]),
);

function validate(name: string, value: unknown): string {
  const check = ajv.getSchema(name) ?? (ajv.addSchema(schemas[name]!, name), ajv.getSchema(name)!);
  return check(value) ? '' : ajv.errorsText(check.errors);
}

const folder = mkdtempSync(join(tmpdir(), 'prhs-schemas-'));
const small = '--layers 1 --heads 2 --kv-heads 1 --steps 4 --context 100 --head-dim 16 --budget 16'.split(' ');
const head = {
  q: [1, 0],
  K: [
    [1, 0],
    [0, 1],
    [2, 0],
  ],
  V: [[1], [2], [3]],
  keep: [0, 2],
};
const law = {
  pi: [0.5, 0.5],
  attention: [
    [0.05, 0.05, 0.9],
    [0.05, 0.9, 0.05],
  ],
  keep: [[0], [0]],
};

async function jsonOf(argv: string[], stdin?: string): Promise<Record<string, unknown>> {
  const run = await runCli(argv, stdin);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('JSON Schemas', () => {
  it('the schema files compile in strict mode', () => {
    expect(Object.keys(schemas).sort()).toEqual(
      expect.arrayContaining(['check-kernels', 'check-output', 'compare', 'eval', 'eval-input', 'simulate', 'verify']),
    );
    for (const name of Object.keys(schemas)) expect(() => ajv.compile(schemas[name]!)).not.toThrow();
  });

  it('eval inputs and outputs (single head, joint law, batch) validate', async () => {
    for (const input of [head, law, { schema: 'prhs-eval-input/1', heads: [head, law] }]) {
      expect(validate('eval-input', input)).toBe('');
      const output = await jsonOf(['eval', '-'], JSON.stringify(input));
      expect(output.schema).toBe('prhs-eval/1');
      expect(validate('eval', output)).toBe('');
    }
  });

  it('verify --json and the written report validate', async () => {
    const report = join(folder, 'verify.json');
    const output = await jsonOf([
      'verify',
      '--claim',
      'mutual-information.paper',
      '--runs',
      '2',
      '--seed',
      '3',
      '--no-store',
      '--json',
      '--report',
      report,
    ]);
    expect(output.schema).toBe('prhs-verify/1');
    expect(validate('verify', output)).toBe('');
    expect(validate('verify', JSON.parse(readFileSync(report, 'utf8')))).toBe('');
  });

  it('check-kernels --json validates', async () => {
    const output = await jsonOf(['check-kernels', '--backend', 'reference', '--max-n', '64', '--json']);
    expect(output.schema).toBe('prhs-check-kernels/1');
    expect(validate('check-kernels', output)).toBe('');
  });

  it('check-output --json validates: dense and sparse, passing and failing, every tensor kind, non-finite numbers', async () => {
    const shape = { batch: 1, queryHeads: 4, kvHeads: 2, tokens: 64, headDim: 8, valueDim: 4 };
    const inputs = randomAttentionInputs('fp16', shape, 9);
    const lists = randomIndexLists(shape, 8, 3, true);
    const out = naiveSparse(decodeInputs(inputs), lists);
    const tensors = {
      q: { shape: [1, 4, 8], data: inputs.query, dtype: 'F16' },
      k: { shape: [1, 2, 64, 8], data: inputs.keys, dtype: 'F16' },
      v: { shape: [1, 2, 64, 4], data: inputs.values, dtype: 'F16' },
      indices: { shape: [1, 4, 8], data: lists.indices },
      scores: { shape: [1, 4, 64], data: new Float32Array(4 * 64) },
      topk: { shape: [1, 4, 2], data: Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1]) },
    };
    const sparse = await runCli([
      'check-output',
      writeCase(
        { ...tensors, out: { shape: [1, 4, 4], data: Float32Array.from(out) } },
        { accumulation: 'fp32', sum_block: '16' },
      ),
      '--json',
    ]);
    const report = JSON.parse(sparse.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ schema: 'prhs-check-output/1', kind: 'sparse', pass: false });
    expect(validate('check-output', report)).toBe('');
    // No model (null bounds), a NaN in the output, every head listed.
    const nan = Float32Array.from(out);
    nan[0] = Number.NaN;
    const { q, k, v } = tensors;
    const dense = JSON.parse(
      (await runCli(['check-output', writeCase({ q, k, v, out: { shape: [1, 4, 4], data: nan } }), '--json'])).stdout,
    ) as Record<string, unknown>;
    expect(dense).toMatchObject({ kind: 'dense', precision: null, pass: false });
    expect(validate('check-output', dense)).toBe('');
    expect(validate('check-output', { ...dense, heads: [{ batch: 0 }] })).toMatch(/head/);
    // An infinite value: its heads' bounds are infinite, written as the string "Infinity".
    const values = Uint16Array.from(inputs.values as Uint16Array);
    values[0] = 0x7c00;
    const infinite = await runCli([
      'check-output',
      writeCase(
        { q, k, v: { ...v, data: values }, out: { shape: [1, 4, 4], data: Float32Array.from(out) } },
        { accumulation: 'fp32' },
      ),
      '--json',
    ]);
    expect(infinite.stdout).toMatch(/"bound":"Infinity"/);
    expect(validate('check-output', JSON.parse(infinite.stdout))).toBe('');
  });

  it('simulate --json and compare --json validate', async () => {
    const simulated = await jsonOf([
      'simulate',
      '--synthetic',
      'drifting-query',
      '--selector',
      'cis',
      ...small,
      '--json',
    ]);
    expect(simulated.schema).toBe('prhs-simulate/1');
    expect(validate('simulate', simulated)).toBe('');
    const compared = await jsonOf([
      'compare',
      '--synthetic',
      'late-needle',
      '--selectors',
      'oracle,h2o',
      ...small,
      '--json',
    ]);
    expect(compared.schema).toBe('prhs-compare/1');
    expect(validate('compare', compared)).toBe('');
  });

  it('the other --json outputs name their schema too', async () => {
    expect((await jsonOf(['doctor', '--json'])).schema).toBe('prhs-doctor/1');
    expect(
      (await jsonOf(['props', '--claim', 'reference.topk-order', '--runs', '2', '--seed', '1', '--json'])).schema,
    ).toBe('prhs-props/1');
    expect((await jsonOf(['prove', '--check', join(packageRoot(), 'proofs'), '--json'])).schema).toBe('prhs-prove/1');
  });

  it('a schema rejects an output that lost a field or changed a type (the check can fail)', async () => {
    const output = await jsonOf(['eval', '-'], JSON.stringify(head));
    const withoutSchema = Object.fromEntries(Object.entries(output).filter(([key]) => key !== 'schema'));
    expect(validate('eval', withoutSchema)).toMatch(/schema/);
    expect(validate('eval', { ...output, delta: 'half' })).toMatch(/delta/);
    expect(validate('eval-input', { ...head, keep: [0, 0] })).toMatch(/duplicate|NOT have duplicate/);
  });
});
