/** Test helper: a reference engine with one sequence's SelectorPolicy installed (none when dense). */
import type { NumericsEngine } from '../../src/model/engines/numericsEngine.js';
import { createReferenceEngine } from '../../src/model/engines/referenceEngine.js';
import { SelectorPolicy } from '../../src/model/selection/selectorPolicy.js';
import type { WeightSource } from '../../src/model/weightSource.js';
import { createSelector } from '../../src/selectors/registry.js';

export interface SelectorEngineSetup {
  readonly source: WeightSource;
  readonly capacity: number;
  /** The first decoded position: the policy selects from here on. */
  readonly decodeFrom: number;
  /** A registered selector's name, or null for the dense engine (no policy). */
  readonly selector: string | null;
  readonly budget: number;
}

export function referenceEngineWithSelector(setup: SelectorEngineSetup): {
  engine: NumericsEngine;
  policy: SelectorPolicy | null;
} {
  const { source, capacity, decodeFrom, selector, budget } = setup;
  const engine = createReferenceEngine(source, { capacity });
  const policy =
    selector === null
      ? null
      : new SelectorPolicy({
          config: source.config,
          createSelector: () => createSelector(selector, budget),
          sequences: 1,
          capacity,
          decodeFrom,
        });
  engine.setSelectionPolicy(policy);
  return { engine, policy };
}
