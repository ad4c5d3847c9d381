/** The card's copy bandwidth as the CUDA addon measures it (device-to-device cudaMemcpy, median of repeats). */
import type { NativeAddon } from '../../backends/nativeAddon.js';
import { copyGigabytesPerSecond } from './decodeSpeed.js';

/** 1 GiB copied 20 times: large enough that launch overhead is noise and L2 (50 MiB on an H100) holds none of it. */
export const defaultCopyMeasurement = { bytes: 2 ** 30, repeats: 20 } as const;

export function measureCopyGBs(
  addon: NativeAddon,
  options: { readonly bytes: number; readonly repeats: number } = defaultCopyMeasurement,
): number {
  return copyGigabytesPerSecond(options.bytes, addon.memcpySeconds({ bytes: options.bytes, repeats: options.repeats }));
}
