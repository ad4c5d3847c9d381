import { afterEach, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../../src/model/config.js';
import { cudaEngineDtype, cudaEngineSpec, loadCudaModelEngineClass } from '../../../src/model/engines/cudaEngine.js';
import { modelPresets } from '../../../src/model/presets.js';
import { modelInverseFrequencies } from '../../../src/model/rope.js';

const tiny = modelPresets.tiny as ModelConfig;
const llama1b = modelPresets['llama-1b'] as ModelConfig;

describe('cudaEngineSpec', () => {
  it('carries the config sizes, the RoPE inverse frequencies with the config scaling, and pages of 16 tokens', () => {
    const spec = cudaEngineSpec(llama1b, { batch: 4, capacity: 4096 });
    expect(spec).toMatchObject({
      layers: 16,
      hiddenSize: 2048,
      intermediateSize: 8192,
      queryHeads: 32,
      kvHeads: 8,
      headDim: 64,
      vocabSize: 128256,
      rmsNormEps: 1e-5,
      qkvBias: false,
      outputBias: false,
      tiedEmbeddings: true,
      dtype: 'bf16',
      batch: 4,
      capacity: 4096,
      pageSize: 16,
    });
    expect(spec.ropeInverseFrequencies).toEqual(modelInverseFrequencies(llama1b));
    expect(spec.ropeInverseFrequencies.length).toBe(32);
    // llama3 scaling divides the low frequencies by the factor (32): the last one is not 500000^(-62/64).
    expect(spec.ropeInverseFrequencies[31]).toBeCloseTo(500000 ** (-62 / 64) / 32, 15);
  });

  it('runs fp32 checkpoints in fp16 unless told otherwise, and keeps fp16/bf16 checkpoints in their dtype', () => {
    expect(cudaEngineDtype(tiny)).toBe('fp16');
    expect(cudaEngineDtype(tiny, 'bf16')).toBe('bf16');
    expect(cudaEngineDtype({ ...tiny, dtype: 'bf16' })).toBe('bf16');
    expect(cudaEngineDtype({ ...tiny, dtype: 'fp16' })).toBe('fp16');
  });

  it('rejects a batch above 64, a capacity above max_position_embeddings and an fp32 engine dtype, naming the argument', () => {
    expect(() => cudaEngineSpec(tiny, { batch: 65 })).toThrow(/^batch: expected an integer in \[1, 64\]/);
    expect(() => cudaEngineSpec(tiny, { capacity: tiny.maxPositionEmbeddings + 1 })).toThrow(/^capacity: /);
    expect(() => cudaEngineSpec(tiny, { dtype: 'fp32' as never })).toThrow(/^dtype: expected fp16 or bf16/);
  });
});

describe('loadCudaModelEngineClass', () => {
  const saved = process.env.PRHS_CUDA_ADDON;
  afterEach(() => {
    if (saved === undefined) delete process.env.PRHS_CUDA_ADDON;
    else process.env.PRHS_CUDA_ADDON = saved;
  });

  it('says why there is no engine when the addon path does not exist', () => {
    process.env.PRHS_CUDA_ADDON = '/nonexistent/prhs_cuda.node';
    expect(() => loadCudaModelEngineClass()).toThrow(
      /the CUDA engine needs the CUDA addon: PRHS_CUDA_ADDON points to \/nonexistent\/prhs_cuda.node/,
    );
  });
});
