/**
 * Teacher-forced decoding of many branches that share a dense prefix: dense attention and each
 * selector in the loop, over the same long context, without re-running the context for every
 * branch. At 4K context the dense prefix is almost all of the work (the CPU engine runs one token
 * at a time), so a quality table over a dozen selectors at three budgets needs it run once.
 *
 * Why not a DecodeEngine: an engine only appends. `decodeToken` takes the position explicitly and
 * writes that position's key and value before attending over positions 0 … position, so going
 * back to an earlier position is just decoding there again: cache entries past it are overwritten
 * before anything reads them. A branch therefore gives the same logits, bit for bit, as a fresh
 * engine fed the same tokens with the same policy (test/model/evaluate/sharedPrefixDecoder.test.ts).
 *
 * The dense prefix is recorded (keys and values, rounded to fp32 as a trace stores them) by a
 * SelectorPolicy without selector; a branch's SelectorPolicy gets a copy of that record, re-runs
 * its warm-up prompt positions densely (they are shown to the selector through observe()), then
 * decodes sparsely from `decodeFrom`.
 *
 * The prefix can move between processes: `exportPrefix` gives its tokens with the exact keys and
 * values the engine cached (kept in float64 beside the fp32 record while the prefix runs), and
 * `importPrefix` appends those to another decoder's engine cache and record, which then holds what
 * running the same tokens would have put there, so its branches give the same results bit for bit.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { logSumExpUnchecked } from '../../core/softmax.js';
import type { Selector } from '../../selectors/selector.js';
import { keyOffset, valueOffset, type Trace } from '../../traces/trace.js';
import type { ModelConfig } from '../config.js';
import { decodeToken, type DecoderNumerics, type SelectionPolicy, type SelectionRequest } from '../decoder.js';
import { SelectorPolicy } from '../selection/selectorPolicy.js';
import type { PrefixState } from './prefixState.js';

export interface BranchRequest {
  /** The whole token sequence of this branch (at most the decoder's capacity). */
  readonly tokens: Int32Array;
  /** First position attended sparsely; tokens from here on are scored (as `crossEntropy`'s scoreFrom). */
  readonly decodeFrom: number;
  /** The branch's selector, one per branch; null runs dense attention. */
  readonly createSelector: (() => Selector) | null;
}

export interface BranchResult {
  /** −ln p(tokens[t]) for t = decodeFrom … tokens.length − 1, from the logits of position t − 1. */
  readonly losses: Float64Array;
  /** The greedy choice (first arg max of those logits) for each scored position. */
  readonly greedy: Int32Array;
  /** Dropped mass δ of every sparse head-step, in the SelectorPolicy's recording order; empty when dense. */
  readonly delta: readonly number[];
  /** The layer of each δ (same order). */
  readonly deltaLayer: readonly number[];
  /** Positions each sparse head-step kept, and whether its selector re-scored the cache (1) or not (0). */
  readonly keptSize: readonly number[];
  readonly retrieved: readonly number[];
  /** Largest ‖v‖ (float64 of the fp32 record) over the branch's positions, per [layer][kvHead]; null when dense. */
  readonly maxValueNorm: number[][] | null;
}

/** Warm-up prompt steps a SelectorPolicy shows its selector (its default). */
function observeSteps(decodeFrom: number): number {
  return Math.min(4, Math.max(0, decodeFrom - 1));
}

/** Positions 0 … n − 1 that a branch decoding from `decodeFrom` takes from the dense prefix. */
export function sharedPositions(decodeFrom: number): number {
  return decodeFrom - observeSteps(decodeFrom);
}

export class SharedPrefixDecoder {
  private readonly recorder: SelectorPolicy;
  /** Tokens whose dense keys and values are in the cache and in the record, positions 0 … length − 1. */
  private readonly prefix: Int32Array;
  private prefixLength = 0;
  /** Per layer [capacity, kvHeads · headDim]: the prefix's keys and values as the engine got them. */
  private readonly exactKeys: Float64Array[];
  private readonly exactValues: Float64Array[];
  /** The recorder, keeping the exact keys and values too. */
  private readonly prefixPolicy: SelectionPolicy;

