/** Every property suite, for the registry to join with the catalogue. */
import type { PropertySuite } from '../src/claims/claim.js';
import { referenceProperties } from './reference.js';

export const propertySuites: readonly PropertySuite[] = [referenceProperties];
