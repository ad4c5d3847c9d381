import { describe, expect, it } from 'vitest';
import {
  attentionLogits,
  decodeAttention,
  prefillAttention,
  singleHeadAttention,
  InvalidArgumentError,
} from '../../src/core/index.js';
import { defaultScale, weightedSumUnchecked } from '../../src/core/attention.js';
import { rejectionMessage as message } from './rejectionMessage.js';

describe('attention', () => {
  it('single head matches a hand computation', () => {
    // Two keys with logits 0 and ln 3 (scale 1): weights 1/4, 3/4.
    const K = { data: new Float64Array([0, Math.log(3)]), rows: 2, columns: 1 };
    const V = { data: new Float64Array([4, 8]), rows: 2, columns: 1 };
    const { attention, output } = singleHeadAttention([1], K, V, 1);
    expect(attention[1]).toBeCloseTo(0.75, 15);
    expect(output[0]).toBeCloseTo(7, 14);
  });

  it('refuses a non-finite value even where its weight underflows to exactly 0', () => {
    // Logits 1000 and −1000: the second weight is e^−2000 = 0 in float64.
    const K = { data: Float64Array.of(1, -1), rows: 2, columns: 1 };
    const V = { data: Float64Array.of(1, Infinity), rows: 2, columns: 1 };
    expect(() => singleHeadAttention([1000], K, V, 1)).toThrow(
      'V.data[1]: expected a finite number, received Infinity',
    );
    // The same value with a weight above 0 was always refused.
    expect(() => singleHeadAttention([1], K, V, 1)).toThrow('V.data[1]: expected a finite number, received Infinity');
    // Finite values with an underflowed weight are fine.
    const finite = { data: Float64Array.of(1, 5), rows: 2, columns: 1 };
    expect(Array.from(singleHeadAttention([1000], K, finite, 1).output)).toEqual([1]);
  });
  it('refuses the default scale of a zero head dimension as out of its domain', () => {
    let thrown: unknown;
    try {
      defaultScale(0);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as InvalidArgumentError).argument).toBe('scale');
    expect((thrown as InvalidArgumentError).problem).toBe('domain');
    expect(defaultScale(4)).toBe(0.5);
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
    expect(() => decodeAttention({ query, keys, values })).toThrow(
      /keys.shape\[0\]: expected a number of KV heads dividing the 4 query heads/,
    );
    expect(() => decodeAttention({ query, keys: { data: new Float64Array(5), shape: [3, 2, 1] }, values })).toThrow(
      /keys: expected data.length 6/,
    );
    expect(() =>
      decodeAttention({ query: { data: new Float64Array([Number.NaN, 0, 0, 0]), shape: [4, 1] }, keys, values }),
    ).toThrow(InvalidArgumentError);
  });

  it('names a non-finite key or value entry even though the scan is deferred', () => {
    const V = { data: new Float64Array([1, 2]), rows: 2, columns: 1 };
    expect(() => singleHeadAttention([1], { data: new Float64Array([0, Number.NaN]), rows: 2, columns: 1 }, V)).toThrow(
      /K\.data\[1\]: expected a finite number, received NaN/,
    );
    expect(() =>
      singleHeadAttention(
        [1],
        { data: new Float64Array([0, 0]), rows: 2, columns: 1 },
        { data: new Float64Array([1, Infinity]), rows: 2, columns: 1 },
      ),
    ).toThrow(/V\.data\[1\]/);
    expect(() =>
      singleHeadAttention([1e300], { data: new Float64Array([1e300, 0]), rows: 2, columns: 1 }, V, 1),
    ).toThrow(/overflow/);
  });
});

