/**
 * `prhs eval FILE`: reads a JSON input (FILE, or `-` for standard input) and prints the reference
 * quantities as JSON, so that other tools (NumPy, PyTorch, a kernel's test) can cross-check the
 * reference. Input and output shapes: schemas/eval-input.schema.json, schemas/eval.schema.json.
 *
 * Single-head form: {"q":[..],"K":[[..],..],"V":[[..],..],"keep":[..],"scale":number?}
 * Joint-law form:   {"pi":[..],"attention":[[..],..],"keep":[[..],..]}
 * Batch form:       {"heads":[<single-head or joint-law object>, ...]}
 */
import { readFileSync } from 'node:fs';
import { DomainError, InvalidArgumentError } from '../../core/errors.js';
import { matrixFromRows } from '../../core/matrix.js';
import { crossDiameterUpperBound, maxRowNorm, outputErrorNorm } from '../../core/outputError.js';
import { sparseHeadAttention } from '../../core/sparseAttention.js';
import { describe } from '../../core/validate.js';
import * as info from '../../info/index.js';
import type { Command, CommandIO } from '../command.js';
import { describeFileSystemError, isFileSystemError } from '../fileErrors.js';

/** The version of eval's output shape and of the input shape it reads. */
export const EVAL_SCHEMA = 'prhs-eval/1';
export const EVAL_INPUT_SCHEMA = 'prhs-eval-input/1';

function readInputText(file: string, io: CommandIO): string {
  try {
    return file === '-' ? (io.readStdin?.() ?? readFileSync(0, 'utf8')) : readFileSync(file, 'utf8');
  } catch (error) {
    const reason = isFileSystemError(error) ? describeFileSystemError(error) : 'unreadable';
    throw new InvalidArgumentError(
      'FILE',
      'a readable JSON file (or - for standard input)',
      `${JSON.stringify(file)} (${reason})`,
      'type',
    );
  }
}

function parseJsonObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError('FILE', 'valid JSON', `invalid JSON (${(error as Error).message})`, 'type');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InvalidArgumentError('FILE', 'a JSON object', describe(parsed), 'type');
  return parsed as Record<string, unknown>;
}

/** Reference quantities for one head and one kept set. */
export function evaluateSingleHead(input: Record<string, unknown>) {
  const K = matrixFromRows('K', input.K);
  const V = matrixFromRows('V', input.V);
  if (V.rows !== K.rows) throw new InvalidArgumentError('V', `${K.rows} rows (one per key)`, `${V.rows} rows`, 'shape');
  if (input.scale !== undefined && typeof input.scale !== 'number')
    throw new InvalidArgumentError('scale', 'a number', describe(input.scale), 'type');
  const keep = input.keep;
  const head = sparseHeadAttention(
    input.q as ArrayLike<number>,
    K,
    V,
    keep as ArrayLike<number>,
    input.scale as number | undefined,
  );
  const entropy = info.entropy(head.attention);
  const entropySparse = info.entropy(head.sparseAttention);
  return {
    logits: Array.from(head.logits),
    attention: Array.from(head.attention),
    delta: head.delta,
    dense: Array.from(head.dense),
    sparse: Array.from(head.sparse),
    errorNorm: outputErrorNorm(head.dense, head.sparse),
    // δ times an O(N·d) upper bound on max_{i∈D, j∈S}‖v_i − v_j‖ (the exact cross-diameter costs |S|·|D|·d).
    errorBound: info.outputErrorBoundDiameter(head.delta, crossDiameterUpperBound(V, keep as ArrayLike<number>)),
    errorBoundMaxNorm: info.outputErrorBoundMaxNorm(head.delta, maxRowNorm(V)),
    entropy,
    entropySparse,
    tv: info.totalVariation(head.attention, head.sparseAttention),
    klSparseToDense: info.klDivergence(head.sparseAttention, head.attention),
    klSparseToDenseIdentity: head.delta < 1 ? info.klSparseToDense(head.delta) : null,
  };
}

/**
 * A bound evaluated where its domain holds; outside, null and the reason in `notApplicable`. Only
 * a DomainError (a valid input outside the bound's stated domain) is caught: anything else is a bug.
 */
function boundIfApplicable<T>(name: string, notApplicable: Record<string, string>, evaluate: () => T): T | null {
  try {
    return evaluate();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    notApplicable[name] = error.message;
    return null;
  }
}

