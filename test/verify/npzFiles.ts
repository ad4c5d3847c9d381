/**
 * Test helper: writes .npz archives (zip files of .npy entries) byte by byte, as np.savez and
 * np.savez_compressed lay them out, with the zip64 records and the odd corners (comments, extra
 * fields, unknown compression methods) a reader must handle or refuse.
 */
import { crc32, deflateRawSync } from 'node:zlib';

/** A .npy file (format 1.0) with any descriptor: the header says `descr` and `shape`, the data is `data`'s bytes. */
export function npyBytes(descr: string, shape: readonly number[], data: Uint8Array): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + headerBytes.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  out.set(data, 10 + headerBytes.length);
  return out;
}

/** The bytes of a typed array. */
export const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A 0-d NumPy unicode array '<U{width}' holding `text` (UTF-32LE code points, zero-padded to `width`). */
export function unicodeNpy(text: string, width = [...text].length): Uint8Array {
  const units = new Uint32Array(width);
  [...text].forEach((ch, i) => (units[i] = ch.codePointAt(0)!));
  return npyBytes(`<U${width}`, [], bytesOf(units));
}

export interface ZipMember {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** 0 stored (default), 8 deflate, anything else as written. */
  readonly method?: number;
  /** The uncompressed size the directory declares (default: the true size). */
  readonly declaredSize?: number;
  /** Which of the directory's 32-bit fields overflow into a zip64 extra field (in the zip order). */
  readonly zip64?: readonly ('size' | 'compressed' | 'offset')[];
  /** Put an unrelated extra field (id 0x7075) before the zip64 one. */
  readonly otherExtra?: boolean;
  readonly comment?: string;
  /** Extra bytes in the local header (the data starts after them). */
  readonly localExtra?: number;
}

export interface ZipOptions {
  /** Write the zip64 end record and locator (entry count and directory place read from them). */
  readonly zip64End?: boolean;
  /** Break the zip64 end record's signature. */
  readonly badZip64End?: boolean;
  /** The archive's trailing comment. */
  readonly comment?: string;
}

class ByteWriter {
  private readonly chunks: Uint8Array[] = [];
  length = 0;
  bytes(b: Uint8Array): this {
    this.chunks.push(b);
    this.length += b.length;
    return this;
  }
  u16(v: number): this {
    return this.bytes(Uint8Array.of(v & 0xff, (v >>> 8) & 0xff));
  }
  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    return this.bytes(b);
  }
  u64(v: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    return this.bytes(b);
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const text = (s: string) => new TextEncoder().encode(s);

function centralExtra(m: ZipMember, sizes: { size: number; compressed: number; offset: number }): Uint8Array {
  const w = new ByteWriter();
  if (m.otherExtra)
    w.u16(0x7075)
      .u16(5)
      .bytes(Uint8Array.of(1, 2, 3, 4, 5));
  if (m.zip64 && m.zip64.length > 0) {
    w.u16(0x0001).u16(8 * m.zip64.length);
    for (const field of ['size', 'compressed', 'offset'] as const) if (m.zip64.includes(field)) w.u64(sizes[field]);
  }
  return w.concat();
}

/** The archive's bytes. */
export function zipArchive(members: readonly ZipMember[], options: ZipOptions = {}): Uint8Array {
  const file = new ByteWriter();
  const central = new ByteWriter();
  for (const m of members) {
    const method = m.method ?? 0;
    const data = method === 8 ? new Uint8Array(deflateRawSync(m.bytes)) : m.bytes;
    const offset = file.length;
    const name = text(m.name);
    const sizes = { size: m.declaredSize ?? m.bytes.length, compressed: data.length, offset };
    file
      .u32(0x04034b50)
      .u16(20)
      .u16(0)
      .u16(method)
      .u32(0)
      .u32(crc32(m.bytes))
      .u32(data.length)
      .u32(m.bytes.length)
      .u16(name.length)
      .u16(m.localExtra ?? 0)
      .bytes(name)
      .bytes(new Uint8Array(m.localExtra ?? 0).fill(0xee))
      .bytes(data);
    const extra = centralExtra(m, sizes);
    const comment = text(m.comment ?? '');
    const overflow = (field: 'size' | 'compressed' | 'offset') =>
      m.zip64?.includes(field) ? 0xffffffff : sizes[field];
    central
      .u32(0x02014b50)
      .u16(45)
      .u16(45)
      .u16(0)
      .u16(method)
      .u32(0)
      .u32(crc32(m.bytes))
      .u32(overflow('compressed'))
      .u32(overflow('size'))
      .u16(name.length)
      .u16(extra.length)
      .u16(comment.length)
      .u16(0)
      .u16(0)
      .u32(0)
      .u32(overflow('offset'))
      .bytes(name)
      .bytes(extra)
      .bytes(comment);
  }
  const directoryOffset = file.length;
  const directory = central.concat();
  file.bytes(directory);
  if (options.zip64End) {
    const recordOffset = file.length;
    file
      .u32(options.badZip64End ? 0x06064b51 : 0x06064b50)
      .u64(44)
      .u16(45)
      .u16(45)
      .u32(0)
      .u32(0)
      .u64(members.length)
      .u64(members.length)
      .u64(directory.length)
      .u64(directoryOffset);
    file.u32(0x07064b50).u32(0).u64(recordOffset).u32(1);
  }
  const comment = text(options.comment ?? '');
  file
    .u32(0x06054b50)
    .u16(0)
    .u16(0)
    .u16(options.zip64End ? 0xffff : members.length)
    .u16(options.zip64End ? 0xffff : members.length)
    .u32(options.zip64End ? 0xffffffff : directory.length)
    .u32(options.zip64End ? 0xffffffff : directoryOffset)
    .u16(comment.length)
    .bytes(comment);
  return file.concat();
}
