/**
 * One safetensors file of a checkpoint, opened for lazy reading: its header is read and
 * validated (with the checks shared with trace files), the file descriptor is kept, and tensor
 * data is read later by offset, so no file is ever read whole (a 7B shard exceeds Node's Buffer
 * limit).
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import {
  parseSafetensorsHeader,
  safetensorsHeaderLength,
  type SafetensorsEntry,
  type SafetensorsFailure,
} from '../traces/safetensors.js';
import { readExactly as readExactlyAt } from '../io/readExactly.js';
import type { WeightDtype } from './config.js';
import { CheckpointError, fileSystemCall } from './checkpointError.js';

/** The safetensors dtypes of checkpoint weights and their element sizes. */
const checkpointDtypeBytes: Readonly<Record<string, number>> = { F32: 4, F16: 2, BF16: 2 };
export const weightDtypeOfSafetensors: Readonly<Record<string, WeightDtype>> = {
  F32: 'fp32',
  F16: 'fp16',
  BF16: 'bf16',
};
export const safetensorsDtypeOfWeight: Readonly<Record<WeightDtype, string>> = {
  fp32: 'F32',
  fp16: 'F16',
  bf16: 'BF16',
};

export interface SafetensorsShard {
  readonly path: string;
  readonly fd: number;
  /** Byte position of the data section in the file. */
  readonly dataStart: number;
  readonly entries: readonly SafetensorsEntry[];
}

/** Reads exactly `length` bytes at `position`; a short file is a truncation error. */
export function readExactly(fd: number, path: string, position: number, length: number, tensor?: string): Uint8Array {
  return readExactlyAt(fd, {
    position,
    length,
    truncated: (done) =>
      new CheckpointError(
        path,
        `truncated: needed bytes [${position}, ${position + length}) but the file ends at byte ${position + done}`,
        tensor,
      ),
    guard: (read) => fileSystemCall(path, 'read', read),
  });
}

/** Opens and validates one safetensors file; on any error the file is closed again. */
export function openShard(path: string): SafetensorsShard {
  const fd = fileSystemCall(path, 'open the safetensors file', () => openSync(path, 'r'));
  try {
    const size = fileSystemCall(path, 'read the file size', () => fstatSync(fd).size);
    const fail: SafetensorsFailure = (tensor, problem) => new CheckpointError(path, problem, tensor);
    const prefix = readExactly(fd, path, 0, Math.min(8, size));
    const headerLength = safetensorsHeaderLength(prefix, size, fail);
    const headerBytes = readExactly(fd, path, 8, headerLength);
    const dataStart = 8 + headerLength;
    const { entries } = parseSafetensorsHeader(headerBytes, size - dataStart, checkpointDtypeBytes, fail);
    return { path, fd, dataStart, entries };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

export function closeShard(shard: SafetensorsShard): void {
  closeSync(shard.fd);
}