/** Reference quantities for a joint law of queries and attended indices. */
export function evaluateJointLaw(input: Record<string, unknown>) {
  const law = info.sparseJointLaw({
    pi: input.pi as ArrayLike<number>,
    attention: input.attention as ArrayLike<number>[],
    keep: input.keep as ArrayLike<number>[],
  });
  const n = (input.attention as ArrayLike<number>[])[0]!.length;
  const notApplicable: Record<string, string> = {};
  const requireTwoKeys = () => {
    if (n < 2) throw new DomainError('N', 'N ≥ 2 (ln(N − 1) is undefined for one key)', String(n));
  };
  return {
    deltaBar: law.deltaBar,
    deltas: Array.from(law.deltas),
    mi: law.mi,
    miSparse: law.miSparse,
    miLoss: law.miLoss,
    bounds: {
      // mutual-information.loss-bound: 2[h(δ̄) + δ̄ ln(N−1)], valid for δ̄ ≤ 1 − 1/N.
      miLossBound: boundIfApplicable(
        'miLossBound',
        notApplicable,
        () => (requireTwoKeys(), info.miLossBound(law.deltaBar, n)),
      ),
      // mutual-information.loss-bound-sharp: one-sided, from the per-query δ(x) and k_x; valid for δ̄ ≤ 1 − 1/N.
      sharp: boundIfApplicable('sharp', notApplicable, () =>
        info.miLossSharpBounds({ pi: input.pi as ArrayLike<number>, deltas: law.deltas, keptSizes: law.keptSizes, n }),
      ),
      // mutual-information.loss-bound-union: h(δ̄) + δ̄ ln min(|∪D|, |L|) above, h(δ̄) + δ̄ ln min(|∪S|, |L|) below; every δ̄.
      union: boundIfApplicable('union', notApplicable, () =>
        info.miLossUnionBounds({
          deltaBar: law.deltaBar,
          n,
          droppedUnionSize: law.droppedUnionSize,
          keptUnionSize: law.keptUnionSize,
          lossyQueryCount: law.lossyQueryCount,
        }),
      ),
      fannesAudenaert: boundIfApplicable(
        'fannesAudenaert',
        notApplicable,
        () => (requireTwoKeys(), info.fannesAudenaertBound(law.deltaBar, n)),
      ),
      trivial: Math.log(n),
    },
    notApplicable,
  };
}

/** One input object of either form; errors inside a batch are prefixed with the head's place. */
function evaluateOne(input: unknown, where: string) {
  try {
    if (input === null || typeof input !== 'object' || Array.isArray(input))
      throw new InvalidArgumentError('FILE', 'a JSON object', describe(input), 'type');
    const record = input as Record<string, unknown>;
    const isJointLaw = 'pi' in record;
    const isSingleHead = 'q' in record;
    if (isJointLaw === isSingleHead) {
      throw new InvalidArgumentError(
        'FILE',
        'either a single-head object with "q","K","V","keep" or a joint law with "pi","attention","keep"',
        `an object with keys ${Object.keys(record).join(', ') || '(none)'}`,
        'type',
      );
    }
    const result = isJointLaw ? evaluateJointLaw(record) : evaluateSingleHead(record);
    // Inside a batch each result says which form it is; a single result keeps its original shape.
    return where === '' ? result : { kind: isJointLaw ? 'joint-law' : 'single-head', ...result };
  } catch (error) {
    if (where === '' || !(error instanceof InvalidArgumentError)) throw error;
    const argument = error.argument === 'FILE' ? where : `${where}.${error.argument}`;
    throw new InvalidArgumentError(argument, error.expected, error.received, error.problem);
  }
}

/** The whole output for one parsed input file: one head, or a batch under "heads". */
export function evaluateInput(input: Record<string, unknown>) {
  if (input.schema !== undefined && input.schema !== EVAL_INPUT_SCHEMA)
    throw new InvalidArgumentError('schema', JSON.stringify(EVAL_INPUT_SCHEMA), describe(input.schema), 'domain');
  const fields = Object.fromEntries(Object.entries(input).filter(([key]) => key !== 'schema'));
  if (!('heads' in fields)) return { schema: EVAL_SCHEMA, ...evaluateOne(fields, '') };
  const heads = fields.heads;
  if (!Array.isArray(heads) || heads.length === 0)
    throw new InvalidArgumentError(
      'heads',
      'a non-empty array of single-head or joint-law objects',
      describe(heads),
      'type',
    );
  const extra = Object.keys(fields).filter((key) => key !== 'heads');
  if (extra.length > 0)
    throw new InvalidArgumentError(
      'FILE',
      'a batch object with only "heads" (and "schema")',
      `extra keys ${extra.join(', ')}`,
      'type',
    );
  return { schema: EVAL_SCHEMA, heads: heads.map((head, index) => evaluateOne(head, `heads[${index}]`)) };
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'print the reference quantities of a JSON input (single head, joint law or a batch) as JSON',
  usage: 'prhs eval FILE   (FILE may be - for standard input)',
  options: {
    json: { type: 'boolean', description: 'accepted for uniformity; output is always JSON' },
  },
  positionals: ['FILE'],
  run(args, io) {
    const [file] = args.positionals;
    if (file === undefined)
      throw new InvalidArgumentError('FILE', 'a path to a JSON input file, or - for standard input', 'nothing', 'type');
    const output = evaluateInput(parseJsonObject(readInputText(file, io)));
    io.stdout(
      JSON.stringify(output, (_key, value: unknown) =>
        typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
      ) + '\n',
    );
    return 0;
  },
};
