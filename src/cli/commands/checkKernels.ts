/** `prhs check-kernels`: cross-checks a backend's kernels against the float64 reference and the derived error bounds. */
import { InvalidArgumentError } from '../../core/errors.js';
import { loadBackendModule } from '../../backends/backendModule.js';
import type { BackendLoad } from '../../backends/kernelBackend.js';
import { loadBackend, parseBackendName } from '../../backends/registry.js';
import { storageDtypes, type StorageDtype } from '../../numeric/storage.js';
import { defaultMaxTokens, runKernelChecks } from '../../verify/harness.js';
import { formatTable, summarise } from '../../verify/report.js';
import { integerOption, nonEmptyOption, stringOption, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';

/** The version of `check-kernels --json`'s shape (schemas/check-kernels.schema.json). */
export const CHECK_KERNELS_SCHEMA = 'prhs-check-kernels/1';

/** One of ours by name (--backend), or a user's own module (--backend-module), never both. */
async function chosenBackend(args: ParsedArgs): Promise<{ name: string; load: BackendLoad }> {
  const modulePath = nonEmptyOption(args, 'backend-module', 'a JavaScript module file');
  const named = stringOption(args, 'backend');
  if (modulePath !== undefined) {
    if (named !== undefined)
      throw new InvalidArgumentError(
        '--backend/--backend-module',
        'one of --backend NAME or --backend-module PATH',
        'both',
        'domain',
      );
    const backend = await loadBackendModule(modulePath);
    return { name: backend.name, load: { loaded: true, backend, detail: { module: modulePath } } };
  }
  const name = parseBackendName('--backend', named ?? 'cpu');
  return { name, load: loadBackend(name) };
}

export const checkKernelsCommand: Command = {
  name: 'check-kernels',
  summary: 'cross-check kernels against the float64 reference within derived error bounds',
  usage:
    'prhs check-kernels [--backend cpu|reference|cuda | --backend-module PATH] [--dtype fp32|fp16|bf16] [--max-n N] [--seed S] [--json]',
  options: {
    backend: { type: 'string', placeholder: 'NAME', description: 'backend to check: cpu (default), reference or cuda' },
    'backend-module': {
      type: 'string',
      placeholder: 'PATH',
      description:
        'check your own backend: a JS module exporting a KernelBackend (as `backend` or default) with its precision model',
    },
    dtype: { type: 'string', placeholder: 'DTYPE', description: 'storage dtype: fp32 (default), fp16 or bf16' },
    'max-n': { type: 'string', placeholder: 'N', description: `largest token count (default ${defaultMaxTokens})` },
    seed: { type: 'string', placeholder: 'S', description: 'seed of the inputs (default 1)' },
    json: { type: 'boolean', description: 'print {"schema","backend","results":[...]} as JSON' },
  },
  positionals: [],
  async run(args, io) {
    const dtype = (stringOption(args, 'dtype') ?? 'fp32') as StorageDtype;
    if (!storageDtypes.includes(dtype))
      throw new InvalidArgumentError('--dtype', `one of ${storageDtypes.join(', ')}`, JSON.stringify(dtype), 'domain');
    const maxTokens = integerOption(args, 'max-n', 1) ?? defaultMaxTokens;
    const seed = integerOption(args, 'seed', 0) ?? 1;
    const json = args.options.json === true;
    const { name: backendName, load } = await chosenBackend(args);
    if (!load.loaded) {
      if (json)
        io.stdout(
          JSON.stringify({
            schema: CHECK_KERNELS_SCHEMA,
            backend: backendName,
            dtype,
            loaded: false,
            reason: load.reason,
            results: [],
          }) + '\n',
        );
      else io.stderr(`prhs check-kernels: backend ${backendName} is not available: ${load.reason}\n`);
      return 1;
    }
    const started = performance.now();
    const results = runKernelChecks(load.backend, dtype, {
      maxTokens,
      seed,
      onResult: (r) => {
        if (io.interactive && !json) io.stderr(`\r${r.pass ? 'ok' : 'FAIL'} ${r.kernel} ${r.shape}`.padEnd(80));
      },
    });
    if (io.interactive && !json) io.stderr('\r'.padEnd(81) + '\r');
    const report = summarise(backendName, dtype, results, (performance.now() - started) / 1000);
    if (json)
      io.stdout(
        JSON.stringify({
          schema: CHECK_KERNELS_SCHEMA,
          backend: report.backend,
          dtype,
          pass: report.pass,
          worstRatio: report.worstRatio,
          seed,
          maxTokens,
          results,
        }) + '\n',
      );
    else io.stdout(formatTable(report));
    return report.pass ? 0 : 1;
  },
};
