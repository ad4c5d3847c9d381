/**
 * A user's own kernel backend, loaded from a JavaScript module (`prhs check-kernels
 * --backend-module PATH`). The module exports a KernelBackend as `backend` or as its default
 * export (or a function returning one, possibly async); the backend may wrap WebAssembly or an
 * N-API addon. It declares its precision model (BackendPrecision), from which the harness derives
 * every error bound it is held to (theory/kernel-error.md).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { kernelMethods, type KernelBackend } from './kernelBackend.js';

const precisionNumbers = ['unitRoundoff', 'expError', 'probabilityRoundoff', 'outputRoundoff'] as const;

/** Checks that `value` has the KernelBackend shape; errors name `argument` and the missing member. */
export function checkKernelBackend(argument: string, value: unknown): KernelBackend {
  if (value === null || typeof value !== 'object')
    throw new InvalidArgumentError(
      argument,
      'a module exporting a KernelBackend object as `backend` or default',
      describe(value),
      'type',
    );
  const backend = value as Record<string, unknown>;
  if (typeof backend.name !== 'string' || backend.name === '')
    throw new InvalidArgumentError(`${argument}: name`, 'a non-empty string', describe(backend.name), 'type');
  if (typeof backend.description !== 'string')
    throw new InvalidArgumentError(`${argument}: description`, 'a string', describe(backend.description), 'type');
  for (const method of kernelMethods) {
    if (typeof backend[method] !== 'function')
      throw new InvalidArgumentError(
        `${argument}: ${method}`,
        'a function (every KernelBackend kernel; see src/backends/kernelBackend.ts)',
        describe(backend[method]),
        'type',
      );
  }
  const precision = backend.precision as Record<string, unknown> | null | undefined;
  if (precision === null || typeof precision !== 'object')
    throw new InvalidArgumentError(
      `${argument}: precision`,
      'a BackendPrecision object (its precision model)',
      describe(precision),
      'type',
    );
  for (const field of precisionNumbers) {
    const x = precision[field];
    if (typeof x !== 'number' || !(x >= 0 && x < 1))
      throw new InvalidArgumentError(
        `${argument}: precision.${field}`,
        'a relative error in [0, 1)',
        describe(x),
        'range',
      );
  }
  if (!((precision.unitRoundoff as number) > 0))
    throw new InvalidArgumentError(
      `${argument}: precision.unitRoundoff`,
      'a positive unit roundoff',
      describe(precision.unitRoundoff),
      'range',
    );
  if (typeof precision.sumDepth !== 'function')
    throw new InvalidArgumentError(
      `${argument}: precision.sumDepth`,
      'a function n ↦ the most roundings one term goes through in a sum of n terms',
      describe(precision.sumDepth),
      'type',
    );
  for (const n of [1, 2, 1000, 1 << 20]) {
    const depth = (precision.sumDepth as (n: number) => unknown)(n);
    if (typeof depth !== 'number' || !Number.isFinite(depth) || depth < 1)
      throw new InvalidArgumentError(
        `${argument}: precision.sumDepth(${n})`,
        'a finite number ≥ 1',
        describe(depth),
        'range',
      );
  }
  return value as KernelBackend;
}

/** Imports the module at `path` and returns its backend, validated. */
export async function loadBackendModule(path: string, argument = '--backend-module'): Promise<KernelBackend> {
  const absolute = resolve(path);
  if (!existsSync(absolute))
    throw new InvalidArgumentError(
      argument,
      'a JavaScript module file',
      `${JSON.stringify(path)}: does not exist`,
      'domain',
    );
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidArgumentError(
      argument,
      'a JavaScript module that imports without error',
      `${JSON.stringify(path)}: ${error instanceof Error ? error.message : String(error)}`,
      'type',
    );
  }
  let exported = module.backend ?? module.default;
  if (typeof exported === 'function') exported = await (exported as () => unknown)();
  return checkKernelBackend(argument, exported);
}
