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
import { runCli } from './run.js';

const schemaFolder = join(packageRoot(), 'schemas');
const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
const schemas = Object.fromEntries(
  readdirSync(schemaFolder)
    .filter((name) => name.endsWith('.schema.json'))
    .map((name) => [name.replace('.schema.json', ''), JSON.parse(readFileSync(join(schemaFolder, name), 'utf8')) as object]),
);

function validate(name: string, value: unknown): string {
  const check = ajv.getSchema(name) ?? (ajv.addSchema(schemas[name]!, name), ajv.getSchema(name)!);
  return check(value) ? '' : ajv.errorsText(check.errors);
}

const folder = mkdtempSync(join(tmpdir(), 'prhs-schemas-'));
const small = ['--layers', '1', '--heads', '2', '--kv-heads', '1', '--steps', '4', '--context', '100', '--head-dim', '16', '--budget', '16'];
const head = { q: [1, 0], K: [[1, 0], [0, 1], [2, 0]], V: [[1], [2], [3]], keep: [0, 2] };
const law = { pi: [0.5, 0.5], attention: [[0.05, 0.05, 0.9], [0.05, 0.9, 0.05]], keep: [[0], [0]] };

async function jsonOf(argv: string[], stdin?: string): Promise<Record<string, unknown>> {
  const run = await runCli(argv, stdin);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('JSON Schemas', () => {
  it('the schema files compile in strict mode', () => {
    expect(Object.keys(schemas).sort()).toEqual(expect.arrayContaining(['check-kernels', 'compare', 'eval', 'eval-input', 'simulate', 'verify']));
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
    const output = await jsonOf(['verify', '--claim', 'mutual-information.paper', '--runs', '2', '--seed', '3', '--no-store', '--json', '--report', report]);
    expect(output.schema).toBe('prhs-verify/1');
    expect(validate('verify', output)).toBe('');
    expect(validate('verify', JSON.parse(readFileSync(report, 'utf8')))).toBe('');
  });

  it('check-kernels --json validates', async () => {
    const output = await jsonOf(['check-kernels', '--backend', 'reference', '--max-n', '64', '--json']);
    expect(output.schema).toBe('prhs-check-kernels/1');
    expect(validate('check-kernels', output)).toBe('');
  });

  it('simulate --json and compare --json validate', async () => {
    const simulated = await jsonOf(['simulate', '--synthetic', 'drifting-query', '--selector', 'cis', ...small, '--json']);
    expect(simulated.schema).toBe('prhs-simulate/1');
    expect(validate('simulate', simulated)).toBe('');
    const compared = await jsonOf(['compare', '--synthetic', 'late-needle', '--selectors', 'oracle,h2o', ...small, '--json']);
    expect(compared.schema).toBe('prhs-compare/1');
    expect(validate('compare', compared)).toBe('');
  });

  it('the other --json outputs name their schema too', async () => {
    expect((await jsonOf(['doctor', '--json'])).schema).toBe('prhs-doctor/1');
    expect((await jsonOf(['props', '--claim', 'reference.topk-order', '--runs', '2', '--seed', '1', '--json'])).schema).toBe('prhs-props/1');
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
