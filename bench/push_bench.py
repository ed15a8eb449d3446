#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Push bench: how many pushes per second the dispatcher sustains against the local push service.

Starts `peerchat serve --push-allow-loopback` on a temp data dir and the local push service
(tests/push/push_service.py, by default with --fast: it only counts and answers 201, so the
figure is the server's, not Python's checks), makes one group of --members members, registers
--subs subscriptions per member (the server keeps at most 20 per user), sends --messages
messages as the owner over HTTP as fast as it answers, and waits until every expected push
(messages x (members - 1) x subs) has arrived or nothing arrived for 10 s.

Reports pushes/s between the first and the last push the service received, the server's
/metrics push counters and its CPU seconds. One `JSON {...}` line at the end.

  bench/push_bench.py --server-bin build/src/peerchat [--members 10 --subs 20 --messages 200]
                      [--verify] [--server-arg=--push-in-flight --server-arg=64] [--server-cpu 1]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PUSH_SERVICE = os.path.join(HERE, "..", "tests", "push", "push_service.py")
METRICS_TOKEN = "push-bench-metrics"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None, token=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        text = r.read().decode()
        if r.headers.get("Content-Type", "").startswith("application/json") and text:
            return json.loads(text)
        return text


def wait(pred, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if pred():
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit("push bench: %s did not happen within %d s" % (what, seconds))


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def metric(text, name):
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == name:
            return float(parts[1])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server-bin", required=True)
    ap.add_argument("--members", type=int, default=10)
    ap.add_argument("--subs", type=int, default=20, help="subscriptions per member (the server keeps <= 20)")
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--verify", action="store_true", help="the push service checks every push (slower: Python)")
    ap.add_argument("--server-arg", action="append", default=[])
    ap.add_argument("--server-cpu", type=int, default=None, help="pin the server to this CPU (taskset)")
    ap.add_argument("--service-cpu", type=int, default=None, help="pin the push service to this CPU")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="peerchat-push-bench-")
    procs = []
    try:
        data = os.path.join(tmp, "data")
        names = ["owner"] + ["member%d" % i for i in range(1, args.members)]
        for i, name in enumerate(names):
            subprocess.run([args.server_bin, "admin", "create-user", "--data-dir", data, "--username", name,
                            "--display-name", name, "--password-stdin"] + (["--admin"] if i == 0 else []),
                           input=(name + "-bench-password\n").encode(), check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        base = "http://127.0.0.1:%d" % port
        server_cmd = [args.server_bin, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", data,
                      "--push-allow-loopback", "--metrics-token", METRICS_TOKEN,
                      "--http-rate", "1000000", "--send-rate", "1000000", "--send-burst", "1000000",
                      "--login-rate", "1000000", "--accept-rate", "1000000"] + args.server_arg
        if args.server_cpu is not None:
            server_cmd = ["taskset", "-c", str(args.server_cpu)] + server_cmd
        server_log = open(os.path.join(tmp, "server.log"), "w")
        server = subprocess.Popen(server_cmd, stdout=server_log, stderr=subprocess.STDOUT)
        procs.append(server)
        port_file = os.path.join(tmp, "push.port")
        service_cmd = ["/usr/bin/python3", PUSH_SERVICE, "--port-file", port_file, "--deadline", "900",
                       "--parent-pid", str(os.getpid())] + ([] if args.verify else ["--fast"])
        if args.service_cpu is not None:
            service_cmd = ["taskset", "-c", str(args.service_cpu)] + service_cmd
        service = subprocess.Popen(service_cmd, stdout=subprocess.DEVNULL)
        procs.append(service)
        wait(lambda: os.path.exists(port_file), 20, "the push service starting")
        push_base = "http://127.0.0.1:%d" % int(open(port_file).read())
        wait(lambda: call("GET", base + "/healthz") is not None, 30, "the server answering /healthz")

        key = call("GET", base + "/api/v1/push/key")["vapid_public_key"]
        call("POST", push_base + "/__config", {"vapid_public_key": key})
        tokens = {n: call("POST", base + "/api/v1/sessions", {"username": n, "password": n + "-bench-password"})["token"]
                  for n in names}
        group = call("POST", base + "/api/v1/groups", {"name": "push bench"}, tokens["owner"])["id"]
        for n in names[1:]:
            code = call("POST", base + "/api/v1/groups/%d/invites" % group, {}, tokens["owner"])["code"]
            call("POST", base + "/api/v1/invites/%s/accept" % code, {}, tokens[n])
            for _ in range(args.subs):
                sub = call("POST", push_base + "/__subscription", {})
                call("POST", base + "/api/v1/push/subscriptions",
                     {"endpoint": sub["endpoint"], "keys": sub["keys"]}, tokens[n])
        expected = args.messages * (args.members - 1) * args.subs

        cpu0 = cpu_seconds(server.pid)
        t0 = time.time()
        for i in range(args.messages):
            call("POST", base + "/api/v1/groups/%d/messages" % group,
                 {"body": "push bench message %d" % i, "client_msg_id": "pb-%d" % i}, tokens["owner"])
        sent_s = time.time() - t0
        last_count, last_change = -1, time.monotonic()
        while True:
            stats = call("GET", push_base + "/__stats")
            if stats["received"] >= expected:
                break
            if stats["received"] != last_count:
                last_count, last_change = stats["received"], time.monotonic()
            elif time.monotonic() - last_change > 10:
                break
            time.sleep(0.05)
        cpu = cpu_seconds(server.pid) - cpu0
        text = call("GET", base + "/metrics", token=METRICS_TOKEN)
        span = (stats["last_at"] or t0) - (stats["first_at"] or t0)
        result = {
            "members": args.members, "subs_per_member": args.subs, "messages": args.messages,
            "verified": args.verify, "expected_pushes": expected, "received_pushes": stats["received"],
            "seconds_first_to_last_push": round(span, 3),
            "pushes_per_s": round((stats["received"] - 1) / span, 1) if span > 0 else None,
            "send_seconds": round(sent_s, 3), "server_cpu_s": round(cpu, 2),
            "pushes_per_server_cpu_s": round(stats["received"] / cpu, 1) if cpu > 0 else None,
            "max_in_flight_seen": stats["max_in_flight"],
            "metrics": {m: metric(text, m) for m in ("peerchat_push_sent_total", "peerchat_push_failed_total",
                                                     "peerchat_push_retried_total", "peerchat_push_dropped_total",
                                                     "peerchat_push_subscriptions")},
        }
        print("push bench: %d of %d pushes in %.2f s: %s pushes/s (server CPU %.2f s)" %
              (stats["received"], expected, span, result["pushes_per_s"], cpu))
        print("JSON " + json.dumps(result))
        return 0 if stats["received"] >= expected else 1
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
