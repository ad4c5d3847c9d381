import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, TraceFileError } from '../../src/traces/npy.js';
import { decodeSafetensors } from '../../src/traces/safetensors.js';
import { syntheticTrace } from '../../src/traces/synthetic.js';
import { loadTrace, saveTrace } from '../../src/traces/traceFile.js';

const small = () =>
  syntheticTrace({ layers: 2, queryHeads: 4, kvHeads: 2, prefix: 40, steps: 6, headDim: 12, seed: 7 });

describe('trace files', () => {
  it('round-trips through safetensors and through a folder of .npy files', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prhs-trace-'));
    const trace = small();
    for (const path of [join(folder, 't.safetensors'), join(folder, 'npy')]) {
      saveTrace(trace, path);
      const back = loadTrace(path);
      expect(back.positions).toBe(trace.positions);
      expect(back.steps).toBe(trace.steps);
      expect(back.kvHeads).toBe(2);
      expect(back.scale).toBeCloseTo(trace.scale, 15);
      expect(Array.from(back.keys)).toEqual(Array.from(trace.keys));
      expect(Array.from(back.queries)).toEqual(Array.from(trace.queries));
    }
    // Atomic writes leave no temporary files behind.
    expect(readdirSync(folder).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('names the tensor of a truncated safetensors file', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prhs-trace-'));
    const path = join(folder, 't.safetensors');
    saveTrace(small(), path);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    expect(() => loadTrace(path)).toThrow(/tensor "values": truncated/);
  });

  it('names the tensor of a truncated or mistyped .npy file', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prhs-trace-'));
    saveTrace(small(), folder);
    const keys = readFileSync(join(folder, 'keys.npy'));
    writeFileSync(join(folder, 'keys.npy'), keys.subarray(0, keys.length - 3));
    expect(() => loadTrace(folder)).toThrow(/tensor "keys": truncated data/);
    const bad = encodeNpy({ shape: [2], data: new Float32Array([1, 2]) });
    const text = Buffer.from(bad).toString('latin1').replace("'<f4'", "'<i4'");
    expect(() => decodeNpy(new Uint8Array(Buffer.from(text, 'latin1')), 'queries')).toThrow(
      /tensor "queries": dtype <i4 is not supported/,
    );
  });

  it('rejects malformed safetensors headers with a typed error', () => {
    const header = Buffer.from('{"queries":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}');
    const bytes = Buffer.alloc(8 + header.length + 1);
    bytes.writeBigUInt64LE(BigInt(header.length), 0);
    header.copy(bytes, 8);
    expect(() => decodeSafetensors(new Uint8Array(bytes))).toThrow(TraceFileError);
    expect(() => decodeSafetensors(new Uint8Array(bytes))).toThrow(/tensor "queries": dtype "I8"/);
    const short = Buffer.alloc(8);
    short.writeBigUInt64LE(100n, 0);
    expect(() => decodeSafetensors(new Uint8Array(short))).toThrow(/declares 100 header bytes/);
  });

  it('checks that the three tensors agree', () => {
    const folder = mkdtempSync(join(tmpdir(), 'prhs-trace-'));
    saveTrace(small(), folder);
    writeFileSync(join(folder, 'values.npy'), encodeNpy({ shape: [2, 2, 3, 12], data: new Float32Array(144) }));
    expect(() => loadTrace(folder)).toThrow(/tensor "values": shape \[2, 2, 3, 12\] does not match keys/);
  });
});
