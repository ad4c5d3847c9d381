/**
 * `prhs cases export`: the edge cases (src/verify/edgeCases.ts) and every stored counterexample
 * (properties/counterexamples/) as safetensors files with a manifest.json (schema prhs-cases/1), so
 * a foreign test suite (pytest, Hypothesis) can run its kernel over them. The folder is written
 * beside its destination and renamed into place, so a reader never sees half of it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { counterexampleFolder } from '../claims/counterexampleStore.js';
import { InvalidArgumentError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { encodeRawSafetensors, type RawTensor } from '../traces/safetensors.js';
import { edgeCases, type CaseTensorData, type EdgeCase } from './edgeCases.js';

export const casesSchema = 'prhs-cases/1';

export interface ManifestEntry {
  readonly file: string;
  readonly kind: 'edge-case' | 'counterexample';
  readonly description: string;
  readonly claims: readonly string[];
  readonly tensors: Readonly<Record<string, { readonly dtype: string; readonly shape: readonly number[] }>>;
  readonly metadata: Readonly<Record<string, string>>;
}

function rawTensor(t: CaseTensorData): RawTensor {
  const dtype = t.data instanceof Float32Array ? 'F32' : t.data instanceof Float64Array ? 'F64' : 'I32';
  return { dtype, shape: t.shape, bytes: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
}

/** Shape of a rectangular nested array of numbers, or null if it is not one. */
function numericShape(value: unknown): number[] | null {
  if (typeof value === 'number') return [];
  if (!Array.isArray(value) || value.length === 0) return null;
  const inner = value.map(numericShape);
  const first = inner[0];
  if (!first || inner.some((s) => !s || s.join() !== first.join())) return null;
  return [value.length, ...first];
}

/** Numeric arrays of a stored counterexample become F64 tensors (named by their path); everything else metadata. */
function flatten(
  value: unknown,
  name: string,
  tensors: Map<string, CaseTensorData>,
  scalars: Record<string, unknown>,
): void {
  const shape = numericShape(value);
  if (shape && shape.length > 0) {
    tensors.set(name, { shape, data: Float64Array.from((value as unknown[]).flat(Infinity) as number[]) });
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value))
      flatten(inner, name === '' ? key : `${name}.${key}`, tensors, scalars);
  } else {
    scalars[name] = value;
  }
}

/** A head {q, K, V} of a counterexample, also in the kernel layout (batch 1, one head). */
function kernelLayout(payload: unknown, tensors: Map<string, CaseTensorData>): void {
  const head = payload as { q?: unknown; K?: unknown; V?: unknown };
  const q = numericShape(head.q);
  const k = numericShape(head.K);
  const v = numericShape(head.V);
  if (!q || !k || !v || q.length !== 1 || k.length !== 2 || v.length !== 2 || k[1] !== q[0] || v[0] !== k[0]) return;
  tensors.set('q', { shape: [1, 1, q[0]!], data: Float64Array.from(head.q as number[]) });
  tensors.set('k', { shape: [1, 1, k[0]!, k[1]!], data: Float64Array.from((head.K as number[][]).flat()) });
  tensors.set('v', { shape: [1, 1, v[0]!, v[1]!], data: Float64Array.from((head.V as number[][]).flat()) });
}

interface StoredEntry {
  readonly claimId: string;
  readonly counterexample: unknown[];
  readonly explanation: string;
  readonly seed?: number;
  readonly path?: string;
}

function counterexampleCases(): EdgeCase[] {
  const folder = counterexampleFolder();
  if (!existsSync(folder)) return [];
  const cases: EdgeCase[] = [];
  for (const file of readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const parsed: unknown = JSON.parse(readFileSync(join(folder, file), 'utf8'));
    const entries = (Array.isArray(parsed) ? parsed : [parsed]) as StoredEntry[];
    entries.forEach((entry, n) => {
      const tensors = new Map<string, CaseTensorData>();
      const scalars: Record<string, unknown> = {};
      const args = entry.counterexample;
      const single = args.length === 1 && args[0] !== null && typeof args[0] === 'object' && !Array.isArray(args[0]);
      if (single) flatten(args[0], '', tensors, scalars);
      else args.forEach((arg, i) => flatten(arg, `arg${i}`, tensors, scalars));
      if (single) kernelLayout(args[0], tensors);
      const metadata: Record<string, string> = {
        claim: entry.claimId,
        explanation: entry.explanation,
        scalars: JSON.stringify(scalars),
      };
      if (entry.seed !== undefined) metadata.seed = String(entry.seed);
      if (entry.path !== undefined) metadata.path = entry.path;
      cases.push({
        name: `counterexample-${entry.claimId}-${n}`,
        description: `stored counterexample to ${entry.claimId}: ${entry.explanation}`,
        claims: [entry.claimId],
        tensors,
        metadata,
      });
    });
  }
  return cases;
}

function manifestEntry(c: EdgeCase, file: string, kind: ManifestEntry['kind']): ManifestEntry {
  const tensors = Object.fromEntries(
    [...c.tensors].map(([name, t]) => [name, { dtype: rawTensor(t).dtype, shape: t.shape }]),
  );
  return { file, kind, description: c.description, claims: c.claims, tensors, metadata: c.metadata };
}

function checkDestination(out: string, replace: boolean): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory())
    throw new InvalidArgumentError('--out', 'a folder to create', `${JSON.stringify(out)}, an existing file`, 'domain');
  if (readdirSync(out).length > 0 && !replace)
    throw new InvalidArgumentError(
      '--out',
      'a new or empty folder (or --force to replace it)',
      `${JSON.stringify(out)}, which has files`,
      'domain',
    );
}

export interface ExportOptions {
  readonly out: string;
  /** Replace an existing non-empty folder. */
  readonly replace?: boolean;
  /** Tokens of the family cases (default 1024). */
  readonly tokens?: number;
}

/** Writes every case and the manifest; returns the manifest's entries. */
export function exportCases(options: ExportOptions): ManifestEntry[] {
  const out = resolve(options.out);
  checkDestination(out, options.replace ?? false);
  mkdirSync(dirname(out), { recursive: true });
  const temporary = join(dirname(out), `.${basename(out)}.${process.pid}.${Date.now()}.tmp`);
  const entries: ManifestEntry[] = [];
  try {
    mkdirSync(temporary);
    const all: [EdgeCase, ManifestEntry['kind']][] = [
      ...edgeCases(options.tokens).map((c) => [c, 'edge-case'] as [EdgeCase, 'edge-case']),
      ...counterexampleCases().map((c) => [c, 'counterexample'] as [EdgeCase, 'counterexample']),
    ];
    for (const [c, kind] of all) {
      const file = `${c.name}.safetensors`;
      writeFileAtomic(
        join(temporary, file),
        encodeRawSafetensors(new Map([...c.tensors].map(([n, t]) => [n, rawTensor(t)])), c.metadata),
      );
      entries.push(manifestEntry(c, file, kind));
    }
    const layout =
      'q [batch, queryHeads, headDim], k [batch, kvHeads, tokens, headDim], v [batch, kvHeads, tokens, valueDim]; logits are scale·q·k exactly';
    writeFileAtomic(
      join(temporary, 'manifest.json'),
      JSON.stringify({ schema: casesSchema, layout, cases: entries }, null, 2) + '\n',
    );
    if (existsSync(out)) rmSync(out, { recursive: true });
    renameSync(temporary, out);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
  return entries;
}
