/**
 * A long-range retrieval task built from one held-out file, for a byte-level model: a few random
 * Python assignments `_zqx_<8 letters> = <6 digits>` are inserted at a line boundary near the
 * start of the file, the file fills the context, and probes at the end ask for what only those
 * lines hold, ≥ `minDistance` bytes back:
 *
 *   value: "\n_zqx_<8 letters> = "     → the 6 digits (the definition line repeated: a copy)
 *   name:  "\nprint(_zqx_<2 letters>"  → the other 6 letters of the identifier
 *   line:  "\n" + a line of the file (20–60 bytes, from ≥ minDistance back) but its last 6 bytes
 *          → those 6 bytes (natural code repeated; the line and its cue occur once before)
 *
 * A probe is answered when the greedy continuation equals the 6 expected bytes (teacher-forced:
 * each of the 6 arg maxes given the right bytes before it, which is the same thing). Every probe
 * of a context shares the context's bytes [0, shared) and then has its own cue and answer, so
 * one dense run of the shared part serves every probe (SharedPrefixDecoder).
 *
 * No leak: a value or name answer's 6 bytes appear nowhere in the context except in its
 * definition, and the 2-letter prefixes of a context's identifiers differ, so a name probe has one
 * candidate. A line's last 6 bytes may be common code that local context predicts: the bench
 * reports StreamingLLM (sinks and a recent window, blind 3000 bytes back) beside it as that control.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { seededRandom, type RandomSource } from '../../traces/random.js';

export type ProbeKind = 'value' | 'name' | 'line';
export const probeKinds: readonly ProbeKind[] = ['value', 'name', 'line'];

export interface RetrievalContextOptions {
  /** The held-out file's bytes (at least `context` of them). */
  readonly bytes: Uint8Array;
  /** BOS id prepended to the bytes (null: none). */
  readonly bos: number | null;
  /** Tokens per probe sequence (shared part, cue and answer). */
  readonly context: number;
  /** Definitions (and probes of each kind) per context. */
  readonly definitions: number;
  readonly seed: number;
  /** Least distance in bytes from the end of a definition to its answer (default 3000). */
  readonly minDistance?: number;
  /** Definitions go at the first line boundary at or after this byte of the file (default 128). */
  readonly insertAfter?: number;
}

export interface RetrievalProbe {
  readonly kind: ProbeKind;
  readonly definition: string;
  /** The whole sequence: shared part, cue, answer. */
  readonly tokens: Int32Array;
  /** Position of the first answer byte (the first scored position). */
  readonly answerFrom: number;
  readonly answer: string;
  /** Bytes from the end of the definition line to the first answer byte. */
  readonly distance: number;
}

export interface RetrievalContext {
  /** Tokens every probe shares (positions 0 … shared − 1). */
  readonly shared: number;
  /** Where the definitions start (token position). */
  readonly definitionsAt: number;
  readonly probes: readonly RetrievalProbe[];
}

export const answerLength = 6;
/** Tokens kept free at the end of the context for the longest cue and its answer. */
const cueReserve = 64;
const minLineLength = 20;
const maxLineLength = 60;
const marker = '_zqx_';
const letters = 'abcdefghijklmnopqrstuvwxyz';

function randomWord(random: RandomSource, alphabet: string, length: number): string {
  let word = '';
  for (let i = 0; i < length; i++) word += alphabet[random.integer(alphabet.length)];
  return word;
}

interface Definition {
  readonly name: string;
  readonly value: string;
}

function drawDefinitions(random: RandomSource, count: number): Definition[] {
  const out: Definition[] = [];
  while (out.length < count) {
    const name = randomWord(random, letters, 8);
    const value = String(1 + random.integer(9)) + randomWord(random, '0123456789', 5);
    if (!out.some((d) => d.name.slice(0, 2) === name.slice(0, 2))) out.push({ name, value });
  }
  return out;
}

function cueAndAnswer(kind: 'value' | 'name', d: Definition): { cue: string; answer: string } {
  return kind === 'value'
    ? { cue: `\n${marker}${d.name} = `, answer: d.value }
    : { cue: `\nprint(${marker}${d.name.slice(0, 2)}`, answer: d.name.slice(2, 2 + answerLength) };
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

function occurrences(haystack: Int32Array, needle: number[]): number {
  let count = 0;
  for (let i = 0; i + needle.length <= haystack.length; i++) {
    let j = 0;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) count++;
  }
  return count;
}

interface Layout {
  readonly stream: number[];
  readonly definitionsAt: number;
  /** Token position just past each definition line. */
  readonly definitionEnds: number[];
}

/** The file with the definition lines inserted after its first line boundary at or after `insertAfter`. */
function insertDefinitions(bytes: Uint8Array, head: number[], defs: Definition[], insertAfter: number): Layout {
  const lineEnd = bytes.indexOf(10, insertAfter);
  if (lineEnd < 0)
    throw new InvalidArgumentError('bytes', `a file with a line break after byte ${insertAfter}`, 'none', 'domain');
  const lines = defs.map((d) => ascii(`${marker}${d.name} = ${d.value}\n`));
  const definitionsAt = head.length + lineEnd + 1;
  const definitionEnds: number[] = [];
  let end = definitionsAt;
  for (const line of lines) definitionEnds.push((end += line.length));
  return {
    stream: [...head, ...bytes.subarray(0, lineEnd + 1), ...lines.flat(), ...bytes.subarray(lineEnd + 1)],
    definitionsAt,
    definitionEnds,
  };
}

