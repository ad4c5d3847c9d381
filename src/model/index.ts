/**
 * `prhs/model`: LLaMA-family decoder models. Configs (HF config.json, presets), checkpoints (load,
 * write, random ones), decode engines by backend name (the float64 reference, the CPU kernels,
 * CUDA), the float64 decoder reference they are checked against (theory/model.md), a prhs
 * selector inside the decode loop, and teacher-forced cross-entropy.
 */
export {
  parseModelConfig,
  validateModelConfig,
  modelConfigToJson,
  modelArchitectures,
  weightDtypes,
  ModelConfigError,
  type ModelConfig,
  type ModelArchitecture,
  type WeightDtype,
  type RopeScaling,
} from './config.js';
export { modelPreset, modelPresets, modelPresetNames, type ModelPresetName } from './presets.js';
export {
  loadCheckpoint,
  CheckpointError,
  type Checkpoint,
  type CheckpointTensor,
  type ElementRange,
} from './checkpoint.js';
export {
  writeCheckpoint,
  type WriteCheckpointOptions,
  type WrittenCheckpoint,
  type CheckpointTensorSpec,
  type WriteProgress,
} from './checkpointWriter.js';
export { writeRandomCheckpoint, defaultInitializerStd, type RandomCheckpointOptions } from './randomCheckpoint.js';
export { expectedTensors } from './tensorNames.js';
export { memoryWeightSource, fromTensors, type WeightSource, type MemoryWeightOptions } from './weightSource.js';
export type { DecodeEngine } from './engine.js';
export { createEngine } from './engines/createEngine.js';
export { createReferenceEngine } from './engines/referenceEngine.js';
export { createCpuEngine, createNaiveFloat32Engine } from './engines/cpuEngine.js';
export { NumericsEngine, type EngineSize } from './engines/numericsEngine.js';
export {
  decodeToken,
  type DecoderNumerics,
  type SelectionPolicy,
  type SelectionRequest,
  type KeptLists,
} from './decoder.js';
export { Float64Numerics, type Float64Weights } from './reference/float64Numerics.js';
export { attentionScale } from './numerics/roundedNumerics.js';
export { causalForward } from './reference/causalForward.js';
export { SelectorPolicy, type SelectorPolicyOptions, type SelectionStats } from './selection/selectorPolicy.js';
export { crossEntropy, type CrossEntropyResult } from './evaluate/crossEntropy.js';
