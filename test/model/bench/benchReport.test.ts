/** The bench report against its JSON Schema (the CLI's GPU path builds exactly this object). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/io/packageRoot.js';
import { benchReportText, modelBenchReport, type BenchPoint } from '../../../src/model/bench/benchReport.js';
import { modelPreset } from '../../../src/model/presets.js';

const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
const validate = ajv.compile(
  JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'model-bench.schema.json'), 'utf8')) as object,
);

const point: BenchPoint = {
  model: { shape: 'llama2-7b' },
  config: modelPreset('llama2-7b'),
  dtype: 'fp16',
  batch: 16,
  context: 4096,
  steps: 50,
  warmup: 10,
  selection: null,
};
const environment = { device: 'NVIDIA H100 80GB HBM3', computeCapability: '9.0', copyGBs: 3000, linearVariant: 'warp' };
const timing = { medianMs: 20, minMs: 19.5, weightBytes: 13.2e9, kvBytes: 1.1e9 };

describe('model bench report', () => {
  it('a dense report and a selection report validate', () => {
    const dense = modelBenchReport(point, environment, timing, 2e10);
    expect(validate(dense), ajv.errorsText(validate.errors)).toBe(true);
    expect(dense.selection).toBeNull();
    const sparse = modelBenchReport(
      { ...point, selection: { kind: 'cis', budget: 512 } },
      environment,
      { ...timing, selectionBytes: 2e8, selectedTokens: 512, retrievalRate: 0.97 },
      2e10,
    );
    expect(validate(sparse), ajv.errorsText(validate.errors)).toBe(true);
    expect(sparse.selection).toEqual({ selector: 'cis', budget: 512, selectedTokens: 512, retrievalRate: 0.97 });
    expect(benchReportText(sparse)).toMatch(/cis at budget 512, retrieval rate 97\.0%/);
  });

  it('the schema rejects a report that lost a field or changed a type (the check can fail)', () => {
    const dense = modelBenchReport(point, environment, timing, 2e10) as unknown as Record<string, unknown>;
    expect(validate(Object.fromEntries(Object.entries(dense).filter(([key]) => key !== 'boundMs')))).toBe(false);
    expect(validate({ ...dense, batch: 65 })).toBe(false);
    expect(validate({ ...dense, medianMs: 'fast' })).toBe(false);
  });

  it('the text names the bound beside the time', () => {
    const text = benchReportText(modelBenchReport(point, environment, timing, 2e10));
    expect(text).toMatch(/20\.000 ms per step/);
    expect(text).toMatch(/800 tokens\/s/);
    expect(text).toMatch(/bound at the copy bandwidth 3000 GB\/s: 4\.767 ms \(23\.8% of the bound\)/);
  });
});
