/** Types of buildSpeedSummary.mjs (the summary of bench/cuda/build-speed.mjs). */
export interface BuildSpeedRound {
  device: string | null;
  runs: { label: string; timings: { name: string; medianMs: number }[] }[];
}
export interface BuildSpeedRow {
  label: string;
  timing: string;
  oldMs: number;
  newMs: number;
  oldSpread: number;
  newSpread: number;
  ratio: number;
}
export function summariseBuildSpeed(input: {
  oldRounds: BuildSpeedRound[];
  newRounds: BuildSpeedRound[];
  keep: RegExp;
}): BuildSpeedRow[];
export function formatBuildSpeed(report: { device: string | null; rounds: number; rows: BuildSpeedRow[] }): string;
