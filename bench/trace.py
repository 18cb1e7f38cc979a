#!/usr/bin/env python3
"""Trace benchmark on the lab with injected latency (issue 3's speed targets).

Runs, in one go, against a copy of the lab where every server has its own added latency
(5-40 ms, fixed per server) and ns2.flaky.test stays a black hole:

  - dnscope trace (every NS in parallel): wall time of the resolution vs its cold best path;
  - dnscope trace --one --timeout 5s (one server at a time, dig's timeout);
  - dig +trace (when dig is installed and `unshare -m` works: the lab's NS names go in a
    bind-mounted /etc/hosts, since dig looks every NS name up through the system);
  - the level with a dead and a black-holed NS: its cost vs the live server's RTT.

Prints medians over --runs runs and the ratios. Only loopback addresses are used.
Usage: bench/trace.py [--runs N] [--binary target/release/dnscope]
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from labrun import start_lab

NET = "127.80.0.0"
NAMES = [
    ("www.shop.test", "A"),
    ("www.paris.eu.shop.test", "A"),
    ("www.cdn.example", "A"),
    ("blog.shop.test", "A"),
    ("nope.shop.test", "A"),
    ("www.flaky.test", "A"),
]


def lab_copy(src, dst):
    shutil.copytree(src, dst)
    manifest = os.path.join(dst, "lab.toml")
    text = open(manifest).read()
    rng = random.Random(20261128)  # the same latencies every run
    out = []
    for block in text.split("[[server]]"):
        block = re.sub(r"\nlatency_ms = \d+", "", block)
        if out and "fault" not in block:
            block = block.rstrip("\n") + f"\nlatency_ms = {rng.randint(5, 40)}\n\n"
        out.append(block)
    open(manifest, "w").write("[[server]]".join(out))


ANCHOR = None  # the lab's trust anchor file, once the lab has started

DNSSEC_NAMES = [
    ("www.shop.test", "A"),
    ("nope.shop.test", "A"),
    ("www.nsec3.test", "A"),
    ("nope.nsec3.test", "A"),
    ("www.paris.eu.shop.test", "A"),
    ("blog.shop.test", "A"),
    ("www.expired.test", "A"),
    ("www.keytrap.test", "A"),
]


def trace(binary, root, port, name, rtype, extra=()):
    start = time.perf_counter()
    anchor = ("--trust-anchor", ANCHOR) if ANCHOR and "--no-dnssec" not in extra else ()
    out = subprocess.run(
        [binary, "trace", name, rtype, "--root", root, "--port", str(port), "--json", *anchor, *extra],
        capture_output=True, text=True, env={**os.environ, "DNSCOPE_LOOPBACK_ONLY": "1"})
    wall = (time.perf_counter() - start) * 1000
    return json.loads(out.stdout), wall


def dig_trace_cmd(plan, port, name, rtype, hosts):
    root = next(s["address"] for s in plan["servers"] if s["name"] == "a.root-servers.test.")
    inner = f"mount --bind {hosts} /etc/hosts && dig +trace +tries=1 +time=5 -p {port} @{root} {name} {rtype}"
    return ["unshare", "-m", "sh", "-c", inner]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--binary", default="target/release/dnscope")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    tmp = tempfile.mkdtemp(prefix="dnscope-bench-")
    lab_dir = os.path.join(tmp, "lab")
    lab_copy(os.path.join(here, "..", "fixtures", "lab"), lab_dir)
    lab, plan = start_lab(args.binary, lab_dir, NET)
    port = plan["port"]
    global ANCHOR
    ANCHOR = os.path.join(tmp, "lab.anchor")
    with open(ANCHOR, "w") as f:
        f.write("\n".join(plan["trust_anchor"]) + "\n")
    root = f"{NET[:-1]}2:{port}"
    hosts = os.path.join(tmp, "hosts")
    with open(hosts, "w") as f:
        f.write("127.0.0.1 localhost\n")
        for s in plan["servers"]:
            f.write(f"{s['address']} {s['name'].rstrip('.')}\n")
    have_dig = shutil.which("dig") and shutil.which("unshare") and subprocess.run(
        ["unshare", "-m", "true"], capture_output=True).returncode == 0
    print(f"lab on {NET}/24 port {port}, latency 5-40 ms per server, {args.runs} runs per figure (medians)")
    print("dnscope = the trace's own elapsed time (answer known); process = the whole command")
    print("(start-up and JSON included) with --no-wait, and by default (waiting for the slower")
    print("servers so that their outcome can be shown).")
    print(f"{'name':<24}{'cold best':>10}{'dnscope':>10}{'ratio':>7}{'process':>10}{'ratio':>7}{'default':>10}{'--one 5s':>11}{'ratio':>8}{'dig +trace':>12}{'ratio':>8}")
    try:
        for name, rtype in NAMES:
            res, walls, colds, ones, fast = [], [], [], [], []
            for _ in range(args.runs):
                _, quick = trace(args.binary, root, port, name, rtype, ("--no-wait",))
                fast.append(quick)
                doc, wall = trace(args.binary, root, port, name, rtype)
                res.append(doc["elapsed_ms"])
                walls.append(wall)
                colds.append(doc["cold_best_path_ms"])
                one, _ = trace(args.binary, root, port, name, rtype, ("--one", "--timeout", "5s", "--retries", "0"))
                ones.append(one["elapsed_ms"])
            digs = []
            if have_dig:
                for _ in range(args.runs):
                    start = time.perf_counter()
                    subprocess.run(dig_trace_cmd(plan, port, name, rtype, hosts), capture_output=True)
                    digs.append((time.perf_counter() - start) * 1000)
            cold, mine, one = statistics.median(colds), statistics.median(res), statistics.median(ones)
            dig = statistics.median(digs) if digs else None
            dig_s = f"{dig:>10.1f}ms{dig / cold:>7.2f}x" if dig else f"{'n/a':>12}{'':>8}"
            proc, quick = statistics.median(walls), statistics.median(fast)
            print(f"{name:<24}{cold:>8.1f}ms{mine:>8.1f}ms{mine / cold:>6.2f}x{quick:>8.1f}ms{quick / cold:>6.2f}x{proc:>8.1f}ms{one:>9.1f}ms{one / cold:>7.2f}x{dig_s}")
        # The level with a dead and a black-holed server.
        costs = []
        for _ in range(args.runs):
            doc, _ = trace(args.binary, root, port, "www.flaky.test", "A")
            step = next(s for s in doc["steps"] if s["zone"] == "flaky.test.")
            live = doc["hops"][step["chosen_hop"]]["rtt_ms"]
            costs.append(step["elapsed_ms"] / live)
        print(f"flaky.test level (1 down, 1 black hole, 1 live): step time / live RTT = "
              f"{statistics.median(costs):.2f}x (median of {args.runs})")
        print("dig +trace resolves NS names from /etc/hosts here (no cost) and stops at the first")
        print("CNAME, so it does less work than dnscope on glueless delegations and CNAME chains.")
        dnssec_table(args, root, port)
    finally:
        lab.terminate()
        lab.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def dnssec_table(args, root, port):
    """Validation against --no-dnssec: the whole command's wall time (with --no-wait, so
    that the wait for slower servers does not blur it), and the CPU the validation took."""
    print()
    print("DNSSEC: the same traces validating from the lab's trust anchor, and with --no-dnssec")
    print("(process wall time with --no-wait, medians; CPU = the validation itself, after the walk)")
    print(f"{'name':<24}{'--no-dnssec':>12}{'validating':>12}{'ratio':>7}{'verdict':>15}{'checks':>8}{'CPU':>9}{'keys wait':>11}")
    ratios = []
    for name, rtype in DNSSEC_NAMES:
        off, on, cpu, waits = [], [], [], []
        doc = None
        for _ in range(args.runs):
            _, w = trace(args.binary, root, port, name, rtype, ("--no-wait", "--no-dnssec"))
            off.append(w)
            doc, w = trace(args.binary, root, port, name, rtype, ("--no-wait",))
            on.append(w)
            cpu.append(doc["dnssec"]["work"]["cpu_ms"])
            waits.append(doc["dnssec"]["work"]["wait_ms"])
        a, b = statistics.median(off), statistics.median(on)
        ratios.append(b / a)
        d = doc["dnssec"]
        print(f"{name:<24}{a:>10.1f}ms{b:>10.1f}ms{b / a:>6.2f}x{d['verdict']:>15}"
              f"{d['work']['signature_checks']:>8}{statistics.median(cpu):>7.2f}ms{statistics.median(waits):>9.1f}ms")
    print(f"validating / --no-dnssec: median {statistics.median(ratios):.2f}x, worst {max(ratios):.2f}x")


if __name__ == "__main__":
    main()
