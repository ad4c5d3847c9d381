// Hand-made mutants of the CPU kernels, kept as a test of the cross-check harness: each is a
// plausible kernel bug that `prhs check-kernels` (src/verify/harness.ts) must catch.
// native/mutants/run-mutants.sh builds the addon once per mutant (-DPRHS_MUTANT=<number>) and
// asserts that the harness fails; a normal build defines none, and every mutant() is false.
// The CUDA kernels (native/cuda) test PRHS_MUTANT with the preprocessor (1, 2, 3 and 5 apply
// there); native/mutants/run-cuda-mutants.sh runs them on a GPU machine.
#pragma once

#ifndef PRHS_MUTANT
#define PRHS_MUTANT 0
#endif

namespace prhs {

enum class Mutant {
  kNoMaxSubtraction = 1,  // exp(z) instead of exp(z − max): overflows for logits beyond ~88.7
  kWrongTieOrder = 2,     // top-k ties broken towards the higher index
  kSkipLastElement = 3,   // the dropped-mass kernel stops one position early
  kPageOffByOne = 4,      // a list walked as two page streams skips the first row of the second block
  kRace = 5,              // CUDA only: the barrier between writing a chunk's logits and its softmax removed
};

constexpr bool mutant(Mutant m) { return PRHS_MUTANT == static_cast<int>(m); }

}  // namespace prhs
