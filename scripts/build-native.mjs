#!/usr/bin/env node
// Install-time build of the native CPU addon (native/, cmake-js 8 + node-addon-api; nothing is
// downloaded: the Node-API headers come from the node-api-headers package). A failed build never
// fails `npm install`: it prints one warning and prhs uses the float64 reference backend.
// `--strict` (npm run build:native) exits non-zero on failure instead. `--asan` builds the
// AddressSanitizer variant into build/native-asan.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
const build = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: strict || asan ? 'inherit' : 'pipe' });
if (build.status !== 0) {
  const tail = `${build.stdout ?? ''}${build.stderr ?? ''}`.trim().split('\n').filter((l) => /error/i.test(l)).slice(-1)[0];
  warn(`the build failed${tail ? `: ${tail.trim()}` : ''}`);
}
if (!existsSync(join(out, 'Release', 'prhs_native.node'))) warn(`the build produced no ${join(out, 'Release', 'prhs_native.node')}`);
if (!strict) console.log(`prhs: built the native CPU kernels into ${join(out, 'Release')}`);
