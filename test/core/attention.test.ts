import { describe, expect, it } from 'vitest';
import { decodeAttention, prefillAttention, singleHeadAttention, InvalidArgumentError } from '../../src/core/index.js';

describe('attention', () => {
  it('single head matches a hand computation', () => {
    // Two keys with logits 0 and ln 3 (scale 1): weights 1/4, 3/4.
    const K = { data: new Float64Array([0, Math.log(3)]), rows: 2, columns: 1 };
    const V = { data: new Float64Array([4, 8]), rows: 2, columns: 1 };
    const { attention, output } = singleHeadAttention([1], K, V, 1);
    expect(attention[1]).toBeCloseTo(0.75, 15);
    expect(output[0]).toBeCloseTo(7, 14);
  });

  it('GQA maps query heads to KV heads in groups', () => {
    // 2 KV heads, 4 query heads: heads 0,1 read KV head 0; heads 2,3 read KV head 1.
    const keys = { data: new Float64Array([0, 0, 0, 0]), shape: [2, 2, 1] };
    const values = { data: new Float64Array([1, 1, 5, 5]), shape: [2, 2, 1] };
    const query = { data: new Float64Array([1, 1, 1, 1]), shape: [4, 1] };
    const out = decodeAttention({ query, keys, values });
    expect(Array.from(out.data)).toEqual([1, 1, 5, 5]);
    expect(out.shape).toEqual([4, 1]);
  });

  it('a causal prefill block hides future keys', () => {
    const keys = { data: new Float64Array([0, 0, 0]), shape: [1, 3, 1] };
    const values = { data: new Float64Array([1, 2, 6]), shape: [1, 3, 1] };
    const queries = { data: new Float64Array([1, 1]), shape: [2, 1, 1] };
    const out = prefillAttention({ queries, keys, values });
    expect(out.shape).toEqual([2, 1, 1]);
    expect(out.data[0]).toBeCloseTo(1.5, 15); // sees keys 0, 1
    expect(out.data[1]).toBeCloseTo(3, 15); // sees keys 0, 1, 2
  });

  it('rejects mismatched heads and shapes, naming the argument', () => {
    const keys = { data: new Float64Array(6), shape: [3, 2, 1] };
    const values = { data: new Float64Array(6), shape: [3, 2, 1] };
    const query = { data: new Float64Array(4), shape: [4, 1] };
    expect(() => decodeAttention({ query, keys, values })).toThrow(/keys.shape\[0\]: expected a number of KV heads dividing the 4 query heads/);
    expect(() => decodeAttention({ query, keys: { data: new Float64Array(5), shape: [3, 2, 1] }, values })).toThrow(/keys: expected data.length 6/);
    expect(() => decodeAttention({ query: { data: new Float64Array([Number.NaN, 0, 0, 0]), shape: [4, 1] }, keys, values })).toThrow(InvalidArgumentError);
  });

  it('names a non-finite key or value entry even though the scan is deferred', () => {
    const V = { data: new Float64Array([1, 2]), rows: 2, columns: 1 };
    expect(() => singleHeadAttention([1], { data: new Float64Array([0, Number.NaN]), rows: 2, columns: 1 }, V)).toThrow(/K\.data\[1\]: expected a finite number, received NaN/);
    expect(() => singleHeadAttention([1], { data: new Float64Array([0, 0]), rows: 2, columns: 1 }, { data: new Float64Array([1, Infinity]), rows: 2, columns: 1 })).toThrow(/V\.data\[1\]/);
    expect(() => singleHeadAttention([1e300], { data: new Float64Array([1e300, 0]), rows: 2, columns: 1 }, V, 1)).toThrow(/overflow/);
  });
});
