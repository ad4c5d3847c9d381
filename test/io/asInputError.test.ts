import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { asInputError } from '../../src/io/asInputError.js';

const file = { argument: 'FILE', expected: 'a readable file', path: '/nonexistent/prhs-input' };

describe('asInputError', () => {
  it('names the argument and the path with the errno code of a file-system error', () => {
    let thrown: unknown;
    try {
      readFileSync(file.path);
    } catch (error) {
      thrown = asInputError(error, file);
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as InvalidArgumentError).message).toMatch(
      /^FILE: expected a readable file, received "\/nonexistent\/prhs-input" \(ENOENT: /,
    );
    expect((thrown as InvalidArgumentError).problem).toBe('domain');
  });

  it('returns any other error unchanged', () => {
    const other = new RangeError('not a file-system error');
    expect(asInputError(other, file)).toBe(other);
    const rejection = new InvalidArgumentError('FILE', 'a file', 'a folder', 'type');
    expect(asInputError(rejection, file)).toBe(rejection);
  });
});
