# Sourced, from the repository root, by the scripts under bench/ that run on a device machine: the
# setup they share (each script keeps its own OUT, WORK, stages and timeouts).

# useBundledNode: the Node of .device/node.tar.xz (bench/model/bundle.sh, bench/cuda/bundle.sh),
# unpacked into /opt/node (which the caller has made) on the first call, first on PATH.
useBundledNode() {
  { [ -x /opt/node/node ] || tar -C /opt/node -xJf .device/node.tar.xz; } && export PATH=/opt/node:$PATH
}

# useCudaDevice: the bundled Node (useBundledNode) and the addon of `npm run build:cuda`, as
# PRHS_CUDA_ADDON.
useCudaDevice() {
  useBundledNode
  export PRHS_CUDA_ADDON="$PWD/build/cuda/Release/prhs_cuda.node"
}

# describeCudaDevice FIELDS: nvidia-smi's FIELDS (comma-separated) of the card as CSV, then the
# addon's info() as one JSON line.
describeCudaDevice() {
  nvidia-smi --query-gpu="$1" --format=csv
  node -e "console.log(JSON.stringify(require(process.env.PRHS_CUDA_ADDON).info()))"
}

# describeTorch: the torch and transformers versions the HF comparisons run with.
describeTorch() {
  python3 -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)"
}

# say MESSAGE: MESSAGE after the time and the seconds since the script started, on stdout and
# appended to $LOG.
say() { echo "[$(date -u +%T) +${SECONDS}s] $*" | tee -a "$LOG"; }
