/**
 * A DecodeEngine over a `DecoderNumerics`: the reference and CPU engines run `decodeToken` for
 * each sequence and position; they differ only in their arithmetic. Token ids, counts and the
 * cache capacity are validated here, before anything runs, so a bad call changes no cache.
 */
import type { BackendName } from '../../backends/kernelBackend.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { ModelConfig } from '../config.js';
import { decodeToken, type DecoderNumerics, type SelectionPolicy } from '../decoder.js';
import type { DecodeEngine } from '../engine.js';

export interface EngineSize {
  /** Sequences decoded side by side (default 1). */
  readonly batch?: number;
  /** Most tokens per sequence (default: the model's max_position_embeddings). */
  readonly capacity?: number;
}

/** Validated batch and capacity for a model. */
export function engineSize(config: ModelConfig, size: EngineSize): { batch: number; capacity: number } {
  const batch = size.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1 || batch > 4096)
    throw new InvalidArgumentError('batch', 'an integer in [1, 4096]', String(batch), 'range');
  const capacity = size.capacity ?? config.maxPositionEmbeddings;
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > config.maxPositionEmbeddings) {
    throw new InvalidArgumentError(
      'capacity',
      `an integer in [1, ${config.maxPositionEmbeddings}] (max_position_embeddings)`,
      String(capacity),
      'range',
    );
  }
  return { batch, capacity };
}

/** Checks tokens [batch, count]: integer ids in [0, vocabSize), and room in the cache. */
export function checkAppend(
  config: ModelConfig,
  batch: number,
  capacity: number,
  length: number,
  tokens: Int32Array,
  count: number,
): void {
  if (!Number.isInteger(count) || count < 1)
    throw new InvalidArgumentError('count', 'a positive integer', String(count), 'integer');
  if (tokens.length !== batch * count)
    throw new InvalidArgumentError(
      'tokens',
      `${batch * count} ids ([batch ${batch}, count ${count}])`,
      `${tokens.length}`,
      'length',
    );
  if (length + count > capacity)
    throw new InvalidArgumentError(
      'tokens',
      `at most ${capacity - length} more tokens per sequence (cache capacity ${capacity}, ${length} used)`,
      `${count}`,
      'range',
    );
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i]!;
    if (id < 0 || id >= config.vocabSize)
      throw new InvalidArgumentError(`tokens[${i}]`, `a token id in [0, ${config.vocabSize})`, String(id), 'range');
  }
}

export class NumericsEngine implements DecodeEngine {
  private position = 0;
  private policy: SelectionPolicy | null = null;

  constructor(
    readonly backend: BackendName,
    private readonly numerics: DecoderNumerics,
    readonly batch: number,
    readonly capacity: number,
  ) {}

  get config(): ModelConfig {
    return this.numerics.config;
  }

  get length(): number {
    return this.position;
  }

  /** Chooses kept positions at every layer from now on (null: dense). */
  setSelectionPolicy(policy: SelectionPolicy | null): void {
    this.policy = policy;
  }

  append(tokens: Int32Array, count: number): Float64Array {
    checkAppend(this.config, this.batch, this.capacity, this.position, tokens, count);
    const vocab = this.config.vocabSize;
    const out = new Float64Array(this.batch * vocab);
    for (let t = 0; t < count; t++) {
      for (let b = 0; b < this.batch; b++) {
        const logits = decodeToken(this.numerics, b, tokens[b * count + t]!, this.position, this.policy);
        if (t === count - 1) out.set(logits, b * vocab);
      }
      this.position++;
    }
    return out;
  }

  reset(): void {
    this.position = 0;
  }

  dispose(): void {
    this.position = 0;
  }
}
