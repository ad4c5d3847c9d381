/**
 * bench/model/real-attention-quality-plan.js: groups cover every branch once and in order, a
 * partial result read back gives the same document and only the missing branches as tasks.
 */
import { describe, expect, it } from 'vitest';

interface Branch {
  selector: string;
  fraction: number | null;
  budget: number | null;
}
interface Task {
  type: 'prefix' | 'branches';
  itemIndex: number;
  branches?: number[];
}
interface Plan {
  branchesOf(settings: { context: number; fractions: number[]; selectors: string[] }): Branch[];
  groupsOf(indices: number[], groups: number): number[][];
  emptyProgress(items: unknown[]): unknown[];
  addTaskResult(entry: unknown, result: unknown): void;
  resultDocument(options: { header: object; progress: unknown[]; branches: Branch[] }): Record<string, unknown>;
  progressFromDocument(options: { document: unknown; items: unknown[]; branches: Branch[] }): unknown[];
  tasksOf(options: { progress: unknown[]; branches: Branch[]; groups: number }): Task[];
}

// A variable specifier: the plan is plain JavaScript, typed here by hand.
const planPath = '../../../bench/model/real-attention-quality-plan.js';
const plan = (await import(planPath)) as Plan;

const settings = { context: 64, fractions: [4, 8], selectors: ['oracle', 'h2o'] };
const branches = plan.branchesOf(settings);
const items = [
  { kind: 'retrieval', file: 'r.py', index: 0 },
  { kind: 'bpb', file: 'b.py' },
];
const timing = { seconds: 2, cpuSeconds: 1 };
const bpbFacts = { context: 64, decodeFrom: 56, scored: 8 };
const probes = [0, 1].map((p) => ({ kind: 'value', definition: `d${p}`, answer: `a${p}`, distance: 30 }));
const retrievalFacts = { context: 64, shared: 40, definitionsAt: 3, probes };
const bpbRow = (b: number) => ({ ...branches[b], bitsPerByte: b / 10 });
const outcomes = (b: number) => probes.map((_, p) => ({ ...branches[b], correct: (b + p) % 2 === 0 }));

describe('real-attention-quality plan', () => {
  it('cuts branches into groups that cover each once, in order', () => {
    expect(branches.map((b) => `${b.selector}/${b.fraction}`)).toEqual([
      'dense/null',
      'oracle/4',
      'h2o/4',
      'oracle/8',
      'h2o/8',
    ]);
    const indices = [0, 1, 2, 3, 4, 5, 6];
    for (const groups of [1, 2, 3, 7, 20]) {
      const cut = plan.groupsOf(indices, groups);
      expect(cut.flat()).toEqual(indices);
      expect(cut.length).toBe(Math.min(groups, indices.length));
      expect(Math.max(...cut.map((g) => g.length)) - Math.min(...cut.map((g) => g.length))).toBeLessThanOrEqual(1);
    }
  });

  it('reads a partial result back to the same document and plans only the missing branches', () => {
    const progress = plan.emptyProgress(items);
    // Retrieval: branches 3 and 1 done (out of order); bpb: all five.
    plan.addTaskResult(progress[0], { ...timing });
    plan.addTaskResult(progress[0], {
      facts: retrievalFacts,
      branches: [3, 1].map((b) => [b, outcomes(b)]),
      ...timing,
    });
    plan.addTaskResult(progress[1], {
      facts: bpbFacts,
      branches: [0, 1, 2, 3, 4].map((b) => [b, bpbRow(b)]),
      ...timing,
    });
    const document = plan.resultDocument({ header: { settings }, progress, branches });
    expect(document.complete).toBe(false);
    expect(document.bitsPerByte).toEqual([
      { kind: 'bpb', file: 'b.py', ...bpbFacts, ...timing, rows: [0, 1, 2, 3, 4].map(bpbRow) },
    ]);
    expect(document.retrieval).toEqual([]);
    const unfinished = document.unfinished as { seconds: number; probes: { outcomes: unknown[] }[] }[];
    expect(unfinished[0]!.seconds).toBe(4);
    expect(unfinished[0]!.probes[1]!.outcomes).toEqual([outcomes(1)[1], outcomes(3)[1]]);

    const read = plan.progressFromDocument({ document, items, branches });
    expect(plan.resultDocument({ header: { settings }, progress: read, branches })).toEqual(document);
    const tasks = plan.tasksOf({ progress: read, branches, groups: 2 });
    expect(tasks.map((t) => [t.type, t.itemIndex, t.branches ?? null])).toEqual([
      ['prefix', 0, null],
      ['branches', 0, [0]],
      ['branches', 0, [2, 4]],
    ]);
  });

  it('refuses a document with items or branches these settings lack', () => {
    const progress = plan.emptyProgress(items);
    plan.addTaskResult(progress[1], { facts: bpbFacts, branches: [[0, bpbRow(0)]], ...timing });
    const document = plan.resultDocument({ header: {}, progress, branches });
    expect(() => plan.progressFromDocument({ document, items: [items[0]], branches })).toThrow(/not an item/);
    const fewer = plan.branchesOf({ ...settings, selectors: ['h2o'] });
    const other = plan.emptyProgress(items);
    plan.addTaskResult(other[1], { facts: bpbFacts, branches: [[1, bpbRow(1)]], ...timing });
    const withOracle = plan.resultDocument({ header: {}, progress: other, branches });
    expect(() => plan.progressFromDocument({ document: withOracle, items, branches: fewer })).toThrow(/branch/);
  });
});
