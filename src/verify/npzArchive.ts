/**
 * NumPy .npz archives (a zip of .npy files, as np.savez and np.savez_compressed write them; zip64
 * included) as StoredFiles. Stored entries are read on demand; deflated entries are inflated once.
 * Metadata comes from an entry `meta.json` (a JSON object) or `meta.npy` (a 0-d string array
 * holding that JSON, which `np.savez(..., meta=json.dumps(meta))` writes).
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { InvalidArgumentError } from '../core/errors.js';
import { readExactly } from '../io/readExactly.js';
import { parseNpyHeader, TraceFileError } from '../traces/npy.js';
import { shapeSize } from '../traces/tensorFile.js';
import { elementBytes, type ElementType, type StoredFile, type StoredTensor } from './storedTensors.js';

const npyTypes: Readonly<Record<string, ElementType>> = {
  '<f2': 'F16',
  '<f4': 'F32',
  '<f8': 'F64',
  '<i4': 'I32',
  '<i8': 'I64',
};

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeader: number;
}

function readAt(fd: number, position: number, length: number): Uint8Array {
  return readExactly(fd, {
    position,
    length,
    truncated: (done) =>
      new TraceFileError(
        'archive',
        `truncated: ${length} bytes wanted at offset ${position}, the file ends after ${done}`,
      ),
  });
}

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => u16(b, at) + u16(b, at + 2) * 65536;
const u64 = (b: Uint8Array, at: number) => u32(b, at) + u32(b, at + 4) * 2 ** 32;

/** Central directory location, from the end record (and the zip64 end record when present). */
function centralDirectory(fd: number, size: number): { offset: number; length: number; count: number } {
  const tail = Math.min(size, 65557);
  const end = readAt(fd, size - tail, tail);
  let at = -1;
  for (let i = end.length - 22; i >= 0; i--)
    if (u32(end, i) === 0x06054b50) {
      at = i;
      break;
    }
  if (at < 0) throw new TraceFileError('archive', 'not a zip (.npz) file: no end-of-central-directory record');
  let count = u16(end, at + 10);
  let length = u32(end, at + 12);
  let offset = u32(end, at + 16);
  if (at >= 20 && u32(end, at - 20) === 0x07064b50) {
    const record = readAt(fd, u64(end, at - 20 + 8), 56);
    if (u32(record, 0) !== 0x06064b50) throw new TraceFileError('archive', 'malformed zip64 end record');
    count = u64(record, 32);
    length = u64(record, 40);
    offset = u64(record, 48);
  }
  return { offset, length, count };
}

function zipEntries(fd: number, size: number): ZipEntry[] {
  const directory = centralDirectory(fd, size);
  const bytes = readAt(fd, directory.offset, directory.length);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let n = 0; n < directory.count; n++) {
    if (u32(bytes, at) !== 0x02014b50) throw new TraceFileError('archive', `malformed central directory entry ${n}`);
    const nameLength = u16(bytes, at + 28);
    const extraLength = u16(bytes, at + 30);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    let size64 = u32(bytes, at + 24);
    let compressed = u32(bytes, at + 20);
    let localHeader = u32(bytes, at + 42);
    // The zip64 extra field holds, in order, whichever of the three sizes overflowed 32 bits.
    for (let e = at + 46 + nameLength; e < at + 46 + nameLength + extraLength; e += 4 + u16(bytes, e + 2)) {
      if (u16(bytes, e) !== 0x0001) continue;
      let field = e + 4;
      if (size64 === 0xffffffff) {
        size64 = u64(bytes, field);
        field += 8;
      }
      if (compressed === 0xffffffff) {
        compressed = u64(bytes, field);
        field += 8;
      }
      if (localHeader === 0xffffffff) localHeader = u64(bytes, field);
    }
    entries.push({ name, method: u16(bytes, at + 10), compressedSize: compressed, size: size64, localHeader });
    at += 46 + nameLength + extraLength + u16(bytes, at + 32);
  }
  return entries;
}

