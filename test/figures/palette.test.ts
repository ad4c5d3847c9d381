import { describe, expect, it } from 'vitest';
import { OKABE_ITO, SERIES_COLOURS, seriesScales, seriesStyles } from '../../src/figures/palette.js';
import { contextTicks } from '../../src/figures/kernelSpeed.js';

describe('figure palette', () => {
  it('draws every series in an Okabe–Ito colour, no two series alike in both colour and dash', () => {
    const okabeIto = new Set<string>(Object.values(OKABE_ITO));
    for (const count of [1, 7, 11, 20, 28]) {
      const styles = seriesStyles(count);
      expect(styles.every((s) => okabeIto.has(s.colour))).toBe(true);
      expect(new Set(styles.map((s) => `${s.colour} ${s.dash.join(',')}`)).size).toBe(count);
    }
  });

  it('gives a series that repeats a hue another dash pattern and marker shape', () => {
    const [first, repeat] = [0, SERIES_COLOURS.length].map((i) => seriesStyles(SERIES_COLOURS.length + 1)[i]!);
    expect(repeat.colour).toBe(first.colour);
    expect(repeat.dash).not.toEqual(first.dash);
    expect(repeat.shape).not.toBe(first.shape);
  });

  it('scales map each named series to its style', () => {
    const scales = seriesScales(['a', 'b']);
    expect(scales.color).toEqual({ domain: ['a', 'b'], range: [SERIES_COLOURS[0], SERIES_COLOURS[1]] });
    expect(scales.strokeDash.range).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });
});

describe('figure 8 context ticks', () => {
  it('label the whole range in powers of 4, up to 1M', () => {
    expect(contextTicks(1024, 1048576)).toEqual([1024, 4096, 16384, 65536, 262144, 1048576]);
    expect(contextTicks(700, 300000)).toEqual([256, 1024, 4096, 16384, 65536, 262144, 1048576]);
  });
});
