#!/usr/bin/env python3
"""Compare benchmark on the lab (issue 4's speed targets).

A copy of the lab gets 20 extra caching resolvers, each with its own added latency
(5..100 ms), and one black-holed resolver. In one run it prints:

  - compare over the 20 live resolvers (+ the zone's authoritative servers): the asking
    stage's wall time against the slowest live server's response time;
  - the same with the black hole added: the asking stage against the per-server timeout
    (the dead resolver must cost the timeout once, not once per retry or per server).

Medians over --runs runs. Only loopback addresses are used.
Usage: bench/compare.py [--runs N] [--binary target/release/dnscope]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def lab_copy(src, dst, hole):
    shutil.copytree(src, dst)
    manifest = os.path.join(dst, "lab.toml")
    with open(manifest, "a") as f:
        for i in range(20):
            f.write(f'\n[[resolver]]\nname = "r{i + 1:02d}"\naddress = "127.77.0.{110 + i}"\n'
                    f"latency_ms = {5 + i * 5}\n")
        if hole:
            f.write('\n[[resolver]]\nname = "hole"\naddress = "127.77.0.130"\nfault = "blackhole"\n')


def run(binary, lab_dir, timeout):
    resolvers = []
    for i in range(20):
        resolvers += ["--resolver", f"r{i + 1:02d}"]
    if os.path.exists(os.path.join(lab_dir, ".hole")):
        resolvers += ["--resolver", "hole"]
    start = time.perf_counter()
    out = subprocess.run(
        [binary, "compare", "www.shop.test", "--lab-dir", lab_dir, "--timeout", timeout, "--json", *resolvers],
        capture_output=True, text=True, env={**os.environ, "DNSCOPE_LOOPBACK_ONLY": "1"})
    wall = (time.perf_counter() - start) * 1000
    doc = json.loads(out.stdout)
    live = [s["rtt_ms"] for s in doc["servers"] if s["rtt_ms"] is not None]
    return doc["elapsed_ms"], max(live), wall, doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--binary", default="target/release/dnscope")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(here, "..", "fixtures", "lab")
    tmp = tempfile.mkdtemp(prefix="dnscope-bench-")
    try:
        live_dir, hole_dir = os.path.join(tmp, "live"), os.path.join(tmp, "hole")
        lab_copy(src, live_dir, hole=False)
        lab_copy(src, hole_dir, hole=True)
        open(os.path.join(hole_dir, ".hole"), "w").close()
        print(f"20 lab resolvers with 5..100 ms added latency, www.shop.test A, {args.runs} runs (medians)")
        stage, slowest, walls = [], [], []
        for _ in range(args.runs):
            e, s, w, doc = run(args.binary, live_dir, "1s")
            stage.append(e)
            slowest.append(s)
            walls.append(w)
        e, s = statistics.median(stage), statistics.median(slowest)
        print(f"live only:       asking stage {e:7.1f} ms, slowest live server {s:7.1f} ms -> {e / s:.2f}x "
              f"(whole command incl. lab start-up and discovery trace: {statistics.median(walls):.1f} ms)")
        stage, walls = [], []
        for _ in range(args.runs):
            # --timeout is per attempt (with the default 1 retry: 2 x 500 ms = 1000 ms in all).
            e, s, w, doc = run(args.binary, hole_dir, "500ms")
            stage.append(e)
            walls.append(w)
        e = statistics.median(stage)
        print(f"with black hole: asking stage {e:7.1f} ms, timeout 1000 ms (2 attempts of 500 ms) -> {e / 1000:.2f}x the timeout")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
