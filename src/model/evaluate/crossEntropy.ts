/**
 * Teacher-forced cross-entropy of a token sequence under an engine: the tokens are appended one
 * at a time, and each position from `scoreFrom` on is scored by −ln p(next token) under the
 * logits of the position before it. With a selection policy in the engine, this is the model's
 * loss with that selector in the decode loop (positions before the policy's decodeFrom attend
 * densely).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { logSumExpUnchecked } from '../../core/softmax.js';
import type { DecodeEngine } from '../engine.js';

export interface CrossEntropyResult {
  /** Tokens scored. */
  readonly scored: number;
  /** Mean −ln p per scored token (nats), and in bits. */
  readonly natsPerToken: number;
  readonly bitsPerToken: number;
  /** −ln p of each scored token, in order. */
  readonly losses: Float64Array;
}

export function crossEntropy(
  engine: DecodeEngine,
  tokens: Int32Array,
  scoreFrom: number,
  onToken?: (done: number, total: number) => void,
): CrossEntropyResult {
  if (engine.batch !== 1) throw new InvalidArgumentError('engine.batch', '1', String(engine.batch), 'domain');
  if (!Number.isInteger(scoreFrom) || scoreFrom < 1 || scoreFrom >= tokens.length) {
    throw new InvalidArgumentError(
      'scoreFrom',
      `an integer in [1, ${tokens.length - 1}] (tokens before it are context only)`,
      String(scoreFrom),
      'range',
    );
  }
  const vocab = engine.config.vocabSize;
  engine.reset();
  const losses = new Float64Array(tokens.length - scoreFrom);
  let logits = engine.append(tokens.subarray(0, scoreFrom), scoreFrom);
  for (let t = scoreFrom; t < tokens.length; t++) {
    const row = Float64Array.from(logits.subarray(0, vocab));
    losses[t - scoreFrom] = logSumExpUnchecked(row) - row[tokens[t]!]!;
    if (t < tokens.length - 1) logits = engine.append(tokens.subarray(t, t + 1), 1);
    onToken?.(t - scoreFrom + 1, losses.length);
  }
  const nats = losses.reduce((a, b) => a + b, 0) / losses.length;
  return { scored: losses.length, natsPerToken: nats, bitsPerToken: nats / Math.LN2, losses };
}