describe('attention boundaries, message by message', () => {
  const range = '[-1.7976931348623157e+308, 1.7976931348623157e+308]';
  const K = { data: new Float64Array([1, 2]), rows: 2, columns: 1 };
  const V = { data: new Float64Array([1, 2]), rows: 2, columns: 1 };

  it('logits: the given scale, 1/√d by default, and width 0 (with a scale) gives zero logits', () => {
    const keys = { data: new Float64Array([1, 1, 1, 1, 2, 0, 0, 2]), rows: 2, columns: 4 };
    expect(Array.from(attentionLogits([1, 1, 1, 1], keys))).toEqual([2, 2]);
    expect(Array.from(attentionLogits([1, 1, 1, 1], keys, -0.25))).toEqual([-1, -1]);
    expect(Array.from(attentionLogits([], { data: new Float64Array(0), rows: 3, columns: 0 }, 1))).toEqual([0, 0, 0]);
  });

  it('logits: rejections name K, q and scale', () => {
    expect(message(() => attentionLogits([1], { data: new Float64Array(3), rows: 2, columns: 1 }))).toBe(
      'K: expected data.length equal to rows × columns, received rows 2, columns 1, data.length 3',
    );
    expect(message(() => attentionLogits([1, 2], K))).toBe('q: expected length 1, received length 2');
    expect(message(() => attentionLogits([], K))).toBe('q: expected length 1, received length 0');
    expect(message(() => attentionLogits([], { data: new Float64Array(0), rows: 3, columns: 0 }))).toBe(
      'scale: expected an explicit scale when the head dimension is 0 (the default 1/√d needs d ≥ 1), received none',
    );
    expect(message(() => attentionLogits([1], K, Number.NaN))).toBe(
      `scale: expected a number in ${range}, received NaN`,
    );
    expect(message(() => attentionLogits([1], K, -Infinity))).toBe(
      `scale: expected a finite number in ${range}, received -Infinity`,
    );
    expect(message(() => attentionLogits([1], { data: new Float64Array([1, Infinity]), rows: 2, columns: 1 }))).toBe(
      'K.data[1]: expected a finite number, received Infinity',
    );
    expect(message(() => attentionLogits([1e200], { data: new Float64Array([1e200, 1]), rows: 2, columns: 1 }))).toBe(
      'K: expected inputs whose logits stay finite in float64, received logits[0] = Infinity (overflow)',
    );
  });

  it('single head: a malformed K and overflowing logits are named; each refusal says its kind', () => {
    const kind = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        return (error as InvalidArgumentError).problem;
      }
      throw new Error('expected a rejection');
    };
    expect(message(() => singleHeadAttention([1], { data: new Float64Array(3), rows: 2, columns: 1 }, V))).toBe(
      'K: expected data.length equal to rows × columns, received rows 2, columns 1, data.length 3',
    );
    expect(
      message(() => singleHeadAttention([1e200], { data: new Float64Array([1e200, 1]), rows: 2, columns: 1 }, V, 1)),
    ).toBe('K: expected inputs whose logits stay finite in float64, received logits[0] = Infinity (overflow)');
    const none = { data: new Float64Array(0), rows: 0, columns: 1 };
    expect(kind(() => singleHeadAttention([1], none, none))).toBe('shape');
    const cache = (kv: number, tokens: number) => ({ data: new Float64Array(kv * tokens), shape: [kv, tokens, 1] });
    const query = { data: new Float64Array(4), shape: [4, 1] };
    expect(kind(() => decodeAttention({ query, keys: cache(3, 2), values: cache(3, 2) }))).toBe('shape');
    expect(kind(() => decodeAttention({ query, keys: cache(2, 0), values: cache(2, 0) }))).toBe('shape');
    expect(message(() => decodeAttention({ query, keys: cache(2, 0), values: cache(2, 0) }))).toBe(
      'keys.shape[1]: expected at least one cached token, received 0',
    );
    const queries = { data: new Float64Array(3 * 4), shape: [3, 4, 1] };
    expect(kind(() => prefillAttention({ queries, keys: cache(2, 2), values: cache(2, 2) }))).toBe('shape');
  });

  it('single head: rejections name K, V, q and scale', () => {
    const none = { data: new Float64Array(0), rows: 0, columns: 1 };
    expect(message(() => singleHeadAttention([1], none, none))).toBe('K: expected at least one key, received no keys');
    expect(message(() => singleHeadAttention([1], K, { data: new Float64Array(3), rows: 3, columns: 1 }))).toBe(
      'V: expected 2 rows, received 3 rows',
    );
    expect(message(() => singleHeadAttention([], K, V))).toBe('q: expected length 1, received length 0');
    expect(message(() => singleHeadAttention([1], K, V, Number.NaN))).toBe(
      `scale: expected a number in ${range}, received NaN`,
    );
    // Weights 1/(1 + 2e^½), e^½/(1 + 2e^½) twice sum to one rounded up: Σ w·MAX overflows.
    const keys = { data: new Float64Array([0, 0.5, 0.5]), rows: 3, columns: 1 };
    const values = { data: new Float64Array(3).fill(Number.MAX_VALUE), rows: 3, columns: 1 };
    expect(message(() => singleHeadAttention([1], keys, values, 1))).toBe(
      'V: expected inputs whose output stay finite in float64, received output[0] = Infinity (overflow)',
    );
  });

  it('single head: the default scale is 1/√d', () => {
    const keys = { data: new Float64Array([0, 0, 0, 0, 1, 1, 0, 0]), rows: 2, columns: 4 };
    const values = { data: new Float64Array([0, 1]), rows: 2, columns: 1 };
    const { logits, attention, output } = singleHeadAttention([1, 1, 1, 1], keys, values);
    expect(Array.from(logits)).toEqual([0, 1]);
    expect(attention[1]).toBeCloseTo(Math.E / (1 + Math.E), 15);
    expect(output[0]).toBeCloseTo(Math.E / (1 + Math.E), 15);
  });

  it('decode: rejections name the query, keys, values and scale', () => {
    const query = { data: new Float64Array(2), shape: [2, 1] };
    const keys = { data: new Float64Array(2), shape: [1, 2, 1] };
    const values = { data: new Float64Array(2), shape: [1, 2, 1] };
    expect(message(() => decodeAttention({ query: { data: new Float64Array(2), shape: [2] }, keys, values }))).toBe(
      'query: expected rank 2, received rank 1',
    );
    expect(
      message(() => decodeAttention({ query, keys: { data: new Float64Array(4), shape: [1, 2, 2] }, values })),
    ).toBe('keys.shape[2]: expected 1, received 2');
    expect(
      message(() => decodeAttention({ query, keys, values: { data: new Float64Array(2), shape: [2, 1, 1] } })),
    ).toBe('values.shape[0]: expected 1, received 2');
    expect(
      message(() => decodeAttention({ query, keys, values: { data: new Float64Array(3), shape: [1, 3, 1] } })),
    ).toBe('values.shape[1]: expected 2, received 3');
    const noHeads = { data: new Float64Array(0), shape: [0, 2, 1] };
    expect(message(() => decodeAttention({ query, keys: noHeads, values: noHeads }))).toBe(
      'keys.shape[0]: expected a number of KV heads dividing the 2 query heads (GQA), received 0',
    );
    const noTokens = { data: new Float64Array(0), shape: [1, 0, 1] };
    expect(message(() => decodeAttention({ query, keys: noTokens, values: noTokens }))).toBe(
      'keys.shape[1]: expected at least one cached token, received 0',
    );
    expect(message(() => decodeAttention({ query, keys, values, scale: Infinity }))).toBe(
      `scale: expected a finite number in ${range}, received Infinity`,
    );
  });

  it('decode: the given scale, and value rows wider than one column', () => {
    // Logits 0 and 2·ln 3 ⇒ weights 1/10, 9/10 at scale ln 3 with q·k = 0, 2.
    const keys = { data: new Float64Array([0, 2]), shape: [1, 2, 1] };
    const values = { data: new Float64Array([10, 0, 0, 20]), shape: [1, 2, 2] };
    const out = decodeAttention({
      query: { data: new Float64Array([1]), shape: [1, 1] },
      keys,
      values,
      scale: Math.log(3),
    });
    expect(out.shape).toEqual([1, 2]);
    expect(out.data[0]).toBeCloseTo(1, 14);
    expect(out.data[1]).toBeCloseTo(18, 13);
  });

  it('prefill: a block as long as the cache sees 1, 2, … keys; a longer one is refused', () => {
    const keys = { data: new Float64Array([0, 0, 0]), shape: [1, 3, 1] };
    const values = { data: new Float64Array([3, 6, 9]), shape: [1, 3, 1] };
    const queries = { data: new Float64Array([1, 1, 1]), shape: [3, 1, 1] };
    const out = prefillAttention({ queries, keys, values, scale: 2 });
    expect(out.shape).toEqual([3, 1, 1]);
    expect(out.data[0]).toBe(3);
    expect(out.data[1]).toBeCloseTo(4.5, 14);
    expect(out.data[2]).toBeCloseTo(6, 14);
    const tooLong = { data: new Float64Array(4), shape: [4, 1, 1] };
    expect(message(() => prefillAttention({ queries: tooLong, keys, values }))).toBe(
      'queries.shape[0]: expected at most the 3 cached tokens, received 4',
    );
    expect(
      message(() => prefillAttention({ queries: { data: new Float64Array(1), shape: [1, 1] }, keys, values })),
    ).toBe('queries: expected rank 3, received rank 2');
    expect(message(() => prefillAttention({ queries, keys, values, scale: Number.NaN }))).toBe(
      `scale: expected a number in ${range}, received NaN`,
    );
  });

  it('weightedSumUnchecked overwrites its output slice (the model layers reuse one buffer)', () => {
    const out = new Float64Array([9, 9, 9, 9]);
    weightedSumUnchecked([0.5, 0, 0.25], new Float64Array([2, 4, 100, 100, 8, -4]), 0, 3, 2, out, 1);
    expect(Array.from(out)).toEqual([9, 3, 1, 9]);
    expect(Array.from(weightedSumUnchecked([1, 1], new Float64Array([0, 1, 2, 3, 4]), 1, 2, 2))).toEqual([4, 6]);
  });
});
