/**
 * The PrHS depth schedules (theory/etf.md). For layer ℓ of L, start layer ℓ_s, base b ∈ (0, 1)
 * and rate a > 0, and t cached tokens:
 *   count_ℓ(t) = 0 for ℓ < ℓ_s, else ⌊(1 − b^{a(ℓ−ℓ_s)/(L−ℓ_s)})·t⌋.
 * PSAW prunes P_ℓ(t) = count with (b, a) = (φ, α) of the oldest non-sink tokens; ETF freezes
 * E_ℓ(t) = count with (b, a) = (ψ, γ) of the earliest tokens.
 */
import { InvalidArgumentError } from '../core/errors.js';

export interface DepthSchedule {
  /** Layers L. */
  readonly layers: number;
  /** First layer ℓ_s that prunes or freezes. */
  readonly startLayer: number;
  /** Base φ or ψ in (0, 1). */
  readonly base: number;
  /** Rate α or γ > 0. */
  readonly rate: number;
}

export function checkSchedule(schedule: DepthSchedule): DepthSchedule {
  const { layers, startLayer, base, rate } = schedule;
  if (!Number.isInteger(layers) || layers < 1)
    throw new InvalidArgumentError('schedule.layers', 'a positive integer', String(layers), 'integer');
  if (!Number.isInteger(startLayer) || startLayer < 0 || startLayer >= layers)
    throw new InvalidArgumentError(
      'schedule.startLayer',
      `an integer in [0, ${layers - 1}]`,
      String(startLayer),
      'range',
    );
  if (!(base > 0 && base < 1))
    throw new InvalidArgumentError('schedule.base', 'a number in (0, 1)', String(base), 'range');
  if (!(rate > 0 && Number.isFinite(rate)))
    throw new InvalidArgumentError('schedule.rate', 'a finite positive number', String(rate), 'range');
  return schedule;
}

/** count_ℓ(t) of the schedule (validated). */
export function scheduleCount(schedule: DepthSchedule, layer: number, tokens: number): number {
  checkSchedule(schedule);
  if (!Number.isInteger(layer) || layer < 0 || layer >= schedule.layers)
    throw new InvalidArgumentError('layer', `an integer in [0, ${schedule.layers - 1}]`, String(layer), 'range');
  if (!Number.isInteger(tokens) || tokens < 0)
    throw new InvalidArgumentError('tokens', 'a non-negative integer', String(tokens), 'integer');
  return scheduleCountUnchecked(schedule, layer, tokens);
}

/** @internal */
export function scheduleCountUnchecked(schedule: DepthSchedule, layer: number, tokens: number): number {
  const { layers, startLayer, base, rate } = schedule;
  if (layer < startLayer) return 0;
  const fraction = 1 - base ** ((rate * (layer - startLayer)) / (layers - startLayer));
  return Math.min(tokens, Math.max(0, Math.floor(fraction * tokens)));
}

/** The parameters PSAW and ETF take for their schedule; every field has a default. */
export interface ScheduleConstraints {
  /** φ or ψ (default 0.5). */
  readonly base?: number;
  /** α or γ (default 1). */
  readonly rate?: number;
  /** ℓ_s (default ⌊L/4⌋, at most L − 1). */
  readonly startLayer?: number;
}

/** The validated schedule for a model with `layers` layers, filling in the defaults. */
export function scheduleForLayers(layers: number, options: ScheduleConstraints): DepthSchedule {
  return checkSchedule({
    layers,
    startLayer: Math.min(layers - 1, options.startLayer ?? Math.floor(layers / 4)),
    base: options.base ?? 0.5,
    rate: options.rate ?? 1,
  });
}
