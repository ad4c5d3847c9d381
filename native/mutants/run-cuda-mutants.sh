#!/usr/bin/env bash
# The CUDA counterpart of run-mutants.sh, for a machine with an NVIDIA GPU (sm_80 or sm_90): builds
# the CUDA addon once per hand-made mutant (native/src/mutants.hpp: 1 no max subtraction, 2 wrong
# tie order, 3 skipped last element of a chunk, 5 a missing barrier, i.e. a race) into
# build/cuda-mutant-<number> and requires that the cross-check fails on the kernel the mutant
# breaks (test/native/kernelMutants.test.ts). Exits with the number of surviving mutants.
#   bash native/mutants/run-cuda-mutants.sh          # every CUDA mutant (several minutes of nvcc each)
#   bash native/mutants/run-cuda-mutants.sh 5
# Without a GPU, `--compile-only` only checks that each mutant compiles.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
names=([1]=no-max-subtraction [2]=wrong-tie-order [3]=skip-last-element [5]=race)
compileOnly=0
selected=()
for a in "$@"; do
  if [ "$a" = "--compile-only" ]; then compileOnly=1; else selected+=("$a"); fi
done
[ ${#selected[@]} -eq 0 ] && selected=(1 2 3 5)
cmakejs="$(node -e "console.log(require.resolve('cmake-js/bin/cmake-js'))")"
survivors=0
for m in "${selected[@]}"; do
  name="${names[$m]:-}"
  [ -n "$name" ] || { echo "run-cuda-mutants: unknown CUDA mutant $m (1, 2, 3, 5)" >&2; exit 2; }
  out="$root/build/cuda-mutant-$m"
  node "$cmakejs" compile -d native -O "$out" --config Release --parallel 2 -T prhs_cuda --CDPRHS_CUDA=ON "--CDPRHS_MUTANT=$m" >/dev/null
  if [ "$compileOnly" = 1 ]; then echo "mutant $m ($name): compiled"; continue; fi
  if PRHS_KERNEL_MUTANT="$name" PRHS_KERNEL_MUTANT_BACKEND=cuda PRHS_CUDA_ADDON="$out/Release/prhs_cuda.node" \
      npx vitest run test/native/kernelMutants.test.ts >"$out/vitest.log" 2>&1; then
    echo "mutant $m ($name): killed"
  else
    echo "mutant $m ($name): SURVIVED (see $out/vitest.log)"
    survivors=$((survivors + 1))
  fi
done
exit "$survivors"
