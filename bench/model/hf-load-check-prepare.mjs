#!/usr/bin/env node
// Writes the small random checkpoints that bench/model/hf_load_check.py loads with transformers,
// one per feature of the config and layout: `npm run build && node bench/model/hf-load-check-prepare.mjs [DIR]`
// (default .device/hf-check, which the device tool carries when named in `carry`).
import { join } from 'node:path';
import { writeRandomCheckpoint } from '../../dist/src/model/randomCheckpoint.js';
import { modelPresets } from '../../dist/src/model/presets.js';

const root = process.argv[2] ?? '.device/hf-check';
const tiny = modelPresets.tiny;
const variants = {
  'llama-fp32': { config: tiny },
  'llama-bf16-llama3-tied': {
    config: {
      ...tiny,
      dtype: 'bf16',
      tieWordEmbeddings: true,
      ropeTheta: 500000,
      ropeScaling: {
        type: 'llama3',
        factor: 8,
        lowFreqFactor: 1,
        highFreqFactor: 4,
        originalMaxPositionEmbeddings: 128,
      },
    },
  },
  'llama-fp16-linear-bias-headdim': {
    config: {
      ...tiny,
      dtype: 'fp16',
      qkvBias: true,
      outputBias: true,
      headDim: 32,
      ropeScaling: { type: 'linear', factor: 2 },
    },
  },
  'mistral-fp16-sharded': {
    config: { ...tiny, architecture: 'MistralForCausalLM', dtype: 'fp16', ropeTheta: 1e6 },
    maxShardBytes: 40_000,
  },
  'qwen2-bf16': {
    config: { ...tiny, architecture: 'Qwen2ForCausalLM', dtype: 'bf16', qkvBias: true, rmsNormEps: 1e-6 },
  },
};
for (const [name, { config, maxShardBytes }] of Object.entries(variants)) {
  const written = writeRandomCheckpoint({
    directory: join(root, name),
    config,
    seed: 1,
    maxShardBytes,
    overwrite: true,
  });
  console.log(`${name}: ${written.weightFiles.length} file(s), ${written.totalBytes} bytes`);
}
