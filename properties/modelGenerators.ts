/**
 * Generators of small LLaMA-family models for the model claims (theory/model.md): every feature
 * the reference implements (GQA groups, q/k/v and o_proj biases, tied heads, RoPE scalings, the
 * three weight dtypes) in sizes a property can run hundreds of times. A model is a JSON config
 * plus a weight seed, so counterexamples store and replay.
 */
import fc from 'fast-check';
import type { ModelConfig, RopeScaling } from '../src/model/config.js';

const ropeScalings: fc.Arbitrary<RopeScaling> = fc.oneof(
  fc.constant<RopeScaling>({ type: 'none' }),
  fc.constantFrom<RopeScaling>({ type: 'linear', factor: 2 }, { type: 'linear', factor: 8 }),
  fc.constant<RopeScaling>({
    type: 'llama3',
    factor: 8,
    lowFreqFactor: 1,
    highFreqFactor: 4,
    originalMaxPositionEmbeddings: 16,
  }),
);

/** A small model config: 1–2 layers, 1–2 KV heads with groups of 1–3, even head dims 2–8. */
export const smallModelConfig: fc.Arbitrary<ModelConfig> = fc
  .record({
    architecture: fc.constantFrom('LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM') as fc.Arbitrary<
      ModelConfig['architecture']
    >,
    layers: fc.integer({ min: 1, max: 2 }),
    kvHeads: fc.integer({ min: 1, max: 2 }),
    group: fc.integer({ min: 1, max: 3 }),
    headDim: fc.constantFrom(2, 4, 8),
    hiddenSize: fc.constantFrom(4, 8, 12),
    intermediateSize: fc.integer({ min: 2, max: 20 }),
    vocabSize: fc.integer({ min: 2, max: 24 }),
    bias: fc.boolean(),
    tieWordEmbeddings: fc.boolean(),
    ropeTheta: fc.constantFrom(10, 10000, 500000),
    ropeScaling: ropeScalings,
    dtype: fc.constantFrom('fp32', 'fp16', 'bf16') as fc.Arbitrary<ModelConfig['dtype']>,
  })
  .map((r): ModelConfig => ({
    architecture: r.architecture,
    vocabSize: r.vocabSize,
    hiddenSize: r.hiddenSize,
    intermediateSize: r.intermediateSize,
    layers: r.layers,
    queryHeads: r.kvHeads * r.group,
    kvHeads: r.kvHeads,
    headDim: r.headDim,
    rmsNormEps: 1e-5,
    ropeTheta: r.ropeTheta,
    ropeScaling: r.ropeScaling,
    maxPositionEmbeddings: 64,
    tieWordEmbeddings: r.tieWordEmbeddings,
    qkvBias: r.architecture === 'Qwen2ForCausalLM' || (r.architecture === 'LlamaForCausalLM' && r.bias),
    outputBias: r.architecture === 'LlamaForCausalLM' && r.bias,
    dtype: r.dtype,
    bosTokenId: null,
    eosTokenId: null,
  }));

/** Weight seed and scale: small weights (near-uniform attention) and large ones (peaked). */
export const weightChoice = fc.record({ seed: fc.integer(), std: fc.constantFrom(0.05, 0.3, 1) });

/** Token ids, reduced modulo the vocabulary by the property. */
export const tokenIds = fc.array(fc.nat({ max: 1 << 20 }), { minLength: 1, maxLength: 12 });
