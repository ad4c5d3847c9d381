/** The selection buffer every selector writes: created empty at a capacity, reset before each choice. */
import { describe, expect, it } from 'vitest';
import { BYTES_PER_ELEMENT, createSelection, resetSelection } from '../../src/selectors/selector.js';

describe('selection buffers', () => {
  it('createSelection holds `capacity` indices and starts empty and costless', () => {
    const s = createSelection(5);
    expect(s.indices).toBeInstanceOf(Int32Array);
    expect(s.indices.length).toBe(5);
    expect(s).toMatchObject({ size: 0, keysScored: 0, metadataBytes: 0, retrieved: false });
  });
  it('resetSelection clears the size and every cost field', () => {
    const s = createSelection(3);
    Object.assign(s, { size: 2, keysScored: 7, metadataBytes: 9, retrieved: true });
    resetSelection(s);
    expect(s).toMatchObject({ size: 0, keysScored: 0, metadataBytes: 0, retrieved: false });
  });
  it('counts fp16 bytes per cached element', () => {
    expect(BYTES_PER_ELEMENT).toBe(2);
  });
});
