import { describe, expect, it } from 'vitest';
import { copyGigabytesPerSecond, decodeSpeed } from '../../../src/model/bench/decodeSpeed.js';

describe('decodeSpeed', () => {
  it('adds weights, K/V and selection bytes and sets them against the copy bandwidth', () => {
    // 13.5e9 + 0.5e9 + 1e9 = 15e9 bytes; at 3000 GB/s that is 5 ms; taking 10 ms is half the bound.
    const s = decodeSpeed({
      batch: 16,
      copyGBs: 3000,
      timing: { medianMs: 10, minMs: 9, weightBytes: 13.5e9, kvBytes: 0.5e9, selectionBytes: 1e9 },
    });
    expect(s.bytes).toEqual({ weights: 13.5e9, kv: 0.5e9, selection: 1e9, total: 15e9 });
    expect(s.tokensPerSecond).toBeCloseTo(1600, 9);
    expect(s.achievedGBs).toBeCloseTo(1500, 9);
    expect(s.boundMs).toBeCloseTo(5, 12);
    expect(s.fractionOfBound).toBeCloseTo(0.5, 12);
  });

  it('a dense timing has no selection bytes', () => {
    const s = decodeSpeed({
      batch: 1,
      copyGBs: 2000,
      timing: { medianMs: 8, minMs: 8, weightBytes: 1.2e10, kvBytes: 4e9 },
    });
    expect(s.bytes.selection).toBe(0);
    expect(s.boundMs).toBeCloseTo(8, 12);
    expect(s.fractionOfBound).toBeCloseTo(1, 12);
  });

  it('copy bandwidth counts the read and the write', () => {
    expect(copyGigabytesPerSecond(2 ** 30, 2 ** 30 / 1.5e12)).toBeCloseTo(3000, 6);
  });

  it('refuses a non-positive time, batch or bandwidth, naming it', () => {
    const timing = { medianMs: 1, minMs: 1, weightBytes: 1, kvBytes: 1 };
    expect(() => decodeSpeed({ batch: 0, copyGBs: 1, timing })).toThrow(/batch/);
    expect(() => decodeSpeed({ batch: 1, copyGBs: Number.NaN, timing })).toThrow(/copyGBs/);
    expect(() => decodeSpeed({ batch: 1, copyGBs: 1, timing: { ...timing, medianMs: 0 } })).toThrow(/medianMs/);
    expect(() => copyGigabytesPerSecond(1, 0)).toThrow(/seconds/);
  });
});
