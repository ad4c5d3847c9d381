// One benchmark cell as bench.mjs, sweep.mjs and build-speed.mjs time it: the addon's `benchmark` on
// the config's shape with the setup's repeats and copy size, L2 overwritten before each run, seed 1;
// `extra` overrides or adds options (sweep.mjs: its budget and decodeOnly).
export function timeCell(addon, setup, config, extra = {}) {
  return addon.benchmark({
    ...config,
    repeats: setup.repeats,
    copyBytes: setup.copyBytes,
    flushL2: true,
    seed: 1,
    ...extra,
  });
}
