/**
 * One look per selector for the real-attention figures: a colour from the Okabe–Ito and Paul Tol
 * colour-blind-safe sets, a marker and a dash pattern, all keyed on the selector's name so each
 * series stays distinguishable in grey scale and for every kind of colour vision.
 */
const STYLES: readonly [name: string, colour: string, shape: string, dash: number[]][] = [
  ['dense', '#000000', 'circle', [1, 0]],
  ['oracle', '#000000', 'square', [6, 3]],
  ['cis', '#D55E00', 'triangle-up', [1, 0]],
  ['psaw', '#0072B2', 'diamond', [1, 0]],
  ['etf', '#009E73', 'triangle-down', [1, 0]],
  ['certified', '#CC79A7', 'cross', [4, 2]],
  ['streamingllm', '#E69F00', 'triangle-right', [4, 2]],
  ['h2o', '#56B4E9', 'circle', [4, 2]],
  ['snapkv', '#882255', 'square', [2, 2]],
  ['quest', '#999933', 'triangle-left', [2, 2]],
  ['hshare', '#44AA99', 'diamond', [2, 2]],
  ['doublesparsity', '#666666', 'triangle-up', [8, 3, 2, 3]],
];

/** Vega-Lite color, shape and strokeDash encodings of `field` for these selectors, in this order. */
export function selectorEncodings(
  field: string,
  selectors: readonly string[],
): Record<'color' | 'shape' | 'strokeDash', Record<string, unknown>> {
  const styles = selectors.map((s) => STYLES.find(([name]) => name === s) ?? [s, '#444444', 'circle', [1, 0]]);
  const scale = (i: 1 | 2 | 3) => ({ domain: [...selectors], range: styles.map((style) => style[i]) });
  const base = { field, type: 'nominal', title: 'selector', sort: [...selectors] };
  return {
    color: { ...base, scale: scale(1) },
    shape: { ...base, scale: scale(2) },
    strokeDash: { ...base, scale: scale(3) },
  };
}

/** Every selector the styles know, dense first. */
export const styledSelectors: readonly string[] = STYLES.map(([name]) => name);
