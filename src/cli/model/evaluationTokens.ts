/**
 * Teacher-forced token input shared by `prhs model evaluate` and `prhs model trace --bytes|--ids`:
 * --ids FILE (a JSON array of token ids) or --bytes FILE (one id per byte, BOS first when the
 * config has one), and the --context N tokens of it that are fed.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../core/errors.js';
import { integerOption, stringOption, type ParsedArgs } from '../args.js';
import { promptsFromFile } from './promptIds.js';

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new InvalidArgumentError(
      '--bytes',
      'a readable file',
      `${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      'type',
    );
  }
}

/** True when the arguments ask for teacher-forced input (--ids or --bytes). */
export function hasEvaluationTokens(args: ParsedArgs): boolean {
  return stringOption(args, 'ids') !== undefined || stringOption(args, 'bytes') !== undefined;
}

/** Token ids: --ids FILE (JSON) or --bytes FILE (one id per byte, BOS first when the config has one). */
export function evaluationTokens(args: ParsedArgs, vocabSize: number, bos: number | null): Int32Array {
  const ids = stringOption(args, 'ids');
  const bytes = stringOption(args, 'bytes');
  if ((ids === undefined) === (bytes === undefined))
    throw new InvalidArgumentError(
      '--ids',
      'exactly one of --ids FILE and --bytes FILE',
      ids === undefined ? 'neither' : 'both',
      'domain',
    );
  if (ids !== undefined) return promptsFromFile(ids, vocabSize, 1).ids;
  if (vocabSize < 256)
    throw new InvalidArgumentError(
      '--bytes',
      'a byte-level model (vocabulary ≥ 256)',
      `a vocabulary of ${vocabSize}`,
      'domain',
    );
  const data = readBytes(bytes!);
  const head = bos === null ? [] : [bos];
  return Int32Array.from([...head, ...data]);
}

/** The first --context N tokens (default all, at most the model's max positions); at least 2. */
export function contextTokens(args: ParsedArgs, all: Int32Array, maxPositions: number): Int32Array {
  const context = Math.min(integerOption(args, 'context', 2) ?? all.length, all.length, maxPositions);
  if (context < 2) throw new InvalidArgumentError('--ids', 'at least 2 tokens', String(all.length), 'length');
  return all.subarray(0, context);
}

/** --score-from P in [1, context − 1] (default context/8): the first decode (scored) position. */
export function scoreFromOption(args: ParsedArgs, context: number): number {
  const scoreFrom = integerOption(args, 'score-from', 1) ?? Math.min(context - 1, Math.max(1, Math.floor(context / 8)));
  if (scoreFrom > context - 1)
    throw new InvalidArgumentError(
      '--score-from',
      `an integer in [1, ${context - 1}] (the positions before it are context only)`,
      String(scoreFrom),
      'range',
    );
  return scoreFrom;
}
