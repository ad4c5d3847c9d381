/**
 * `prhs eval FILE`: reads a JSON input and prints the reference quantities as JSON, so that other
 * tools (NumPy, PyTorch, a kernel's test) can cross-check the reference.
 *
 * Single-head form: {"q":[..],"K":[[..],..],"V":[[..],..],"keep":[..],"scale":number?}
 * Joint-law form:   {"pi":[..],"attention":[[..],..],"keep":[[..],..]}
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../core/errors.js';
import { matrixFromRows } from '../../core/matrix.js';
import { keptDroppedDiameter, maxRowNorm, outputErrorNorm } from '../../core/outputError.js';
import { sparseHeadAttention } from '../../core/sparseAttention.js';
import { describe } from '../../core/validate.js';
import * as info from '../../info/index.js';
import type { Command } from '../command.js';

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError('FILE', 'a readable JSON file', `${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`, 'type');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError('FILE', 'valid JSON', `invalid JSON (${(error as Error).message})`, 'type');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidArgumentError('FILE', 'a JSON object', describe(parsed), 'type');
  return parsed as Record<string, unknown>;
}

/** Reference quantities for one head and one kept set. */
export function evaluateSingleHead(input: Record<string, unknown>) {
  const K = matrixFromRows('K', input.K);
  const V = matrixFromRows('V', input.V);
  if (V.rows !== K.rows) throw new InvalidArgumentError('V', `${K.rows} rows (one per key)`, `${V.rows} rows`, 'shape');
  if (input.scale !== undefined && typeof input.scale !== 'number') throw new InvalidArgumentError('scale', 'a number', describe(input.scale), 'type');
  const keep = input.keep;
  const head = sparseHeadAttention(input.q as ArrayLike<number>, K, V, keep as ArrayLike<number>, input.scale as number | undefined);
  const entropy = info.entropy(head.attention);
  const entropySparse = info.entropy(head.sparseAttention);
  return {
    logits: Array.from(head.logits),
    attention: Array.from(head.attention),
    delta: head.delta,
    dense: Array.from(head.dense),
    sparse: Array.from(head.sparse),
    errorNorm: outputErrorNorm(head.dense, head.sparse),
    errorBound: info.outputErrorBoundDiameter(head.delta, keptDroppedDiameter(V, keep as ArrayLike<number>)),
    errorBoundMaxNorm: info.outputErrorBoundMaxNorm(head.delta, maxRowNorm(V)),
    entropy,
    entropySparse,
    tv: info.totalVariation(head.attention, head.sparseAttention),
    klSparseToDense: info.klDivergence(head.sparseAttention, head.attention),
    klSparseToDenseIdentity: head.delta < 1 ? info.klSparseToDense(head.delta) : null,
  };
}

/** Reference quantities for a joint law of queries and attended indices. */
export function evaluateJointLaw(input: Record<string, unknown>) {
  const law = info.sparseJointLaw({ pi: input.pi as ArrayLike<number>, attention: input.attention as ArrayLike<number>[], keep: input.keep as ArrayLike<number>[] });
  const n = (input.attention as ArrayLike<number>[])[0]!.length;
  const inDomain = n >= 2 && law.deltaBar <= 1 - 1 / n;
  return {
    deltaBar: law.deltaBar,
    deltas: Array.from(law.deltas),
    mi: law.mi,
    miSparse: law.miSparse,
    miLoss: law.miLoss,
    bounds: {
      // mutual-information.loss-bound: 2[h(δ̄) + δ̄ ln(N−1)], valid for δ̄ ≤ 1 − 1/N (null outside).
      miLossBound: inDomain ? info.miLossBound(law.deltaBar, n) : null,
      // mutual-information.loss-bound-sharp: one-sided, from the per-query δ(x) and k_x.
      sharp: info.miLossSharpBounds({ pi: input.pi as ArrayLike<number>, deltas: law.deltas, keptSizes: law.keptSizes, n }),
      // mutual-information.loss-bound-union: h(δ̄) + δ̄ ln min(|∪D|, |L|) above, h(δ̄) + δ̄ ln min(|∪S|, |L|) below.
      union: info.miLossUnionBounds({
        deltaBar: law.deltaBar,
        n,
        droppedUnionSize: law.droppedUnionSize,
        keptUnionSize: law.keptUnionSize,
        lossyQueryCount: law.lossyQueryCount,
      }),
      fannesAudenaert: inDomain ? info.fannesAudenaertBound(law.deltaBar, n) : null,
      trivial: Math.log(n),
    },
  };
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'print the reference quantities of a JSON input (single head or joint law) as JSON',
  usage: 'prhs eval FILE',
  options: {
    json: { type: 'boolean', description: 'accepted for uniformity; output is always JSON' },
  },
  run(args, io) {
    const [file, ...extra] = args.positionals;
    if (file === undefined) throw new InvalidArgumentError('FILE', 'a path to a JSON input file', 'nothing', 'type');
    if (extra.length > 0) throw new InvalidArgumentError('FILE', 'exactly one file', `${args.positionals.length} arguments`, 'type');
    const input = readJson(file);
    const isJointLaw = 'pi' in input;
    const isSingleHead = 'q' in input;
    if (isJointLaw === isSingleHead) {
      throw new InvalidArgumentError('FILE', 'either a single-head object with "q","K","V","keep" or a joint law with "pi","attention","keep"', `an object with keys ${Object.keys(input).join(', ') || '(none)'}`, 'type');
    }
    const output = isJointLaw ? evaluateJointLaw(input) : evaluateSingleHead(input);
    io.stdout(JSON.stringify(output, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value)) + '\n');
    return 0;
  },
};
