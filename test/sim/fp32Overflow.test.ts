/**
 * A trace whose fp32 logits overflow (|s·q·k| beyond 3.4e38, although every entry is a finite fp32
 * value and the float64 logits are finite) is refused for fp32 with an error naming the precision,
 * instead of a silent δ of NaN and recall 0. Skipped when the native CPU backend is not built.
 */
import { describe, expect, it } from 'vitest';
import { loadBackend } from '../../src/backends/registry.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { createSelector } from '../../src/selectors/registry.js';
import { simulate } from '../../src/sim/simulate.js';
import { syntheticTrace } from '../../src/traces/synthetic.js';
import { queryOffset } from '../../src/traces/trace.js';

const native = loadBackend('cpu').loaded;

describe.skipIf(!native)('simulate --precision fp32 on overflowing logits', () => {
  const trace = syntheticTrace({ layers: 1, queryHeads: 2, kvHeads: 1, prefix: 40, steps: 3, headDim: 8, seed: 3 });
  // One query of the last step scaled so that s·q·k exceeds the fp32 range for some key.
  const qo = queryOffset(trace, 0, trace.steps - 1, 1);
  for (let c = 0; c < trace.headDim; c++) trace.queries[qo + c] = Math.sign(trace.queries[qo + c]!) * 1e38;
  const run = (precision: 'fp32' | 'fp64') =>
    simulate(trace, createSelector('streamingllm', 8), { precision, observeSteps: 1 });

  it('fp64 computes every δ', () => {
    const result = run('fp64');
    for (const delta of result.delta) expect(Number.isFinite(delta)).toBe(true);
  });

  it('fp32 refuses the trace, naming the precision and where the overflow is', () => {
    expect(() => run('fp32')).toThrow(InvalidArgumentError);
    expect(() => run('fp32')).toThrow(
      /^precision: expected fp64 for this trace: its fp32 logits overflow .* at layer 0, query head 1, step 2, key \d+$/,
    );
  });
});
