import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/figures/csv.js';
import { wrapCaption } from '../../src/figures/theme.js';

describe('figure CSV', () => {
  it('writes a header, quotes cells that need it, and leaves missing or non-finite numbers empty', () => {
    const csv = toCsv(
      ['a', 'b', 'c'],
      [
        { a: 1.5, b: 'x, "y"', c: null },
        { a: Number.NaN, b: 'plain', c: 2 },
      ],
    );
    expect(csv).toBe('a,b,c\n1.5,"x, ""y""",\n,plain,2\n');
  });

  it('writes numbers in shortest round-trip form', () => {
    const x = 0.1 + 0.2;
    expect(Number(toCsv(['x'], [{ x }]).split('\n')[1])).toBe(x);
  });
});

describe('captions', () => {
  it('wrap at spaces within the width', () => {
    const lines = wrapCaption('one two three four five six', 9);
    expect(lines).toEqual(['one two', 'three', 'four five', 'six']);
    expect(lines.join(' ')).toBe('one two three four five six');
  });
});
