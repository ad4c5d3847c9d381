// The summary of bench/cuda/build-speed.mjs: per config and timing, each build's median over the
// rounds, the spread of its rounds ((max − min) / median), and new / old.

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One build's rounds as (label, timing) → [ms per round]. */
function byTiming(rounds) {
  const out = new Map();
  for (const round of rounds) {
    for (const run of round.runs) {
      for (const t of run.timings) {
        const key = `${run.label}\u0000${t.name}`;
        if (!out.has(key)) out.set(key, []);
        out.get(key).push(t.medianMs);
      }
    }
  }
  return out;
}

/**
 * Rows { label, timing, oldMs, newMs, oldSpread, newSpread, ratio } for the timings both builds
 * have and `keep` matches, in the old build's order.
 * @param {{ oldRounds: object[], newRounds: object[], keep: RegExp }} input
 */
export function summariseBuildSpeed({ oldRounds, newRounds, keep }) {
  const oldTimes = byTiming(oldRounds);
  const newTimes = byTiming(newRounds);
  const rows = [];
  for (const [key, olds] of oldTimes) {
    const news = newTimes.get(key);
    const [label, timing] = key.split('\u0000');
    if (!news || !keep.test(timing)) continue;
    const oldMs = median(olds);
    const newMs = median(news);
    const spread = (xs, m) => (Math.max(...xs) - Math.min(...xs)) / m;
    rows.push({
      label,
      timing,
      oldMs,
      newMs,
      oldSpread: spread(olds, oldMs),
      newSpread: spread(news, newMs),
      ratio: newMs / oldMs,
    });
  }
  return rows;
}

/** The table: one line per row, ms to 4 decimals, spreads in %, new/old to 3 decimals. */
export function formatBuildSpeed(report) {
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `Two builds on ${report.device ?? 'the device'}, ${report.rounds} rounds alternating old, new: median ms (spread of the rounds)`,
    'config | timing | old | new | new/old',
  ];
  for (const r of report.rows) {
    lines.push(
      `${r.label} | ${r.timing} | ${r.oldMs.toFixed(4)} (${pct(r.oldSpread)}) | ${r.newMs.toFixed(4)} (${pct(r.newSpread)}) | ${r.ratio.toFixed(3)}`,
    );
  }
  return lines.join('\n');
}
