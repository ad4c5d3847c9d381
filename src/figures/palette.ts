/**
 * A colour-blind-safe palette for the figures: Okabe and Ito's eight colours ("Color Universal
 * Design", 2008), distinguishable under the common forms of colour blindness. Where a figure has
 * more series than colours, series that share a hue differ in dash pattern and marker shape, so no
 * two series are told apart by hue alone.
 */

/** Okabe–Ito, in their published order. */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/**
 * The series colours, most distinct first. Black is kept out (figures give it to a reference
 * series such as the oracle) and yellow comes last (low contrast on white).
 */
export const SERIES_COLOURS: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.orange,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.skyBlue,
  OKABE_ITO.yellow,
];

/** Vega-Lite stroke dash patterns: solid, dashed, dotted, dash-dot. */
export const DASHES: readonly (readonly number[])[] = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
];

/** Vega-Lite point shapes, as distinct as possible at small sizes. */
export const SHAPES: readonly string[] = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down'];

/** How one series is drawn. */
export interface SeriesStyle {
  readonly colour: string;
  readonly dash: readonly number[];
  readonly shape: string;
}

/**
 * Styles for `count` series: each colour in turn, then again with the next dash pattern and marker
 * shape, so the k-th series that shares a hue with an earlier one has a pattern of its own.
 */
export function seriesStyles(count: number, colours: readonly string[] = SERIES_COLOURS): SeriesStyle[] {
  return Array.from({ length: count }, (_, i) => {
    const round = Math.floor(i / colours.length);
    return {
      colour: colours[i % colours.length]!,
      dash: DASHES[round % DASHES.length]!,
      shape: SHAPES[round % SHAPES.length]!,
    };
  });
}

/** Vega-Lite scales that give the series of `domain` their styles (colour, dash, shape). */
export function seriesScales(domain: readonly string[], styles: readonly SeriesStyle[] = seriesStyles(domain.length)) {
  return {
    color: { domain: [...domain], range: styles.map((s) => s.colour) },
    strokeDash: { domain: [...domain], range: styles.map((s) => [...s.dash]) },
    shape: { domain: [...domain], range: styles.map((s) => s.shape) },
  };
}
