/**
 * `prhs/backends`: the kernel interface (KernelBackend, its tensor layouts and BackendPrecision),
 * the registry of our backends, the float64 reference backend, precision models to declare a
 * backend's rounding, the storage codecs (fp32/fp16/bf16 inputs as float64 and back), and the
 * loader of a user's own backend module.
 */
export * from './kernelBackend.js';
export * from './registry.js';
export { referenceBackend, referencePrecision } from './reference/referenceBackend.js';
export { blockedSumDepth, cpuPrecision } from './cpuBackend.js';
export { checkKernelBackend, loadBackendModule } from './backendModule.js';
export {
  decodeStorage,
  encodeStorage,
  storageDtypes,
  type StorageArray,
  type StorageDtype,
} from '../numeric/storage.js';