/** A reader of an entry's uncompressed bytes [position, position + length). */
function entryReader(fd: number, entry: ZipEntry): (position: number, length: number) => Uint8Array {
  const local = readAt(fd, entry.localHeader, 30);
  if (u32(local, 0) !== 0x04034b50) throw new TraceFileError(entry.name, 'malformed zip local header');
  const dataStart = entry.localHeader + 30 + u16(local, 26) + u16(local, 28);
  if (entry.method === 0) return (position, length) => readAt(fd, dataStart + position, length);
  if (entry.method !== 8)
    throw new TraceFileError(entry.name, `zip compression method ${entry.method} is not supported (stored or deflate)`);
  const inflated = inflateRawSync(readAt(fd, dataStart, entry.compressedSize));
  if (inflated.length !== entry.size)
    throw new TraceFileError(entry.name, `inflates to ${inflated.length} bytes, the archive says ${entry.size}`);
  return (position, length) => new Uint8Array(inflated.subarray(position, position + length));
}

function npyTensor(
  name: string,
  entry: ZipEntry,
  read: (position: number, length: number) => Uint8Array,
): StoredTensor {
  const { descr, shape, dataStart } = parseNpyHeader(read(0, Math.min(entry.size, 65536 + 12)), name);
  const type = npyTypes[descr];
  if (!type)
    throw new TraceFileError(
      name,
      `dtype ${descr} is not supported (expected <f2, <f4, <f8, <i4 or <i8; store bf16 as float32 and declare dtype bf16)`,
    );
  const count = shapeSize(name, shape);
  const width = elementBytes[type];
  if (entry.size - dataStart !== count * width)
    throw new TraceFileError(
      name,
      `shape [${shape.join(', ')}] of ${descr} needs ${count * width} bytes, the entry has ${entry.size - dataStart}`,
    );
  return { name, type, shape, read: (start, n) => read(dataStart + start * width, n * width) };
}

/** Metadata from meta.json or meta.npy (a 0-d little-endian unicode string array): values become strings. */
function metadataOf(text: string, source: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(
      source,
      'a JSON object of metadata',
      `invalid JSON (${(error as Error).message})`,
      'type',
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InvalidArgumentError(source, 'a JSON object of metadata', JSON.stringify(parsed), 'type');
  return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

function metaNpyText(entry: ZipEntry, read: (position: number, length: number) => Uint8Array): string {
  const bytes = read(0, entry.size);
  const { descr, shape, dataStart } = parseNpyHeader(bytes, 'meta');
  if (!/^<U\d+$/.test(descr) || shape.length !== 0)
    throw new InvalidArgumentError(
      'meta',
      'a 0-d unicode string array (np.savez(..., meta=json.dumps(meta)))',
      `dtype ${descr}, shape [${shape.join(', ')}]`,
      'type',
    );
  const units = bytes.subarray(dataStart);
  const codePoints: number[] = [];
  for (let i = 0; i + 4 <= units.length; i += 4) {
    const c = u32(units, i);
    if (c !== 0) codePoints.push(c);
  }
  return String.fromCodePoint(...codePoints);
}

export function openNpz(path: string): StoredFile {
  const fd = openSync(path, 'r');
  try {
    const tensors = new Map<string, StoredTensor>();
    let metadata: Record<string, string> = {};
    for (const entry of zipEntries(fd, fstatSync(fd).size)) {
      const read = entryReader(fd, entry);
      if (entry.name === 'meta.json') metadata = metadataOf(new TextDecoder().decode(read(0, entry.size)), 'meta.json');
      else if (entry.name === 'meta.npy') metadata = metadataOf(metaNpyText(entry, read), 'meta');
      else if (entry.name.endsWith('.npy'))
        tensors.set(entry.name.slice(0, -4), npyTensor(entry.name.slice(0, -4), entry, read));
      else throw new TraceFileError(entry.name, 'unexpected archive entry (expected NAME.npy, meta.npy or meta.json)');
    }
    return { tensors, metadata, close: () => closeSync(fd) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
