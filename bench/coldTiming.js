// Cold-cache timing for the CPU benchmarks (native-kernels.js, gather-walks.js): every timed call
// comes right after a read of a private buffer larger than the last-level cache share one core
// sees, so its data starts in DRAM, as in a decode step (between two steps of one head, every other
// layer and head passes through the caches).

/** The median of a list of numbers (the upper one of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * A timer: `time(run, minSeconds)` is the median seconds of `run`, each call after evicting the
 * caches (`addon.evictCaches`, `evictBytes`): one untimed call, then at least 5 timed calls, more
 * until their timed total passes minSeconds (at most `maxSamples`).
 */
export function coldTimer(addon, evictBytes, defaultMinSeconds, maxSamples = 40) {
  return function time(run, minSeconds = defaultMinSeconds) {
    run();
    const samples = [];
    let timed = 0;
    while (samples.length < 5 || (timed < minSeconds && samples.length < maxSamples)) {
      addon.evictCaches({ bytes: evictBytes });
      const start = performance.now();
      run();
      const seconds = (performance.now() - start) / 1000;
      samples.push(seconds);
      timed += seconds;
    }
    return median(samples);
  };
}
