/**
 * The one typed loader for native addons (the CPU addon now, the CUDA addon later). It never
 * throws: it returns the addon, or why it could not be loaded (not built, failed to load, built
 * from other sources).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../io/packageRoot.js';
import { kernelMethods } from './kernelBackend.js';

/** The raw entry points every prhs Node-API addon exports (native/src/binding.cpp). */
export interface NativeAddon {
  info(): { isa: string; sumBlock: number; abiVersion: number; sanitized: boolean; device?: string };
  scores(options: object): Float32Array;
  decodeAttention(options: object): Float32Array;
  sparseAttention(options: object): Float32Array;
  droppedMass(options: object): Float32Array;
  topK(options: object): Int32Array;
  pageSummaries(options: object): {
    minimum: Float32Array;
    maximum: Float32Array;
    center: Float32Array;
    radius: Float32Array;
    pages: number;
  };
  certifiedDroppedMass(options: object): Float64Array;
  /** y = x·Wᵀ in fp32: { weight [outFeatures, inFeatures], input [rows, inFeatures], rows, inFeatures, outFeatures } → [rows, outFeatures]. The CPU model engine's projections. */
  linear?(options: object): Float32Array;
  roundToStorage(options: object): Uint16Array;
  widenStorage(options: object): Float32Array;
  /** The backend's copy baseline: median seconds per copy of `bytes` (the CPU addon also takes `hugePages` and `evictBytes`). */
  memcpySeconds(options: object): number;
  /** MADV_HUGEPAGE on the whole 2 MiB pages inside the array; bytes advised. Absent from older or CUDA builds. */
  adviseHugePages?(array: ArrayBufferView): number;
  /** CPU addon only: reads `bytes` of a private buffer so earlier data leaves the caches; seconds taken. */
  evictCaches?(options: { bytes: number }): number;
  /** CPU addon only: seconds to load every cache line of the listed rows of `array` (the load-only ceiling of a sparse pass). */
  gatherSeconds?(options: {
    array: ArrayBufferView;
    rowBytes: number;
    indices: Int32Array;
    prefetchRows: number;
    streams?: number;
  }): number;
}

/** The binding's interface version this TypeScript expects. */
export const nativeAbiVersion = 1;

const entryPoints: readonly (keyof NativeAddon)[] = [
  'info',
  ...kernelMethods,
  'roundToStorage',
  'widenStorage',
  'memcpySeconds',
];

/**
 * Asks for transparent huge pages behind `array` (call it before filling the array: pages already
 * touched stay 4 KiB). Returns the bytes advised: 0 where the addon lacks the entry point, the
 * platform has no such advice, or the array spans no whole 2 MiB page. Throws (from the addon)
 * only for a non-TypedArray or a detached one.
 */
export function adviseHugePages(addon: NativeAddon, array: ArrayBufferView): number {
  return typeof addon.adviseHugePages === 'function' ? addon.adviseHugePages(array) : 0;
}

export type AddonLoad =
  | { readonly ok: true; readonly addon: NativeAddon; readonly path: string }
  | { readonly ok: false; readonly reason: string };

const cache = new Map<string, AddonLoad>();

/**
 * Loads `build/<folder>/Release/<file>` under the package root, or the path in the environment
 * variable `overrideVariable` when set (the AddressSanitizer run uses this).
 */
export function loadNativeAddon(folder: string, file: string, overrideVariable: string): AddonLoad {
  const override = process.env[overrideVariable];
  const path = override && override.length > 0 ? override : join(packageRoot(), 'build', folder, 'Release', file);
  const cached = cache.get(path);
  if (cached) return cached;
  const result = tryLoad(path, override !== undefined && override.length > 0 ? overrideVariable : undefined, folder);
  cache.set(path, result);
  return result;
}

/** The npm script that builds the addon of `folder` (build/native: the CPU addon, build/cuda: the CUDA one). */
function buildScript(folder: string): string {
  return folder === 'cuda' ? 'npm run build:cuda' : 'npm run build:native';
}

function tryLoad(path: string, fromVariable: string | undefined, folder: string): AddonLoad {
  if (!existsSync(path)) {
    const how = fromVariable
      ? `${fromVariable} points to ${path}, which does not exist`
      : `${path} does not exist (not built; run \`${buildScript(folder)}\`)`;
    return { ok: false, reason: how };
  }
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (error) {
    return {
      ok: false,
      reason: `${path} failed to load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  }
  const missing = entryPoints.filter(
    (name) => typeof (addon as unknown as Record<string, unknown>)[name] !== 'function',
  );
  if (missing.length > 0)
    return { ok: false, reason: `${path} lacks ${missing.join(', ')} (a stale build; run \`${buildScript(folder)}\`)` };
  try {
    const info = addon.info();
    if (info.abiVersion !== nativeAbiVersion)
      return {
        ok: false,
        reason: `${path} has binding version ${info.abiVersion}, expected ${nativeAbiVersion} (rebuild it)`,
      };
  } catch (error) {
    return { ok: false, reason: `${path}: info() failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { ok: true, addon, path };
}
