#!/usr/bin/env bash
# AddressSanitizer + UBSan run (npm run test:asan):
#  1. the native test driver (native/test/kernelTests.cpp) built with -fsanitize=address,undefined;
#  2. the addon built the same way, loaded into node with libasan preloaded, under the fuzz suite
#     and the backend kernel tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

driver="$root/build/native-asan-driver"
cmake -S native -B "$driver" -DCMAKE_BUILD_TYPE=Release -DPRHS_SANITIZE=ON -DPRHS_BUILD_TESTS=ON >/dev/null
cmake --build "$driver" --parallel 2 >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$driver/prhs_kernel_tests"

node scripts/build-native.mjs --asan --strict >/dev/null
libasan="$(g++ -print-file-name=libasan.so)"
# Node itself leaks by design at exit: leak checking is for the driver above, not for node.
LD_PRELOAD="$libasan" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
  PRHS_NATIVE_ADDON="$root/build/native-asan/Release/prhs_native.node" PRHS_KERNEL_TESTS="$driver/prhs_kernel_tests" PRHS_REQUIRE_BACKEND=cpu PRHS_FUZZ_RUNS=200 \
  npx vitest run test/native test/backends
