/**
 * `prhs figures`: renders the theory's figures (bound curves, empirical scatter, selector
 * comparisons, kernel speed) as SVG, PNG and CSV, plus captions.json. Seeded and deterministic.
 * `--json` prints {"figures":[{"name","svg","png","csv","caption","points"}...]}.
 */
import { figureNames } from '../../figures/catalogue.js';
import { renderFigures } from '../../figures/renderFigures.js';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../../core/errors.js';
import { integerOption, nonEmptyOption } from '../args.js';
import type { Command } from '../command.js';
import { checkReadableFolder, checkWritableFolder } from '../fileErrors.js';
import { progressBar } from '../progress.js';
import { formatDuration, formatTable } from '../table.js';

export const figuresCommand: Command = {
  name: 'figures',
  summary: 'render the figures (SVG, PNG, CSV and captions) into a folder',
  usage: 'prhs figures [--out DIR] [--only NAME[,NAME…]] [--seed S] [--bench DIR] [--json]',
  options: {
    out: {
      type: 'string',
      placeholder: 'DIR',
      description: 'output folder (default: figures/ under the current directory)',
    },
    only: {
      type: 'string',
      placeholder: 'NAME[,NAME…]',
      description: `comma-separated figure names from ${figureNames.join(', ')}`,
    },
    seed: { type: 'string', placeholder: 'S', description: 'seed of every random draw (default 1)' },
    bench: {
      type: 'string',
      placeholder: 'DIR',
      description: 'folder of kernel benchmark JSON (default: bench/results of the package)',
    },
    json: { type: 'boolean', description: 'print JSON on stdout' },
  },
  positionals: [],
  async run(args, io) {
    const only = nonEmptyOption(args, 'only', `figure names from ${figureNames.join(', ')}`)
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (only !== undefined && only.length === 0)
      throw new InvalidArgumentError(
        '--only',
        `at least one figure name from ${figureNames.join(', ')}`,
        'an empty list',
        'domain',
      );
    const seed = integerOption(args, 'seed', 0) ?? 1;
    const bench = nonEmptyOption(args, 'bench', 'a folder of kernel benchmark JSON');
    if (bench !== undefined) checkReadableFolder('--bench', resolve(bench));
    const out = nonEmptyOption(args, 'out', 'a folder path') ?? 'figures';
    checkWritableFolder('--out', resolve(out));
    const started = performance.now();
    const progress = progressBar(io, only?.length ?? figureNames.length, 'figures');
    const results = await renderFigures({
      out,
      seed,
      ...(only === undefined ? {} : { only }),
      ...(bench === undefined ? {} : { benchDirectory: bench }),
      onFigure: (name) => progress.tick(name),
    });
    progress.done();
    if (args.options.json) {
      io.stdout(
        JSON.stringify({
          schema: 'prhs-figures/1',
          figures: results.map(({ name, svg, png, csv, caption, points }) => ({
            name,
            svg,
            png,
            csv,
            caption,
            points,
          })),
        }) + '\n',
      );
      return 0;
    }
    io.stdout(
      formatTable(
        ['figure', 'points', 'time', 'caption'],
        results.map((r) => [
          r.name,
          String(r.points),
          formatDuration(r.elapsedMs),
          r.caption.length > 90 ? `${r.caption.slice(0, 89)}…` : r.caption,
        ]),
      ),
    );
    io.stdout(
      `\n${results.length} figures (SVG, PNG, CSV) and captions.json in ${out} (${formatDuration(performance.now() - started)})\n`,
    );
    return 0;
  },
};
