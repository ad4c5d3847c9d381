/** Every property suite, for the registry to join with the catalogue. */
import type { PropertySuite } from '../src/claims/claim.js';
import { referenceProperties } from './reference.js';
import { truncationProperties } from './truncation.js';
import { outputErrorProperties } from './output-error.js';
import { oracleProperties } from './oracle.js';
import { entropyProperties } from './entropy.js';
import { mutualInformationProperties } from './mutual-information.js';
import { softmaxSensitivityProperties } from './softmax-sensitivity.js';
import { cisProperties } from './cis.js';
import { dilationProperties } from './dilation.js';
import { recencyProperties } from './recency.js';
import { psawProperties } from './psaw.js';
import { etfProperties } from './etf.js';
import { certifiedProperties } from './certified.js';
import { posteriorBiasProperties } from './posterior-bias.js';
import { modelProperties } from './model.js';
import { realAttentionProperties } from './real-attention.js';

export const propertySuites: readonly PropertySuite[] = [
  referenceProperties,
  truncationProperties,
  outputErrorProperties,
  oracleProperties,
  entropyProperties,
  mutualInformationProperties,
  softmaxSensitivityProperties,
  cisProperties,
  dilationProperties,
  recencyProperties,
  psawProperties,
  etfProperties,
  certifiedProperties,
  posteriorBiasProperties,
  modelProperties,
  realAttentionProperties,
];
