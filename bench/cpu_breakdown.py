#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Splits the server's CPU by thread and by kind of work, from a perf profile.

A share times the window's server CPU-seconds, divided by the messages committed, is that
work's CPU per message.

    perf record -p "$(pgrep -f 'peerchat serve')" -o server.perf -- sleep 16   # during a run
    bench/cpu_breakdown.py server.perf

(Profile the process, not a CPU: on this project's VMs a system-wide `perf record -C 1`
showed no samples of a server pinned to that CPU.)

The server's threads carry their job in their names (pc-io, pc-writer, pc-checkpointer; the
worker pool's keep the process name). Within a thread, samples are put into one of:
kernel (syscalls: the socket, WAL writes, fsync), SQLite (the vendored C code: symbols without
'::'), JSON (nlohmann), Boost (Asio, Beast, result), our code (peerchat::), and libc/allocator.
The split is by the sampled function itself, not its callers: a memcpy called by SQLite is
counted as libc. It is an approximation, good for "where does a message's CPU go".
"""
import collections
import subprocess
import sys


def kind_of(dso: str, sym: str) -> str:
    if dso.startswith("[kernel") or dso == "[unknown]" and sym.startswith("0xffff"):
        return "kernel"
    if "nlohmann" in sym:
        return "JSON"
    if "boost::" in sym:
        return "Boost (Asio, Beast)"
    if "peerchat::" in sym:
        return "peerchat code"
    if dso.startswith("peerchat") and "::" not in sym and not sym.startswith("std") and not sym.startswith("operator"):
        return "SQLite"
    return "libc/allocator/other"


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = subprocess.run(
        ["perf", "report", "-i", sys.argv[1], "--no-children", "--stdio", "-g", "none", "--percent-limit", "0",
         "--sort", "comm,dso,sym", "-F", "overhead,comm,dso,sym"],
        check=True, capture_output=True, text=True).stdout
    by_thread = collections.Counter()
    by_kind = collections.defaultdict(collections.Counter)
    for line in out.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "%" not in line.split()[0]:
            continue
        parts = line.split(None, 3)
        if len(parts) < 4:
            continue
        share = float(parts[0].rstrip("%"))
        comm, dso, sym = parts[1], parts[2], parts[3]
        sym = sym.split("] ", 1)[-1]
        by_thread[comm] += share
        by_kind[comm][kind_of(dso, sym)] += share
    print("share of the samples on the profiled CPU, by thread and kind of work")
    for comm, total in by_thread.most_common():
        if total < 0.5:
            continue
        print(f"{comm:18} {total:6.1f} %")
        for kind, share in by_kind[comm].most_common():
            if share >= 0.2:
                print(f"    {kind:24} {share:6.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
