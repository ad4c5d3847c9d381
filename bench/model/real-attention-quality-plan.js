/**
 * The work of bench/model/real-attention-quality.js and what it has done so far: items (one
 * held-out file each), branches (dense, then every selector at every budget), tasks (an item's
 * dense prefix, or a group of its branches continued from that prefix), and the result document,
 * complete or partial, which --resume reads back. Pure: no processes, no files.
 */

/** Settings that define the numbers; a resumed result must match them (jobs and time limits may differ). */
export const workSettings = [
  'context',
  'fractions',
  'selectors',
  'scored',
  'definitions',
  'seed',
  'minDistance',
  'bpbFiles',
  'retrievalFiles',
];

/** dense first, then every selector at every budget (the branches of one item). */
export function branchesOf(settings) {
  const branches = [{ selector: 'dense', fraction: null, budget: null }];
  for (const fraction of settings.fractions) {
    for (const selector of settings.selectors)
      branches.push({ selector, fraction, budget: Math.floor(settings.context / fraction) });
  }
  return branches;
}

/** The index of a result row's branch (rows are identified by selector and fraction). */
export function branchIndexOf(branches, row) {
  return branches.findIndex(
    (b) => b.selector === row.selector && (b.selector === 'dense' || b.fraction === row.fraction),
  );
}

/** `indices` cut into at most `groups` contiguous runs of near-equal length. */
export function groupsOf(indices, groups) {
  const count = Math.max(1, Math.min(groups, indices.length));
  return Array.from({ length: count }, (_, g) =>
    indices.slice(Math.floor((g * indices.length) / count), Math.floor(((g + 1) * indices.length) / count)),
  ).filter((group) => group.length > 0);
}

/**
 * What is known of each item: its per-file facts (from the first finished group), the rows (bits
 * per byte) or per-probe outcomes (retrieval) of its finished branches, keyed by branch index, and
 * the worker time spent on it.
 */
export function emptyProgress(items) {
  return items.map((item) => ({ item, facts: null, done: new Map(), seconds: 0, cpuSeconds: 0 }));
}

/** Adds one finished task's report (a prefix has no rows; a group has rows or outcomes per branch). */
export function addTaskResult(entry, result) {
  entry.seconds += result.seconds;
  entry.cpuSeconds += result.cpuSeconds;
  if (result.facts) entry.facts ??= result.facts;
  for (const [branch, value] of result.branches ?? []) entry.done.set(branch, value);
}

const isComplete = (entry, branches) => entry.done.size === branches.length;

/** The result row (bpb) or item (retrieval) in the current runner's shape, finished branches in order. */
function itemDocument(entry) {
  const order = [...entry.done.keys()].sort((a, b) => a - b);
  const { item, facts } = entry;
  const timing = { seconds: entry.seconds, cpuSeconds: entry.cpuSeconds };
  if (item.kind === 'bpb')
    return { kind: 'bpb', file: item.file, ...facts, ...timing, rows: order.map((b) => entry.done.get(b)) };
  return {
    kind: 'retrieval',
    file: item.file,
    context: facts.context,
    shared: facts.shared,
    definitionsAt: facts.definitionsAt,
    ...timing,
    probes: facts.probes.map((probe, p) => ({ ...probe, outcomes: order.map((b) => entry.done.get(b)[p]) })),
  };
}

/** The result document: complete items as before, unfinished ones apart, and what is done. */
export function resultDocument({ header, progress, branches }) {
  const complete = progress.filter((e) => isComplete(e, branches));
  const unfinished = progress.filter((e) => !isComplete(e, branches) && e.done.size > 0);
  return {
    schema: 'prhs-real-attention-quality/1',
    complete: complete.length === progress.length,
    ...header,
    progress: {
      items: progress.length,
      itemsDone: complete.length,
      branchesPerItem: branches.length,
      done: progress.map((e) => ({ kind: e.item.kind, file: e.item.file, branchesDone: e.done.size })),
    },
    bitsPerByte: complete.filter((e) => e.item.kind === 'bpb').map(itemDocument),
    retrieval: complete.filter((e) => e.item.kind === 'retrieval').map(itemDocument),
    unfinished: unfinished.map(itemDocument),
  };
}

/** Progress entries from an earlier result document (complete and unfinished items). */
export function progressFromDocument({ document, items, branches }) {
  const progress = emptyProgress(items);
  for (const doc of [...document.bitsPerByte, ...document.retrieval, ...(document.unfinished ?? [])]) {
    const entry = progress.find((e) => e.item.kind === doc.kind && e.item.file === doc.file);
    if (entry === undefined) throw new Error(`${doc.kind} ${doc.file} is not an item of these settings`);
    entry.seconds = doc.seconds;
    entry.cpuSeconds = doc.cpuSeconds ?? 0;
    if (doc.kind === 'bpb') {
      const facts = { context: doc.context, decodeFrom: doc.decodeFrom, scored: doc.scored };
      entry.facts = facts;
      for (const row of doc.rows) entry.done.set(branchIndexOf(branches, row), row);
    } else {
      const probes = doc.probes.map((p) => ({
        kind: p.kind,
        definition: p.definition,
        answer: p.answer,
        distance: p.distance,
      }));
      entry.facts = { context: doc.context, shared: doc.shared, definitionsAt: doc.definitionsAt, probes };
      const perBranch = new Map();
      doc.probes.forEach((probe, p) =>
        probe.outcomes.forEach((outcome) => {
          const b = branchIndexOf(branches, outcome);
          if (!perBranch.has(b)) perBranch.set(b, []);
          perBranch.get(b)[p] = outcome;
        }),
      );
      for (const [b, outcomes] of perBranch) entry.done.set(b, outcomes);
    }
    if (entry.done.has(-1)) throw new Error(`${doc.kind} ${doc.file} has a row of a branch these settings lack`);
  }
  return progress;
}

/**
 * The tasks left: per unfinished item, its prefix and its missing branches in `groups` groups
 * (each group task needs the prefix task of its item first).
 */
export function tasksOf({ progress, branches, groups }) {
  const tasks = [];
  progress.forEach((entry, itemIndex) => {
    const missing = branches.map((_, b) => b).filter((b) => !entry.done.has(b));
    if (missing.length === 0) return;
    tasks.push({ id: tasks.length, type: 'prefix', itemIndex });
    for (const group of groupsOf(missing, groups))
      tasks.push({ id: tasks.length, type: 'branches', itemIndex, branches: group });
  });
  return tasks;
}
