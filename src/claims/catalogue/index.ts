/** The catalogue: every claim's statement, topic by topic (one file per theory/ topic). */
import type { ClaimStatement } from '../claim.js';
import { referenceClaims } from './reference.js';
import { truncationClaims } from './truncation.js';
import { outputErrorClaims } from './output-error.js';
import { oracleClaims } from './oracle.js';
import { entropyClaims } from './entropy.js';
import { mutualInformationClaims } from './mutual-information.js';
import { softmaxSensitivityClaims } from './softmax-sensitivity.js';
import { scalarClaims } from './scalar.js';
import { cisClaims } from './cis.js';
import { dilationClaims } from './dilation.js';
import { recencyClaims } from './recency.js';
import { psawClaims } from './psaw.js';
import { etfClaims } from './etf.js';
import { certifiedClaims } from './certified.js';
import { posteriorBiasClaims } from './posterior-bias.js';
import { modelClaims } from './model.js';
import { realAttentionClaims } from './real-attention.js';

export const catalogue: readonly ClaimStatement[] = [
  ...referenceClaims,
  ...truncationClaims,
  ...outputErrorClaims,
  ...oracleClaims,
  ...entropyClaims,
  ...mutualInformationClaims,
  ...softmaxSensitivityClaims,
  ...scalarClaims,
  ...cisClaims,
  ...dilationClaims,
  ...recencyClaims,
  ...psawClaims,
  ...etfClaims,
  ...certifiedClaims,
  ...posteriorBiasClaims,
  ...modelClaims,
  ...realAttentionClaims,
];
