/**
 * Quality results grouped by the model they measured, so that no figure mixes two models: one
 * group per (checkpoint folder, weights sha256, context), named by the folder's last component
 * (e.g. prhs-byte-12m), with the complete items of every file that names it. A partial file
 * (`complete: false`, a run cut short) contributes its finished items only, each with all its
 * branches, so every point of a group covers the same items; the group lists such files.
 */
import type { QualityBitsPerByteItem, QualityResults, QualityRetrievalItem } from './realResults.js';

export interface PartialFile {
  readonly file: string;
  readonly itemsDone: number;
  readonly items: number;
}

export interface ModelQuality {
  /** Short name for legends and titles, unique among the groups. */
  readonly model: string;
  /** The checkpoint folder as the results record it ('' when they name none). */
  readonly checkpoint: string;
  readonly context: number;
  readonly fractions: readonly number[];
  /** Result files that contributed, in name order. */
  readonly files: readonly string[];
  readonly partial: readonly PartialFile[];
  readonly bitsPerByte: readonly QualityBitsPerByteItem[];
  readonly retrieval: readonly QualityRetrievalItem[];
  /** Items seen in an earlier file of the same group (same kind and held-out file), left out. */
  readonly duplicates: number;
  readonly machines: readonly string[];
}

/** A folder named with or without a trailing separator is one folder. */
const trimmed = (path: string) => path.replace(/(.)[/\\]+$/, '$1');
const lastComponent = (path: string) => path.split(/[/\\]/).pop() || path;

/** Folder and weights hash of the checkpoint a result names (both '' when it names none). */
export function checkpointOf(data: QualityResults): { path: string; weights: string } {
  const c = data.checkpoint;
  if (c === undefined) return { path: '', weights: '' };
  if (typeof c === 'string') return { path: trimmed(c), weights: '' };
  return { path: trimmed(c.path), weights: c.sha256?.['model.safetensors'] ?? '' };
}

interface Building {
  key: string;
  name: string;
  checkpoint: string;
  weights: string;
  context: number;
  fractions: Set<number>;
  files: string[];
  partial: PartialFile[];
  bitsPerByte: QualityBitsPerByteItem[];
  retrieval: QualityRetrievalItem[];
  seen: Set<string>;
  duplicates: number;
  machines: Set<string>;
}

/** Adds one file's complete items to its group, skipping items the group already has. */
function addFile(group: Building, file: string, data: QualityResults): void {
  group.files.push(file);
  data.settings.fractions.forEach((f) => group.fractions.add(f));
  group.machines.add(`${data.machine.cores} × ${data.machine.cpu}`);
  if (data.complete === false)
    group.partial.push({ file, itemsDone: data.progress?.itemsDone ?? 0, items: data.progress?.items ?? 0 });
  const fresh = (kind: string, name: string) => {
    const key = `${kind}:${name}`;
    if (group.seen.has(key)) {
      group.duplicates++;
      return false;
    }
    group.seen.add(key);
    return true;
  };
  group.bitsPerByte.push(...data.bitsPerByte.filter((item) => fresh('bpb', item.file)));
  group.retrieval.push(...data.retrieval.filter((item) => fresh('retrieval', item.file)));
}

/** Names unique: a folder measured at two contexts or with two sets of weights gets them appended. */
function uniqueNames(groups: Building[]): void {
  for (const g of groups) {
    const same = groups.filter((h) => h.name === g.name);
    if (same.length === 1) continue;
    const contexts = new Set(same.map((h) => h.context)).size > 1;
    const weights = new Set(same.map((h) => h.weights)).size > 1;
    const extra = [
      contexts ? `N = ${g.context}` : '',
      weights ? `weights ${g.weights.slice(0, 8) || 'unrecorded'}` : '',
    ];
    const told = extra.filter((e) => e !== '');
    // Same last component, context and weights: only the folder itself tells them apart.
    g.key = told.length > 0 ? `${g.name} (${told.join(', ')})` : g.checkpoint;
  }
  for (const g of groups) g.name = g.key;
}

/** The files' results, one group per model and context, in the order their first files come. */
export function groupByModel(files: readonly { file: string; data: QualityResults }[]): ModelQuality[] {
  const groups: Building[] = [];
  for (const { file, data } of files) {
    const { path, weights } = checkpointOf(data);
    const context = data.settings.context;
    let group = groups.find((g) => g.checkpoint === path && g.weights === weights && g.context === context);
    if (group === undefined) {
      group = {
        key: '',
        name: path === '' ? 'unnamed checkpoint' : lastComponent(path),
        checkpoint: path,
        weights,
        context,
        fractions: new Set(),
        files: [],
        partial: [],
        bitsPerByte: [],
        retrieval: [],
        seen: new Set(),
        duplicates: 0,
        machines: new Set(),
      };
      groups.push(group);
    }
    addFile(group, file, data);
  }
  for (const g of groups) g.key = g.name;
  uniqueNames(groups);
  return groups.map((g) => ({
    model: g.name,
    checkpoint: g.checkpoint,
    context: g.context,
    fractions: [...g.fractions].sort((a, b) => a - b),
    files: g.files,
    partial: g.partial,
    bitsPerByte: g.bitsPerByte,
    retrieval: g.retrieval,
    duplicates: g.duplicates,
    machines: [...g.machines],
  }));
}
