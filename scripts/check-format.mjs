#!/usr/bin/env node
// The formatting check of `npm run lint` (and so of `npm test`), behind a switch: package.json's
// config.formatCheck. "off" until the formatters have been applied to the whole tree once
// (scripts/format-all.sh); then "on" makes unformatted code fail the lint step.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const setting = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).config?.formatCheck ?? 'off';
if (setting !== 'on' && setting !== 'off') {
  console.error(
    `check-format: package.json config.formatCheck: expected "on" or "off", received ${JSON.stringify(setting)}`,
  );
  process.exit(2);
}
if (setting === 'off') {
  console.log('check-format: off (package.json config.formatCheck); `npm run format:check` runs it by hand');
  process.exit(0);
}
const run = spawnSync('bash', [join(root, 'scripts', 'format-all.sh'), '--check'], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
