/** A sweep cell's budget: `selected` floored to an integer in [1, tokens] (bench/cuda/sweepBudget.mjs). */
export function sweepBudget(config: {
  readonly label?: string;
  readonly selected?: unknown;
  readonly tokens?: unknown;
}): number;
