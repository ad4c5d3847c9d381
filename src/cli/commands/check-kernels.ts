/** `prhs check-kernels`: cross-checks a backend's kernels against the float64 reference and the derived error bounds. */
import { InvalidArgumentError } from '../../core/errors.js';
import { loadBackend, parseBackendName } from '../../backends/registry.js';
import { storageDtypes, type StorageDtype } from '../../numeric/storage.js';
import { defaultMaxTokens, runKernelChecks } from '../../verify/harness.js';
import { formatTable, summarise } from '../../verify/report.js';
import { integerOption, stringOption } from '../args.js';
import type { Command } from '../command.js';

export const checkKernelsCommand: Command = {
  name: 'check-kernels',
  summary: 'cross-check kernels against the float64 reference within derived error bounds',
  usage: 'prhs check-kernels [--backend cpu|reference|cuda] [--dtype fp32|fp16|bf16] [--max-n N] [--seed S] [--json]',
  options: {
    backend: { type: 'string', description: 'backend to check (default cpu)' },
    dtype: { type: 'string', description: 'storage dtype (default fp32)' },
    'max-n': { type: 'string', description: `largest token count (default ${defaultMaxTokens})` },
    seed: { type: 'string', description: 'seed of the inputs (default 1)' },
    json: { type: 'boolean', description: 'print {"backend","results":[...]} as JSON' },
  },
  run(args, io) {
    const backendName = parseBackendName('--backend', stringOption(args, 'backend') ?? 'cpu');
    const dtype = (stringOption(args, 'dtype') ?? 'fp32') as StorageDtype;
    if (!storageDtypes.includes(dtype)) throw new InvalidArgumentError('--dtype', `one of ${storageDtypes.join(', ')}`, JSON.stringify(dtype), 'domain');
    const maxTokens = integerOption(args, 'max-n', 1) ?? defaultMaxTokens;
    const seed = integerOption(args, 'seed', 0) ?? 1;
    const json = args.options.json === true;
    const load = loadBackend(backendName);
    if (!load.loaded) {
      if (json) io.stdout(JSON.stringify({ backend: backendName, dtype, loaded: false, reason: load.reason, results: [] }) + '\n');
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
    if (json) io.stdout(JSON.stringify({ backend: report.backend, dtype, pass: report.pass, worstRatio: report.worstRatio, seed, maxTokens, results }) + '\n');
    else io.stdout(formatTable(report));
    return report.pass ? 0 : 1;
  },
};
