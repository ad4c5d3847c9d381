/** `prhs cases export --out DIR`: edge cases and stored counterexamples as safetensors with a manifest (src/verify/caseExport.ts). */
import { InvalidArgumentError } from '../../core/errors.js';
import { asInputError } from '../../io/asInputError.js';
import { casesSchema, exportCases } from '../../verify/caseExport.js';
import { integerOption, stringOption } from '../args.js';
import type { Command } from '../command.js';

export const casesCommand: Command = {
  name: 'cases',
  summary: 'export the edge cases and stored counterexamples as safetensors (for a foreign test suite)',
  usage: 'prhs cases export --out DIR [--force] [--tokens N] [--json]',
  options: {
    out: {
      type: 'string',
      placeholder: 'DIR',
      description: 'folder to write (created; written beside it, then renamed into place)',
    },
    force: { type: 'boolean', description: 'replace the folder if it already has files' },
    tokens: { type: 'string', placeholder: 'N', description: 'tokens of the logit-family cases (default 1024)' },
    json: { type: 'boolean', description: `print the manifest (schema ${casesSchema}) as JSON` },
  },
  run(args, io) {
    const [action, ...extra] = args.positionals;
    if (action !== 'export' || extra.length > 0)
      throw new InvalidArgumentError(
        'ACTION',
        'export',
        args.positionals.length === 0 ? 'nothing' : JSON.stringify(args.positionals.join(' ')),
        'domain',
      );
    const out = stringOption(args, 'out');
    if (out === undefined) throw new InvalidArgumentError('--out', 'a folder', 'nothing', 'domain');
    const tokens = integerOption(args, 'tokens', 2);
    let cases;
    try {
      cases = exportCases({ out, replace: args.options.force === true, ...(tokens === undefined ? {} : { tokens }) });
    } catch (error) {
      throw asInputError(error, { argument: '--out', expected: 'a folder that can be written', path: out });
    }
    if (args.options.json === true) io.stdout(JSON.stringify({ schema: casesSchema, out, cases }) + '\n');
    else
      io.stdout(
        cases.map((c) => `${c.file.padEnd(64)} ${c.kind.padEnd(14)} ${c.claims.join(', ')}`).join('\n') +
          `\n${cases.length} cases and manifest.json written to ${out}\n`,
      );
    return 0;
  },
};
