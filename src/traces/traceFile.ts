/**
 * Trace files. A trace is three tensors, `queries` [L, T, Hq, d], `keys` [L, Hkv, N, d] and
 * `values` [L, Hkv, N, dv] (src/traces/trace.ts). Two formats:
 *   FILE.safetensors   one file holding the three tensors (metadata: format, scale);
 *   FOLDER             a folder with queries.npy, keys.npy and values.npy (scale 1/√d).
 * Every file is written atomically (temporary file, then rename), so a reader never sees a
 * half-written tensor. Reading validates headers, dtypes, sizes and the shapes' agreement, and
 * names the offending tensor.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { decodeNpy, encodeNpy, TraceFileError } from './npy.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import type { FileTensor } from './tensorFile.js';
import { tensorShapes, type Trace } from './trace.js';

const TENSORS = ['queries', 'keys', 'values'] as const;

function isSafetensorsPath(path: string): boolean {
  return path.endsWith('.safetensors');
}

export function saveTrace(trace: Trace, path: string): void {
  const shapes = tensorShapes(trace);
  const tensors = new Map<string, FileTensor>(
    TENSORS.map((name) => [name, { shape: shapes[name], data: trace[name] }]),
  );
  if (isSafetensorsPath(path)) {
    writeFileAtomic(path, encodeSafetensors(tensors, { format: 'prhs-trace', scale: String(trace.scale) }));
    return;
  }
  if (path.endsWith('.npy'))
    throw new InvalidArgumentError(
      'path',
      'a FILE.safetensors, or a folder to hold queries.npy, keys.npy and values.npy',
      JSON.stringify(path),
      'domain',
    );
  for (const name of TENSORS) writeFileAtomic(join(path, `${name}.npy`), encodeNpy(tensors.get(name)!));
}

function readBytes(path: string, tensor: string): Uint8Array {
  if (!existsSync(path)) throw new TraceFileError(tensor, `file ${path} does not exist`);
  // A folder where a file belongs is bad input, not an internal error from readFileSync (EISDIR).
  if (!statSync(path).isFile()) throw new TraceFileError(tensor, `${path} is a folder, not a file`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new TraceFileError(
      tensor,
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

export function loadTrace(path: string): Trace {
  let tensors: Map<string, FileTensor>;
  let scale: number | undefined;
  if (isSafetensorsPath(path)) {
    const contents = decodeSafetensors(readBytes(path, 'file'));
    tensors = new Map(contents.tensors);
    if (contents.metadata.scale !== undefined) {
      scale = Number(contents.metadata.scale);
      if (!Number.isFinite(scale))
        throw new TraceFileError(
          '__metadata__',
          `scale ${JSON.stringify(contents.metadata.scale)} is not a finite number`,
        );
    }
  } else {
    if (!existsSync(path) || !statSync(path).isDirectory()) {
      throw new InvalidArgumentError(
        '--trace',
        'a FILE.safetensors or a folder with queries.npy, keys.npy and values.npy',
        JSON.stringify(path),
        'domain',
      );
    }
    tensors = new Map(TENSORS.map((name) => [name, decodeNpy(readBytes(join(path, `${name}.npy`), name), name)]));
  }
  return traceFromTensors(tensors, scale);
}

/** Assembles and validates a trace from its three tensors. */
export function traceFromTensors(tensors: ReadonlyMap<string, FileTensor>, scale?: number): Trace {
  const get = (name: string, rank: number): FileTensor => {
    const t = tensors.get(name);
    if (!t) throw new TraceFileError(name, 'missing');
    if (t.shape.length !== rank)
      throw new TraceFileError(name, `expected rank ${rank}, found shape [${t.shape.join(', ')}]`);
    for (let i = 0; i < t.data.length; i++)
      if (!Number.isFinite(t.data[i]!))
        throw new TraceFileError(name, `entry ${i} is ${t.data[i]} (traces must be finite)`);
    return t;
  };
  const q = get('queries', 4);
  const k = get('keys', 4);
  const v = get('values', 4);
  const [layers, steps, queryHeads, headDim] = q.shape as [number, number, number, number];
  const [kLayers, kvHeads, positions, kDim] = k.shape as [number, number, number, number];
  const [vLayers, vHeads, vPositions, valueDim] = v.shape as [number, number, number, number];
  const expect = (tensor: string, ok: boolean, what: string) => {
    if (!ok) throw new TraceFileError(tensor, what);
  };
  expect('queries', layers > 0 && steps > 0 && queryHeads > 0 && headDim > 0, `empty shape [${q.shape.join(', ')}]`);
  expect('keys', kLayers === layers, `has ${kLayers} layers, queries have ${layers}`);
  expect('keys', kDim === headDim, `head dimension ${kDim} differs from the queries' ${headDim}`);
  expect(
    'keys',
    kvHeads > 0 && queryHeads % kvHeads === 0,
    `${kvHeads} KV heads do not divide the ${queryHeads} query heads`,
  );
  expect('keys', positions >= steps, `${positions} positions are fewer than the ${steps} decode steps`);
  expect(
    'values',
    vLayers === layers && vHeads === kvHeads && vPositions === positions,
    `shape [${v.shape.join(', ')}] does not match keys [${k.shape.join(', ')}] in layers, heads and positions`,
  );
  expect('values', valueDim > 0, 'value dimension 0');
  const f32 = (t: FileTensor) => (t.data instanceof Float32Array ? t.data : Float32Array.from(t.data));
  return {
    layers,
    steps,
    queryHeads,
    kvHeads,
    positions,
    headDim,
    valueDim,
    queries: f32(q),
    keys: f32(k),
    values: f32(v),
    scale: scale ?? 1 / Math.sqrt(headDim),
  };
}