/** What one probe asks for: its cue and answer, and where the text it must be copied from ends. */
interface Source {
  readonly kind: ProbeKind;
  readonly definition: string;
  readonly end: number;
  readonly cue: string;
  readonly answer: string;
}

/** Lines of the file (not the inserted ones) that a `line` probe may repeat: see the file comment. */
function lineSources(layout: Layout, shared: number, minDistance: number): Source[] {
  const { stream, definitionsAt } = layout;
  const blockEnd = layout.definitionEnds[layout.definitionEnds.length - 1]!;
  const before = stream.slice(0, shared);
  const sources: Source[] = [];
  for (
    let start = stream.indexOf(10) + 1;
    start > 0 && start < shared - minDistance;
    start = stream.indexOf(10, start) + 1
  ) {
    const end = stream.indexOf(10, start);
    if (end < 0 || end + 1 > shared - minDistance) break;
    if (start >= definitionsAt && start < blockEnd) continue;
    const line = String.fromCharCode(...stream.slice(start, end));
    if (line.length < minLineLength || line.length > maxLineLength || line.slice(-answerLength).trim() === '') continue;
    const cue = `\n${line.slice(0, -answerLength)}`;
    if (
      occurrences(Int32Array.from(before), ascii(`${cue}${line.slice(-answerLength)}`)) !== 1 ||
      occurrences(Int32Array.from(before), ascii(cue)) !== 1
    )
      continue;
    sources.push({ kind: 'line', definition: line, end: end + 1, cue, answer: line.slice(-answerLength) });
  }
  return sources;
}

/** The probes of one draw of definitions, or null when an answer also occurs outside its definition. */
function probesOf(layout: Layout, sources: Source[], shared: number, minDistance: number): RetrievalProbe[] | null {
  const probes: RetrievalProbe[] = [];
  for (const { kind, definition, end, cue, answer } of sources) {
    const tokens = Int32Array.from([...layout.stream.slice(0, shared), ...ascii(cue), ...ascii(answer)]);
    const answerFrom = shared + cue.length;
    const distance = answerFrom - end;
    if (distance < minDistance)
      throw new InvalidArgumentError(
        'context',
        `room for ${minDistance} bytes between the definitions and the probes`,
        `${distance} bytes`,
        'range',
      );
    // A random answer occurs once, in its definition; a line's answer may be common code, and
    // what makes it far-back is that its cue occurs once before (checked in lineSources).
    if (kind !== 'line' && occurrences(tokens.subarray(0, answerFrom), ascii(answer)) !== 1) return null;
    probes.push({ kind, definition, tokens, answerFrom, answer, distance });
  }
  return probes;
}

function pick<T>(random: RandomSource, items: T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(random.integer(pool.length), 1)[0]!);
  return out;
}

export function retrievalContext(options: RetrievalContextOptions): RetrievalContext {
  const { bytes, bos, context, definitions, seed } = options;
  const head = bos === null ? [] : [bos];
  const minDistance = options.minDistance ?? 3000;
  if (!Number.isInteger(context) || context < cueReserve + 2)
    throw new InvalidArgumentError('context', `an integer ≥ ${cueReserve + 2}`, String(context), 'range');
  if (bytes.length + head.length < context)
    throw new InvalidArgumentError(
      'bytes',
      `a file of at least ${context - head.length} bytes`,
      String(bytes.length),
      'length',
    );
  if (!Number.isInteger(definitions) || definitions < 1 || definitions > 26)
    throw new InvalidArgumentError('definitions', 'an integer in [1, 26]', String(definitions), 'range');
  const random = seededRandom(seed);
  const shared = context - cueReserve;
  // Redraw (deterministically, from the same generator) while an answer also occurs elsewhere.
  for (let draw = 0; draw < 100; draw++) {
    const defs = drawDefinitions(random, definitions);
    const layout = insertDefinitions(bytes, head, defs, options.insertAfter ?? 128);
    const drawn = probeKinds
      .filter((k) => k !== 'line')
      .flatMap((kind) =>
        defs.map((d, i): Source => ({
          kind,
          definition: `${marker}${d.name} = ${d.value}`,
          end: layout.definitionEnds[i]!,
          ...cueAndAnswer(kind, d),
        })),
      );
    const lines = pick(random, lineSources(layout, shared, minDistance), definitions);
    const probes = probesOf(layout, [...drawn, ...lines], shared, minDistance);
    if (probes !== null) return { shared, definitionsAt: layout.definitionsAt, probes };
  }
  throw new InvalidArgumentError(
    'seed',
    'a seed that draws answers found only in their definitions within 100 draws',
    String(seed),
    'domain',
  );
}
