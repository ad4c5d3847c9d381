/**
 * Prompts for `prhs model generate|trace`: token ids from a JSON file (an array of ids for one
 * sequence, or an array of equal-length arrays for a batch), or seeded random ids.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../core/errors.js';
import { seededRandom } from '../../traces/random.js';

export interface Prompts {
  /** [batch, length] row-major. */
  readonly ids: Int32Array;
  readonly batch: number;
  readonly length: number;
}

export function promptsFromFile(path: string, vocabSize: number, batch: number | undefined): Prompts {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(
      '--prompt-ids',
      'a readable JSON file of token ids',
      `${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      'type',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(
      '--prompt-ids',
      'JSON: an array of token ids or an array of equal-length arrays',
      `invalid JSON (${(error as Error).message})`,
      'type',
    );
  }
  const rows =
    Array.isArray(json) && json.length > 0 && json.every(Array.isArray) ? (json as unknown[][]) : [json as unknown[]];
  if (!Array.isArray(rows[0]) || rows[0].length === 0)
    throw new InvalidArgumentError(
      '--prompt-ids',
      'a non-empty array of token ids',
      JSON.stringify(json).slice(0, 60),
      'type',
    );
  const length = rows[0].length;
  const sequences = batch ?? rows.length;
  if (rows.length !== 1 && rows.length !== sequences)
    throw new InvalidArgumentError(
      '--batch',
      `${rows.length} (the prompts in the file) or a file with one prompt`,
      String(sequences),
      'domain',
    );
  const ids = new Int32Array(sequences * length);
  for (let b = 0; b < sequences; b++) {
    const row = rows[rows.length === 1 ? 0 : b]!;
    if (row.length !== length)
      throw new InvalidArgumentError(
        `--prompt-ids[${b}]`,
        `${length} ids (every prompt of a batch has the same length)`,
        `${row.length}`,
        'length',
      );
    row.forEach((id, i) => {
      if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= vocabSize)
        throw new InvalidArgumentError(
          `--prompt-ids[${b}][${i}]`,
          `a token id in [0, ${vocabSize})`,
          JSON.stringify(id),
          'range',
        );
      ids[b * length + i] = id as number;
    });
  }
  return { ids, batch: sequences, length };
}

export function randomPrompts(length: number, batch: number, vocabSize: number, seed: number): Prompts {
  const random = seededRandom(seed);
  return { ids: Int32Array.from({ length: batch * length }, () => random.integer(vocabSize)), batch, length };
}
