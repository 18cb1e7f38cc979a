#!/usr/bin/env python3
"""Batch benchmark (issue 14's speed and scale targets), on the lab with latency.

A copy of the lab gets a zone bulk.test with 14,000 names (h0 ... h13999), served by two
servers, and every server and resolver gets a fixed added latency (--latency, 10 ms), so a
question costs about one RTT. In one run, each measurement on names of its own (the lab's
resolvers are cold for each):

  - dnscope compare --names, N = 1,000 names, against bulk.test's 2 servers and 3 resolvers
    (S = 5 servers per name) at --concurrency C: total queries against N x S + the one-time
    descent; wall time against the ideal (N x S / C) x RTT (RTT: the mean round trip of the
    run's own answers); names per second, and per CPU-second (per core);
  - the same questions by a loop of `dig` (one process per question, one after the other)
    and by `xargs -P C dig` (the same concurrency);
  - N = 10,000 names: wall time, and peak RSS against N = 1,000's (streaming: 10x the names
    must not need 10x the memory).

Only loopback addresses are used. Usage: bench/batch.py [--binary target/release/dnscope]
[--concurrency 32] [--latency 10] [--no-dig]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from labrun import start_lab

NET = "127.81.0.0"
PREFIX = NET[:-1]
BULK = 14_000


def lab_copy(src, dst, latency):
    shutil.copytree(src, dst)
    manifest = os.path.join(dst, "lab.toml")
    text = re.sub(r"\nlatency_ms = \d+", "", open(manifest).read())
    out = []
    for block in text.split("\n[["):
        if (block.startswith("server]]") or block.startswith("resolver]]")) and "fault" not in block:
            block = block.rstrip("\n") + f"\nlatency_ms = {latency}\n"
        out.append(block)
    text = "\n[[".join(out)
    text += (
        f'\n[[server]]\nname = "ns1.bulk.test"\naddress = "127.77.0.150"\nzones = ["bulk.test.zone"]\nlatency_ms = {latency}\n'
        f'\n[[server]]\nname = "ns2.bulk.test"\naddress = "127.77.0.151"\nzones = ["bulk.test.zone"]\nlatency_ms = {latency}\n'
    )
    open(manifest, "w").write(text)
    zones = os.path.join(dst, "zones")
    with open(os.path.join(zones, "bulk.test.zone"), "w") as f:
        f.write("$ORIGIN bulk.test.\n$TTL 3600\n")
        f.write("@ IN SOA ns1.bulk.test. hostmaster.bulk.test. 1 600 300 86400 60\n")
        f.write("@ IN NS ns1.bulk.test.\n@ IN NS ns2.bulk.test.\n")
        f.write("ns1 IN A 127.77.0.150\nns2 IN A 127.77.0.151\n")
        for i in range(BULK):
            f.write(f"h{i} IN A 192.0.2.{i % 250 + 1}\n")
    with open(os.path.join(zones, "test.zone"), "a") as f:
        f.write("\nbulk IN NS ns1.bulk.test.\nbulk IN NS ns2.bulk.test.\n")
        f.write("ns1.bulk IN A 127.77.0.150\nns2.bulk IN A 127.77.0.151\n")


def timed(cmd, stdout, stdin=None):
    """Run cmd; wall seconds, CPU seconds, peak RSS in MB (wait4's rusage)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, stdin=stdin,
                         env={**os.environ, "DNSCOPE_LOOPBACK_ONLY": "1"})
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def names_file(tmp, first, n):
    path = os.path.join(tmp, f"names-{first}-{n}.txt")
    with open(path, "w") as f:
        for i in range(first, first + n):
            f.write(f"h{i}.bulk.test\n")
    return path


def dnscope_run(binary, tmp, root, port, resolvers, names, concurrency):
    out = os.path.join(tmp, "out.jsonl")
    with open(out, "w") as f:
        wall, cpu, rss = timed(
            [binary, "compare", "--names", names, "--root", root, "--port", str(port),
             *resolvers, "--concurrency", str(concurrency), "--per-server", str(concurrency),
             "--json"], f)
    rtts = []
    summary = None
    with open(out) as f:
        for line in f:
            doc = json.loads(line)
            if doc["schema"] == "dnscope.compare.summary/1":
                summary = doc
                continue
            for s in doc["compare"]["servers"]:
                if s["rtt_ms"] is not None:
                    rtts.append(s["rtt_ms"])
    return wall, cpu, rss, summary, sum(rtts) / max(len(rtts), 1)


