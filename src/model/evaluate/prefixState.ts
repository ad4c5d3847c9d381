/**
 * The dense prefix of a SharedPrefixDecoder as bytes: its tokens and the exact (float64) key and
 * value vectors the engine cached for them, so that another process can load the prefix instead
 * of running it again (bench/model/real-attention-quality.js splits one file's branches over
 * worker processes this way). The bytes are for the same machine and build: host byte order, no
 * versioning beyond a magic number and the sizes, which decoding checks.
 *
 * Layout: Int32 [magic, layers, width, length], Int32 tokens [length] (padded to 8 bytes), then
 * Float64 keys and values, each [layers, length, width] with width = kvHeads · headDim.
 */
import { InvalidArgumentError } from '../../core/errors.js';

export interface PrefixState {
  /** The prefix tokens, positions 0 … length − 1. */
  readonly tokens: Int32Array;
  readonly layers: number;
  /** kvHeads · headDim: one position's keys (or values) of one layer. */
  readonly width: number;
  /** [layers, length, width]: the post-RoPE keys the engine cached, exactly. */
  readonly keys: Float64Array;
  /** [layers, length, width]. */
  readonly values: Float64Array;
}

const magic = 0x50524850; // "PHRP"
const headerInts = 4;

export function encodePrefixState(state: PrefixState): Uint8Array {
  const length = state.tokens.length;
  const tokenInts = length + (length % 2); // pad so the float64 arrays start 8-byte aligned
  const ints = new Int32Array(headerInts + tokenInts);
  ints.set([magic, state.layers, state.width, length]);
  ints.set(state.tokens, headerInts);
  const out = new Uint8Array(ints.byteLength + state.keys.byteLength + state.values.byteLength);
  out.set(new Uint8Array(ints.buffer));
  out.set(new Uint8Array(state.keys.buffer, state.keys.byteOffset, state.keys.byteLength), ints.byteLength);
  out.set(
    new Uint8Array(state.values.buffer, state.values.byteOffset, state.values.byteLength),
    ints.byteLength + state.keys.byteLength,
  );
  return out;
}

function invalid(received: string): InvalidArgumentError {
  return new InvalidArgumentError('prefix state', 'bytes written by encodePrefixState', received, 'domain');
}

export function decodePrefixState(bytes: Uint8Array): PrefixState {
  // Copy into a fresh buffer: aligned typed-array views whatever the source's offset.
  const copy = Uint8Array.from(bytes);
  if (copy.byteLength < headerInts * 4) throw invalid(`${copy.byteLength} bytes`);
  const [tag, layers, width, length] = new Int32Array(copy.buffer, 0, headerInts);
  if (tag !== magic) throw invalid('another magic number');
  if (!(layers! > 0 && width! > 0 && length! >= 0)) throw invalid(`layers ${layers}, width ${width}, length ${length}`);
  const tokenBytes = (length! + (length! % 2)) * 4;
  const floats = layers! * length! * width!;
  const expected = headerInts * 4 + tokenBytes + 2 * floats * 8;
  if (copy.byteLength !== expected) throw invalid(`${copy.byteLength} bytes where the sizes say ${expected}`);
  const keysAt = headerInts * 4 + tokenBytes;
  return {
    tokens: new Int32Array(copy.buffer, headerInts * 4, length),
    layers: layers!,
    width: width!,
    keys: new Float64Array(copy.buffer, keysAt, floats),
    values: new Float64Array(copy.buffer, keysAt + floats * 8, floats),
  };
}
