#!/usr/bin/env bash
# A test of the kernel cross-check harness (docs/mutation.md): builds the CPU addon once per
# hand-made mutant of native/src/mutants.hpp into build/native-mutant-<number> and requires that
# `runKernelChecks` fails on the kernel the mutant breaks (test/native/kernelMutants.test.ts).
# Exits non-zero if any mutant survives. About a minute per mutant on two cores.
#   bash native/mutants/run-mutants.sh            # every mutant
#   bash native/mutants/run-mutants.sh 1 3        # some, by number
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
names=([1]=no-max-subtraction [2]=wrong-tie-order [3]=skip-last-element [4]=page-off-by-one)
selected=("$@")
[ ${#selected[@]} -eq 0 ] && selected=(1 2 3 4)
cmakejs="$(node -e "console.log(require.resolve('cmake-js/bin/cmake-js'))")"
survivors=0
for m in "${selected[@]}"; do
  name="${names[$m]:-}"
  [ -n "$name" ] || { echo "run-mutants: unknown mutant $m (1-4)" >&2; exit 2; }
  out="$root/build/native-mutant-$m"
  node "$cmakejs" compile -d native -O "$out" --config Release --parallel 2 "--CDPRHS_MUTANT=$m" >/dev/null
  if PRHS_KERNEL_MUTANT="$name" PRHS_NATIVE_ADDON="$out/Release/prhs_native.node" \
      npx vitest run test/native/kernelMutants.test.ts >"$out/vitest.log" 2>&1; then
    echo "mutant $m ($name): killed"
  else
    echo "mutant $m ($name): SURVIVED (see $out/vitest.log)"
    survivors=$((survivors + 1))
  fi
done
exit "$survivors"
