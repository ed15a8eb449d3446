#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds one fuzzer with clang (libFuzzer + ASan + UBSan) and runs it for a bounded time:
#   tests/fuzz/run.sh HARNESS [SECONDS] [BUILD_DIR] [libFuzzer options…]
# HARNESS is tests/fuzz/HARNESS.cpp; its seeds are tests/fuzz/corpus/HARNESS/. Exits non-zero
# on any crash. `-runs=N` among the options runs N inputs instead (SECONDS is then a ceiling).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
harness="${1:?usage: tests/fuzz/run.sh HARNESS [SECONDS] [BUILD_DIR] [libFuzzer options…]}"
seconds="${2:-20}"
out="${3:-$root/build-fuzz}"
shift $(($# < 3 ? $# : 3))
[[ -f $here/$harness.cpp ]] || { echo "run.sh: no harness $here/$harness.cpp" >&2; exit 2; }

# The sources each harness needs: only decoders callable without sockets, so the fuzzers stay
# small and quick to build.
common=("$root/src/protocol/json_input.cpp" "$root/src/core/error.cpp" "$root/src/core/text.cpp")
case "$harness" in
  client_frame_fuzzer) sources=("$root/src/protocol/client_frame.cpp") ;;
  http_target_fuzzer | http_headers_fuzzer) sources=("$root/src/gateway/request_parsing.cpp") ;;
  json_body_fuzzer) sources=("$root/src/service/validation.cpp" "$root/src/service/emoji.cpp") ;;
  ws_frame_fuzzer) sources=("$root/src/gateway/ws_frame_reader.cpp") ;;
  *) echo "run.sh: no source list for $harness" >&2; exit 2 ;;
esac

mkdir -p "$out/corpus/$harness"
cxx="$(command -v clang++-14 || command -v clang++)"
"$cxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root/include" -I"$root/src" \
  "$here/$harness.cpp" "${sources[@]}" "${common[@]}" \
  -o "$out/$harness"
cp -n "$here/corpus/$harness"/* "$out/corpus/$harness/" 2>/dev/null || true
"$out/$harness" -max_total_time="$seconds" -max_len=4096 -timeout=5 -print_final_stats=1 "$@" \
  "$out/corpus/$harness" 2>&1 | tail -n 15
