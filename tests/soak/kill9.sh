#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The kill -9 and disk-full soak (not in CI: it runs for minutes). Builds the server and the
# soak driver (tests/soak/kill9_soak.cpp) in build/, then runs it:
#   tests/soak/kill9.sh [--cycles 100] [--disk-full-rounds 5] [--seed S]
# Exit 0 when every acknowledged message survived every SIGKILL and every disk-full round
# was refused cleanly and recovered. docs/soak.md has the figures of the last run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target peerchat peerchat_soak >/dev/null
exec "$build/tests/peerchat_soak" --binary "$build/src/peerchat" "$@"
