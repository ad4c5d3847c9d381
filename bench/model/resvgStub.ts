/** Stands in for @resvg/resvg-js (a native module) in the GPU machine's CLI bundle: figures are drawn here, never there. */
export type ResvgRenderOptions = Record<string, unknown>;

export class Resvg {
  constructor() {
    throw new Error(
      'prhs figures is not part of the GPU-machine bundle (.device/prhs.mjs); draw figures on a machine with node_modules',
    );
  }
}
