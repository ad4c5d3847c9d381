import { describe, expect, it } from 'vitest';
import { answerLength, retrievalContext } from '../../../src/model/evaluate/retrievalContext.js';

/** A Python-like file: distinct numbered lines, long enough for a context of 1024. */
const file = new TextEncoder().encode(
  Array.from({ length: 80 }, (_, i) => `value_${i} = compute(${i * 7}, 'entry ${i}')  # note ${i}`).join('\n') + '\n',
);
const text = (ids: Int32Array) => String.fromCharCode(...Array.from(ids).filter((t) => t < 256));
const options = { bytes: file, bos: 256, context: 1024, definitions: 3, seed: 9, minDistance: 700 };

describe('retrievalContext', () => {
  const task = retrievalContext(options);

  it('gives value, name and line probes that share the context and end with their cue and answer', () => {
    expect(task.probes.filter((p) => p.kind === 'value').length).toBe(3);
    expect(task.probes.filter((p) => p.kind === 'name').length).toBe(3);
    expect(task.probes.filter((p) => p.kind === 'line').length).toBe(3);
    for (const probe of task.probes) {
      expect(probe.tokens.length).toBeLessThanOrEqual(options.context);
      expect(Array.from(probe.tokens.subarray(0, task.shared))).toEqual(
        Array.from(task.probes[0]!.tokens.subarray(0, task.shared)),
      );
      expect(probe.answer.length).toBe(answerLength);
      expect(text(probe.tokens.subarray(probe.answerFrom))).toBe(probe.answer);
      expect(probe.distance).toBeGreaterThanOrEqual(options.minDistance);
    }
  });

  it('asks for what only the far-back text holds', () => {
    for (const probe of task.probes) {
      const before = text(probe.tokens.subarray(0, probe.answerFrom));
      const cue = text(probe.tokens.subarray(task.shared, probe.answerFrom));
      if (probe.kind === 'value') expect(cue).toBe(`\n${probe.definition.slice(0, -answerLength)}`);
      if (probe.kind !== 'line') expect(before.split(probe.answer).length - 1).toBe(1);
      // A repeated line occurs once before its probe, and so does its cue.
      else expect([before.split(`\n${probe.definition}`).length - 1, before.split(cue).length - 1]).toEqual([1, 2]);
      // The line it copies from ends (past its line break) `distance` bytes before the answer; text skips BOS.
      const end = 1 + before.indexOf(probe.definition) + probe.definition.length + 1;
      expect(probe.answerFrom - end).toBe(probe.distance);
    }
  });

  it('is the same for the same seed and differs for another', () => {
    expect(retrievalContext(options).probes.map((p) => p.answer)).toEqual(task.probes.map((p) => p.answer));
    expect(retrievalContext({ ...options, seed: 10 }).probes.map((p) => p.answer)).not.toEqual(
      task.probes.map((p) => p.answer),
    );
  });

  it('refuses a file shorter than the context and a distance the context cannot hold', () => {
    expect(() => retrievalContext({ ...options, bytes: file.subarray(0, 500) })).toThrow(/bytes/);
    expect(() => retrievalContext({ ...options, minDistance: 1000 })).toThrow(/context/);
  });
});
