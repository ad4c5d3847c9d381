/**
 * The float64 reference and the naive fp32 numerics give the same bits as the implementations they
 * replaced (one shared element-wise core with the rounding passed in): the logits of a seeded
 * random model, dense and sparse, at each dtype, hashed (SHA-256 over the logits' bytes). The
 * hashes were recorded from the two separate classes before they were merged.
 */
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../../src/model/config.js';
import type { SelectionPolicy } from '../../../src/model/decoder.js';
import { createNaiveFloat32Engine } from '../../../src/model/engines/cpuEngine.js';
import type { NumericsEngine } from '../../../src/model/engines/numericsEngine.js';
import { createReferenceEngine } from '../../../src/model/engines/referenceEngine.js';
import { modelPresets } from '../../../src/model/presets.js';
import { memoryWeightSource } from '../../../src/model/weightSource.js';
import { bitsHash } from '../../setup/bitsHash.js';

const tiny = modelPresets.tiny as ModelConfig;

/** Every query head keeps the even positions and the newest one (−1 padding past the count). */
const evenPositions: SelectionPolicy = {
  select: ({ position }) => {
    const selected = Math.floor(position / 2) + 2;
    const indices = new Int32Array(tiny.queryHeads * selected).fill(-1);
    for (let h = 0; h < tiny.queryHeads; h++) {
      let j = 0;
      for (let i = 0; i < position; i += 2) indices[h * selected + j++] = i;
      indices[h * selected + j] = position;
    }
    return { indices, selected };
  },
};

function logitsHash(engine: NumericsEngine, sparse: boolean): string {
  if (sparse) engine.setSelectionPolicy(evenPositions);
  const prompt = Int32Array.from({ length: 2 * 6 }, (_, i) => (i * 53 + 7) % tiny.vocabSize);
  const logits = [engine.append(prompt, 6)];
  for (let step = 0; step < 4; step++)
    logits.push(engine.append(Int32Array.of((step * 31 + 5) % 256, (step * 17 + 3) % 256), 1));
  return bitsHash(logits);
}

const cases: readonly { readonly name: string; readonly config: ModelConfig }[] = [
  { name: 'fp32', config: { ...tiny, dtype: 'fp32' } },
  {
    name: 'fp16 with q/k/v biases and llama3 RoPE scaling',
    config: {
      ...tiny,
      dtype: 'fp16',
      qkvBias: true,
      architecture: 'Qwen2ForCausalLM',
      ropeScaling: {
        type: 'llama3',
        factor: 8,
        lowFreqFactor: 1,
        highFreqFactor: 4,
        originalMaxPositionEmbeddings: 64,
      },
    },
  },
  {
    name: 'bf16 with linear RoPE scaling',
    config: { ...tiny, dtype: 'bf16', ropeScaling: { type: 'linear', factor: 2 } },
  },
];

const recorded: Record<string, { readonly reference: string; readonly naiveFloat32: string }> = {
  'fp32, dense': { reference: '03c979eb0daf3d9d01aac1ab0f828e60', naiveFloat32: '8b01b65ebb50dcfcf8533c2ca377325f' },
  'fp32, sparse': { reference: '4e96bc0b4c5bee3bbedc212adda7bb3d', naiveFloat32: '5481535c2134412528c37a773457d72e' },
  'fp16 with q/k/v biases and llama3 RoPE scaling, dense': {
    reference: 'dd5a3ea19907d31471fcd1881ab5ddd2',
    naiveFloat32: 'ef4c3433deb88245153348f50f066062',
  },
  'fp16 with q/k/v biases and llama3 RoPE scaling, sparse': {
    reference: '40c46a8937bbe8bc8ffb2d08cbcdd165',
    naiveFloat32: 'f4a0530240a54103aeb7832e32dc3af1',
  },
  'bf16 with linear RoPE scaling, dense': {
    reference: '8bcf343778d60d6c0960e51bdc1a8b7d',
    naiveFloat32: 'b0427955aeec618f6512285c1125d68e',
  },
  'bf16 with linear RoPE scaling, sparse': {
    reference: '8f8efc1f2ccc34be63afc8e1be0c06c5',
    naiveFloat32: '0c68379a35aabe9cbc7e98103eec0a60',
  },
};

describe('decoder numerics give the recorded bits', () => {
  for (const { name, config } of cases) {
    for (const sparse of [false, true]) {
      it(`${name}, ${sparse ? 'sparse' : 'dense'}: the reference and the naive fp32 logits`, () => {
        const source = memoryWeightSource(config, { seed: 11, std: 0.4 });
        const size = { batch: 2, capacity: 16 };
        const got = {
          reference: logitsHash(createReferenceEngine(source, size), sparse),
          naiveFloat32: logitsHash(createNaiveFloat32Engine(source, size), sparse),
        };
        expect(got).toEqual(recorded[`${name}, ${sparse ? 'sparse' : 'dense'}`]);
      });
    }
  }
});
