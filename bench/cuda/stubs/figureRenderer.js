// Stand-in for @resvg/resvg-js, vega and vega-lite in the GPU-machine bundle (bench/cuda/bundle.sh):
// that machine runs check-kernels and the benchmarks, never `prhs figures`.
const absent = () => {
  throw new Error('figure rendering is not part of the GPU-machine bundle');
};
export class Resvg {
  constructor() {
    absent();
  }
}
export const compile = absent;
export const View = absent;
export const parse = absent;
export const textMetrics = undefined;
export const Warn = 0;
export default { Resvg, compile, View, parse };
