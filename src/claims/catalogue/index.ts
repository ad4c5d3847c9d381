/** The catalogue: every claim's statement, topic by topic (one file per theory/ topic). */
import type { ClaimStatement } from '../claim.js';
import { referenceClaims } from './reference.js';

export const catalogue: readonly ClaimStatement[] = [...referenceClaims];
