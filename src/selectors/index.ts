/** `prhs/selectors`: every selector by name, and the interface a selector implements. */
export { createSelector, selectorNames, type SelectorOptions } from './registry.js';
export {
  createSelection,
  resetSelection,
  BYTES_PER_ELEMENT,
  type HeadStep,
  type Selection,
  type Selector,
} from './selector.js';
