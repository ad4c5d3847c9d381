/**
 * Where a Hugging Face checkpoint folder keeps its weights: `model.safetensors`, or
 * `model.safetensors.index.json` whose `weight_map` sends each tensor name to a shard file in
 * the same folder. As transformers does, the single file wins when both exist.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, fileSystemCall } from './checkpointError.js';

export const configFileName = 'config.json';
export const singleWeightsFileName = 'model.safetensors';
export const weightsIndexFileName = 'model.safetensors.index.json';

export type CheckpointLayout =
  | { readonly kind: 'single'; readonly file: string }
  | {
      readonly kind: 'sharded';
      readonly indexFile: string;
      readonly shardFiles: readonly string[];
      readonly weightMap: ReadonlyMap<string, string>;
    };

/** Reads and parses a JSON file; errors name the file. */
export function readJsonFile(path: string): unknown {
  const text = fileSystemCall(path, 'read', () => readFileSync(path, 'utf8'));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(path, `not valid JSON (${(error as Error).message})`);
  }
}

/** Checks that the checkpoint folder exists and is a folder. */
export function checkFolder(directory: string): void {
  const stats = fileSystemCall(directory, 'open the checkpoint folder', () => statSync(directory));
  if (!stats.isDirectory())
    throw new CheckpointError(
      directory,
      'not a folder: a checkpoint is a folder holding config.json and model.safetensors (or a sharded model.safetensors.index.json)',
    );
}

function isPlainFileName(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

function parseIndex(indexFile: string): { shardFiles: string[]; weightMap: Map<string, string> } {
  const index = readJsonFile(indexFile) as { weight_map?: unknown } | null;
  const map = index?.weight_map;
  if (index === null || typeof index !== 'object' || map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new CheckpointError(
      indexFile,
      `expected an object with a "weight_map" object (tensor name → shard file), received ${JSON.stringify(index)?.slice(0, 80)}`,
    );
  }
  const weightMap = new Map<string, string>();
  for (const [tensor, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string' || !isPlainFileName(file)) {
      throw new CheckpointError(
        indexFile,
        `weight_map sends tensor "${tensor}" to ${JSON.stringify(file)}; expected the name of a file in the checkpoint folder`,
      );
    }
    weightMap.set(tensor, file);
  }
  if (weightMap.size === 0) throw new CheckpointError(indexFile, 'weight_map is empty');
  return { shardFiles: [...new Set(weightMap.values())], weightMap };
}

/** The weights layout of a checkpoint folder; every shard the index names must be present. */
export function checkpointLayout(directory: string): CheckpointLayout {
  const single = join(directory, singleWeightsFileName);
  if (existsSync(single)) return { kind: 'single', file: single };
  const indexFile = join(directory, weightsIndexFileName);
  if (!existsSync(indexFile)) {
    const pickle =
      existsSync(join(directory, 'pytorch_model.bin')) || existsSync(join(directory, 'pytorch_model.bin.index.json'));
    throw new CheckpointError(
      directory,
      `no ${singleWeightsFileName} or ${weightsIndexFileName}${pickle ? ' (only safetensors weights are read; pytorch_model.bin is not)' : ''}`,
    );
  }
  const { shardFiles, weightMap } = parseIndex(indexFile);
  for (const shard of shardFiles) {
    if (!existsSync(join(directory, shard))) {
      throw new CheckpointError(
        join(directory, shard),
        `shard missing: ${weightsIndexFileName} names it (for tensor "${[...weightMap].find(([, f]) => f === shard)![0]}") but the folder lacks it`,
      );
    }
  }
  return {
    kind: 'sharded',
    indexFile,
    shardFiles: shardFiles.map((f) => join(directory, f)),
    weightMap: new Map([...weightMap].map(([t, f]) => [t, join(directory, f)])),
  };
}
