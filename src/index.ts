/**
 * prhs as a library: the float64 reference (core), information measures and bounds (info), and the
 * claims registry with its runner.
 */
export * as core from './core/index.js';
export * as info from './info/index.js';
export { claims, findClaim, topicOf } from './claims/registry.js';
export { runClaim, type ClaimResult, type ClaimRunOptions } from './claims/runClaim.js';
export type { Claim, ClaimStatement, ClaimStatus, ClaimExpectation, ClaimSource } from './claims/claim.js';
