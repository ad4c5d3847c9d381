/** `prhs model init`: a seeded random checkpoint of a named shape, in the Hugging Face layout. */
import { InvalidArgumentError } from '../../core/errors.js';
import { weightDtypes, type WeightDtype } from '../../model/config.js';
import { modelPreset } from '../../model/presets.js';
import { writeRandomCheckpoint } from '../../model/randomCheckpoint.js';
import { integerOption, stringOption, type ParsedArgs } from '../args.js';
import type { CommandIO } from '../command.js';

export function runInit(args: ParsedArgs, io: CommandIO): number {
  const shape = stringOption(args, 'shape') ?? 'tiny';
  const base = modelPreset(shape, '--shape');
  const out = stringOption(args, 'out');
  if (out === undefined || out === '')
    throw new InvalidArgumentError('--out', 'the checkpoint folder to write', 'nothing', 'type');
  const dtypeName = stringOption(args, 'dtype');
  if (dtypeName !== undefined && !weightDtypes.includes(dtypeName as WeightDtype))
    throw new InvalidArgumentError('--dtype', `one of ${weightDtypes.join(', ')}`, JSON.stringify(dtypeName), 'domain');
  const config = dtypeName === undefined ? base : { ...base, dtype: dtypeName as WeightDtype };
  const stdText = stringOption(args, 'std');
  const std = stdText === undefined ? undefined : Number(stdText);
  if (std !== undefined && !(std > 0 && Number.isFinite(std)))
    throw new InvalidArgumentError('--std', 'a positive number', JSON.stringify(stdText), 'range');
  const seed = integerOption(args, 'seed', 0) ?? 1;
  let lastPercent = -1;
  const started = performance.now();
  const written = writeRandomCheckpoint({
    directory: out,
    config,
    seed,
    ...(std === undefined ? {} : { std }),
    overwrite: args.options.overwrite === true,
    onProgress: ({ bytesWritten, totalBytes }) => {
      const percent = Math.floor((100 * bytesWritten) / totalBytes);
      if (io.interactive && percent !== lastPercent) io.stderr(`\rwriting ${out}: ${percent}%`);
      lastPercent = percent;
    },
  });
  if (io.interactive) io.stderr('\n');
  const report = {
    schema: 'prhs-model-init/1',
    shape,
    dtype: config.dtype,
    seed,
    directory: written.directory,
    weightFiles: written.weightFiles,
    bytes: written.totalBytes,
    elapsedMs: performance.now() - started,
  };
  if (args.options.json === true) io.stdout(JSON.stringify(report) + '\n');
  else
    io.stdout(
      `prhs model init: wrote ${shape} (${config.dtype}, seed ${seed}) to ${written.directory}: ${written.weightFiles.length} weight file(s), ${(written.totalBytes / 1e6).toFixed(1)} MB in ${(report.elapsedMs / 1000).toFixed(1)} s\n`,
    );
  return 0;
}
