/**
 * The property generators' edge cases (properties/generators.ts) as kernel inputs: one head
 * (batch 1, one query head, one KV head) whose logits are exactly the family's values rounded to
 * fp32. With d = 64, scale = 1/8, q = e_0 and k_i[0] = 8·z_i (exact in fp32), scale·q·k_i = z_i
 * exactly; the other key columns are seeded normals that the zero query entries cancel exactly.
 */
import { expandLogits, type LogitFamily } from '../../properties/generators.js';
import { referenceDecode, referenceSparse } from '../backends/reference/float64Kernels.js';
import { topKUnchecked } from '../core/topK.js';
import { gaussianSource } from './randomInputs.js';

export const edgeCaseHeadDim = 64;
const scale = 1 / 8;

/** A tensor of a case: float32, float64 or int32 data with its shape. */
export interface CaseTensorData {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Int32Array;
}

export interface EdgeCase {
  readonly name: string;
  readonly description: string;
  readonly claims: readonly string[];
  readonly tensors: ReadonlyMap<string, CaseTensorData>;
  readonly metadata: Readonly<Record<string, string>>;
}

interface CaseSpec {
  readonly name: string;
  readonly description: string;
  readonly claims: readonly string[];
  readonly logits: readonly number[];
  /** Index list of sparse attention (its float64 output is stored as reference_out_sparse). */
  readonly indices?: readonly number[];
  /** k of the stored exact top-k (topk_reference), default min(16, N). */
  readonly topK?: number;
}

function buildCase(spec: CaseSpec, valueDim: number, seed: number): EdgeCase {
  const n = spec.logits.length;
  const d = edgeCaseHeadDim;
  const z = Float32Array.from(spec.logits);
  const normal = gaussianSource(seed);
  const q = new Float32Array(d);
  q[0] = 1;
  const k = new Float32Array(n * d).map(() => normal());
  for (let i = 0; i < n; i++) k[i * d] = 8 * z[i]!;
  const v = new Float32Array(n * valueDim).map(() => normal());
  const shape = { batch: 1, queryHeads: 1, kvHeads: 1, tokens: n, headDim: d, valueDim };
  const x = { shape, query: Float64Array.from(q), keys: Float64Array.from(k), values: Float64Array.from(v), scale };
  const topK = spec.topK ?? Math.min(16, n);
  const tensors = new Map<string, CaseTensorData>([
    ['q', { shape: [1, 1, d], data: q }],
    ['k', { shape: [1, 1, n, d], data: k }],
    ['v', { shape: [1, 1, n, valueDim], data: v }],
    ['logits', { shape: [1, 1, n], data: Float64Array.from(z) }],
    ['reference_out', { shape: [1, 1, valueDim], data: referenceDecode(x) }],
    ['topk_reference', { shape: [1, 1, topK], data: topKUnchecked(z, topK) }],
  ]);
  if (spec.indices) {
    const indices = Int32Array.from(spec.indices);
    tensors.set('indices', { shape: [1, 1, indices.length], data: indices });
    tensors.set('reference_out_sparse', {
      shape: [1, 1, valueDim],
      data: referenceSparse(x, { indices, selected: indices.length }),
    });
  }
  return {
    name: spec.name,
    description: spec.description,
    claims: spec.claims,
    tensors,
    metadata: { dtype: 'fp32', scale: String(scale) },
  };
}

const family = (f: LogitFamily, n: number, seed: number, level: number) => expandLogits(f, n, seed, level);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const softmax = 'reference.softmax-stable';
const topKOrder = 'reference.topk-order';

/** The exported edge cases, at N tokens for the families (default 1024). */
export function edgeCases(tokens = 1024, valueDim = 64): EdgeCase[] {
  const specs: CaseSpec[] = [
    {
      name: 'ties',
      description: 'exact ties: at most three distinct logits (0, 2.5, 5)',
      claims: [topKOrder, softmax],
      logits: family('ties', tokens, 1, 2.5),
    },
    {
      name: 'near-ties',
      description: 'near-ties: logits within 1e-12 relative of 3, rounded to fp32 (one-ulp gaps and exact ties)',
      claims: [topKOrder, softmax],
      logits: family('near-ties', tokens, 2, 3),
    },
    {
      name: 'one-hot',
      description: 'one-hot row: one logit +80, the rest -80 (attention all on one token)',
      claims: [softmax],
      logits: family('one-hot', tokens, 3, 0),
    },
    {
      name: 'uniform',
      description: 'uniform row: every logit equal (attention 1/N each)',
      claims: [softmax, topKOrder],
      logits: family('uniform', tokens, 4, 7),
    },
    {
      name: 'huge',
      description: 'huge logits: about half near +80, the rest in [-80, 0] (overflows exp without the max subtraction)',
      claims: [softmax],
      logits: family('huge', tokens, 5, 0),
    },
    {
      name: 'huge-negative',
      description: 'every logit near -80 (underflows exp without the max subtraction)',
      claims: [softmax],
      logits: family('huge', tokens, 6, 0).map((z) => -Math.abs(z)),
    },
    {
      name: 'n1',
      description: 'N = 1: a single token (output = its value row)',
      claims: [softmax],
      logits: [0.5],
      topK: 1,
    },
    {
      name: 'k0',
      description: 'top-k with k = 0 (an empty result) over tied logits',
      claims: [topKOrder],
      logits: family('ties', tokens, 7, 1),
      topK: 0,
    },
    {
      name: 'kN',
      description:
        'k = N: sparse attention over every token equals dense; top-k of all N is the full (score desc, index asc) order',
      claims: [topKOrder, 'output-error.bound'],
      logits: family('ties', tokens, 8, 0.5),
      indices: range(tokens),
      topK: tokens,
    },
  ];
  return specs.map((spec, i) => buildCase(spec, valueDim, 1000 + i));
}
