#!/usr/bin/env bash
# Applies the project's formatters once to the whole tree: Prettier (.prettierrc.json,
# .prettierignore: TypeScript and JavaScript) and clang-format (.clang-format: native/ C++ and
# CUDA). `npm run format` runs this; `npm run format:check` checks without writing.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:---write}"
# The pinned devDependencies (never a download); PRHS_FORMAT_BIN names another folder holding both.
bin="${PRHS_FORMAT_BIN:-node_modules/.bin}"
for tool in prettier clang-format; do
  [ -x "$bin/$tool" ] || { echo "format-all.sh: $bin/$tool not found: run npm install" >&2; exit 2; }
done
case "$mode" in
  --write) "$bin/prettier" --write --log-level warn '**/*.{ts,js,mjs,cjs}' ;;
  --check) "$bin/prettier" --check --log-level warn '**/*.{ts,js,mjs,cjs}' ;;
  *) echo "format-all.sh: expected --write or --check, received $mode" >&2; exit 2 ;;
esac
mapfile -t native < <(find native -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' \) | sort)
if [ "${#native[@]}" -gt 0 ]; then
  if [ "$mode" = --write ]; then
    "$bin/clang-format" -i --style=file "${native[@]}"
  else
    "$bin/clang-format" --dry-run --Werror --style=file "${native[@]}"
  fi
fi