  constructor(
    private readonly numerics: DecoderNumerics,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 3)
      throw new InvalidArgumentError('capacity', 'an integer ≥ 3', String(capacity), 'range');
    this.recorder = new SelectorPolicy({
      config: numerics.config,
      createSelector: null,
      sequences: 1,
      capacity,
      decodeFrom: capacity - 1,
    });
    this.prefix = new Int32Array(capacity);
    const { layers, kvHeads, headDim } = numerics.config;
    this.exactKeys = Array.from({ length: layers }, () => new Float64Array(capacity * kvHeads * headDim));
    this.exactValues = Array.from({ length: layers }, () => new Float64Array(capacity * kvHeads * headDim));
    this.prefixPolicy = {
      select: (request: SelectionRequest) => {
        const at = request.position * kvHeads * headDim;
        this.exactKeys[request.layer]!.set(request.key, at);
        this.exactValues[request.layer]!.set(request.value, at);
        return this.recorder.select(request);
      },
    };
  }

  get config(): ModelConfig {
    return this.numerics.config;
  }

  /** Decodes one branch: the dense prefix it shares with earlier runs is reused, the rest is run. */
  run(request: BranchRequest): BranchResult {
    const { tokens, decodeFrom } = request;
    this.checkCapacity(tokens);
    if (!Number.isInteger(decodeFrom) || decodeFrom < 1 || decodeFrom >= tokens.length) {
      throw new InvalidArgumentError(
        'decodeFrom',
        `an integer in [1, ${tokens.length - 1}]`,
        String(decodeFrom),
        'range',
      );
    }
    const start = decodeFrom - observeSteps(decodeFrom);
    this.extendPrefix(tokens, start);
    const policy =
      request.createSelector === null
        ? null
        : new SelectorPolicy({
            config: this.config,
            createSelector: request.createSelector,
            sequences: 1,
            capacity: this.capacity,
            decodeFrom,
          });
    if (policy !== null) this.copyRecord(policy.traces[0]!, start);
    const scored = tokens.length - decodeFrom;
    const losses = new Float64Array(scored);
    const greedy = new Int32Array(scored);
    for (let position = start; position < tokens.length - 1; position++) {
      const logits = decodeToken(this.numerics, 0, tokens[position]!, position, policy);
      const t = position + 1 - decodeFrom;
      if (t < 0) continue;
      const row = Float64Array.from(logits.subarray(0, this.config.vocabSize));
      losses[t] = logSumExpUnchecked(row) - row[tokens[position + 1]!]!;
      greedy[t] = argMax(row);
    }
    // Positions from `start` on now hold this branch's keys, not the dense prefix's.
    this.prefixLength = Math.min(this.prefixLength, start);
    const deltaLayer =
      policy === null
        ? []
        : policy.stats.delta.map((_, i) => Math.floor(i / this.config.queryHeads) % this.config.layers);
    const stats = policy?.stats ?? { delta: [], keptSize: [], retrieved: [] };
    return {
      losses,
      greedy,
      delta: stats.delta,
      deltaLayer,
      keptSize: stats.keptSize,
      retrieved: stats.retrieved,
      maxValueNorm: policy === null ? null : maxValueNorms(policy.traces[0]!, tokens.length - 1),
    };
  }

  /** Runs `tokens` densely (reusing the prefix they share) so that the prefix is exactly them. */
  prefill(tokens: Int32Array): void {
    this.checkCapacity(tokens);
    this.extendPrefix(tokens, tokens.length);
  }

  private checkCapacity(tokens: Int32Array): void {
    if (tokens.length > this.capacity)
      throw new InvalidArgumentError(
        'tokens',
        `at most ${this.capacity} tokens (the capacity)`,
        String(tokens.length),
        'length',
      );
  }

  /** The dense prefix (tokens, exact keys and values) for `importPrefix` in another decoder. */
  exportPrefix(): PrefixState {
    const length = this.prefixLength;
    const width = this.config.kvHeads * this.config.headDim;
    const keys = new Float64Array(this.config.layers * length * width);
    const values = new Float64Array(keys.length);
    for (let layer = 0; layer < this.config.layers; layer++) {
      keys.set(this.exactKeys[layer]!.subarray(0, length * width), layer * length * width);
      values.set(this.exactValues[layer]!.subarray(0, length * width), layer * length * width);
    }
    return { tokens: this.prefix.slice(0, length), layers: this.config.layers, width, keys, values };
  }

  /** Makes `state` (another decoder's exportPrefix, same model) this decoder's dense prefix. */
  importPrefix(state: PrefixState): void {
    const { layers, kvHeads, headDim } = this.config;
    const width = kvHeads * headDim;
    const length = state.tokens.length;
    if (state.layers !== layers || state.width !== width)
      throw new InvalidArgumentError(
        'state',
        `a prefix of this model (${layers} layers, ${width} = kvHeads · headDim)`,
        `${state.layers} layers, width ${state.width}`,
        'shape',
      );
    if (
      length > this.capacity ||
      state.keys.length !== layers * length * width ||
      state.values.length !== state.keys.length
    )
      throw new InvalidArgumentError(
        'state',
        `at most ${this.capacity} positions with [layers, positions, width] keys and values`,
        `${length} positions, ${state.keys.length} keys, ${state.values.length} values`,
        'length',
      );
    const trace = this.recorder.traces[0]!;
    for (let layer = 0; layer < layers; layer++) {
      const keys = state.keys.subarray(layer * length * width, (layer + 1) * length * width);
      const values = state.values.subarray(layer * length * width, (layer + 1) * length * width);
      this.exactKeys[layer]!.set(keys);
      this.exactValues[layer]!.set(values);
      for (let position = 0; position < length; position++) {
        const k = keys.subarray(position * width, (position + 1) * width);
        const v = values.subarray(position * width, (position + 1) * width);
        this.numerics.appendKeyValue(layer, 0, position, k, v);
        // The fp32 record, as SelectorPolicy's record() rounds it.
        for (let h = 0; h < kvHeads; h++) {
          trace.keys.set(k.subarray(h * headDim, (h + 1) * headDim), keyOffset(trace, layer, h) + position * headDim);
          trace.values.set(
            v.subarray(h * headDim, (h + 1) * headDim),
            valueOffset(trace, layer, h) + position * headDim,
          );
        }
      }
    }
    this.prefix.set(state.tokens);
    this.prefixLength = length;
  }

  /** Runs tokens densely (recording them) until positions 0 … end − 1 hold tokens[0 … end − 1]. */
  private extendPrefix(tokens: Int32Array, end: number): void {
    let same = 0;
    while (same < Math.min(this.prefixLength, end) && this.prefix[same] === tokens[same]) same++;
    if (same === end) return;
    for (let position = same; position < end; position++) {
      decodeToken(this.numerics, 0, tokens[position]!, position, this.prefixPolicy);
      this.prefix[position] = tokens[position]!;
    }
    // What was recorded past `end` followed other tokens at positions same … end − 1.
    this.prefixLength = end;
  }

  /** Copies the recorded keys and values of positions 0 … length − 1 into a branch's trace. */
  private copyRecord(target: Trace, length: number): void {
    const source = this.recorder.traces[0]!;
    const { headDim: d, valueDim } = source;
    for (let layer = 0; layer < source.layers; layer++) {
      for (let kvHead = 0; kvHead < source.kvHeads; kvHead++) {
        const k = keyOffset(source, layer, kvHead);
        target.keys.set(source.keys.subarray(k, k + length * d), k);
        const v = valueOffset(source, layer, kvHead);
        target.values.set(source.values.subarray(v, v + length * valueDim), v);
      }
    }
  }
}

function argMax(row: Float64Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/** max over positions 0 … positions − 1 of ‖v‖₂, per [layer][kvHead]. */
function maxValueNorms(trace: Trace, positions: number): number[][] {
  const { valueDim } = trace;
  return Array.from({ length: trace.layers }, (_, layer) =>
    Array.from({ length: trace.kvHeads }, (_, kvHead) => {
      const from = valueOffset(trace, layer, kvHead);
      let best = 0;
      for (let p = 0; p < positions; p++) {
        let sum = 0;
        for (let c = 0; c < valueDim; c++) sum += trace.values[from + p * valueDim + c]! ** 2;
        best = Math.max(best, sum);
      }
      return Math.sqrt(best);
    }),
  );
}
