#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Splits the server's CPU by thread and by kind of work, from a perf profile.

A share times the window's server CPU-seconds, divided by the messages committed, is that
work's CPU per message.

    perf record -p "$(pgrep -f 'peerchat serve')" -o server.perf -- sleep 16   # during a run
    bench/cpu_breakdown.py server.perf [--per-message CPU_SECONDS MESSAGES]

With --per-message (the bench's "server ... CPU s in the window" and "sent"), it also prints
the CPU per message of the four parts of issue 15's breakdown:
  store    the writer and checkpointer threads (SQLite, the WAL's writes and fsync, their
           allocations), JSON and the hub's queueing excepted;
  JSON     nlohmann, in any thread (parsing what clients send, writing each event once);
  fan-out  the I/O thread's own work (Asio, Beast, the sessions, the hub's queues, allocator)
           and the hub's queueing on the writer;
  socket   the kernel's share of the I/O thread (each read, gathered write and epoll wait,
           including loopback TCP's delivery to the receiving socket);
  other    the push planner, the worker pool, and the rest.

(Profile the process, not a CPU: on this project's VMs a system-wide `perf record -C 1`
showed no samples of a server pinned to that CPU.)

The server's threads carry their job in their names (pc-io, pc-writer, pc-checkpointer; the
worker pool's keep the process name). A build from before the threads were named (2026-11-29)
has every thread named after the process; the threads are then told apart by what they ran:
the one that wrote the most WAL frames is the writer, the one that checkpointed most the
checkpointer, the one most in the reactor and the WebSocket sessions the I/O thread.

Within a thread, samples are put into one of: kernel (syscalls: the socket, WAL writes, fsync),
SQLite (the vendored C code: symbols without '::'), JSON (nlohmann), Boost (Asio, Beast,
result), our code (peerchat::), and libc/allocator.
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


def part_of(comm: str, kind: str, sym: str) -> str:
    """Which of issue 15's four parts (or other) a sample of this thread and kind belongs to."""
    if kind == "JSON":
        return "JSON"
    if comm in ("pc-writer", "pc-checkpointer"):
        return "fan-out" if "peerchat::gateway::" in sym else "store"
    if comm == "pc-io":
        return "socket" if kind == "kernel" else "fan-out"
    return "other"


# What marks each job's thread in a build whose threads are unnamed.
JOB_MARKS = (
    ("pc-writer", ("pagerWalFrames", "walChecksumBytes")),
    ("pc-checkpointer", ("walCheckpoint", "sqlite3WalCheckpoint")),
    ("pc-io", ("epoll_reactor", "ws_session", "frame_stream")),
)


def jobs_by_code(samples) -> dict:
    """Thread id -> job for unnamed threads: for each job, the thread with the most samples
    in that job's functions; the rest are the worker pool and other threads."""
    unnamed = {tid for _, tid, comm, _, _ in samples if not comm.startswith("pc-")}
    job = {}
    for name, marks in JOB_MARKS:
        weight = collections.Counter()
        for share, tid, _, _, sym in samples:
            if tid in unnamed and tid not in job and any(m in sym for m in marks):
                weight[tid] += share
        if weight:
            job[weight.most_common(1)[0][0]] = name
    return {tid: job.get(tid, "workers and other") for tid in unnamed}


def main() -> int:
    args = sys.argv[1:]
    per_message = None
    if len(args) == 4 and args[1] == "--per-message":
        per_message = float(args[2]) / float(args[3]) * 1e6  # µs of server CPU per message
        args = args[:1]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = subprocess.run(
        ["perf", "report", "-i", args[0], "--no-children", "--stdio", "-g", "none", "--percent-limit", "0",
         "--sort", "pid,comm,dso,sym", "-F", "overhead,pid,comm,dso,sym"],
        check=True, capture_output=True, text=True).stdout
    samples = []  # (share, thread id, thread name, dso, symbol)
    by_thread = collections.Counter()
    by_kind = collections.defaultdict(collections.Counter)
    by_part = collections.Counter()
    for line in out.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "%" not in line.split()[0]:
            continue
        parts = line.split(None, 4)
        if len(parts) < 5:
            continue
        sym = parts[4].split("] ", 1)[-1]
        samples.append((float(parts[0].rstrip("%")), parts[1], parts[2], parts[3], sym))
    job = jobs_by_code(samples)
    for share, tid, comm, dso, sym in samples:
        comm = job.get(tid, comm)
        kind = kind_of(dso, sym)
        by_thread[comm] += share
        by_kind[comm][kind] += share
        by_part[part_of(comm, kind, sym)] += share
    print("share of the samples on the profiled CPU, by thread and kind of work")
    for comm, total in by_thread.most_common():
        if total < 0.5:
            continue
        print(f"{comm:18} {total:6.1f} %")
        for kind, share in by_kind[comm].most_common():
            if share >= 0.2:
                print(f"    {kind:24} {share:6.1f} %")
    if per_message is not None:
        total = sum(by_part.values())
        print(f"CPU per message ({per_message:.1f} µs in all), by part")
        for part in ("store", "JSON", "fan-out", "socket", "other"):
            print(f"    {part:8} {by_part[part] / total * per_message:6.1f} µs  ({by_part[part] / total * 100:4.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
