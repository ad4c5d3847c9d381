#!/usr/bin/env bash
# Compares the kernel outputs of two builds of an addon bit for bit (bench/cuda/bit-identity.mjs),
# once per kernel variant: the variant variables are read once per process, so each variant runs
# in its own process for each addon. Exits 1 and names every differing output if any digest
# differs (or a run is nondeterministic, or a kernel variant disagrees with the chunk kernel inside
# the benchmark); 2 on bad arguments or a run that fails.
#
#   bench/cuda/bit-identity.sh OLD.node NEW.node [OUT_DIR [VARIANTS]]
#   bench/cuda/bit-identity.sh --variants ADDON.node   (the variant lines it would run, one per line)
#
# VARIANTS, an extended regular expression, keeps the variants whose line below matches it (for
# example 'default|SPARSE'), to split a long run over several calls.
# OLD.node and NEW.node are two builds of prhs_cuda.node (before and after the change) or of the CPU
# addon prhs_native.node (only the default variant then). The digest files stay in OUT_DIR (default:
# a temporary folder). The two CUDA addons can be built where nvcc is (no GPU needed), for sm_90:
#   cmakejs=$(node -e "console.log(require.resolve('cmake-js/bin/cmake-js'))")
#   mkdir -p /tmp/prhs-base && git archive BASE native | tar -x -C /tmp/prhs-base   # BASE: before the change
#   for side in old new; do
#     dir=native; [ $side = old ] && dir=/tmp/prhs-base/native
#     node "$cmakejs" compile -d $dir -O build/cuda-$side --config Release --parallel 2 -T prhs_cuda \
#       --CDPRHS_CUDA=ON --CDPRHS_CUDA_ARCHITECTURES=90-real
#     mkdir -p build/bit-identity && cp build/cuda-$side/Release/prhs_cuda.node build/bit-identity/$side.node
#   done
#   bash bench/pack-node.sh   # .device/node.tar.xz: the GPU machine has no Node
#   tar -C build/bit-identity -cJf .device/bit-identity.tar.xz old.node new.node
# and compared on the GPU machine in one call (carry .device; under 10 minutes, else split the
# variants with VARIANTS over two calls):
#   mkdir -p build/bit-identity && tar -C build/bit-identity -xJf .device/bit-identity.tar.xz &&
#     bash bench/cuda/bit-identity.sh build/bit-identity/old.node build/bit-identity/new.node "$OUT/bits"
# Where there is no node on PATH, this script unpacks .device/node.tar.xz into /opt/node.
set -u
here=$(cd "$(dirname "$0")" && pwd)
listOnly=0
if [ "${1:-}" = --variants ] && [ $# -eq 2 ]; then
  listOnly=1  # print the variants this addon runs, one per line, and stop
  set -- "$2" "$2"
fi
if [ $# -lt 2 ] || [ $# -gt 4 ]; then
  echo "usage: bench/cuda/bit-identity.sh OLD.node NEW.node [OUT_DIR [VARIANTS]]" >&2
  echo "       bench/cuda/bit-identity.sh --variants ADDON.node" >&2
  exit 2
fi
old=$1
new=$2
for addon in "$old" "$new"; do
  if [ ! -f "$addon" ]; then
    echo "bit-identity: $addon is not a file (an addon .node)" >&2
    exit 2
  fi
done
if ! command -v node > /dev/null; then
  pack="$here/../../.device/node.tar.xz"
  if [ ! -f "$pack" ]; then
    echo "bit-identity: no node on PATH and no .device/node.tar.xz (bash bench/pack-node.sh packs it)" >&2
    exit 2
  fi
  { mkdir -p /opt/node && { [ -x /opt/node/node ] || tar -C /opt/node -xJf "$pack"; }; } ||
    { echo "bit-identity: cannot unpack $pack into /opt/node" >&2; exit 2; }
  export PATH=/opt/node:$PATH
fi

# One variant per line: the environment it runs under ("default": none). The CPU addon reads none;
# the CUDA addon is the one with cisStep. An addon that predates a variable ignores it: with OLD
# such a build, PRHS_CUDA_MMA_MERGE=fused and =separate each compare the NEW build's merge with
# OLD's separate merge kernel.
variants="default"
isCuda='process.exit(typeof require(require("node:path").resolve(process.argv[1])).cisStep === "function" ? 0 : 1)'
case "$(node -e "$isCuda" "$old" && echo cuda)" in
  cuda)
    variants="default
PRHS_CUDA_DECODE=chunk
PRHS_CUDA_DECODE=group
PRHS_CUDA_DECODE=mma
PRHS_CUDA_DECODE=mma PRHS_CUDA_MMA_MERGE=fused
PRHS_CUDA_DECODE=mma PRHS_CUDA_MMA_MERGE=separate
PRHS_CUDA_DECODE=mma-pipelined
PRHS_CUDA_DECODE=mma-pipelined PRHS_CUDA_MMA_CHUNKS=3
PRHS_CUDA_DECODE=mma-pipelined PRHS_CUDA_MMA_CHUNKS=3 PRHS_CUDA_MMA_MERGE=separate
PRHS_CUDA_SPARSE=sliced
PRHS_CUDA_SPARSE=no-cluster
PRHS_CUDA_SPARSE=w1
PRHS_CUDA_SPARSE=w4
PRHS_CUDA_SPARSE=deep
PRHS_CUDA_SPARSE=shallow
PRHS_CUDA_DECODE=group PRHS_CUDA_SPARSE=sliced
PRHS_LINEAR_VARIANT=warp
PRHS_LINEAR_VARIANT=deep
PRHS_LINEAR_VARIANT=mma
PRHS_ATTENTION_VARIANT=sync
PRHS_PDL=0
PRHS_SELECTION_KERNELS=old"
    ;;
esac
if [ $# -eq 4 ]; then
  variants=$(echo "$variants" | grep -E -- "$4") || { echo "bit-identity: no variant matches $4" >&2; exit 2; }
fi
if [ $listOnly -eq 1 ]; then
  echo "$variants"
  exit 0
fi
out=${3:-$(mktemp -d)}
mkdir -p "$out" || { echo "bit-identity: cannot create $out" >&2; exit 2; }

status=0
while IFS= read -r variant; do
  name=$(echo "$variant" | tr ' =' '_-')
  settings=()
  [ "$variant" != default ] && read -r -a settings <<< "$variant"
  for side in old new; do
    addon=$old
    [ $side = new ] && addon=$new
    if ! env "${settings[@]}" node "$here/bit-identity.mjs" "$addon" > "$out/$name.$side.json"; then
      echo "bit-identity: the $side addon failed under $variant (see above)" >&2
      exit 2
    fi
  done
  echo "== $variant"
  node "$here/bit-identity.mjs" --compare "$out/$name.old.json" "$out/$name.new.json" || status=1
done <<< "$variants"

if [ $status -eq 0 ]; then echo "bit-identity: the same bits in every variant ($out)"; else echo "bit-identity: DIFFERENT BITS ($out)"; fi
exit $status
