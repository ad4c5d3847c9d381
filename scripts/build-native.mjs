#!/usr/bin/env node
// Install-time build of the native CPU addon (native/, cmake-js 8 + node-addon-api; nothing is
// downloaded: the Node-API headers come from the node-api-headers package). A failed build never
// fails `npm install`: it prints one warning and prhs uses the float64 reference backend.
// `--strict` (npm run build:native) exits non-zero on failure instead. `--asan` builds the
// AddressSanitizer variant into build/native-asan.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const asan = process.argv.includes('--asan');
const out = join(root, 'build', asan ? 'native-asan' : 'native');

function warn(reason) {
  const message = `prhs: the native CPU kernels were not built (${reason}); prhs will use the float64 reference backend. Run \`npm run build:native\` to see the full build output, or \`prhs doctor\` to check.`;
  if (strict) {
    console.error(message);
    process.exit(1);
  }
  console.warn(`\nWARNING: ${message}\n`);
  process.exit(0);
}

// `--cuda` (npm run build:cuda): only the CUDA addon, failing loudly; with `--bench-baselines`
// (npm run build:cuda:bench) it also compiles bench/cuda's baseline kernels into it.
if (process.argv.includes('--cuda')) process.exit(buildCuda(true) ? 0 : 1);
if (process.env.PRHS_SKIP_NATIVE === '1') warn('PRHS_SKIP_NATIVE=1');
let cmakeJs;
try {
  cmakeJs = createRequire(join(root, 'package.json')).resolve('cmake-js/bin/cmake-js');
} catch {
  warn('cmake-js is not installed');
}
const probe = spawnSync('cmake', ['--version'], { encoding: 'utf8' });
if (probe.status !== 0) warn('cmake was not found on PATH');

const args = [cmakeJs, 'compile', '-d', join(root, 'native'), '-O', out, '--config', 'Release', '--parallel', '2'];
if (asan) args.push('--CDPRHS_SANITIZE=ON');
const build = spawnSync(process.execPath, args, {
  cwd: root,
  encoding: 'utf8',
  stdio: strict || asan ? 'inherit' : 'pipe',
});
if (build.status !== 0) {
  const tail = `${build.stdout ?? ''}${build.stderr ?? ''}`
    .trim()
    .split('\n')
    .filter((l) => /error/i.test(l))
    .slice(-1)[0];
  warn(`the build failed${tail ? `: ${tail.trim()}` : ''}`);
}
if (!existsSync(join(out, 'Release', 'prhs_native.node')))
  warn(`the build produced no ${join(out, 'Release', 'prhs_native.node')}`);
if (!strict) console.log(`prhs: built the native CPU kernels into ${join(out, 'Release')}`);
if (!asan) buildCuda(false);

// The CUDA addon (native/cuda, target prhs_cuda) into build/cuda, only where nvcc exists. Its
// failure never fails the install: one warning, and prhs runs without the cuda backend.
function buildCuda(loud) {
  const cudaOut = join(root, 'build', 'cuda');
  const addon = join(cudaOut, 'Release', 'prhs_cuda.node');
  const fail = (reason) => {
    const message = `prhs: the CUDA kernels were not built (${reason}); the cuda backend is unavailable. Run \`npm run build:cuda\` to see the full build output.`;
    if (loud) console.error(message);
    else console.warn(`\nWARNING: ${message}\n`);
    return false;
  };
  if (process.env.PRHS_SKIP_CUDA === '1') return loud ? fail('PRHS_SKIP_CUDA=1') : false;
  const nvcc = spawnSync('nvcc', ['--version'], { encoding: 'utf8' });
  if (nvcc.status !== 0) return loud ? fail('nvcc was not found on PATH') : false;
  let tool;
  try {
    tool = createRequire(join(root, 'package.json')).resolve('cmake-js/bin/cmake-js');
  } catch {
    return fail('cmake-js is not installed');
  }
  // Passed every time, ON or OFF, so a benchmark build's cached ON never leaks into a shipped build.
  const baselines = loud && process.argv.includes('--bench-baselines') ? 'ON' : 'OFF';
  const cudaArgs = [
    tool,
    'compile',
    '-d',
    join(root, 'native'),
    '-O',
    cudaOut,
    '--config',
    'Release',
    '--parallel',
    '2',
    '-T',
    'prhs_cuda',
    '--CDPRHS_CUDA=ON',
    `--CDPRHS_CUDA_BENCH_BASELINES=${baselines}`,
  ];
  // `compile` configures only a fresh build folder: an existing one whose cached option differs is
  // reconfigured first, so the option takes effect.
  if (cachedOption(cudaOut, 'PRHS_CUDA_BENCH_BASELINES') !== baselines && existsSync(join(cudaOut, 'CMakeCache.txt'))) {
    const configure = spawnSync(process.execPath, [tool, 'configure', ...cudaArgs.slice(2)], {
      cwd: root,
      encoding: 'utf8',
      stdio: loud ? 'inherit' : 'pipe',
    });
    if (configure.status !== 0) return fail('the CUDA build could not be reconfigured');
  }
  const cudaBuild = spawnSync(process.execPath, cudaArgs, {
    cwd: root,
    encoding: 'utf8',
    stdio: loud ? 'inherit' : 'pipe',
  });
  if (cudaBuild.status !== 0) {
    const line = `${cudaBuild.stdout ?? ''}${cudaBuild.stderr ?? ''}`
      .trim()
      .split('\n')
      .filter((l) => /error/i.test(l))
      .slice(-1)[0];
    return fail(`the CUDA build failed${line ? `: ${line.trim()}` : ''}`);
  }
  if (!existsSync(addon)) return fail(`the build produced no ${addon}`);
  console.log(`prhs: built the CUDA kernels into ${join(cudaOut, 'Release')} (sm_80, sm_90)`);
  return true;
}

/** A BOOL option's value in a CMake build folder's cache (ON or OFF), or undefined. */
function cachedOption(folder, name) {
  try {
    const value = readFileSync(join(folder, 'CMakeCache.txt'), 'utf8').match(
      new RegExp(`^${name}:BOOL=(\\w+)$`, 'm'),
    )?.[1];
    return value === undefined ? undefined : /^(ON|TRUE|1|YES)$/i.test(value) ? 'ON' : 'OFF';
  } catch {
    return undefined;
  }
}
