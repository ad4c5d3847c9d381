/**
 * The backend registry: which kernel backends exist, which loaded, and why the others did not.
 * Loading never throws; `PRHS_REQUIRE_BACKEND=cpu[,cuda]` lets tests and CI turn an absent backend
 * into a failure instead of a silent fallback to the reference.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { loadCpuBackend } from './cpuBackend.js';
import { loadCudaBackend } from './cudaBackend.js';
import { backendNames, type BackendLoad, type BackendName, type KernelBackend } from './kernelBackend.js';
import { referenceBackend } from './reference/referenceBackend.js';

const loaders: Readonly<Record<BackendName, () => BackendLoad>> = {
  reference: () => ({ loaded: true, backend: referenceBackend, detail: {} }),
  cpu: loadCpuBackend,
  cuda: loadCudaBackend,
};

const loads = new Map<BackendName, BackendLoad>();

/** Loads (once) and reports one backend. */
export function loadBackend(name: BackendName): BackendLoad {
  let load = loads.get(name);
  if (!load) {
    try {
      load = loaders[name]();
    } catch (error) {
      load = {
        loaded: false,
        name,
        reason: `loading threw: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    loads.set(name, load);
  }
  return load;
}

/** Every backend's load status, in registry order. */
export function backendStatuses(): BackendLoad[] {
  return backendNames.map(loadBackend);
}

/** The backends that loaded. The reference always does. */
export function availableBackends(): KernelBackend[] {
  return backendStatuses().flatMap((load) => (load.loaded ? [load.backend] : []));
}

export function parseBackendName(argument: string, value: unknown): BackendName {
  if (!backendNames.includes(value as BackendName))
    throw new InvalidArgumentError(argument, `one of ${backendNames.join(', ')}`, describe(value), 'domain');
  return value as BackendName;
}

/** The backends PRHS_REQUIRE_BACKEND names (comma-separated), validated. */
export function requiredBackends(env: Readonly<Record<string, string | undefined>> = process.env): BackendName[] {
  const raw = env.PRHS_REQUIRE_BACKEND ?? '';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => parseBackendName('PRHS_REQUIRE_BACKEND', s));
}

/** A backend that must be present: its failure to load becomes an error carrying the reason. */
export function requireBackend(name: BackendName): KernelBackend {
  const load = loadBackend(name);
  if (!load.loaded) throw new BackendUnavailableError(name, load.reason);
  return load.backend;
}

export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
  ) {
    super(`backend ${backend} is not available: ${reason}`);
  }
}
