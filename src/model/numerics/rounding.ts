/**
 * The rounding of one decoder arithmetic: applied to every operation's exact result. The float64
 * reference rounds nothing (the identity: each expression is then the plain float64 one); the fp32
 * engines round to fp32 with Math.fround (exactly IEEE fp32 after +, −, ×, ÷, √; exp, sin and cos
 * are within an ulp of fp32's).
 */
export type Rounding = (x: number) => number;

/** float64: every result is already a float64. */
export const noRounding: Rounding = (x) => x;
