/** Soundness of the certified dropped mass (theory/certified.md). */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import type { PageBoundKind } from '../src/core/certifiedDroppedMass.js';
import { headArbitrary, keepChoice, keepFor } from './generators.js';

export const certifiedProperties: PropertySuite = {
  'certified.soundness': {
    runs: 400,
    property: (impl) =>
      fc.property(
        headArbitrary({ maxTokens: 24, maxDim: 4, magnitude: 8 }),
        fc.constantFrom(0, 1, 3, 5), // key magnitude 10^e: logits up to ~10⁶ (huge)
        fc.constantFrom('distinct', 'duplicated', 'two-values'),
        fc.integer({ min: 1, max: 8 }),
        keepChoice,
        fc.constantFrom<PageBoundKind>('minmax', 'ball', 'min'),
        fc.constantFrom('default', 'negative', 'tiny', 'large'),
        (head, exponent, ties, rawPageSize, rawKeep, kind, scaleChoice) => {
          const n = head.K.length;
          const d = head.q.length;
          // Exact ties: every key equal, or keys alternating between two rows.
          const rows = head.K.map((row, i) => (ties === 'duplicated' ? head.K[0]! : ties === 'two-values' ? head.K[i % 2]! : row).map((x) => x * 10 ** exponent));
          const K = impl.core.matrixFromRows('K', rows);
          const base = impl.core.defaultScale(d);
          const scale = scaleChoice === 'default' ? base : scaleChoice === 'negative' ? -base : scaleChoice === 'tiny' ? 1e-3 : 10;
          const keep = keepFor(n, rawKeep);
          const pageSize = Math.min(n, rawPageSize);
          const logits = impl.core.attentionLogits(head.q, K, scale);
          const delta = impl.core.droppedMassFromLogits(logits, keep);
          const pages = impl.core.pageSummaries(K, pageSize);
          const { bound } = impl.core.certifiedDroppedMass(head.q, K, keep, pages, { scale, kind });
          claimAssert(bound >= delta, () => `δ̂ = ${bound} < δ = ${delta} (kind ${kind}, page size ${pageSize}, scale ${scale}, |S| = ${keep.length} of ${n})`);
          claimAssert(bound <= 1 && bound >= 0, () => `δ̂ = ${bound} outside [0, 1]`);
          return true;
        },
      ),
  },
};
