import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointOf, groupByModel } from '../../src/figures/qualityByModel.js';
import { qualityFiles, readResultFiles, type QualityResults } from '../../src/figures/realResults.js';
import { bpbItem, copyCheckpoint, qualityResult, twoModelFolder } from './qualityFixtures.js';

const read = (folder: string) =>
  readResultFiles<QualityResults>(folder, qualityFiles, 'prhs-real-attention-quality/1').used;
const as = (document: unknown) => document as QualityResults;

describe('groupByModel', () => {
  it('reads the checkpoint in both forms: a folder string, or {path, config, sha256}', () => {
    expect(checkpointOf(as(qualityResult({ checkpoint: 'models/big' })))).toEqual({ path: 'models/big', weights: '' });
    expect(checkpointOf(as(qualityResult({ checkpoint: copyCheckpoint })))).toEqual({
      path: 'models/copy-small',
      weights: 'cd'.repeat(32),
    });
    expect(checkpointOf(as(qualityResult({})))).toEqual({ path: '', weights: '' });
  });

  it('keeps two models apart and joins the files of one model', () => {
    const groups = groupByModel(read(twoModelFolder()));
    expect(groups.map((g) => g.model)).toEqual(['big', 'copy-small']);
    const [big, copy] = groups;
    expect(big!.files).toEqual(['real-attention-quality-big.json']);
    expect(big!.bitsPerByte.map((i) => i.file)).toEqual(['a.py', 'b.py']);
    expect(big!.retrieval).toEqual([]);
    expect(copy!.files).toEqual(['real-attention-quality-copy-bpb.json', 'real-attention-quality-copy-retrieval.json']);
    expect(copy!.bitsPerByte.map((i) => i.file)).toEqual(['c.py']);
    expect(copy!.retrieval.map((i) => i.file)).toEqual(['d.py', 'e.py']);
    expect(copy!.partial).toEqual([{ file: 'real-attention-quality-copy-bpb.json', itemsDone: 1, items: 2 }]);
    expect(big!.partial).toEqual([]);
  });

  it('leaves out an item a later file of the same model repeats, and counts it', () => {
    const [group] = groupByModel([
      { file: 'one.json', data: as(qualityResult({ checkpoint: 'm', bitsPerByte: [bpbItem('a.py', 1, 1)] })) },
      {
        file: 'two.json',
        data: as(qualityResult({ checkpoint: 'm', bitsPerByte: [bpbItem('a.py', 9, 1), bpbItem('b.py', 1, 1)] })),
      },
    ]);
    expect(group!.bitsPerByte.map((i) => [i.file, i.rows[0]!.bitsPerByte])).toEqual([
      ['a.py', 1],
      ['b.py', 1],
    ]);
    expect(group!.duplicates).toBe(1);
  });

  it('splits one folder measured at two contexts or with other weights, joins one folder however spelled, and names each group apart', () => {
    const other = { ...copyCheckpoint, sha256: { 'model.safetensors': 'ef'.repeat(32) } };
    const groups = groupByModel([
      { file: '1.json', data: as(qualityResult({ checkpoint: copyCheckpoint, context: 2048 })) },
      { file: '2.json', data: as(qualityResult({ checkpoint: copyCheckpoint, context: 4096 })) },
      { file: '3.json', data: as(qualityResult({ checkpoint: 'models/big' })) },
      { file: '4.json', data: as(qualityResult({ checkpoint: { path: 'models/big/' } })) },
      { file: '5.json', data: as(qualityResult({ checkpoint: other, context: 4096 })) },
      { file: '6.json', data: as(qualityResult({})) },
      { file: '7.json', data: as(qualityResult({ checkpoint: 'elsewhere/big' })) },
    ]);
    expect(groups.map((g) => g.model)).toEqual([
      'copy-small (N = 2048, weights cdcdcdcd)',
      'copy-small (N = 4096, weights cdcdcdcd)',
      'models/big',
      'copy-small (N = 4096, weights efefefef)',
      'unnamed checkpoint',
      'elsewhere/big',
    ]);
    expect(groups.map((g) => g.files)).toEqual([
      ['1.json'],
      ['2.json'],
      ['3.json', '4.json'],
      ['5.json'],
      ['6.json'],
      ['7.json'],
    ]);
  });

  it('gives no group for no files, and ignores a folder that does not exist', () => {
    expect(groupByModel([])).toEqual([]);
    const empty = mkdtempSync(join(tmpdir(), 'prhs-quality-empty-'));
    writeFileSync(join(empty, 'real-attention-quality-x.json'), 'not json');
    expect(groupByModel(read(empty))).toEqual([]);
    expect(groupByModel(read(join(empty, 'missing')))).toEqual([]);
  });
});
