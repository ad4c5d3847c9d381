import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../src/model/normalQuantile.js';

describe('normalQuantile', () => {
  it('matches tabulated standard normal quantiles to 1e-8 (the approximation is good to 1.2e-9 relative)', () => {
    const tabulated: [number, number][] = [
      [0.5, 0],
      [0.975, 1.959963984540054],
      [0.841344746068543, 1],
      [0.001, -3.090232306167814],
      [1e-10, -6.361340902404056],
      [0.02, -2.053748910631823],
      [0.99, 2.326347874040841],
    ];
    for (const [p, x] of tabulated)
      expect(Math.abs(normalQuantile(p) - x)).toBeLessThan(1e-8 * Math.max(1, Math.abs(x)));
  });

  it('refuses p outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, Number.NaN]) expect(() => normalQuantile(p)).toThrow(RangeError);
  });
});
