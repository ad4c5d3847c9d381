/**
 * A high-precision oracle for the reference (theory/certified.md and theory/reference.md,
 * "High-precision oracle"): logits exactly, as BigInt rationals of the double inputs, then
 * softmax, dropped mass and entropy in 60-digit decimal arithmetic (mathjs BigNumber), whose
 * exponent range (±9·10¹⁵) has no overflow or underflow at any double input. It catches what a
 * float64 comparison cannot: a float64 δ from rounded logits shares the reference's roundings.
 */
import { createRequire } from 'node:module';
import type { BigNumber, MathJsInstance } from 'mathjs';
import {
  addRational,
  doubleToRational,
  multiplyRational,
  subtractRational,
  type Rational,
} from '../proofs/rational.js';

/** Significant decimal digits of every oracle operation. */
export const ORACLE_DIGITS = 60;

// Loaded on first use: importing mathjs builds its whole default instance (about 1.5 CPU-seconds),
// which every CLI command would otherwise pay at start-up.
let instance: MathJsInstance | undefined;
type MathjsFactory = Pick<typeof import('mathjs'), 'create' | 'bignumberDependencies'>;
let provided: MathjsFactory | undefined;

/**
 * Hands in the mathjs module for a single-file bundle (bench/model/cliEntry.ts), which cannot follow
 * the lazy `require` below: a bundler sees no module name to include there.
 */
export function provideMathjs(module: MathjsFactory): void {
  provided = module;
}

function math(): MathJsInstance {
  if (!instance) {
    const { bignumberDependencies, create } =
      provided ?? (createRequire(import.meta.url)('mathjs') as typeof import('mathjs'));
    instance = create({ bignumberDependencies }, { precision: ORACLE_DIGITS });
  }
  return instance;
}

/** A BigNumber within one unit in the 60th digit of the rational. */
export function rationalToBig(x: Rational): BigNumber {
  return math().bignumber(x.num.toString()).div(math().bignumber(x.den.toString()));
}

/** The exact value of a finite double as a BigNumber (to 60 digits). */
export function doubleToBig(x: number): BigNumber {
  return rationalToBig(doubleToRational(x));
}

function compare(a: Rational, b: Rational): number {
  const difference = subtractRational(a, b).num;
  return difference > 0n ? 1 : difference < 0n ? -1 : 0;
}

/** The exact logits z_i = scale·Σ_c q_c K_ic of double inputs, as rationals. */
export function exactLogits(q: readonly number[], K: readonly (readonly number[])[], scale: number): Rational[] {
  const s = doubleToRational(scale);
  const query = q.map(doubleToRational);
  return K.map((row) => {
    let dot: Rational = { num: 0n, den: 1n };
    row.forEach((k, c) => (dot = addRational(dot, multiplyRational(query[c]!, doubleToRational(k)))));
    return multiplyRational(s, dot);
  });
}

/**
 * The weights e^{z_i − max z} to 60 digits: each difference is exact (a rational) before it is
 * rounded to 60 digits and exponentiated, so huge logits lose nothing to cancellation.
 */
export function shiftedExponentials(logits: readonly Rational[]): BigNumber[] {
  const largest = logits.reduce((m, z) => (compare(z, m) > 0 ? z : m));
  return logits.map((z) => rationalToBig(subtractRational(z, largest)).exp());
}

function sum(values: readonly BigNumber[]): BigNumber {
  return values.reduce((a, b) => a.plus(b), math().bignumber(0));
}

/** Softmax of exact logits, to 60 digits. */
export function softmaxHighPrecision(logits: readonly Rational[]): BigNumber[] {
  const weights = shiftedExponentials(logits);
  const total = sum(weights);
  return weights.map((w) => w.div(total));
}

/** δ = Σ_{i∉S} p_i for exact logits, to 60 digits (0 when every index is kept). */
export function droppedMassHighPrecision(logits: readonly Rational[], keep: readonly number[]): BigNumber {
  const weights = shiftedExponentials(logits);
  const kept = new Set(keep);
  const dropped = sum(weights.filter((_, i) => !kept.has(i)));
  return dropped.div(sum(weights));
}

/** Entropy −Σ p ln p (nats) of the softmax of exact logits, to 60 digits (0·ln 0 = 0). */
export function entropyHighPrecision(logits: readonly Rational[]): BigNumber {
  const p = softmaxHighPrecision(logits);
  return sum(p.filter((x) => !x.isZero()).map((x) => x.times(x.ln()).neg()));
}

/** A BigNumber from a JS number or decimal string (the oracle's precision). */
export function big(x: number | string): BigNumber {
  return typeof x === 'number' ? doubleToBig(x) : math().bignumber(x);
}
