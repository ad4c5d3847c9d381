export * from './halfPrecision.js';
export * from './storage.js';
