export * from './kernelBackend.js';
export * from './registry.js';
export { referenceBackend } from './reference/referenceBackend.js';
