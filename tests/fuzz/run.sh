#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the frame-decoder fuzzer with clang (libFuzzer + ASan + UBSan) and runs it for a
# bounded time: tests/fuzz/run.sh [SECONDS] [BUILD_DIR]. Exits non-zero on any crash.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-20}"
out="${2:-$root/build-fuzz}"
mkdir -p "$out/corpus"
cxx="$(command -v clang++-14 || command -v clang++)"
"$cxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root/include" \
  "$here/client_frame_fuzzer.cpp" \
  "$root/src/protocol/client_frame.cpp" "$root/src/protocol/json_input.cpp" \
  "$root/src/core/error.cpp" "$root/src/core/text.cpp" \
  -o "$out/client_frame_fuzzer"
cp -n "$here"/corpus/* "$out/corpus/" 2>/dev/null || true
"$out/client_frame_fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=5 -print_final_stats=1 \
  "$out/corpus" 2>&1 | tail -n 15