def dig_args(server, port, name, rd):
    return ["dig", "+tries=1", "+time=2", "+norec" if not rd else "+rec", "-p", str(port),
            f"@{server}", name, "A"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/dnscope")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--latency", type=int, default=10)
    ap.add_argument("--no-dig", action="store_true")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    tmp = tempfile.mkdtemp(prefix="dnscope-batch-bench-")
    lab_dir = os.path.join(tmp, "lab")
    lab_copy(os.path.join(here, "..", "fixtures", "lab"), lab_dir, args.latency)
    lab, plan = start_lab(args.binary, lab_dir, NET)
    try:
        port = plan["port"]
        root = f"{PREFIX}2:{port}"
        lab_resolvers = [s for s in plan["servers"] if s["kind"] == "resolver"]
        resolver_addrs = [r["address"] for r in lab_resolvers]
        resolvers = []
        for r in lab_resolvers:
            resolvers += ["--resolver", f"{r['name'].rstrip('.')}={r['address']}:{port}"]
        auth = [f"{PREFIX}150", f"{PREFIX}151"]
        servers = len(resolver_addrs) + len(auth)
        c = args.concurrency
        print(f"lab: {args.latency} ms added to every server and resolver; bulk.test on 2 servers; "
              f"{len(resolver_addrs)} resolvers; S = {servers} servers per name; C = {c}")

        n = 1000
        wall, cpu, rss1k, summary, rtt = dnscope_run(
            args.binary, tmp, root, port, resolvers, names_file(tmp, 0, n), c)
        q = summary["queries"]
        ideal = n * servers / c * rtt / 1000
        print(f"\ndnscope compare --names, N = {n}:")
        print(f"  queries sent {q['sent']} = {q['rrsets']} for the names + {q['descent']} descent; "
              f"N x S + descent = {n * servers + q['descent']} -> {q['sent'] / (n * servers + q['descent']):.3f}x")
        print(f"  wall {wall * 1000:.0f} ms; ideal (N x S / C) x RTT = ({n} x {servers} / {c}) x {rtt:.1f} ms "
              f"= {ideal * 1000:.0f} ms -> {wall / ideal:.2f}x")
        print(f"  {n / wall:.0f} names/s; {n / cpu:.0f} names per CPU-second (per core); peak RSS {rss1k:.1f} MB")
        print(f"  statuses: {summary['counts']}")

        if not args.no_dig and shutil.which("dig"):
            questions = []
            for i in range(1000, 1000 + n):
                name = f"h{i}.bulk.test"
                questions += [dig_args(a, port, name, True) for a in resolver_addrs]
                questions += [dig_args(a, port, name, False) for a in auth]
            start = time.perf_counter()
            for qa in questions:
                subprocess.run(qa, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            loop = time.perf_counter() - start
            print(f"\na loop of dig, one process per question ({len(questions)} questions): "
                  f"{loop * 1000:.0f} ms -> dnscope is {loop / wall:.1f}x faster")
            listing = os.path.join(tmp, "dig-args.txt")
            with open(listing, "w") as f:
                for i in range(2000, 2000 + n):
                    name = f"h{i}.bulk.test"
                    for a in resolver_addrs:
                        f.write(" ".join(dig_args(a, port, name, True)[1:]) + "\n")
                    for a in auth:
                        f.write(" ".join(dig_args(a, port, name, False)[1:]) + "\n")
            with open(listing) as lst:
                xwall, xcpu, _ = timed(["xargs", "-P", str(c), "-L", "1", "dig"],
                                       subprocess.DEVNULL, stdin=lst)
            print(f"xargs -P {c} dig (the same questions, the same concurrency): {xwall * 1000:.0f} ms "
                  f"-> dnscope is {xwall / wall:.1f}x faster")

        n10 = 10_000
        wall10, cpu10, rss10k, summary10, rtt10 = dnscope_run(
            args.binary, tmp, root, port, resolvers, names_file(tmp, 3000, n10), c)
        q10 = summary10["queries"]
        ideal10 = n10 * servers / c * rtt10 / 1000
        print(f"\ndnscope compare --names, N = {n10}:")
        print(f"  queries sent {q10['sent']} (N x S + descent = {n10 * servers + q10['descent']}); "
              f"wall {wall10 * 1000:.0f} ms vs ideal {ideal10 * 1000:.0f} ms -> {wall10 / ideal10:.2f}x")
        print(f"  {n10 / wall10:.0f} names/s; {n10 / cpu10:.0f} names per CPU-second; "
              f"peak RSS {rss10k:.1f} MB = {rss10k / rss1k:.2f}x the 1,000-name run's")
    finally:
        lab.terminate()
        lab.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
