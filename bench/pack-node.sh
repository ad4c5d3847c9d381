#!/usr/bin/env bash
# Packs this machine's Node binary as .device/node.tar.xz for the GPU machine (which has no Node),
# once: stripped of symbols and compressed with xz's x86 filter at preset 9e (21 MB instead of 24;
# the repository and what it carries travel there under 64 MiB). Takes a few minutes; the bundle
# scripts (bench/model/bundle.sh, bundle-quality.sh, bench/cuda/bundle.sh) call it when the file is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .device/node.tar.xz ] && exit 0
mkdir -p .device
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$(readlink -f "$(command -v node)")" "$work/node"
strip "$work/node" 2>/dev/null || true
tar -C "$work" -cf - node | xz -T2 --x86 --lzma2=preset=9e > .device/node.tar.xz.tmp
mv .device/node.tar.xz.tmp .device/node.tar.xz
