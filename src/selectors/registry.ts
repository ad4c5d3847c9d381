/** Every selector by name, built at a budget B (the actual |S| they keep; see each file for exceptions). */
import { InvalidArgumentError } from '../core/errors.js';
import { CertifiedSelector } from './certified.js';
import { CisSelector, type CisConstraints } from './cis.js';
import { DoubleSparsitySelector } from './doubleSparsity.js';
import { EtfSelector } from './etf.js';
import { H2OSelector } from './h2o.js';
import { HShareSelector } from './hShare.js';
import { OracleSelector } from './oracle.js';
import { PsawSelector } from './psaw.js';
import { QuestSelector } from './quest.js';
import type { Selector } from './selector.js';
import { SnapKVSelector } from './snapKV.js';
import { StreamingLLMSelector } from './streamingLLM.js';

export interface SelectorOptions {
  /** CIS options (gate τ, sinks, window, dilation). */
  readonly cis?: CisConstraints;
  /** Certified adaptive: target ε (default 0.05) and page size (default 16); Quest's page size too. */
  readonly epsilon?: number;
  readonly pageSize?: number;
}

const factories: Readonly<Record<string, (budget: number, options: SelectorOptions) => Selector>> = {
  oracle: (b) => new OracleSelector(b),
  cis: (b, o) => new CisSelector(b, o.cis),
  psaw: (b) => new PsawSelector(b),
  etf: (b) => new EtfSelector(b),
  certified: (b, o) => new CertifiedSelector(b, o.epsilon, o.pageSize),
  streamingllm: (b) => new StreamingLLMSelector(b),
  h2o: (b) => new H2OSelector(b),
  snapkv: (b) => new SnapKVSelector(b),
  quest: (b, o) => new QuestSelector(b, o.pageSize),
  hshare: (b) => new HShareSelector(b),
  doublesparsity: (b) => new DoubleSparsitySelector(b),
};

export const selectorNames: readonly string[] = Object.keys(factories);

export function createSelector(name: string, budget: number, options: SelectorOptions = {}): Selector {
  // Own names only: 'constructor' or 'toString' must not reach Object.prototype's functions.
  const factory = Object.hasOwn(factories, name) ? factories[name] : undefined;
  if (!factory)
    throw new InvalidArgumentError('--selector', `one of ${selectorNames.join(', ')}`, JSON.stringify(name), 'domain');
  if (!Number.isInteger(budget) || budget < 1)
    throw new InvalidArgumentError('--budget', 'a positive integer', String(budget), 'integer');
  return factory(budget, options);
}
