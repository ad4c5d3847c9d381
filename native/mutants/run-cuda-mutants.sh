#!/usr/bin/env bash
# The CUDA counterpart of run-mutants.sh, for a machine with an NVIDIA GPU (sm_80 or sm_90): builds
# the CUDA addon once per hand-made mutant (native/src/mutants.hpp: 1 no max subtraction, 2 wrong
# tie order, 3 skipped last element of a chunk, 5 a missing barrier, i.e. a race) into
# build/cuda-mutant-<number> and requires that the cross-check fails on the kernel the mutant
# breaks (test/native/kernelMutants.test.ts). Exits with the number of surviving mutants.
#   bash native/mutants/run-cuda-mutants.sh          # every CUDA mutant (several minutes of nvcc each)
#   bash native/mutants/run-cuda-mutants.sh 5
# Without a GPU, `--compile-only` only checks that each mutant compiles. On a GPU machine without
# Node's toolchain (no node_modules, no compiler), build here with `--compile-only --arch 90-real`
# and carry build/cuda-mutant-* with the bundled CLI (bench/cuda/bundle.sh gives .device/prhs.mjs);
# there, `--check-with-cli .device/prhs.mjs` skips the build and requires that
# `prhs check-kernels --backend cuda` reports the broken kernel as failing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
names=([1]=no-max-subtraction [2]=wrong-tie-order [3]=skip-last-element [5]=race)
compileOnly=0
cli=""
arch=""
selected=()
while [ $# -gt 0 ]; do
  case "$1" in
    --compile-only) compileOnly=1 ;;
    --check-with-cli) cli="${2:?--check-with-cli needs the bundled CLI}"; shift ;;
    --arch) arch="${2:?--arch needs CUDA architectures, e.g. 90-real}"; shift ;;
    *) selected+=("$1") ;;
  esac
  shift
done
# The kernel each mutant breaks (as in test/native/kernelMutants.test.ts).
declare -A mustFail=([no-max-subtraction]=decodeAttention [wrong-tie-order]=topK [skip-last-element]=droppedMass [race]=decodeAttention)
[ ${#selected[@]} -eq 0 ] && selected=(1 2 3 5)
[ -n "$cli" ] || cmakejs="$(node -e "console.log(require.resolve('cmake-js/bin/cmake-js'))")"
survivors=0
for m in "${selected[@]}"; do
  name="${names[$m]:-}"
  [ -n "$name" ] || { echo "run-cuda-mutants: unknown CUDA mutant $m (1, 2, 3, 5)" >&2; exit 2; }
  out="$root/build/cuda-mutant-$m"
  if [ -n "$cli" ]; then
    [ -f "$out/Release/prhs_cuda.node" ] || { echo "run-cuda-mutants: $out/Release/prhs_cuda.node is missing" >&2; exit 2; }
    PRHS_CUDA_ADDON="$out/Release/prhs_cuda.node" node "$cli" check-kernels --backend cuda --dtype fp32 --max-n 4096 --json \
      >"$out/check.json" 2>"$out/check.log" || true
    if node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
        process.exit(r.some((x) => x.kernel === process.argv[2] && !x.pass) ? 0 : 1)' "$out/check.json" "${mustFail[$name]}"; then
      echo "mutant $m ($name): killed (${mustFail[$name]} fails)"
    else
      echo "mutant $m ($name): SURVIVED (see $out/check.json)"
      survivors=$((survivors + 1))
    fi
    continue
  fi
  node "$cmakejs" compile -d native -O "$out" --config Release --parallel 2 -T prhs_cuda --CDPRHS_CUDA=ON "--CDPRHS_MUTANT=$m" \
    ${arch:+"--CDPRHS_CUDA_ARCHITECTURES=$arch"} >/dev/null
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
