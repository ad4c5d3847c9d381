/**
 * The registry is the one table theory/, properties/, proofs/ and the CLI read: check that they
 * agree with it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claims, topicOf } from '../../src/claims/registry.js';
import { counterexamplePath } from '../../src/claims/counterexampleStore.js';
import { packageRoot } from '../../src/io/packageRoot.js';

const root = packageRoot();

describe('claims registry', () => {
  it('has unique ids of the form <topic>.<name>', () => {
    const ids = claims.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+$/);
  });

  it.each(claims.map((c) => [c.id, c] as const))('%s is stated in theory/<topic>.md', (id) => {
    const path = join(root, 'theory', `${topicOf(id)}.md`);
    expect(existsSync(path), `missing ${path}`).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain(id);
  });

  it('every corrected-by link names a claim expected to hold', () => {
    for (const claim of claims.filter((c) => c.correctedBy !== undefined)) {
      const target = claims.find((c) => c.id === claim.correctedBy);
      expect(target, `${claim.id} → ${claim.correctedBy}`).toBeDefined();
      expect(target!.expected).toBe('holds');
    }
  });

  it('every property claim expected to fail has a stored counterexample as standing evidence', () => {
    for (const claim of claims.filter((c) => c.expected === 'fails' && c.check.kind === 'property')) {
      expect(existsSync(counterexamplePath(claim.id)), `no stored counterexample for ${claim.id}`).toBe(true);
    }
  });

  it('calls no claim expected to hold open, unproved or a conjecture (a proved statement is not open)', () => {
    for (const claim of claims.filter((c) => c.expected === 'holds')) {
      expect(`${claim.title} ${claim.statement}`, claim.id).not.toMatch(
        /conjectur|unproved|open question|no proof is known/i,
      );
    }
  });

  it('every certificate claim points at a committed certificate', () => {
    for (const claim of claims) {
      if (claim.check.kind === 'certificate')
        expect(existsSync(join(root, claim.check.certificate)), claim.check.certificate).toBe(true);
    }
  });
});
